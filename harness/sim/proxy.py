"""The recording proxy: the integration talks to ACORN, ACORN forwards to the upstream and records.

Same shape as the Simulator (one loopback port for LWA, one per region), so an integration
configured for ACORN records without a code change. Each exchange is kept in memory only; the
cassette is scrubbed, scanned and then written by :meth:`RecordingProxy.save`. Nothing
unscrubbed touches the disk.

Upstream by default: Amazon's sandbox hosts (``sandbox.sellingpartnerapi-{na,eu,fe}.amazon.com``)
and LWA (``api.amazon.com``). Production SP-API hosts are refused unless explicitly allowed.
In the cassette every URI names the Amazon host the port stands for (the sandbox host, or the
production host when recording production), whatever the upstream really was, so the cassette
replays the same from ``acorn serve --cassette`` and from vcrpy in a Python test.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from harness.cassettes import (
    Cassette,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    Scrubber,
    api_versions,
    save,
)
from harness.cassettes.format import LWA_URL, PRODUCTION_HOSTS, SANDBOX_HOSTS
from harness.cassettes.guard import Destination, refuse_production
from harness.contracts import REGIONS, ContractSet, load_contracts
from harness.sim.core import LWA, TOKEN_PATH
from harness.sim.loopback import LoopbackServer, read_body

__all__ = ["RecordingProxy", "Upstream"]

ENDPOINTS = (LWA, *REGIONS)
_HOP = frozenset(
    {
        "host",
        "content-length",
        "connection",
        "keep-alive",
        "transfer-encoding",
        "te",
        "upgrade",
        "proxy-connection",
        "accept-encoding",
        "content-encoding",
    }
)
_LWA_ORIGIN = LWA_URL.removesuffix(TOKEN_PATH)


def _guard(urls: dict[str, str], allow: bool) -> dict[str, Destination]:
    """The one production guard (harness.cassettes.guard) on the recording's endpoints.

    LWA's host is allowed as the LWA endpoint (the sandbox takes production LWA tokens); no
    other Amazon host but the sandbox's without --allow-production.
    """
    return refuse_production(
        urls,
        allow=allow,
        doing="record against",
        where="--upstream",
        fix="record against the sandbox (the default, or "
        "sandbox.sellingpartnerapi-{na,eu,fe}.amazon.com) or a simulator on loopback",
        lwa_ok={LWA},
    )


def _origin(name: str, url: str, allow: bool) -> str:
    """The upstream's origin (and path prefix), as httpx, which sends the requests, reads it."""
    parts = _guard({name: url}, allow)[name].url
    assert parts is not None  # the guard refuses what httpx cannot send
    path = parts.path.rstrip("/").removesuffix(TOKEN_PATH).rstrip("/")
    return str(parts.copy_with(path=path, query=None, fragment=None))


def _shown(base: str) -> str:
    """A base for the console and the cassette's ``upstream``: never its userinfo."""
    return str(httpx.URL(base).copy_with(userinfo=b""))


def _same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    return (a.scheme, a.raw_host, a.port, a.userinfo) == (b.scheme, b.raw_host, b.port, b.userinfo)


@dataclass(frozen=True)
class Upstream:
    """Where each endpoint (LWA, NA, EU, FE) is forwarded, and the host the cassette names."""

    bases: dict[str, str]
    production: bool
    description: str

    @classmethod
    def parse(cls, values: list[str] | None, *, allow_production: bool = False) -> Upstream:
        """``sandbox`` (default), ``production``, one URL for every endpoint, or ``NA=URL``..."""
        sandbox: dict[str, str] = {LWA: _LWA_ORIGIN}
        sandbox.update({r: f"https://{SANDBOX_HOSTS[r]}" for r in REGIONS})
        values = [v for v in (values or []) if v.strip()] or ["sandbox"]
        bases = dict(sandbox)
        described = []
        for value in values:
            if value == "sandbox":
                described.append("Amazon's SP-API sandbox")
                continue
            if value == "production":
                bases.update({r: f"https://{PRODUCTION_HOSTS[r]}" for r in REGIONS})
                described.append("Amazon's SP-API production")
                continue
            name, sep, url = value.partition("=")
            if sep and name.upper() in ENDPOINTS:
                bases[name.upper()] = _origin(name.upper(), url, allow_production)
                described.append(f"{name.upper()}={_shown(bases[name.upper()])}")
            else:
                base = _origin("every endpoint", value, allow_production)
                bases.update(dict.fromkeys(ENDPOINTS, base))
                described.append(_shown(base))
        found = _guard(bases, allow_production)
        production = [r for r in REGIONS if found[r].kind in ("production", "lwa")]
        return cls(bases, bool(production), "; ".join(described))

    def canonical(self, endpoint: str) -> str:
        """The Amazon origin the cassette's URIs name for ``endpoint``."""
        if endpoint == LWA:
            return _LWA_ORIGIN
        host = PRODUCTION_HOSTS if self.production else SANDBOX_HOSTS
        return f"https://{host[endpoint]}"


Scope = MutableMapping[str, Any]


class RecordingProxy:
    """Forward, answer, and remember every exchange (in memory) until :meth:`save`."""

    def __init__(
        self,
        upstream: Upstream,
        *,
        name: str,
        timeout: float = 60.0,
        on_exchange: Callable[[str], None] | None = None,
        contracts: ContractSet | None = None,
        description: str | None = None,
    ) -> None:
        self.upstream = upstream
        self.description = description or upstream.description
        """What the cassette says it recorded (loopback ports mean nothing to a reader)."""
        self.name = name
        self.timeout = timeout
        self.on_exchange = on_exchange
        self.contracts = contracts or load_contracts()
        self.server = LoopbackServer(self._app, ENDPOINTS, strict=True)
        self._lock = threading.Lock()
        self._items: list[Interaction] = []
        self.errors: list[str] = []
        self.started_at = datetime.now(UTC)
        self.scrubber: Scrubber | None = None
        """The scrubber of the last :meth:`save`: it knows every secret and PII value seen."""

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> dict[str, str]:
        return self.server.start("acorn-recording-proxy")

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> RecordingProxy:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def env(self) -> dict[str, str]:
        """ACORN's endpoint variables pointing at this proxy (credentials stay the user's)."""
        bases = self.server.bases
        return {
            "ACORN_LWA_TOKEN_URL": bases[LWA] + TOKEN_PATH,
            **{f"ACORN_ENDPOINT_{r}": bases[r] for r in REGIONS},
        }

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._items)

    # -- saving --------------------------------------------------------------------------

    def cassette(self) -> Cassette:
        """The raw (unscrubbed) recording: in memory only, never written as is."""
        with self._lock:
            items = list(self._items)
        raw = Cassette(self.name, items)
        meta: dict[str, Any] = {
            "recorded_at": self.started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "upstream": self.description,
            "hosts": "production" if self.upstream.production else "sandbox",
            "apis": api_versions(raw, self.contracts),
        }
        raw.meta = meta
        return raw

    def save(
        self,
        path: Path,
        *,
        pseudonymise: bool = True,
        secrets: list[str] | None = None,
        pii: list[str] | None = None,
        seller_ids: list[str] | None = None,
    ) -> tuple[Path, Cassette]:
        scrubber = Scrubber(
            pseudonymise=pseudonymise,
            secrets=secrets or [],
            pii=pii or [],
            seller_ids=seller_ids or [],
            contracts=self.contracts,
        )
        self.scrubber = scrubber
        raw = self.cassette()
        if not pseudonymise and seller_ids:
            raw.meta["seller_id"] = seller_ids[0]
        clean = save(raw, path, scrubber)
        return path, clean

    # -- the ASGI app --------------------------------------------------------------------

    async def _app(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = await read_body(receive) or b""  # no limit: never None
        port = scope["server"][1] if scope.get("server") else 0
        endpoint = self.server.ports.get(port, LWA)
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        raw_path = raw_path.split("?")[0]
        query = scope.get("query_string", b"").decode("latin-1")
        base = self.upstream.bases[endpoint]
        method = scope["method"].upper()
        try:
            target = httpx.URL(base + raw_path + (f"?{query}" if query else ""))
        except (httpx.InvalidURL, UnicodeError, ValueError):
            target = None
        if target is None or not _same_origin(target, httpx.URL(base)):
            # A request target that is not a path ("@host/...", "//host") would move the
            # request to another host once joined to the base: refused, never forwarded.
            self.errors.append(f"{endpoint} {method}: request target is not a path, refused")
            error = (
                b'{"errors":[{"code":"InvalidInput","message":"ACORN recording proxy: the '
                b'request target must be a path","details":""}]}'
            )
            await _send(send, 400, [("content-type", "application/json")], error)
            return
        headers = [
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, v in scope["headers"]
            if k.decode("latin-1").lower() not in _HOP
        ]
        try:
            async with httpx.AsyncClient(timeout=self.timeout, trust_env=False) as client:
                answer = await client.request(
                    method,
                    target,
                    headers=[*headers, ("accept-encoding", "identity")],
                    content=body,
                )
        except httpx.HTTPError as exc:
            # Not recorded: the upstream never answered. The URL holds no secret (path only).
            self.errors.append(f"{endpoint} {method} {raw_path}: {type(exc).__name__}")
            error = (
                b'{"errors":[{"code":"InternalFailure","message":"ACORN recording proxy could not '
                b'reach the upstream","details":""}]}'
            )
            await _send(send, 502, [("content-type", "application/json")], error)
            return
        content = answer.content
        out_headers = [(k, v) for k, v in answer.headers.multi_items() if k.lower() not in _HOP]
        self._remember(endpoint, method, raw_path, query, headers, body, answer, out_headers)
        await _send(send, answer.status_code, out_headers, self._live(content))

    def _live(self, content: bytes) -> bytes:
        """URLs to the upstream in a body (presigned documents) now lead through the proxy."""
        for endpoint, base in self.upstream.bases.items():
            if base.startswith("http://127.0.0.1") or base.startswith("http://localhost"):
                content = content.replace(base.encode(), self.server.bases[endpoint].encode())
        return content

    def _canonical_text(self, text: str) -> str:
        for endpoint, base in self.upstream.bases.items():
            text = text.replace(base, self.upstream.canonical(endpoint))
        return text

    def _remember(
        self,
        endpoint: str,
        method: str,
        path: str,
        query: str,
        headers: list[tuple[str, str]],
        body: bytes,
        answer: httpx.Response,
        out_headers: list[tuple[str, str]],
    ) -> None:
        uri = self.upstream.canonical(endpoint) + path + (f"?{query}" if query else "")
        req_headers: dict[str, list[str]] = {}
        for key, value in headers:
            req_headers.setdefault(key, []).append(value)
        resp_headers: dict[str, list[str]] = {}
        for key, value in out_headers:
            resp_headers.setdefault(key, []).append(self._canonical_text(value))
        try:
            resp_body: str | None = self._canonical_text(answer.content.decode("utf-8"))
        except UnicodeDecodeError:
            # Binary (e.g. a gzip document) cannot be scanned, so it is not kept.
            resp_body = ""
            resp_headers["x-acorn-body-omitted"] = [f"binary, {len(answer.content)} bytes"]
        match = self.contracts.match(method, path) if endpoint != LWA else None
        item = Interaction(
            request=RecordedRequest(
                method=method,
                uri=uri,
                headers=req_headers,
                body=body.decode("utf-8", errors="replace") if body else None,
            ),
            response=RecordedResponse(
                status=answer.status_code,
                message=answer.reason_phrase,
                headers=resp_headers,
                body=resp_body,
            ),
            endpoint=endpoint,
            operation=(
                match.operation.operation_id if match else ("lwa" if endpoint == LWA else None)
            ),
        )
        with self._lock:
            self._items.append(item)
            count = len(self._items)
        if self.on_exchange is not None:
            what = item.operation or "unrouted"
            self.on_exchange(f"#{count} {endpoint} {method} [{what}] -> {answer.status_code}")


async def _send(send: Any, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
