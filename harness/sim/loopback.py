"""Serve one ASGI app on several loopback ports (LWA + one per region), as the Simulator does.

The replay server and the recording proxy need the same shape as the Simulator (the port a
request arrived on tells which Amazon host it stands for), so an integration configured for
one is configured for all three.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

import uvicorn

__all__ = ["LoopbackServer", "read_body"]

ASGIApp = Callable[
    [
        MutableMapping[str, Any],
        Callable[[], Awaitable[MutableMapping[str, Any]]],
        Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ],
    Awaitable[None],
]


async def read_body(receive: Callable[[], Awaitable[MutableMapping[str, Any]]]) -> bytes:
    """The whole request body: ASGI hands it over in chunks until ``more_body`` is false."""
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


class LoopbackServer:
    """uvicorn in a background thread; sockets bound first, so the ports are known at once."""

    def __init__(self, app: ASGIApp, names: Sequence[str], *, host: str = "127.0.0.1") -> None:
        self.app = app
        self.names = tuple(names)
        self.host = host
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
        sockets = []
        for label in self.names:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            # Without it a keep-alive answer waits ~40 ms for a delayed ACK (Nagle).
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.bind((self.host, 0))
            sock.listen(128)
            port = sock.getsockname()[1]
            self.ports[port] = label
            self.bases[label] = f"http://{self.host}:{port}"
            sockets.append(sock)
        config = uvicorn.Config(
            self.app,
            log_level="error",
            access_log=False,
            lifespan="off",
            server_header=False,
            interface="asgi3",
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
