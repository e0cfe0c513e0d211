"""Throttling checks: the integration lives within its usage plans without wasting them.

THR-01..03 (pace, backoff, adaptation) live here; THR-04/05 (throughput, independence) in
:mod:`harness.checks.throttling_pace`.

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
from harness.checks.throttling_pace import THR_04, THR_05
from harness.checks.timeline import with_timeline
from harness.sim.journal import Exchange

__all__ = [
    "IMMEDIATE_S",
    "MAX_THROTTLED_ATTEMPTS",
    "SHARE_BOUND",
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
NO_GROWTH = 1.1
"""THR-02: after 3+ refusals of one request, a last wait within 10 % of the first never grew."""


def _share_line(exchanges: list[Exchange]) -> str:
    per_op: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for e in exchanges:
        counts = per_op[e.operation or "?"]
        counts[0] += 1
        counts[1] += throttled(e)
    return ", ".join(f"{op}: {t}/{n} refused" for op, (n, t) in sorted(per_op.items()))


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
    judge=lambda obs: with_timeline(obs, _judge_rare(obs)),
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
    # After an immediate retry its tiny waits prove nothing about growth: judge growth only
    # when every wait was a real pause.
    if not problems and shrank is not None:
        problems.append(
            (
                f"{chain.refused[0].operation}: the wait after a repeated 429 shrank from "
                f"{shrank[0]:.2f}s to {shrank[1]:.2f}s (request {chain.refused[0].request_id})",
                chain.refused[-1],
            )
        )
    elif not problems and len(chain.refused) >= 3 and waits[-1] <= waits[0] * NO_GROWTH:
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
    plans = describe_plans(obs, {e.operation for e in refused if e.operation} or None)
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
    judge=lambda obs: with_timeline(obs, _judge_backoff(obs)),
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
        # One refusal is the changeover: tokens counted at the old rate a moment too long.
        share = max(0, len(refused) - 1) / len(judged) if judged else 0.0
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
                f"{RATE_HEADER}), {len(refused)} of {len(judged)} later {op} requests were refused "
                "(one is the changeover): the integration kept the old pace"
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
        # Only failures Amazon's throttling caused: an action that reports a 429 as final.
        # (A timeout or crash has its own checks; blaming the header for it would mislead.)
        failed = [
            o
            for o in obs.outcomes
            if not o.ok
            and any(
                isinstance(err, dict) and err.get("status") == 429
                for err in (o.result or {}).get("errors", [])
            )
        ]
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
    f"drops), fewer than {SHARE_BOUND:.0%} of that operation's later requests are refused "
    "(one refusal at the changeover aside); "
    "when the header is absent, the integration still completes every request.",
    why="Amazon adjusts dynamic plans per seller (Orders, some Pricing) and the header is "
    "best effort: missing on some answers and never on 429s. A connector with hard-coded "
    "rates is throttled forever after a plan drop; one that needs the header breaks when it "
    "is missing.",
    remediation="Read x-amzn-RateLimit-Limit on every answer and re-pace that operation's "
    "bucket to it; when it is missing keep the last known rate (or the published one), and "
    "let 429s with backoff correct the pace.",
    judge=lambda obs: with_timeline(obs, _judge_adapts(obs)),
)


THROTTLING_CHECKS: tuple[Check, ...] = (THR_01, THR_02, THR_03, THR_04, THR_05)
