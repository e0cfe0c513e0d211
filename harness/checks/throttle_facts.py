"""What the throttling checks read from a journal: plans, 429s, retry chains, idle gaps.

Every SP-API exchange that reached the throttle carries ``plan_rate``/``plan_burst`` (the plan
in force for that request) and ``bucket_before``/``bucket_after`` in its facts, so the checks
can judge against the plan without knowing how the scenario configured it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from harness.checks.chart_spec import Plan
from harness.checks.facts import facts_of
from harness.checks.model import Observation
from harness.checks.retries import RetryChain, retry_chains
from harness.sim.journal import Exchange

__all__ = [
    "NOT_EXERCISED",
    "RATE_HEADER",
    "Plan",
    "RetryChain",
    "chains",
    "describe_plans",
    "plan_of",
    "throttle_exchanges",
    "throttled",
]

RATE_HEADER = "x-amzn-RateLimit-Limit"
NOT_EXERCISED = "Not exercised: "
"""How a THR summary starts when the scenario gave the check nothing to judge (skipped)."""


def plan_of(e: Exchange) -> Plan | None:
    rate, burst = facts_of(e).plan_rate, facts_of(e).plan_burst
    if rate is not None and burst is not None and rate > 0:
        return Plan(rate, burst)
    return None


def throttle_exchanges(obs: Observation) -> list[Exchange]:
    """SP-API exchanges that met a usage-plan bucket (routed, authenticated)."""
    return [e for e in obs.sp_api() if e.operation and plan_of(e) is not None]


def throttled(e: Exchange) -> bool:
    return e.status == 429


def chains(exchanges: Iterable[Exchange]) -> list[RetryChain]:
    """Each throttled request's retry chain from its first 429 on (harness.checks.retries):
    its 429s (``refused``), then the attempt that followed (``after``; None: abandoned), in
    the order the first 429s came."""
    found = [c for c in retry_chains(exchanges, throttled) if throttled(c[0])]
    return sorted(found, key=lambda c: c[0].seq)


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
