"""Serve one ASGI app on several loopback ports (LWA + one per region), as the Simulator does.

The replay server and the recording proxy need the same shape as the Simulator (the port a
request arrived on tells which Amazon host it stands for), so an integration configured for
one is configured for all three.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import threading
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

try:  # uvicorn[standard]'s C parser and event loop: ~3x the requests per second of h11
    import uvloop  # noqa: F401
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - both are dependencies; h11/asyncio still work
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

from harness.errors import AcornUsageError
from harness.sim.limits import HEADER_TIMEOUT, MAX_CONNECTIONS
from harness.sim.tls import ServerFiles

__all__ = ["LoopbackServer", "PortUnavailable", "read_body"]


class PortUnavailable(AcornUsageError):
    """A fixed port (``acorn serve --port``) is taken or not allowed: say which and the fix."""

    def __init__(self, host: str, port: int, label: str, exc: OSError) -> None:
        self.port = port
        taken = exc.errno == errno.EADDRINUSE
        why = "is already in use" if taken else f"cannot be bound ({exc.strerror or exc})"
        super().__init__(
            f"port {port} on {host} (for {label}) {why}",
            fix=f"stop the process listening on port {port} (e.g. find it with "
            f"`lsof -i :{port}`) or choose other ports with --port (this one and the next "
            "three are used: LWA, NA, EU, FE)",
        )


ASGIApp = Callable[
    [
        MutableMapping[str, Any],
        Callable[[], Awaitable[MutableMapping[str, Any]]],
        Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ],
    Awaitable[None],
]


async def read_body(
    receive: Callable[[], Awaitable[MutableMapping[str, Any]]], limit: int | None = None
) -> bytes | None:
    """The whole request body: ASGI hands it over in chunks until ``more_body`` is false.

    None when it grows past ``limit`` bytes: reading stops there, so an oversized body is
    never held whole in memory.
    """
    chunks = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if limit is not None and size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


class _BoundedH11(H11Protocol):
    """uvicorn's h11 protocol with a deadline for request headers (slowloris).

    uvicorn's keep-alive timer is cancelled by every byte received, so a client sending its
    headers one byte at a time held a connection forever. This deadline runs from the
    connection (or the previous answer) until a complete request head arrives, whatever
    trickles in meanwhile; then the connection is closed without an answer.
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        self._header_deadline: asyncio.TimerHandle | None = self.loop.call_later(
            HEADER_TIMEOUT, self._header_deadline_passed
        )

    def _disarm_header_deadline(self) -> None:
        deadline = getattr(self, "_header_deadline", None)
        if deadline is not None:
            deadline.cancel()
        self._header_deadline = None

    def _header_deadline_passed(self) -> None:
        self._header_deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def handle_events(self) -> None:
        before = self.cycle
        super().handle_events()
        if self.cycle is not before:  # a complete request head arrived
            self._disarm_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)


def _ssl_options(tls: ServerFiles | None) -> dict[str, Any]:
    """uvicorn's ssl options for a certificate (none: plain HTTP)."""
    if tls is None:
        return {}
    return {"ssl_certfile": str(tls.certfile), "ssl_keyfile": str(tls.keyfile)}


MAX_HEAD_BYTES = 16 * 1024
"""Largest request head read (h11's limit, which uvicorn's h11 protocol enforced here before):
httptools has none of its own, so a client streaming an endless head would grow memory until
the header deadline."""


if HttpToolsProtocol is not None:

    class _BoundedHttpTools(HttpToolsProtocol):
        """uvicorn's httptools protocol with :class:`_BoundedH11`'s header deadline, and h11's
        cap on the size of a request head (400, as h11 answers)."""

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm_header_deadline()

        def _arm_header_deadline(self) -> None:
            self._disarm_header_deadline()
            self._head_bytes: int | None = 0
            self._header_deadline: asyncio.TimerHandle | None = self.loop.call_later(
                HEADER_TIMEOUT, self._header_deadline_passed
            )

        def _disarm_header_deadline(self) -> None:
            deadline = getattr(self, "_header_deadline", None)
            if deadline is not None:
                deadline.cancel()
            self._header_deadline = None
            self._head_bytes = None

        def _header_deadline_passed(self) -> None:
            self._header_deadline = None
            if not self.transport.is_closing():
                self.transport.close()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._head_bytes is not None:  # still waiting for a complete head
                self._head_bytes += len(data)
                if self._head_bytes > MAX_HEAD_BYTES and not self.transport.is_closing():
                    self._disarm_header_deadline()
                    self.send_400_response("Invalid HTTP request received.")

        def on_headers_complete(self) -> None:
            self._disarm_header_deadline()
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            pipelined = bool(self.pipeline)  # its head is already complete
            super().on_response_complete()
            if not pipelined and not self.transport.is_closing():
                self._arm_header_deadline()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm_header_deadline()
            super().connection_lost(exc)

    _PROTOCOL: type[asyncio.Protocol] = _BoundedHttpTools
    _LOOP = "uvloop"
else:  # pragma: no cover
    _PROTOCOL, _LOOP = _BoundedH11, "asyncio"


class LoopbackServer:
    """uvicorn in a background thread; sockets bound first, so the ports are known at once."""

    def __init__(
        self,
        app: ASGIApp,
        names: Sequence[str],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: ServerFiles | None = None,
        strict: bool = False,
    ) -> None:
        self.app = app
        self.strict = strict
        """h11 on asyncio instead of httptools on uvloop: for servers that forward traffic
        outward (the recording proxy). h11 keeps an absolute-form request target whole, so
        a target naming another host is seen and refused, and its sockets are Python's own
        (what the production-guard tests trap); speed does not matter there."""
        self.names = tuple(names)
        self.host = host
        self.port = port
        """First port (the next names on the following ports); 0: any free ports."""
        self.tls = tls
        """When set, every port speaks HTTPS with this certificate (see harness.sim.tls)."""
        self.ports: dict[int, str] = {}
        self.bases: dict[str, str] = {}
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self, name: str = "acorn-loopback") -> dict[str, str]:
        if self._server is not None:
            return self.bases
        sockets: list[socket.socket] = []
        for index, label in enumerate(self.names):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            # Without it a keep-alive answer waits ~40 ms for a delayed ACK (Nagle).
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            wanted = self.port + index if self.port else 0
            try:
                sock.bind((self.host, wanted))
            except OSError as exc:
                for opened in (*sockets, sock):
                    opened.close()
                raise PortUnavailable(self.host, wanted, label, exc) from None
            sock.listen(128)
            port = sock.getsockname()[1]
            self.ports[port] = label
            scheme = "https" if self.tls is not None else "http"
            self.bases[label] = f"{scheme}://{self.host}:{port}"
            sockets.append(sock)
        config = uvicorn.Config(
            self.app,
            log_level="error",
            access_log=False,
            lifespan="off",
            server_header=False,
            interface="asgi3",
            http=_BoundedH11 if self.strict else _PROTOCOL,
            loop="asyncio" if self.strict else _LOOP,
            limit_concurrency=MAX_CONNECTIONS,
            **_ssl_options(self.tls),
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": sockets}, name=name, daemon=True
        )
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"{name}: the HTTP server failed to start")
            threading.Event().wait(0.005)
        return self.bases

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None
