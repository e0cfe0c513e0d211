"""One fault rule: when it strikes (call numbers, share, window), how, and what it answers.

A rule validates itself on construction so that a plan written in Python, TOML or YAML fails
the same way, with a :class:`ConfigError` naming the file, the line, the rule and the fix; and
it checks itself against the contracts so a plan cannot inject a status the operation never
sends. The plan that orders rules and the injector that counts calls are in
:mod:`harness.sim.faults`, which re-exports everything here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from harness.contracts import ContractSet, Operation
from harness.errors import ConfigError, suggest
from harness.sim.errors import sp_error
from harness.sim.faults.presets import LISTING_WRITES, PRESETS, listing_invalid
from harness.sim.http import Reply

__all__ = [
    "ANY_OPERATION",
    "BODY_KINDS",
    "NO_ANSWER",
    "STALL_HOLD",
    "TRANSPORT_KINDS",
    "FaultRule",
    "suggest",
]

ANY_OPERATION = "*"
TRANSPORT_KINDS = ("timeout", "stall", "reset", "truncated", "malformed_json", "dribble")
STALL_HOLD = 45.0
"""``stall``: seconds a request stays unanswered (unless the client closes first); longer
than any sane client read timeout (30 s), so only a client that gives up on its own is done
before the simulator closes the connection."""
# These mangle the real answer, so the handler always runs (a write is applied).
BODY_KINDS = frozenset({"truncated", "malformed_json", "dribble"})
NO_ANSWER = 0  # journal status of an exchange the client got no status line for


@dataclass(frozen=True)
class FaultRule:
    """When to fail one operation (or all, ``"*"``), and how.

    Triggers combine: a call is hit when it is one of ``on_calls`` (1-based, counting the
    calls of this rule's operation that got past authentication and throttling), falls in
    ``window`` (seconds since the scenario began) and wins the seeded ``share`` draw; a rule
    without triggers hits every call. ``times`` caps how often the rule fires.
    """

    operation: str = ANY_OPERATION
    name: str = ""
    path_contains: str | None = None
    """Only calls whose path holds this text (a SKU, an order id) count and can be hit."""
    on_calls: tuple[int, ...] = ()
    from_call: int | None = None
    """Hit every call from this one on (1-based): an outage that does not end."""
    share: float | None = None
    window: tuple[float, float] | None = None
    times: int | None = None
    sticky: bool = False
    """Once a request is hit, the very same request (method, path, query, body) is hit every
    time it comes back: Amazon refuses an invalid request however often it is sent."""
    preset: str | None = None
    status: int | None = None
    code: str | None = None
    message: str | None = None
    details: str | None = None
    body: Any = None
    transport: str | None = None
    after_write: bool = False
    hold: float | None = None
    """``timeout``: seconds the connection stays open (default: 3 x the plan's client timeout);
    ``stall``: seconds before the simulator gives up and closes it (default :data:`STALL_HOLD`);
    both end early when the client closes the connection."""
    interval: float = 0.2
    """``dribble``: seconds between two chunks of the body."""
    chunks: int = 5
    """``dribble``: how many pieces the body is sent in."""
    where: str = field(default="", compare=False)
    """Where the rule came from (file, rule number), for error messages."""
    lines: tuple[tuple[str, int], ...] = field(default=(), compare=False)
    """Line number of each key in the plan file (key "" is the rule's first line)."""

    def __post_init__(self) -> None:
        self._check()

    @property
    def label(self) -> str:
        return self.name or f"{self.operation} {self.kind}"

    @property
    def kind(self) -> str:
        """``status`` or the transport fault's name."""
        return self.transport or "status"

    def _fail(self, what: str, fix: str, key: str = "") -> ConfigError:
        """An error naming the file, the line of ``key`` (or of the rule) and the rule."""
        where = self.where or "fault plan"
        numbers = dict(self.lines)
        line = numbers.get(key) or numbers.get("")
        if line:
            file, sep, rest = where.partition(" (fault #")
            where = f"{file}:{line}{sep}{rest}"
        return ConfigError(f"fault rule {self.label!r}: {what}", where=where, fix=fix)

    def _check(self) -> None:
        if not isinstance(self.operation, str) or not self.operation:
            raise self._fail(
                "operation must be a non-empty string",
                'write operation = "getOrders" or "*"',
                "operation",
            )
        answers = [k for k in ("preset", "status", "transport") if getattr(self, k) is not None]
        if len(answers) != 1:
            raise self._fail(
                "needs exactly one of preset, status or transport"
                + (f" (got {', '.join(answers)})" if answers else ""),
                'say how to fail: preset = "service_unavailable", status = 503 (with code '
                'and message), or transport = "timeout"',
                answers[1] if len(answers) > 1 else "",
            )
        if self.preset is not None and self.preset not in PRESETS:
            raise self._fail(
                f"unknown preset {self.preset!r}",
                f"{suggest(self.preset, PRESETS.keys())}presets: {', '.join(PRESETS)}",
                "preset",
            )
        if self.preset == "listing_invalid" and self.after_write:
            raise self._fail(
                "listing_invalid means Amazon stored nothing, so it cannot come after the write",
                "drop after_write, or use a status or transport fault after the write",
                "after_write",
            )
        if self.transport is not None and self.transport not in TRANSPORT_KINDS:
            raise self._fail(
                f"unknown transport fault {self.transport!r}",
                f"{suggest(self.transport, TRANSPORT_KINDS)}transport faults: "
                + ", ".join(TRANSPORT_KINDS),
                "transport",
            )
        if self.status is not None:
            if isinstance(self.status, bool) or not isinstance(self.status, int):
                raise self._fail(
                    f"status {self.status!r} is not an integer",
                    "give an HTTP status such as 503",
                    "status",
                )
            if not 400 <= self.status <= 599:
                raise self._fail(
                    f"status {self.status} is impossible for a fault (errors are 4xx or 5xx)",
                    "use a status from 400 to 599; for listings' 200-with-INVALID use "
                    'preset = "listing_invalid"',
                    "status",
                )
            if self.body is None and not self.code:
                raise self._fail(
                    f"status {self.status} needs an SP-API error code (or a whole body)",
                    'add code = "InternalFailure" and message = "...", or body = {...}',
                    "status",
                )
        if self.share is not None and (
            isinstance(self.share, bool)
            or not isinstance(self.share, int | float)
            or not 0.0 < float(self.share) <= 1.0
        ):
            raise self._fail(
                f"share {self.share!r} is not a probability",
                "give the share of calls to fail as a number above 0 and at most 1, e.g. 0.25",
                "share",
            )
        for n in self.on_calls:
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                raise self._fail(
                    f"on_calls holds {n!r}; calls are counted from 1",
                    "list call numbers such as on_calls = [1, 3]",
                    "on_calls",
                )
        if self.from_call is not None and (
            isinstance(self.from_call, bool)
            or not isinstance(self.from_call, int)
            or self.from_call < 1
        ):
            raise self._fail(
                f"from_call is {self.from_call!r}; calls are counted from 1",
                "give the first call to fail, e.g. from_call = 4",
                "from_call",
            )
        for key in ("share", "hold", "interval"):
            value = getattr(self, key)
            if isinstance(value, float) and not math.isfinite(value):
                raise self._fail(
                    f"{key} is {value!r}, not a finite number",
                    f"give {key} as a finite number, e.g. {key} = 0.5",
                    key,
                )
        if self.window is not None:
            start, end = self.window
            if not all(isinstance(v, int | float) and math.isfinite(v) for v in self.window):
                raise self._fail(
                    f"window {list(self.window)} holds a value that is not a finite number",
                    "give [start, end] in finite seconds since the scenario began, e.g. [0, 2.5]",
                    "window",
                )
            if not 0 <= start < end:
                raise self._fail(
                    f"window {list(self.window)} is empty or negative",
                    "give [start, end] in seconds since the scenario began, start < end",
                    "window",
                )
        if self.times is not None and (
            isinstance(self.times, bool) or not isinstance(self.times, int) or self.times < 1
        ):
            raise self._fail(
                f"times is {self.times!r}", "give a positive number of firings", "times"
            )
        if self.hold is not None and self.hold <= 0:
            raise self._fail(
                f"hold is {self.hold!r}", "give the hold time in seconds (> 0)", "hold"
            )
        if (
            isinstance(self.chunks, bool)
            or not isinstance(self.chunks, int)
            or self.interval < 0
            or self.chunks < 1
        ):
            raise self._fail(
                f"interval {self.interval} / chunks {self.chunks} cannot dribble a body",
                "use interval >= 0 seconds and chunks >= 1",
                "interval",
            )

    def check_against(self, contracts: ContractSet) -> None:
        """Refuse operations the contracts do not know and statuses the operation never sends."""
        if self.operation == ANY_OPERATION:
            if self.preset is not None and PRESETS[self.preset].listings_only:
                raise self._fail(
                    f"preset {self.preset!r} only applies to listings writes",
                    f"set operation to one of {', '.join(LISTING_WRITES)}",
                    "preset",
                )
            return
        known = sorted({op.operation_id for op in contracts.operations})
        if self.operation not in known:
            raise self._fail(
                f"unknown operation {self.operation!r}",
                f"{suggest(self.operation, known)}use an operation id from contracts/apis "
                f'(e.g. {", ".join(known[:4])}) or "*" for every operation',
                "operation",
            )
        op = contracts.operation(self.operation)
        if self.preset is not None and PRESETS[self.preset].listings_only:
            if self.operation not in LISTING_WRITES:
                raise self._fail(
                    f"preset {self.preset!r} only applies to listings writes",
                    f"set operation to one of {', '.join(LISTING_WRITES)}",
                    "preset",
                )
            return
        status = (
            self.status
            if self.status is not None
            else (PRESETS[self.preset].status if self.preset is not None else None)
        )
        declared = sorted(int(s) for s in op.errors)
        if status is not None and status not in declared:
            raise self._fail(
                f"{self.operation} never answers {status} (its contract declares "
                f"{', '.join(map(str, declared))})",
                'pick one of the declared statuses, or use operation = "*"',
                "status" if self.status is not None else "preset",
            )

    def answer(self, op: Operation, applied: Reply | None, path: str = "") -> Reply:
        """The reply this fault gives instead of (or on top of) the handler's ``applied``."""
        facts: dict[str, Any] = {
            "rule": self.label,
            "kind": self.kind,
            "after_write": self.after_write,
            "write_applied": applied is not None and op.method != "GET" and applied.status < 300,
            "handler_status": applied.status if applied is not None else None,
        }
        if self.transport is not None:
            facts.update(hold=self.hold, interval=self.interval, chunks=self.chunks)
            if self.transport in BODY_KINDS:
                assert applied is not None
                reply = applied
            else:
                reply = Reply(NO_ANSWER, None)
        elif self.preset is not None and PRESETS[self.preset].listings_only:
            reply = listing_invalid(unquote(path.rsplit("/", 1)[-1]))
        else:
            reply = Reply(self._status(), self._body(op))
        handler_facts = applied.facts if applied is not None else {}
        reply.facts = {**handler_facts, **reply.facts, "fault": facts}
        return reply

    def runs_handler(self) -> bool:
        """Does the write happen before this fault strikes?"""
        return self.after_write or self.transport in BODY_KINDS

    def _status(self) -> int:
        if self.preset is not None:
            return PRESETS[self.preset].status
        assert self.status is not None
        return self.status

    def _body(self, op: Operation) -> Any:
        if self.body is not None:
            return self.body
        if self.preset is not None:
            preset = PRESETS[self.preset]
            code, message = preset.code, preset.message
            if code is None:  # the per-API 400 code
                code, default = op.bad_request
                message = message or default
            return sp_error(code, self.message or message or "", self.details or preset.details)
        return sp_error(self.code or str(self.status), self.message or "", self.details)
