"""Throttling checks about time well used: THR-04 (throughput) and THR-05 (independence).

Both read idle time from the journal, so their scenarios run actions back to back; both carry
tolerances for a loaded two-core machine (see each bound).
"""

from __future__ import annotations

import itertools
from collections import defaultdict

from harness.checks.facts import facts_of
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

__all__ = ["BASE_ALLOWANCE_S", "PER_CALL_S", "SPEED_FACTOR", "STALL_S", "THR_04", "THR_05"]

SPEED_FACTOR = 2.0
PER_CALL_S = 0.03
BASE_ALLOWANCE_S = 1.0
"""THR-04: span <= 2 x fastest schedule + 1 s + 30 ms per request (latency on loopback)."""
STALL_S = 1.0
"""THR-05: an idle gap over 1 s before a call whose bucket had tokens all along is a stall."""


# -- THR-04 ---------------------------------------------------------------------------------


def _judge_throughput(obs: Observation) -> Judgement:
    calls = throttle_exchanges(obs)
    done = [e for e in calls if 200 <= e.status < 300]
    if len(done) < 2:
        return Judgement(
            None, f"{NOT_EXERCISED}fewer than two successful SP-API calls: nothing to time."
        )
    counts: dict[str, int] = defaultdict(int)
    slowest: dict[str, tuple[float, int]] = {}
    for e in done:
        plan = plan_of(e)
        assert plan is not None
        assert e.operation
        counts[e.operation] += 1
        rate, burst = slowest.get(e.operation, (plan.rate, plan.burst))
        slowest[e.operation] = (min(rate, plan.rate), min(burst, plan.burst))
    fastest_by_op = {op: max(0, n - slowest[op][1]) / slowest[op][0] for op, n in counts.items()}
    limiting = max(fastest_by_op, key=lambda op: fastest_by_op[op])
    fastest = fastest_by_op[limiting]
    span = max(e.wall for e in calls) - min(e.wall for e in calls)
    allowance = BASE_ALLOWANCE_S + PER_CALL_S * len(calls)
    bound = SPEED_FACTOR * fastest + allowance
    metrics = {
        "span_s": round(span, 2),
        "fastest_s": round(fastest, 2),
        "bound_s": round(bound, 2),
        "limiting_operation": limiting,
        "calls": dict(counts),
    }
    plans = describe_plans(obs, counts)
    n, (rate, burst) = counts[limiting], slowest[limiting]
    if fastest > 0:
        schedule = (
            f"the plan allows them in {fastest:.1f}s ({limiting}: {n} calls, burst {burst}, "
            f"then {rate:g}/s)"
        )
    else:
        schedule = "every operation's calls fit in its burst, so the plan allows them at once"
    stated = (
        f"bound: {SPEED_FACTOR:g} x {fastest:.1f}s + {BASE_ALLOWANCE_S:g}s + "
        f"{PER_CALL_S * 1000:.0f} ms x {len(calls)} requests = {bound:.1f}s"
    )
    gaps = sorted(
        ((b.wall - a.wall, b) for a, b in itertools.pairwise(calls)),
        key=lambda g: -g[0],
    )
    evidence = [f"waited {gap:.2f}s before: {e.summary()}" for gap, e in gaps[:8]]
    if span > bound:
        return Judgement(
            False,
            f"The {len(done)} successful calls took {span:.1f}s; {schedule}: the "
            f"integration was {span / max(fastest, allowance / SPEED_FACTOR):.0f}x slower than "
            f"its plan permits ({stated}). {plans}",
            evidence,
            metrics,
        )
    return Judgement(
        True,
        f"The {len(done)} successful calls took {span:.1f}s; {schedule} ({stated}). {plans}",
        evidence[:3],
        metrics,
    )


THR_04 = Check(
    id="THR-04",
    title="Uses the throughput the plan allows",
    area="Throttling",
    severity="normal",
    requirement=f"The scenario's calls complete within {SPEED_FACTOR:g}x the fastest schedule "
    "the usage plans allow (spend the burst at once, then the rate) computed from the number "
    f"of calls, plus {BASE_ALLOWANCE_S:g} s and {PER_CALL_S * 1000:.0f} ms per request.",
    why="Sleeping a fixed time between calls 'to be safe' ignores the burst: a sync that could "
    "finish in seconds takes minutes, orders are acknowledged late and stock updates lag "
    "behind sales, which overselling and late-shipment metrics punish.",
    remediation="Pace with a token bucket instead of fixed sleeps: spend the burst "
    "immediately, then wait only as long as the rate requires for the next token.",
    judge=lambda obs: with_timeline(obs, _judge_throughput(obs)),
    needs=("sync_orders",),
    brief="Finishes within 2x the fastest schedule the usage plans allow (+1 s, +30 ms per "
    "request).",
).register()


# -- THR-05 ---------------------------------------------------------------------------------


def _judge_independent(obs: Observation) -> Judgement:
    calls = throttle_exchanges(obs)
    everything = sorted(obs.exchanges, key=lambda e: e.seq)
    refused_ops = sorted({e.operation for e in calls if throttled(e) and e.operation})
    if not refused_ops:
        return Judgement(
            None,
            f"{NOT_EXERCISED}no operation was throttled. A scenario that forces 429s on one "
            f"operation while others have work would make it provable. {describe_plans(obs)}",
        )
    first_429 = min(e.seq for e in calls if throttled(e))
    others_after = [e for e in calls if e.seq > first_429 and e.operation not in refused_ops]
    if not others_after:
        return Judgement(
            None,
            f"{NOT_EXERCISED}nothing but {', '.join(refused_ops)} was called after the first "
            "429, so there was no unrelated work to keep flowing; other operations called "
            f"after it would make it provable. {describe_plans(obs)}",
        )
    judged = {e.seq for e in calls}
    state: dict[str, Exchange] = {}  # operation -> its latest exchange so far
    stalls: list[tuple[float, str, Exchange, Exchange]] = []
    prev: Exchange | None = None
    for e in everything:
        if prev is not None and e.seq in judged and e.operation:
            gap = e.wall - prev.wall
            blocked = [op for op, last in state.items() if op != e.operation and throttled(last)]
            mine = state.get(e.operation)
            plan = plan_of(e)
            if mine is not None and plan is not None and mine is not e:
                level = min(
                    plan.burst,
                    (facts_of(mine).bucket_after or 0.0) + plan.rate * (prev.wall - mine.wall),
                )
            else:
                level = float(plan.burst) if plan else 0.0
            if gap > STALL_S and blocked and level >= 1.0:
                stalls.append((gap, blocked[0], state[blocked[0]], e))
        if e.seq in judged and e.operation:
            state[e.operation] = e
        prev = e
    metrics = {"throttled_operations": refused_ops, "stalls": len(stalls), "bound_s": STALL_S}
    if stalls:
        gap, op, _cause, victim = max(stalls, key=lambda s: s[0])
        return Judgement(
            False,
            f"While {op} was throttled, {len(stalls)} call(s) of other operations waited with "
            f"tokens available, the longest {gap:.1f}s ({victim.operation} after {op}'s 429); "
            f"the bound is {STALL_S:g}s. {describe_plans(obs)}",
            [
                f"idle {g:.2f}s while {o} was throttled by {c.summary()} before {v.summary()}"
                for g, o, c, v in stalls
            ],
            metrics,
        )
    flowing = sorted({e.operation for e in others_after if e.operation})
    return Judgement(
        True,
        f"{', '.join(refused_ops)} got 429s, and calls to {', '.join(flowing)} went on without "
        f"an idle gap over {STALL_S:g}s while their buckets had tokens. {describe_plans(obs)}",
        [e.summary() for e in others_after[:8]],
        metrics,
    )


THR_05 = Check(
    id="THR-05",
    title="Throttling of one operation does not stall the others",
    area="Throttling",
    severity="critical",
    requirement=f"While one operation is throttled, calls to other operations whose buckets "
    f"have tokens go on: no idle gap over {STALL_S:g} s before such a call.",
    why="Usage plans are per operation: getOrders can be empty for a minute while price and "
    "stock updates have plenty of quota. A connector with one global pause or one shared "
    "queue stops repricing and inventory updates whenever order polling is throttled.",
    remediation="Keep throttling state per operation (bucket, backoff) and never block the "
    "whole client on one operation's 429: schedule other operations' calls meanwhile.",
    judge=lambda obs: with_timeline(obs, _judge_independent(obs)),
    needs=("sync_orders", "update_price"),
    brief="One operation's throttling never stalls the others (no idle gap over 1 s with tokens "
    "available).",
).register()
