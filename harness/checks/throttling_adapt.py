"""THR-03: the integration adapts when Amazon lowers a plan or omits the rate header.

A plan drop is found from the simulator's facts and judged only after the first answer that
announced the new rate (one refusal at the changeover is allowed); a missing header is judged
by whether the integration still finished its work, since pacing is then the client's guess.
"""

from __future__ import annotations

from harness.checks.model import Check, Judgement, Observation
from harness.checks.throttle_facts import (
    NOT_EXERCISED,
    RATE_HEADER,
    chains,
    describe_plans,
    plan_of,
    throttle_exchanges,
    throttled,
)
from harness.checks.throttling_rare import SHARE_BOUND
from harness.checks.timeline import with_timeline
from harness.sim.journal import Exchange

__all__ = ["MIN_AFTER_DROP", "THR_03"]

MIN_AFTER_DROP = 3
"""THR-03 judges a plan drop on at least 3 requests after the lower rate was announced."""


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


def _judge_drops(
    calls: list[Exchange], metrics: dict[str, object]
) -> tuple[list[str], list[str], list[str], list[str]]:
    """(problems, passes, not exercised, evidence) for every plan drop of the scenario."""
    problems: list[str] = []
    parts: list[str] = []
    idle: list[str] = []
    evidence: list[str] = []
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
            "throttled_from_drop": sum(1 for e in after if throttled(e)),
        }
        evidence.append(f"plan drop {old:g}/s -> {new:g}/s announced by: {told.summary()}")
        # A request given up at a 429 under the lower plan: the work it carried is lost, so the
        # integration did not adapt, however few requests came after it (the sync ended there).
        lost = [c for c in chains(after) if c.abandoned]
        if lost:
            problems.append(
                f"after Amazon lowered {op} from {old:g}/s to {new:g}/s (and said so in "
                f"{RATE_HEADER}), the integration gave up {len(lost)} {op} request(s) at a 429 "
                "instead of slowing down to the announced rate"
            )
            evidence += [c.refused[-1].summary() for c in lost[:10]]
        elif len(judged) < MIN_AFTER_DROP:
            idle.append(
                f"{op} dropped to {new:g}/s but was called only {len(judged)} time(s) after the "
                f"new rate was announced (at least {MIN_AFTER_DROP} are needed)"
            )
        elif not any(throttled(e) for e in after):
            # The lower plan never bound: a client slower than the new rate shows nothing.
            idle.append(
                f"{op} dropped to {new:g}/s but no {op} request was refused from then on, so "
                "the lower plan never bound the integration"
            )
        elif share >= SHARE_BOUND:
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
    return problems, parts, idle, evidence


def _judge_adapts(obs: Observation) -> Judgement:
    calls = throttle_exchanges(obs)
    metrics: dict[str, object] = {"bound": SHARE_BOUND}
    problems, parts, idle, evidence = _judge_drops(calls, metrics)
    headerless = sorted(
        {
            e.operation
            for e in calls
            if e.operation and 200 <= e.status < 300 and RATE_HEADER not in e.response_headers
        }
    )
    # Only operations the scenario throttled show whether the integration copes without the
    # header: one that was never refused would have worked with any pacing at all.
    refused_ops = {e.operation for e in calls if throttled(e)}
    exercised = [op for op in headerless if op in refused_ops]
    if headerless:
        metrics["operations_without_header"] = headerless
        metrics["throttled_without_header"] = exercised
    if headerless and not exercised:
        idle.append(
            f"without {RATE_HEADER} on {', '.join(headerless)} no request of them was refused, "
            "so coping without the header was not exercised"
        )
    if exercised:
        gave_up = [
            c for c in chains(calls) if c.abandoned and c.refused[0].operation in set(exercised)
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
            refusals = sum(1 for e in calls if throttled(e) and e.operation in set(exercised))
            parts.append(
                f"without {RATE_HEADER} on {', '.join(headerless)} every request eventually "
                f"succeeded, after {refusals} 429(s) on {', '.join(exercised)}"
            )
    plans = describe_plans(obs)
    if problems:
        return Judgement(False, "; ".join(problems) + f". {plans}", evidence, metrics)
    if not parts:
        reasons = (
            "; ".join(idle)
            if idle
            else ("the plan never changed and the rate header was always present")
        )
        return Judgement(
            None,
            f"{NOT_EXERCISED}{reasons}. A scenario whose lowered plan or missing header meets "
            f"429s would make it provable. {plans}",
            evidence,
            metrics,
        )
    if idle:
        parts.append("not exercised: " + "; ".join(idle))
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
    needs=("sync_orders",),
    brief="Follows a lowered plan announced in `x-amzn-RateLimit-Limit`; keeps working when the "
    "header is absent.",
).register()
