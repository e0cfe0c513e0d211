"""THR-01: throttling is rare, because the integration paces itself within its usage plan.

Judged only when some operation needed more calls than its burst: below that, a client that
never paces would pass too, so the check is skipped instead. The share bound is shared with
THR-03 (:mod:`harness.checks.throttling_adapt`).
"""

from __future__ import annotations

from collections import defaultdict

from harness.checks.model import Check, Judgement, Observation
from harness.checks.throttle_facts import (
    NOT_EXERCISED,
    describe_plans,
    plan_of,
    throttle_exchanges,
    throttled,
)
from harness.checks.timeline import with_timeline
from harness.sim.journal import Exchange

__all__ = ["SHARE_BOUND", "THR_01"]

SHARE_BOUND = 0.10
"""THR-01/THR-03: fewer than 10 % of the requests may be refused with 429."""


def _share_line(exchanges: list[Exchange]) -> str:
    per_op: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for e in exchanges:
        counts = per_op[e.operation or "?"]
        counts[0] += 1
        counts[1] += throttled(e)
    return ", ".join(f"{op}: {t}/{n} refused" for op, (n, t) in sorted(per_op.items()))


def _judge_rare(obs: Observation) -> Judgement:
    calls = throttle_exchanges(obs)
    needed: dict[str, int] = defaultdict(int)
    bursts: dict[str, int] = {}
    for e in calls:
        plan = plan_of(e)
        if e.operation and plan and not throttled(e):
            needed[e.operation] += 1
            bursts[e.operation] = min(bursts.get(e.operation, plan.burst), plan.burst)
    beyond = sorted(op for op, n in needed.items() if n > bursts[op])
    refused = [e for e in calls if throttled(e)]
    share = len(refused) / len(calls) if calls else 0.0
    metrics = {
        "requests": len(calls),
        "throttled": len(refused),
        "share": round(share, 4),
        "bound": SHARE_BOUND,
        "operations_beyond_burst": beyond,
    }
    plans = describe_plans(obs)
    if not beyond:
        return Judgement(
            None,
            f"{NOT_EXERCISED}no operation needed more calls than its burst, so the scenario "
            "could not tell whether the integration paces itself; a sync beyond the burst "
            f"would make it provable. {plans}",
            [],
            metrics,
        )
    detail = _share_line(calls)
    if share >= SHARE_BOUND:
        return Judgement(
            False,
            f"{len(refused)} of {len(calls)} SP-API requests ({share:.0%}) were refused with "
            f"429 QuotaExceeded; the bound is under {SHARE_BOUND:.0%}. {detail}. {plans}",
            [e.summary() for e in refused],
            metrics,
        )
    return Judgement(
        True,
        f"{len(refused)} of {len(calls)} SP-API requests ({share:.1%}) were throttled, under "
        f"the {SHARE_BOUND:.0%} bound, although {', '.join(beyond)} needed more calls than "
        f"the burst allows. {detail}. {plans}",
        [e.summary() for e in refused][:10],
        metrics,
    )


THR_01 = Check(
    id="THR-01",
    title="Throttling is rare: paces itself within the usage plan",
    area="Throttling",
    severity="critical",
    requirement=f"During a sync that needs more calls than the burst allows, fewer than "
    f"{SHARE_BOUND:.0%} of SP-API requests are refused with 429 QuotaExceeded.",
    why="Every 429 is a wasted call that still counts against the seller's quota and delays "
    "the sync; integrations that fire until refused are the most common QuotaExceeded "
    "complaint (getOrders refills one token a minute, getOrderItems one every two seconds).",
    remediation="Keep a client-side token bucket per operation: spend the published burst, "
    "then send at the rate announced in x-amzn-RateLimit-Limit (fall back to the published "
    "rate when it is absent). After a 429, treat the bucket as empty.",
    judge=lambda obs: with_timeline(obs, _judge_rare(obs)),
    needs=("sync_orders",),
    brief="Under 10 % of requests refused with 429 during a sync that needs more calls than the "
    "burst.",
).register()
