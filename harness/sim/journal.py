"""The journal: every exchange the simulator answered, already masked.

Checks are functions of the journal (and the simulator state), so it records what a check
needs to judge behaviour without re-reading raw traffic: which token was used and whether
it was expired at the time, whether PII went out in full, how long after the previous call.
"""

from __future__ import annotations

import bisect
import itertools
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import IO, Any

import orjson

from harness.sim.fidelity import FidelityNote, fidelity_notes

__all__ = ["Exchange", "Journal", "TokenUse"]


@dataclass(frozen=True)
class TokenUse:
    """The token an SP-API request carried, as the simulator saw it."""

    id: str  # fingerprint, never the token
    kind: str  # access | grantless | rdt | unknown | missing
    outcome: str  # ok | expired | invalid | missing | not_covered | revoked
    issued_wall: float | None = None
    expires_in: int | None = None  # what the integration was told when it got the token

    @property
    def told_expired_at(self) -> float | None:
        """Wall time at which the integration had been told the token would expire."""
        if self.issued_wall is None or self.expires_in is None:
            return None
        return self.issued_wall + self.expires_in


@dataclass(frozen=True)
class Exchange:
    seq: int
    request_id: str
    wall: float  # seconds since the simulator started
    virtual: float  # virtual POSIX time
    endpoint: str  # LWA | NA | EU | FE
    operation: str | None  # operation id, "lwa:<grant_type>", or None when unrouted
    method: str
    path: str
    query: dict[str, list[str]]
    request_headers: dict[str, str]
    request_body: Any
    status: int
    response_headers: dict[str, str]
    response_body: Any
    duration_ms: float
    token: TokenUse | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def is_lwa(self) -> bool:
        return self.endpoint == "LWA"

    def error_code(self) -> str | None:
        body = self.response_body
        if isinstance(body, dict):
            errors = body.get("errors")
            if isinstance(errors, list) and errors and isinstance(errors[0], dict):
                return str(errors[0].get("code"))
            if "error" in body:
                return str(body["error"])
        return None

    def error_details(self) -> str | None:
        body = self.response_body
        if isinstance(body, dict):
            errors = body.get("errors")
            if isinstance(errors, list) and errors and isinstance(errors[0], dict):
                details = errors[0].get("details")
                return None if details is None else str(details)
        return None

    def summary(self) -> str:
        """One line a QA lead can read: when, what, answer, request id."""
        what = self.operation or "unrouted"
        line = f"t={self.wall:7.2f}s {self.endpoint:>3} {self.method} {self.path} [{what}] -> "
        line += f"{self.status}" if self.status else "no HTTP answer"
        code = self.error_code()
        if code:
            line += f" {code}"
            details = self.error_details()
            if details:
                line += f" ({details})"
        if self.token is not None:
            line += f"; token {self.token.id} ({self.token.kind}, {self.token.outcome})"
        fault = self.fault
        if fault is not None:  # injected by the scenario's fault plan
            line += f"; fault {fault.get('kind')} (rule {fault.get('rule')!r}"
            line += ", write applied first)" if fault.get("write_applied") else ")"
        notes = self.fidelity
        if notes:
            line += "; not verified against Amazon: " + ", ".join(n.code for n in notes)
        return line + f"; x-amzn-RequestId {self.request_id}"

    @property
    def fidelity(self) -> list[FidelityNote]:
        """Fidelity notes raised while answering: what ACORN accepted without a source showing
        that Amazon accepts it too (see harness.sim.fidelity)."""
        return fidelity_notes([self])

    @property
    def refusal(self) -> str | None:
        """The registered refusal this answer made (harness.sim.refusals), if any."""
        rule = self.facts.get("refusal")
        return rule if isinstance(rule, str) else None

    @property
    def fault(self) -> dict[str, Any] | None:
        """The fault plan's rule that struck this exchange, as recorded by the simulator."""
        fault = self.facts.get("fault")
        return fault if isinstance(fault, dict) else None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


SPILL_AFTER = 5000
"""Exchanges a journal holds in memory; past it, the oldest twentieth goes to a temporary file.

A served simulator under a load test answers hundreds of requests a second for as long as it
runs; held whole, its journal grew without bound (RSS +1 GB in half an hour). Spilled
exchanges are written as ``acorn serve --journal`` writes them and read back the way
``acorn judge`` reads them, so checks judge them as they judge a journal file. A readiness
scenario's journal (hundreds of exchanges) never reaches the limit. A twentieth at a time, not
half: writing 2,500 exchanges held the request that crossed the limit about 26 ms, a stall a
timing check can see (p99 under load 25-36 ms); 250 at a time cost the same in all, in steps of
about 2.5 ms."""


SERVED_JOURNAL_MEMORY = 1000
"""What ``acorn serve`` keeps in memory instead. A full garbage collection walks the exchanges
held in memory while the simulator answers nothing: about 24 ms for 5,000, 4 ms for 1,000
(benchmarks/README.md). A served simulator under a load test crosses any limit within seconds;
a readiness scenario, whose checks read the journal many times, stays under 5,000."""


class Journal:
    """Thread-safe, append-only list of exchanges (the server thread appends, checks read).

    Kept in ``seq`` order as it grows (an exchange is almost always appended after the one
    before it; a late one is inserted in place), so reading it never sorts: ``acorn serve``
    reads the new entries after every request, and a sort per read made a long-running
    simulator slower with every exchange it had answered. Bounded in memory: see
    :data:`SPILL_AFTER`.
    """

    def __init__(self, spill_after: int = SPILL_AFTER) -> None:
        self._lock = threading.Lock()
        self._items: list[Exchange] = []
        self._seq = 0
        self._spill_after = max(2, spill_after)
        self._spill: IO[bytes] | None = None
        self._spilled = 0
        self._spilled_last = 0  # highest seq on disk

    def next_seq(self) -> int:
        with self._lock:
            self._seq = max(self._seq, self._spilled + len(self._items)) + 1
            return self._seq

    def append(self, exchange: Exchange) -> None:
        with self._lock:
            items = self._items
            if not items or items[-1].seq <= exchange.seq:
                items.append(exchange)
            else:  # answered out of order (another thread): keep seq order
                items.insert(bisect.bisect_right(items, exchange.seq, key=_seq), exchange)
            if len(items) > self._spill_after:
                self._spill_oldest()

    def _spill_oldest(self) -> None:
        if self._spill is None:
            # Anonymous, deleted when closed: by clear(), or when the journal is dropped.
            self._spill = tempfile.TemporaryFile("w+b", prefix="acorn-journal-")  # noqa: SIM115
            weakref.finalize(self, self._spill.close)
        count = max(1, self._spill_after // 20)
        out = self._spill
        out.seek(0, 2)
        oldest = self._items[:count]
        out.write(
            b"".join(orjson.dumps(e, default=_plain, option=_OPTIONS) + b"\n" for e in oldest)
        )
        self._spilled += count
        self._spilled_last = max(self._spilled_last, oldest[-1].seq)
        del self._items[:count]

    def _load_spilled(self) -> list[Exchange]:
        if self._spill is None:
            return []
        self._spill.seek(0)
        return [_from_dict(orjson.loads(line)) for line in self._spill]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._seq = 0
            if self._spill is not None:
                self._spill.close()
            self._spill, self._spilled, self._spilled_last = None, 0, 0

    def __iter__(self) -> Iterator[Exchange]:
        return iter(self.all())

    def __len__(self) -> int:
        with self._lock:
            return self._spilled + len(self._items)

    def all(self) -> list[Exchange]:
        with self._lock:
            if not self._spilled:
                return list(self._items)
            every = self._load_spilled() + self._items
            if any(a.seq > b.seq for a, b in itertools.pairwise(every)):
                every.sort(key=_seq)  # a late exchange older than the spilled ones
            return every

    def since(self, seq: int) -> list[Exchange]:
        """The exchanges after sequence number ``seq``, in order (what a reader has not seen)."""
        with self._lock:
            items = self._items
            if seq < self._spilled_last:  # a reader behind the spill (rare): from disk
                every = self._load_spilled() + items
                return sorted((e for e in every if e.seq > seq), key=_seq)
            if not items or items[-1].seq <= seq:
                return []
            return items[bisect.bisect_right(items, seq, key=_seq) :]

    def where(self, predicate: Callable[[Exchange], bool]) -> list[Exchange]:
        return [e for e in self.all() if predicate(e)]

    def sp_api(self) -> list[Exchange]:
        return self.where(lambda e: not e.is_lwa)

    def lwa(self) -> list[Exchange]:
        return self.where(lambda e: e.is_lwa)

    def operation(self, *operation_ids: str) -> list[Exchange]:
        return self.where(lambda e: e.operation in operation_ids)


def _seq(exchange: Exchange) -> int:
    return exchange.seq


_OPTIONS = orjson.OPT_NON_STR_KEYS


def _plain(value: Any) -> Any:
    """What the journal holds besides JSON types, as journal files write it (sets sorted)."""
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def _from_dict(data: dict[str, Any]) -> Exchange:
    token = data.get("token")
    data["token"] = TokenUse(**token) if isinstance(token, dict) else None
    return Exchange(**data)
