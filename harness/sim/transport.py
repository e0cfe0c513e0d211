"""An httpx transport serving the simulator in-process, like ``httpx.MockTransport`` does.

``httpx.Client(transport=SimTransport(core))`` sends every request through the very ASGI app
the loopback server runs (:class:`harness.sim.app.SimulatorApp`): body caps, slow answers,
throttling, validation and the journal are the same code, only the socket is gone. Tests that
need request/response semantics (not a process talking HTTP) save the server thread, the
connection set-up and the loopback round trip; tests/unit/test_sim_transport.py proves both
paths journal the same facts.

Requests are routed by host, as Amazon's hosts are: LWA (``api.amazon.com`` and its regional
twins), each region's production and sandbox SP-API host, and, for a started
:class:`~harness.sim.Simulator`, its own loopback base URLs. Any other host is refused with
``httpx.ConnectError`` (nothing leaves the process). Transport faults of a fault plan reach
the client as the exception a socket would give it: a read timeout (after the request's own
read timeout), a reset, a truncated body.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Coroutine, MutableMapping
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote, urlsplit

import httpx

from harness.cassettes.format import LWA_HOSTS, PRODUCTION_HOSTS, SANDBOX_HOSTS
from harness.contracts import REGIONS
from harness.sim.app import SimulatorApp
from harness.sim.core import LWA, TOKEN_PATH, SimCore

if TYPE_CHECKING:
    from harness.sim.server import Endpoints, Simulator

__all__ = ["AMAZON_HOSTS", "SimTransport", "amazon_endpoint"]

T = TypeVar("T")
Message = MutableMapping[str, Any]

AMAZON_HOSTS: dict[str, str] = {
    **dict.fromkeys(LWA_HOSTS, LWA),
    **{host: region for region, host in PRODUCTION_HOSTS.items()},
    **{host: region for region, host in SANDBOX_HOSTS.items()},
}
"""Amazon's host -> the simulator endpoint that stands for it ("LWA", "NA", "EU", "FE").

The sandbox hosts reach the same simulated world as production ones: a test that hard-codes
either runs unmodified."""

# The ASGI app tells endpoints apart by the port a request reached; in-process there is no
# port, so each endpoint gets a made-up one that no socket can have.
_PORTS = {label: -(n + 1) for n, label in enumerate((LWA, *REGIONS))}


def amazon_endpoint(host: str) -> str | None:
    """The simulator endpoint an Amazon ``host`` stands for, None for any other host."""
    return AMAZON_HOSTS.get(host.lower().rstrip("."))


class _Cycle:
    """One request/response cycle between the client and the ASGI app, without a socket.

    ``send`` is a bound method whose object has a ``transport`` (this object), which is how
    the app and its fault code close or reset "the connection" (see harness.sim.faults.wire).
    """

    def __init__(self, body: bytes, read_timeout: float | None) -> None:
        self.transport = self
        self._body = body
        self._body_sent = False
        self._read_timeout = read_timeout
        self._closed = asyncio.Event()
        self.queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.reset = False

    # -- what the app sees ----------------------------------------------------------------
    async def receive(self) -> Message:
        if not self._body_sent:
            self._body_sent = True
            return {"type": "http.request", "body": self._body, "more_body": False}
        await self._closed.wait()  # the client has gone, or the app closed the connection
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if self._closed.is_set():
            return  # written to a closed connection: lost, as on a socket
        if message["type"] == "http.response.start":
            self.queue.put_nowait(("start", message))
        elif message["type"] == "http.response.body":
            self.queue.put_nowait(("body", message))

    # -- the asyncio transport the fault code reaches through ``send.__self__`` ----------------
    def close(self) -> None:
        if not self._closed.is_set():
            self._closed.set()
            self.queue.put_nowait(("closed", None))

    def abort(self) -> None:
        self.reset = True
        self.close()

    def is_closing(self) -> bool:
        return self._closed.is_set()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default  # no socket to set SO_LINGER on: abort() marks the reset instead

    async def next_event(self, request: httpx.Request) -> tuple[str, Any]:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout=self._read_timeout)
        except TimeoutError:
            self.close()  # the client gives up and closes, as it would on a socket
            raise httpx.ReadTimeout("timed out", request=request) from None


class SimTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Serve a simulator (a :class:`SimCore`, or a :class:`Simulator` and its core) in-process.

    Works with ``httpx.Client`` and ``httpx.AsyncClient``. :attr:`endpoints` names Amazon's
    production hosts, so a client built from them needs no change; a started Simulator's
    loopback URLs are served too, so code holding ``sim.endpoints`` can switch transports.
    """

    def __init__(self, sim: SimCore | Simulator) -> None:
        core = sim if isinstance(sim, SimCore) else sim.core
        self.core = core
        self._app = SimulatorApp(core)
        self._app.ports = {port: label for label, port in _PORTS.items()}
        self._sim = None if isinstance(sim, SimCore) else sim
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def endpoints(self) -> Endpoints:
        """Amazon's production LWA token URL and regional base URLs (all served here)."""
        from harness.sim.server import Endpoints

        return Endpoints(
            lwa_token_url=f"https://api.amazon.com{TOKEN_PATH}",
            regions={r: f"https://{PRODUCTION_HOSTS[r]}" for r in REGIONS},
        )

    def _loopback(self) -> dict[tuple[str, int], str]:
        """(host, port) -> endpoint of the Simulator's sockets, while it runs."""
        if self._sim is None or getattr(self._sim, "_endpoints", None) is None:
            return {}
        endpoints = self._sim.endpoints
        found = {}
        for label, url in [(LWA, endpoints.lwa_token_url), *endpoints.regions.items()]:
            parts = urlsplit(url)
            if parts.hostname and parts.port:
                found[(parts.hostname, parts.port)] = label
        return found

    def endpoint_for(self, url: httpx.URL) -> str | None:
        """The simulator endpoint ``url`` reaches, None when it is no host served here."""
        host = url.host.lower()
        return self._loopback().get((host, url.port or 0)) or amazon_endpoint(host)

    # -- httpx entry points -------------------------------------------------------------------
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        return self._run(self._serve(request))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return await self._serve(request)

    def close(self) -> None:
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)
            loop.close()

    async def aclose(self) -> None:
        self.close()

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run on the transport's own event loop thread: sync clients may call from any
        thread (or from inside a running loop), and concurrent calls interleave as they do in
        the server's single loop, so a slow answer never holds up the others."""
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="acorn-sim-transport", daemon=True
                )
                thread.start()
                self._loop, self._thread = loop, thread
            loop = self._loop
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result()

    # -- one request --------------------------------------------------------------------------
    async def _serve(self, request: httpx.Request) -> httpx.Response:
        endpoint = self.endpoint_for(request.url)
        if endpoint is None:
            raise httpx.ConnectError(
                f"SimTransport serves only Amazon's LWA and SP-API hosts (and a started "
                f"simulator's loopback URLs); refused {request.url.host!r}",
                request=request,
            )
        timeouts = request.extensions.get("timeout") or {}
        cycle = _Cycle(request.content, timeouts.get("read"))
        raw_path = request.url.raw_path.split(b"?", 1)[0]
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": request.url.scheme,
            "path": unquote(raw_path.decode("latin-1")),
            "raw_path": raw_path,
            "query_string": request.url.query,
            "headers": [(k.lower(), v) for k, v in request.headers.raw],
            "server": (request.url.host, _PORTS[endpoint]),
            "client": ("127.0.0.1", 0),
        }
        app: Callable[..., Awaitable[None]] = self._app
        task = asyncio.ensure_future(app(scope, cycle.receive, cycle.send))
        task.add_done_callback(lambda _t: cycle.queue.put_nowait(("done", None)))
        try:
            return await self._response(request, cycle, task)
        finally:
            cycle.close()
            if not task.done():
                task.cancel()

    async def _response(
        self, request: httpx.Request, cycle: _Cycle, task: asyncio.Future[None]
    ) -> httpx.Response:
        kind, message = await cycle.next_event(request)
        if kind != "start":
            error = task.exception() if task.done() else None
            if error is not None:  # a bug in the simulator: its traceback, not a 500
                raise error
            if cycle.reset:
                raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request)
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        status, headers = message["status"], message.get("headers", [])
        announced = next((int(v) for k, v in headers if k.lower() == b"content-length"), None)
        chunks: list[bytes] = []
        more = True
        while more:
            kind, part = await cycle.next_event(request)
            if kind != "body":
                received = sum(map(len, chunks))
                raise httpx.RemoteProtocolError(
                    "peer closed connection without sending complete message body: "
                    f"received {received} bytes, expected {announced}",
                    request=request,
                )
            chunks.append(part.get("body", b""))
            more = bool(part.get("more_body"))
        return httpx.Response(
            status,
            headers=headers,
            content=b"".join(chunks),
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )
