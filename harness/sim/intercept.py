"""The intercept proxy: Amazon's own hostnames answered by the simulator, nothing forwarded.

Some clients cannot be pointed at another host: Amazon's JS SDK has
``https://api.amazon.com/auth/o2/token`` compiled in, and SDKs verify TLS against a CA store.
They all honour ``HTTPS_PROXY``, though, and tunnel every https request through an HTTP
CONNECT. This proxy (bound to loopback only) accepts a CONNECT to exactly the hosts in
:data:`INTERCEPTED` (LWA and SP-API production and sandbox, the names the production guard
in harness.cassettes.guard calls Amazon's), terminates TLS there with a certificate the local
CA (harness.sim.tls) issued for those names, and pipes the decrypted bytes to the
simulator's port for that host, so the journal sees the request as if the client had been
configured for ACORN. A CONNECT to any other host, or to another port, is answered 403 and
recorded; the proxy never resolves or dials it, so nothing leaves the machine.

The CONNECT head is parsed by h11 (the HTTP/1.1 state machine uvicorn uses too); TLS is the
standard :mod:`ssl` module through asyncio's ``start_tls``.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import h11

from harness.cassettes.format import LWA_URL, PRODUCTION_HOSTS, SANDBOX_HOSTS
from harness.errors import AcornUsageError
from harness.sim.core import LWA
from harness.sim.limits import MAX_CONNECTIONS
from harness.sim.server import Simulator
from harness.sim.tls import ServerFiles, TlsMaterial

__all__ = ["INTERCEPTED", "InterceptProxy", "Tunnel", "amazon_env", "intercept"]

_LWA_HOST = urlsplit(LWA_URL).hostname or "api.amazon.com"
INTERCEPTED: dict[str, str] = {
    _LWA_HOST: LWA,
    **{host: region for region, host in PRODUCTION_HOSTS.items()},
    **{host: region for region, host in SANDBOX_HOSTS.items()},
}
"""Host name -> the simulator endpoint that answers it (LWA, NA, EU, FE)."""
HEAD_TIMEOUT = 10.0
"""Seconds a client has to send its CONNECT head (a silent connection is closed)."""
MAX_HEAD = 16 * 1024
_CHUNK = 64 * 1024


def amazon_env(proxy_url: str) -> dict[str, str]:
    """ACORN's endpoint variables at Amazon's own URLs, and the proxy in ``HTTPS_PROXY``."""
    return {
        "ACORN_LWA_TOKEN_URL": LWA_URL,
        **{f"ACORN_ENDPOINT_{r}": f"https://{host}" for r, host in PRODUCTION_HOSTS.items()},
        "HTTPS_PROXY": proxy_url,
        "https_proxy": proxy_url,
    }


@dataclass(frozen=True)
class Tunnel:
    """One CONNECT the proxy saw: where to, and whether it was answered or refused."""

    target: str
    endpoint: str | None
    """The simulator endpoint that answered it; None when refused."""
    reason: str = ""


class InterceptProxy:
    """An HTTPS (CONNECT) proxy on loopback answering Amazon's hosts from ``upstreams``.

    ``upstreams``: endpoint (LWA, NA, EU, FE) -> the simulator's base URL for it (http or
    https on loopback). ``tls``: the local CA that issues the certificate for Amazon's names
    and that the simulator's https ports are verified against.
    """

    def __init__(
        self,
        upstreams: Mapping[str, str],
        tls: TlsMaterial,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        certificate: ServerFiles | None = None,
    ) -> None:
        # ``certificate``: what the proxy presents for Amazon's names (default: a leaf from the
        # local CA; TLS-01 presents a bad one).
        if not _is_loopback(host):
            raise AcornUsageError(
                f"the intercept proxy binds to loopback only, not {host!r}: it answers as "
                "Amazon, so no other machine may reach it",
                fix="bind it to 127.0.0.1 (the default) or ::1",
            )
        self.host, self.requested_port = host, port
        self.tls = tls
        self._upstreams = {name: _split(url) for name, url in upstreams.items()}
        self._server_ctx = (certificate or tls.server(*INTERCEPTED)).context()
        self._client_ctx = tls.client_context()
        self.tunnels: list[Tunnel] = []
        self.notify: Callable[[Tunnel], None] | None = None
        """Called (on the proxy's thread) for every refused connection, e.g. to print it."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self.port = 0
        self._open = 0  # connections being served (touched on the proxy's loop only)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def refused(self) -> list[Tunnel]:
        return [t for t in self.tunnels if t.endpoint is None]

    def env(self) -> dict[str, str]:
        """What an unmodified client needs: Amazon's URLs, the proxy, and the CA."""
        return {**amazon_env(self.url), **self.tls.env()}

    def start(self) -> str:
        if self._thread is not None:
            return self.url
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.bind((self.host, self.requested_port))
        except OSError as exc:
            sock.close()
            if exc.errno == errno.EADDRINUSE:
                raise AcornUsageError(
                    f"port {self.requested_port} on {self.host} is already in use, so the "
                    "intercept proxy cannot listen there",
                    fix="stop what holds that port, or choose another --proxy-port "
                    "(0 picks a free one)",
                ) from None
            raise AcornUsageError(
                f"the intercept proxy cannot listen on {self.host}:{self.requested_port}: "
                f"{exc.strerror}",
                fix="choose another --proxy-port (0 picks a free one)",
            ) from None
        sock.listen(128)
        self.port = sock.getsockname()[1]
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            self._server = loop.run_until_complete(asyncio.start_server(self._serve, sock=sock))
            ready.set()
            loop.run_forever()
            loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="acorn-intercept", daemon=True)
        self._thread.start()
        ready.wait(5)
        return self.url

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        self._loop = self._thread = self._server = None

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        current = asyncio.current_task()
        for task in asyncio.all_tasks():
            if task is not current:
                task.cancel()

    def __enter__(self) -> InterceptProxy:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _refused(self, tunnel: Tunnel) -> None:
        self.tunnels.append(tunnel)
        if self.notify is not None:
            self.notify(tunnel)

    # -- one client connection -------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._open >= MAX_CONNECTIONS:  # as the simulator bounds its own connections
            writer.close()
            return
        self._open += 1
        try:
            await self._tunnel(reader, writer)
        except (ConnectionError, ssl.SSLError, OSError, TimeoutError, h11.ProtocolError):
            pass  # a client that went away or failed the handshake: nothing to answer
        finally:
            self._open -= 1
            writer.close()

    async def _tunnel(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
        request = await asyncio.wait_for(_read_head(reader, conn), HEAD_TIMEOUT)
        if request is None:
            return
        target = request.target.decode("latin-1")
        if request.method != b"CONNECT":
            self._refused(Tunnel(target, None, "not a CONNECT"))
            await _refuse(
                writer,
                conn,
                405,
                "ACORN's intercept proxy only tunnels HTTPS (CONNECT) to Amazon's SP-API and "
                "LWA hosts; it forwards nothing else.",
            )
            return
        host, port = _host_port(target)
        endpoint = INTERCEPTED.get(host)
        if endpoint is None or port != 443 or endpoint not in self._upstreams:
            # Never resolved, never dialled: the refusal is the whole answer.
            self._refused(Tunnel(target, None, "not an Amazon SP-API or LWA host:443"))
            await _refuse(
                writer,
                conn,
                403,
                f"ACORN's intercept proxy refuses {target}: it answers only "
                + ", ".join(sorted(INTERCEPTED))
                + " on port 443, from the simulator, and forwards nothing to the internet.",
            )
            return
        self.tunnels.append(Tunnel(target, endpoint))
        writer.write(conn.send(h11.Response(status_code=200, headers=[])) or b"")
        await writer.drain()
        up_host, up_port, up_tls = self._upstreams[endpoint]
        # Both handshakes at once: the one to the simulator (on loopback, never elsewhere) must
        # not delay the client's first request more than a direct TLS connection would.
        upstream = asyncio.ensure_future(
            asyncio.open_connection(
                up_host,
                up_port,
                ssl=self._client_ctx if up_tls else None,
                server_hostname=up_host if up_tls else None,
            )
        )
        try:
            await writer.start_tls(self._server_ctx)
        except BaseException:
            upstream.cancel()
            with contextlib.suppress(BaseException):
                _, idle = await upstream
                idle.close()
            raise
        up_reader, up_writer = await upstream
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            up_writer.close()


async def _read_head(reader: asyncio.StreamReader, conn: h11.Connection) -> h11.Request | None:
    while True:
        event = conn.next_event()
        if isinstance(event, h11.Request):
            return event
        if event is h11.NEED_DATA:
            data = await reader.read(4096)
            conn.receive_data(data)
            if not data:
                return None
            continue
        return None  # ConnectionClosed or anything unexpected


async def _refuse(
    writer: asyncio.StreamWriter, conn: h11.Connection, status: int, text: str
) -> None:
    body = (text + "\n").encode()
    headers = [
        ("content-type", "text/plain; charset=utf-8"),
        ("content-length", str(len(body))),
        ("connection", "close"),
    ]
    for event in (h11.Response(status_code=status, headers=headers), h11.Data(data=body)):
        writer.write(conn.send(event) or b"")
    writer.write(conn.send(h11.EndOfMessage()) or b"")
    await writer.drain()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy until either side ends; then close the writer so the other direction ends too."""
    try:
        while chunk := await reader.read(_CHUNK):
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, ssl.SSLError, OSError):
        pass
    finally:
        writer.close()


def _host_port(target: str) -> tuple[str, int]:
    """``host:port`` of a CONNECT target (authority form), normalised as the guard does."""
    host, _, port = target.rpartition(":")
    if not host:
        host, port = target, "443"
    host = host.strip("[]").lower().rstrip(".")
    return host, int(port) if port.isdigit() else -1


def _split(url: str) -> tuple[str, int, bool]:
    parts = urlsplit(url)
    tls = parts.scheme == "https"
    return parts.hostname or "127.0.0.1", parts.port or (443 if tls else 80), tls


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


def intercept(
    sim: Simulator, *, port: int = 0, certificate: ServerFiles | None = None
) -> InterceptProxy:
    """Start a proxy in front of a running TLS simulator; its env() then names Amazon's URLs.

    The simulator must serve TLS (``SimConfig(tls=True)`` or a :class:`TlsMaterial`): the
    proxy's certificates come from the same CA the integration is told to trust.
    """
    if sim.tls is None:
        raise AcornUsageError(
            "the intercept proxy needs the simulator's TLS material (its local CA issues the "
            "certificates for Amazon's host names), and this simulator runs plain HTTP",
            fix="start the simulator with TLS (acorn serve --tls --intercept, or "
            "SimConfig(tls=True))",
        )
    endpoints = sim.endpoints
    upstreams: dict[str, str] = {LWA: endpoints.lwa_token_url}
    upstreams.update({str(region): url for region, url in endpoints.regions.items()})
    proxy = InterceptProxy(upstreams, sim.tls, port=port, certificate=certificate)
    proxy.start()
    sim.extra_env = proxy.env()
    return proxy
