"""Throttling checks: the integration lives within its usage plans without wasting them.

Bounds are stated in each check's requirement and repeated in its metrics, and every verdict
names the usage plans it was judged against (scenarios use scaled plans to finish in seconds).
Wall-time bounds carry tolerances for a loaded two-core machine: a client that is right
passes with a wide margin, and the clients they exist to catch miss them by far.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

from harness.checks.model import Check, Judgement, Observation
from harness.checks.throttle_facts import (
    RATE_HEADER,
    Chain,
    chains,
    describe_plans,
    plan_of,
    throttle_exchanges,
    throttled,
)
from harness.checks.timeline import timeline_attachments
from harness.sim.journal import Exchange

__all__ = [
    "IMMEDIATE_S",
    "MAX_THROTTLED_ATTEMPTS",
    "SHARE_BOUND",
    "STALL_S",
    "STORM_PER_S",
    "THROTTLING_CHECKS",
    "THR_01",
    "THR_02",
    "THR_03",
    "THR_04",
    "THR_05",
]

SHARE_BOUND = 0.10
"""THR-01/THR-03: fewer than 10 % of the requests may be refused with 429."""
IMMEDIATE_S = 0.05
"""THR-02: a retry sooner than 50 ms after a 429, before a token could be back, is immediate."""
MAX_THROTTLED_ATTEMPTS = 8
"""THR-02: one request may be refused at most 8 times before the integration gives up."""
STORM_PER_S = 10
"""THR-02: more than 10 refused requests of one operation within one second is a storm."""
GROWTH_TOLERANCE = 0.75
"""THR-02: each wait after a 429 is at least 75 % of the previous one (jitter allowed)."""
SPEED_FACTOR = 2.0
PER_CALL_S = 0.03
BASE_ALLOWANCE_S = 1.0
"""THR-04: span <= 2 x fastest schedule + 1 s + 30 ms per request (latency on loopback)."""
STALL_S = 1.0
"""THR-05: an idle gap over 1 s before a call whose bucket had tokens all along is a stall."""


def _share_line(exchanges: list[Exchange]) -> str:
    per_op: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for e in exchanges:
        counts = per_op[e.operation or "?"]
        counts[0] += 1
        counts[1] += throttled(e)
    return ", ".join(f"{op}: {t}/{n} refused" for op, (n, t) in sorted(per_op.items()))


def _with_timeline(obs: Observation, judgement: Judgement) -> Judgement:
    return Judgement(
        judgement.passed,
        judgement.summary,
        judgement.evidence,
        {**judgement.metrics, "usage_plans": obs.settings.get("usage_plans", [])},
        [*judgement.attachments, *timeline_attachments(obs)],
    )


# -- THR-01 ---------------------------------------------------------------------------------


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
            "No operation needed more calls than its burst, so the scenario could not tell "
            f"whether the integration paces itself. {plans}",
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
    judge=lambda obs: _with_timeline(obs, _judge_rare(obs)),
)


# -- THR-02 ---------------------------------------------------------------------------------


def _storms(refused: list[Exchange]) -> list[tuple[str, int, Exchange]]:
    by_op: dict[str, list[Exchange]] = defaultdict(list)
    for e in refused:
        by_op[e.operation or "?"].append(e)
    found = []
    for op, items in by_op.items():
        start = 0
        worst, at = 0, items[0]
        for end, e in enumerate(items):
            while e.wall - items[start].wall > 1.0:
                start += 1
            if end - start + 1 > worst:
                worst, at = end - start + 1, items[start]
        if worst > STORM_PER_S:
            found.append((op, worst, at))
    return found


def _chain_problems(chain: Chain) -> list[tuple[str, Exchange]]:
    problems: list[tuple[str, Exchange]] = []
    waits = chain.waits
    attempts = [*chain.refused, *([chain.after] if chain.after else [])]
    for i, wait in enumerate(waits):
        refused = chain.refused[i]
        plan = plan_of(refused)
        before = float(refused.facts.get("bucket_before", 0.0))
        need = (1.0 - before) / plan.rate if plan else 0.0
        if wait < IMMEDIATE_S and wait < need:
            problems.append(
                (
                    f"{refused.operation} retried {wait * 1000:.0f} ms after a 429 "
                    f"(request {refused.request_id}); the next token was {need:.2f}s away",
                    attempts[i + 1],
                )
            )
            break
    shrank = next(((a, b) for a, b in itertools.pairwise(waits) if b < a * GROWTH_TOLERANCE), None)
    if problems:
        pass  # an immediate retry says it all; its tiny waits prove nothing about growth
    elif shrank is not None:
        problems.append(
            (
                f"{chain.refused[0].operation}: the wait after a repeated 429 shrank from "
                f"{shrank[0]:.2f}s to {shrank[1]:.2f}s (request {chain.refused[0].request_id})",
                chain.refused[-1],
            )
        )
    elif len(chain.refused) >= 3 and waits[-1] <= waits[0]:
        problems.append(
            (
                f"{chain.refused[0].operation}: {len(chain.refused)} 429s for one request with "
                f"waits that never grew ({waits[0]:.2f}s .. {waits[-1]:.2f}s)",
                chain.refused[-1],
            )
        )
    if len(chain.refused) > MAX_THROTTLED_ATTEMPTS:
        problems.append(
            (
                f"{chain.refused[0].operation}: one request was refused {len(chain.refused)} "
                f"times (bound {MAX_THROTTLED_ATTEMPTS}); request {chain.refused[0].request_id}",
                chain.refused[-1],
            )
        )
    return problems


def _judge_backoff(obs: Observation) -> Judgement:
    calls = throttle_exchanges(obs)
    refused = [e for e in calls if throttled(e)]
    found = chains(calls)
    metrics = {
        "throttled": len(refused),
        "chains": len(found),
        "longest_chain": max((len(c.refused) for c in found), default=0),
        "bounds": {
            "immediate_retry_s": IMMEDIATE_S,
            "max_throttled_attempts": MAX_THROTTLED_ATTEMPTS,
            "storm_per_s": STORM_PER_S,
        },
    }
    plans = describe_plans(obs, {e.operation for e in refused if e.operation})
    if not refused:
        return Judgement(None, f"No request was throttled, so backoff was not exercised. {plans}")
    problems: list[tuple[str, Exchange]] = []
    for chain in found:
        problems += _chain_problems(chain)
    for op, count, at in _storms(refused):
        problems.append(
            (f"retry storm: {count} refused {op} requests within one second", at),
        )
    metrics["problems"] = len(problems)
    if problems:
        kinds = sorted({e.operation or "?" for _text, e in problems})
        return Judgement(
            False,
            f"After 429 QuotaExceeded the integration did not back off: {len(problems)} "
            f"problem(s) across {len(found)} throttled request(s), e.g. {problems[0][0]}. "
            f"Operations: {', '.join(kinds[:5])}. {plans}",
            [f"{text} :: {e.summary()}" for text, e in problems],
            metrics,
        )
    waits = [w for c in found for w in c.waits]
    return Judgement(
        True,
        f"Each of {len(found)} throttled request(s) was retried after a pause "
        f"({min(waits, default=0):.2f}s to {max(waits, default=0):.2f}s), waits grew on repeated "
        f"429s, and no request was refused more than {metrics['longest_chain']} time(s). {plans}",
        [c.refused[0].summary() for c in found][:10],
        metrics,
    )


THR_02 = Check(
    id="THR-02",
    title="Backs off after a 429",
    area="Throttling",
    severity="blocker",
    requirement=f"After 429 QuotaExceeded: never retry the same request sooner than "
    f"{IMMEDIATE_S * 1000:.0f} ms (before a token can be back); let waits grow on repeated "
    f"429s; give up after at most {MAX_THROTTLED_ATTEMPTS} refusals; never more than "
    f"{STORM_PER_S} refused requests of one operation per second.",
    why="A 429 carries no Retry-After and no rate header. A client that retries at once keeps "
    "the bucket empty for itself and everything else of the seller, turns one refusal into "
    "hundreds, and ends with the same failure, only later and louder.",
    remediation="On 429 wait before retrying: exponential backoff with jitter (e.g. 0.2 s, "
    "0.4 s, 0.8 s ... capped), at least until the next token is due at the known rate; cap "
    "the attempts and report the failure instead of looping.",
    judge=lambda obs: _with_timeline(obs, _judge_backoff(obs)),
)


# -- THR-03 ---------------------------------------------------------------------------------


def _drops(calls: list[Exchange]) -> dict[str, tuple[Exchange, float, float]]:
    """Operation -> (first request under the lower plan, old rate, new rate)."""
    last: dict[str, float] = {}
    found: dict[str, tuple[Exchange, float, float]] = {}
    for e in calls:
        plan = plan_of(e)
        if not (plan and e.operation):
            continue
        prev = last.get(e.operation)
        if prev is not None and plan.rate < prev and e.operation not in found:
            found[e.operation] = (e, prev, plan.rate)
        last[e.operation] = plan.rate
    return found


def _announced(after: list[Exchange], rate: float) -> Exchange | None:
    """The first answer that told the integration the lower rate (None: never told)."""
    for e in after:
        value = e.response_headers.get(RATE_HEADER)
        try:
            if value is not None and abs(float(value) - rate) < 1e-9:
                return e
        except ValueError:
            continue
    return None


def _judge_adapts(obs: Observation) -> Judgement:
    calls = throttle_exchanges(obs)
    problems: list[str] = []
    evidence: list[str] = []
    parts: list[str] = []
    metrics: dict[str, object] = {"bound": SHARE_BOUND}
    for op, (first, old, new) in _drops(calls).items():
        after = [e for e in calls if e.operation == op and e.seq >= first.seq]
        told = _announced(after, new) or first
        judged = [e for e in after if e.seq > told.seq]
        refused = [e for e in judged if throttled(e)]
        share = len(refused) / len(judged) if judged else 0.0
        metrics[f"{op}_after_drop"] = {
            "old_rate": old,
            "new_rate": new,
            "requests": len(judged),
            "throttled": len(refused),
        }
        evidence.append(f"plan drop {old:g}/s -> {new:g}/s announced by: {told.summary()}")
        if len(judged) < 3:
            parts.append(f"{op} dropped to {new:g}/s but was hardly called afterwards")
            continue
        if share >= SHARE_BOUND:
            problems.append(
                f"after Amazon lowered {op} from {old:g}/s to {new:g}/s (and said so in "
                f"{RATE_HEADER}), {len(refused)} of {len(judged)} {op} requests ({share:.0%}) "
                "were refused: the integration kept the old pace"
            )
            evidence += [e.summary() for e in refused[:10]]
        else:
            parts.append(
                f"after {op} dropped from {old:g}/s to {new:g}/s, {len(refused)} of "
                f"{len(judged)} requests were refused ({share:.0%})"
            )
    headerless = sorted(
        {
            e.operation
            for e in calls
            if e.operation and 200 <= e.status < 300 and RATE_HEADER not in e.response_headers
        }
    )
    if headerless:
        gave_up = [
            c for c in chains(calls) if c.abandoned and c.refused[0].operation in set(headerless)
        ]
        failed = [o for o in obs.outcomes if not o.ok]
        metrics["operations_without_header"] = headerless
        metrics["abandoned_after_429"] = len(gave_up)
        if gave_up or failed:
            what = []
            if gave_up:
                what.append(f"{len(gave_up)} request(s) were abandoned after 429s")
                evidence += [c.refused[-1].summary() for c in gave_up[:10]]
            if failed:
                what.append("; ".join(o.summary() for o in failed[:3]))
            problems.append(
                f"without {RATE_HEADER} on {', '.join(headerless)} the integration stopped "
                "working: " + "; ".join(what)
            )
        else:
            parts.append(
                f"without {RATE_HEADER} on {', '.join(headerless)} every request eventually "
                "succeeded"
            )
    if not problems and not parts:
        return Judgement(
            None,
            "The plan never changed and the rate header was always present, so adaptation "
            "was not exercised.",
            [],
            metrics,
        )
    plans = describe_plans(obs)
    if problems:
        return Judgement(False, "; ".join(problems) + f". {plans}", evidence, metrics)
    return Judgement(True, "; ".join(parts) + f". {plans}", evidence, metrics)


THR_03 = Check(
    id="THR-03",
    title="Adapts to a lowered plan and to a missing rate header",
    area="Throttling",
    severity="critical",
    requirement=f"When Amazon lowers an operation's plan mid-run (x-amzn-RateLimit-Limit "
    f"drops), fewer than {SHARE_BOUND:.0%} of that operation's later requests are refused; "
    "when the header is absent, the integration still completes every request.",
    why="Amazon adjusts dynamic plans per seller (Orders, some Pricing) and the header is "
    "best effort: missing on some answers and never on 429s. A connector with hard-coded "
    "rates is throttled forever after a plan drop; one that needs the header breaks when it "
    "is missing.",
    remediation="Read x-amzn-RateLimit-Limit on every answer and re-pace that operation's "
    "bucket to it; when it is missing keep the last known rate (or the published one), and "
    "let 429s with backoff correct the pace.",
    judge=lambda obs: _with_timeline(obs, _judge_adapts(obs)),
)


# -- THR-04 ---------------------------------------------------------------------------------


def _judge_throughput(obs: Observation) -> Judgement:
    calls = throttle_exchanges(obs)
    done = [e for e in calls if 200 <= e.status < 300]
    if len(done) < 2:
        return Judgement(None, "Fewer than two successful SP-API calls: nothing to time.")
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
    schedule = (
        f"the plan allows them in {fastest:.1f}s ({limiting}: {n} calls, burst {burst}, then "
        f"{rate:g}/s)"
    )
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
            f"The {len(done)} successful calls took {span:.1f}s; {schedule}, so the "
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
    judge=lambda obs: _with_timeline(obs, _judge_throughput(obs)),
)


# -- THR-05 ---------------------------------------------------------------------------------


def _judge_independent(obs: Observation) -> Judgement:
    calls = throttle_exchanges(obs)
    everything = sorted(obs.exchanges, key=lambda e: e.seq)
    refused_ops = sorted({e.operation for e in calls if throttled(e) and e.operation})
    if not refused_ops:
        return Judgement(None, "No operation was throttled, so independence was not exercised.")
    first_429 = min(e.seq for e in calls if throttled(e))
    others_after = [e for e in calls if e.seq > first_429 and e.operation not in refused_ops]
    if not others_after:
        return Judgement(
            None,
            f"Nothing but {', '.join(refused_ops)} was called after the first 429, so there was "
            "no unrelated work to keep flowing.",
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
                    float(mine.facts.get("bucket_after", 0.0))
                    + plan.rate * (prev.wall - mine.wall),
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
    judge=lambda obs: _with_timeline(obs, _judge_independent(obs)),
)

THROTTLING_CHECKS: tuple[Check, ...] = (THR_01, THR_02, THR_03, THR_04, THR_05)
