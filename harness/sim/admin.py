"""``acorn serve``'s outer app: admin routes on the LWA port, the journal leaving the process.

In the spirit of WireMock's ``/__admin``, a served simulator is controlled over HTTP by the
test run that uses it: ``GET /__acorn/health``, ``GET /__acorn/journal``, ``POST
/__acorn/reset`` and ``POST /__acorn/faults`` (a fault plan in the TOML or JSON format of
:mod:`harness.sim.faults.files`). Admin requests never reach the simulator's pipeline, so they
are never journaled as integration traffic. After every integration request the new journal
entries are written to the journal file and reported (one line each), in arrival order.
"""

from __future__ import annotations

import json
import threading
import tomllib
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from harness.errors import AcornUsageError
from harness.sim.app import Message, Receive, Scope, Send, SimulatorApp
from harness.sim.core import SimCore
from harness.sim.faults import FaultInjector, plan_from_dict
from harness.sim.journal import Exchange, Journal
from harness.sim.journal_file import FORMAT, VERSION, JournalWriter
from harness.sim.loopback import read_body

__all__ = ["ADMIN_PREFIX", "ObservedApp", "request_line", "settings_of"]

ADMIN_PREFIX = "/__acorn"
_ADMIN_BODY_LIMIT = 1 << 20
ROUTES = (
    "GET /__acorn/health",
    "GET /__acorn/journal",
    "POST /__acorn/reset",
    "POST /__acorn/faults",
)


def settings_of(core: SimCore) -> dict[str, Any]:
    """What verdicts state about the world besides its traffic (clock, usage plans)."""
    return {"clock_speed": core.config.clock_speed, "usage_plans": core.plans.describe()}


def request_line(e: Exchange) -> str:
    """One line per request, as Prism prints: operation, status, fault, contract findings."""
    what = e.operation or "unrouted"
    line = f"{e.endpoint:>3} {e.method} {e.path} {what} -> {e.status or 'no HTTP answer'}"
    code = e.error_code()
    if code:
        line += f" {code}"
    if e.fault is not None:
        line += f"; fault {e.fault.get('kind')} (rule {e.fault.get('rule')!r})"
    findings = e.facts.get("contract_violations")
    if isinstance(findings, list) and findings:
        first = findings[0]
        message = first.get("message") if isinstance(first, dict) else first
        line += f"; contract: {len(findings)} finding(s), first: {message}"
    return line


class _JournaledSend:
    """``send``, draining the journal before an answer starts: the exchange is journaled by
    then, so it is written (and printed) before the client sees the answer. Keeps ``send``'s
    ``__self__``: transport faults reach the connection through it (harness.sim.faults.wire)."""

    def __init__(self, send: Send, drain: Callable[[], None]) -> None:
        self._send = send
        self._drain = drain
        self.__self__ = getattr(send, "__self__", None)

    async def __call__(self, message: Message) -> None:
        if message.get("type") == "http.response.start":
            self._drain()
        await self._send(message)


class ObservedApp:
    """Wraps the simulator's ASGI app; ``reset(name)`` starts a fresh world (``name``: another
    scenario, None: the same one) and returns the scenario now served."""

    def __init__(
        self,
        app: SimulatorApp,
        *,
        scenario: str | None,
        reset: Callable[[str | None], str | None],
        writer: JournalWriter | None = None,
        report: Callable[[Exchange], None] | None = None,
    ) -> None:
        self.app = app
        self.core = app.core
        self.scenario = scenario
        self._reset = reset
        self.writer = writer
        self.report = report
        self._lock = threading.Lock()
        self._journal: Journal | None = None
        self._written = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        port = scope["server"][1] if scope.get("server") else 0
        path = str(scope.get("path", ""))
        if (
            scope["type"] == "http"
            and self.app.ports.get(port) == "LWA"
            and (path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"))
        ):
            status, body = await self._admin(scope["method"].upper(), path, scope, receive)
            data = json.dumps(body, default=str).encode()
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(data)),
            ]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": data})
            return
        try:
            await self.app(scope, receive, _JournaledSend(send, self.drain))
        finally:
            self.drain()  # an answer never started (a dropped connection)

    def drain(self) -> None:
        """Write and report the journal entries not yet written, in sequence order."""
        with self._lock:
            journal = self.core.journal
            if journal is not self._journal:
                self._journal, self._written = journal, 0
            for exchange in journal.since(self._written):
                self._written = exchange.seq
                if self.writer is not None:
                    self.writer.exchange(exchange)
                if self.report is not None:
                    self.report(exchange)

    async def _admin(
        self, method: str, path: str, scope: Scope, receive: Receive
    ) -> tuple[int, Any]:
        route = f"{method} {path.rstrip('/')}"
        body = await read_body(receive, _ADMIN_BODY_LIMIT)
        if body is None:
            return 413, {"error": f"admin request bodies are limited to {_ADMIN_BODY_LIMIT} bytes"}
        try:
            if route == "GET /__acorn/health":
                return 200, {
                    "status": "ok",
                    "scenario": self.scenario,
                    "exchanges": len(self.core.journal),
                }
            if route == "GET /__acorn/journal":
                self.drain()
                return 200, {
                    "format": FORMAT,
                    "version": VERSION,
                    "scenario": self.scenario,
                    "settings": settings_of(self.core),
                    "exchanges": [e.to_dict() for e in self.core.journal.all()],
                }
            if route == "POST /__acorn/reset":
                return 200, self._do_reset(body)
            if route == "POST /__acorn/faults":
                headers = dict(scope.get("headers") or [])
                content_type = headers.get(b"content-type", b"").decode("latin-1")
                return 200, self._load_faults(body, content_type)
        except AcornUsageError as exc:
            return 400, {"error": str(exc)}
        return 404, {"error": f"no admin route {route}", "routes": list(ROUTES)}

    def _do_reset(self, body: bytes) -> dict[str, Any]:
        wanted = None
        if body.strip():
            try:
                data = json.loads(body)
            except ValueError:
                data = None
            if not isinstance(data, dict):
                raise AcornUsageError(
                    "the reset body is not a JSON object",
                    fix='send no body, or {"scenario": "NAME"} to serve another scenario',
                )
            wanted = data.get("scenario")
        self.drain()
        if self.writer is not None:
            self.writer.event("settings", settings=settings_of(self.core))
        self.scenario = self._reset(wanted)
        self.drain()
        if self.writer is not None:
            self.writer.event("reset", scenario=self.scenario, settings=settings_of(self.core))
        return {"reset": True, "scenario": self.scenario}

    def _load_faults(self, body: bytes, content_type: str) -> dict[str, Any]:
        text = body.decode("utf-8", errors="replace")
        source = "POST /__acorn/faults"
        try:
            data = json.loads(text) if "json" in content_type else tomllib.loads(text)
        except (ValueError, tomllib.TOMLDecodeError) as exc:
            kind = "JSON" if "json" in content_type else "TOML"
            raise AcornUsageError(
                f"the fault plan is not valid {kind}: {exc}",
                fix="send a fault plan as TOML (the format of scenarios/faults/README.md), or "
                "as JSON with content-type application/json",
            ) from None
        plan = plan_from_dict(data, source=source)
        plan.check_against(self.core.contracts)
        self.drain()
        self.core.config = replace(self.core.config, faults=plan)
        self.core.faults = FaultInjector(plan)
        if self.writer is not None:
            self.writer.event("faults", rules=len(plan.rules), source=source)
        return {"loaded": len(plan.rules), "client_timeout": plan.client_timeout}
