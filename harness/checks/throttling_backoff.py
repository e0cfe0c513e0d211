"""THR-02: the integration backs off after a 429 instead of retrying at once or forever.

Each throttled request is followed as a chain of refusals (:func:`throttle_facts.chains`) and
judged on its waits: none immediate while the next token is still away, growing on repeated
429s, a bounded number of attempts; refusals are also counted per second to catch storms that
spread over many requests.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

from harness.checks.facts import facts_of
from harness.checks.model import Check, Judgement, Observation
from harness.checks.retries import GROWTH_AFTER_429, MIN_RETRY_WAIT_S, RetryChain, waits_grew
from harness.checks.throttle_facts import (
    NOT_EXERCISED,
    chains,
    describe_plans,
    plan_of,
    throttle_exchanges,
    throttled,
)
from harness.checks.timeline import with_timeline
from harness.sim.journal import Exchange

__all__ = ["IMMEDIATE_S", "MAX_THROTTLED_ATTEMPTS", "MIN_REFUSED", "STORM_PER_S", "THR_02"]

IMMEDIATE_S = MIN_RETRY_WAIT_S
"""THR-02: a retry sooner than this after a 429, before a token could be back, is immediate
(the one minimum wait of harness.checks.retries; the name stays for THR-02's metrics)."""
MAX_THROTTLED_ATTEMPTS = 8
"""THR-02: one request may be refused at most 8 times before the integration gives up."""
STORM_PER_S = 10
"""THR-02: more than 10 refused requests of one operation within one second is a storm."""
GROWTH_TOLERANCE = 0.75
"""THR-02: each wait after a 429 is at least 75 % of the previous one (jitter allowed)."""
MIN_REFUSED = 3
"""THR-02 passes only on at least 3 refused requests: one or two 429s prove little backoff."""


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


def _chain_problems(chain: RetryChain) -> list[tuple[str, Exchange]]:
    problems: list[tuple[str, Exchange]] = []
    waits = chain.waits
    attempts = chain.attempts
    for i, wait in enumerate(waits):
        refused = chain.refused[i]
        plan = plan_of(refused)
        before = facts_of(refused).bucket_before
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
    elif not problems and len(chain.refused) >= 3 and not waits_grew(waits, GROWTH_AFTER_429):
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
        return Judgement(
            None,
            f"{NOT_EXERCISED}no request was throttled. A scenario that forces 429s on the "
            f"operations the integration calls would make it provable. {plans}",
            [],
            metrics,
        )
    problems: list[tuple[str, Exchange]] = []
    for chain in found:
        problems += _chain_problems(chain)
    for op, count, at in _storms(refused):
        problems.append(
            (f"retry storm: {count} refused {op} requests within one second", at),
        )
    # A 429 is temporary and retryable (facts sheet, usage plans): a request dropped at its
    # first refusal is work lost on every busy day, not a backoff that cannot be judged.
    gave_up = [c for c in found if c.abandoned and len(c.refused) == 1]
    metrics["given_up_at_first_429"] = len(gave_up)
    for chain in gave_up[:5]:
        problems.append(
            (
                f"{chain.refused[0].operation} gave up at its first 429 (request "
                f"{chain.refused[0].request_id}) instead of retrying after a wait",
                chain.refused[0],
            )
        )
    metrics["problems"] = len(problems)
    if not problems and len(refused) < MIN_REFUSED:
        return Judgement(
            None,
            f"{NOT_EXERCISED}only {len(refused)} request(s) were throttled, too few to judge "
            f"backoff (at least {MIN_REFUSED}). A scenario that refuses more requests would "
            f"make it provable. {plans}",
            [e.summary() for e in refused],
            metrics,
        )
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
    repeated = sum(1 for c in found if len(c.waits) >= 2)
    growth = (
        f"waits grew on the {repeated} request(s) refused more than once"
        if repeated
        else "no request was refused twice, so growth was not needed"
    )
    return Judgement(
        True,
        f"Each of {len(found)} throttled request(s) ({len(refused)} 429s) was retried after a "
        f"pause ({min(waits, default=0):.2f}s to {max(waits, default=0):.2f}s), {growth}, and "
        f"no request was refused more than {metrics['longest_chain']} time(s). {plans}",
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
    f"{STORM_PER_S} refused requests of one operation per second; never drop a request at "
    f"its first 429 (judged on at least "
    f"{MIN_REFUSED} refused requests).",
    why="A 429 carries no Retry-After and no rate header. A client that retries at once keeps "
    "the bucket empty for itself and everything else of the seller, turns one refusal into "
    "hundreds, and ends with the same failure, only later and louder.",
    remediation="On 429 wait and retry (a 429 is temporary; never drop the request at the "
    "first one): exponential backoff with jitter (e.g. 0.2 s, 0.4 s, 0.8 s ... capped), at "
    "least until the next token is due at the known rate; cap the attempts and report the "
    "failure instead of looping.",
    judge=lambda obs: with_timeline(obs, _judge_backoff(obs)),
    needs=("sync_orders",),
    brief="After a 429: no retry within 50 ms, growing waits, at most 8 refusals per request, "
    "no storm.",
).register()
