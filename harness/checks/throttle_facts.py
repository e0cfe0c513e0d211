"""What the throttling checks read from a journal: plans, 429s, retry chains, idle gaps.

Every SP-API exchange that reached the throttle carries ``plan_rate``/``plan_burst`` (the plan
in force for that request) and ``bucket_before``/``bucket_after`` in its facts, so the checks
can judge against the plan without knowing how the scenario configured it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from harness.checks.model import Observation
from harness.sim.journal import Exchange

__all__ = [
    "NOT_EXERCISED",
    "RATE_HEADER",
    "Chain",
    "Plan",
    "chains",
    "describe_plans",
    "plan_of",
    "request_key",
    "throttle_exchanges",
    "throttled",
]

RATE_HEADER = "x-amzn-RateLimit-Limit"
NOT_EXERCISED = "Not exercised: "
"""How a THR summary starts when the scenario gave the check nothing to judge (skipped)."""


@dataclass(frozen=True)
class Plan:
    rate: float
    burst: int

    def text(self) -> str:
        return f"{self.rate:g}/s burst {self.burst}"


def plan_of(e: Exchange) -> Plan | None:
    rate, burst = e.facts.get("plan_rate"), e.facts.get("plan_burst")
    if isinstance(rate, int | float) and isinstance(burst, int) and rate > 0:
        return Plan(float(rate), burst)
    return None


def throttle_exchanges(obs: Observation) -> list[Exchange]:
    """SP-API exchanges that met a usage-plan bucket (routed, authenticated)."""
    return [e for e in obs.sp_api() if e.operation and plan_of(e) is not None]


def throttled(e: Exchange) -> bool:
    return e.status == 429


def request_key(e: Exchange) -> tuple[Any, ...]:
    """What makes a retry 'the same request': endpoint, method, path and query."""
    query = tuple(sorted((k, tuple(v)) for k, v in e.query.items()))
    return (e.endpoint, e.method, e.path, query)


@dataclass
class Chain:
    """One request's attempts from its first 429 on: the 429s, then what came next (if any)."""

    refused: list[Exchange]
    after: Exchange | None  # the attempt that followed the last 429 (None: abandoned)

    @property
    def attempts(self) -> list[Exchange]:
        """Every attempt in order: the 429s, then the one that followed (if any)."""
        return [*self.refused, *([self.after] if self.after else [])]

    @property
    def waits(self) -> list[float]:
        """Seconds waited after each 429 before the next attempt of the same request."""
        return [b.wall - a.wall for a, b in itertools.pairwise(self.attempts)]

    @property
    def abandoned(self) -> bool:
        return self.after is None


def chains(exchanges: Iterable[Exchange]) -> list[Chain]:
    """Group 429s with the retries of the same request that followed them."""
    items = sorted(exchanges, key=lambda e: e.seq)
    out: list[Chain] = []
    open_chains: dict[tuple[Any, ...], Chain] = {}
    for e in items:
        key = request_key(e)
        chain = open_chains.get(key)
        if throttled(e):
            if chain is None:
                chain = open_chains[key] = Chain([], None)
                out.append(chain)
            chain.refused.append(e)
        elif chain is not None:
            chain.after = e
            del open_chains[key]
    return out


def describe_plans(obs: Observation, operations: Iterable[str] | None = None) -> str:
    """The plans in force, as the report states them (scaled plans say so)."""
    rows: list[dict[str, Any]] = obs.settings.get("usage_plans") or []
    wanted = set(operations) if operations is not None else None
    parts = []
    for row in rows:
        if wanted is not None and row.get("operation") not in wanted:
            continue
        text = f"{row['operation']} {row['rate']:g}/s burst {row['burst']}"
        if (row["rate"], row["burst"]) != (row["amazon_rate"], row["amazon_burst"]):
            text += (
                f" ({row['source']}; Amazon publishes {row['amazon_rate']:g}/s "
                f"burst {row['amazon_burst']})"
            )
        else:
            text += " (Amazon's published plan)"
        drained = row.get("drained_after_requests")
        if drained:
            text += (
                "; the scenario had other traffic of this seller empty its bucket before "
                f"request(s) {', '.join(str(n + 1) for n in drained)}"
            )
        parts.append(text)
    if not parts:  # observed without plan settings: fall back to what the journal says
        seen: dict[str, Plan] = {}
        for e in throttle_exchanges(obs):
            plan = plan_of(e)
            if e.operation and plan and (wanted is None or e.operation in wanted):
                seen.setdefault(e.operation, plan)
        parts = [f"{op} {plan.text()}" for op, plan in seen.items()]
    return "Usage plans in force: " + ("; ".join(parts) if parts else "none recorded") + "."
