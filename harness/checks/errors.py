"""Error-handling checks ERR-01..06: what the integration does when SP-API calls fail.

Each check reads the journal (which the fault plan annotated with ``facts["fault"]``), the
actions' outcomes and the integration's own output. "The same request" means the same
endpoint, method, path, query and body: a client that changes the request after a 400 is
fixing it, not retrying it.
"""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from dataclasses import replace
from typing import Any

from harness.checks.facts import facts_of
from harness.checks.fault_parts import judge_each, merge
from harness.checks.model import Attachment, Check, Judgement, Observation
from harness.checks.retries import (
    GROWTH_AFTER_FAILURE,
    MIN_RETRY_WAIT_S,
    RetryChain,
    request_key,
    waits_grew,
)
from harness.checks.retries import retry_chains as chains_of
from harness.sim.journal import Exchange

__all__ = [
    "ERR_01",
    "ERR_02",
    "ERR_03",
    "HELD",
    "TRANSPORT_FAILURES",
    "client_saw_request_id",
    "fault_kind",
    "is_failure",
    "is_retryable_failure",
    "request_key",
    "retry_chains",
    "write_applied",
]

CLIENT_ERRORS = frozenset({400, 404, 413, 415})
SERVER_ERRORS = frozenset({500, 502, 503, 504})
# Faults after which the client holds no usable answer and a retry is the right move.
TRANSPORT_FAILURES = frozenset({"timeout", "stall", "reset", "truncated", "malformed_json"})
# Faults that reach the client without a status line, so without an x-amzn-RequestId.
NO_REQUEST_ID = frozenset({"timeout", "stall", "reset", "truncated"})
# Faults that hold the connection: the wait after one is the client's read timeout, not backoff.
HELD = frozenset({"timeout", "stall"})
WRITE_OPERATIONS = frozenset(
    {
        "putListingsItem",
        "patchListingsItem",
        "deleteListingsItem",
        "confirmShipment",
        "createFeed",
        "createFeedDocument",
    }
)
MAX_ATTEMPTS = 6
"""Attempts of one request in a row before it counts as unbounded (Amazon's SDK stops at 5)."""
JITTER_SAMPLES = 3
"""Waits at the same retry number needed before judging whether delays are jittered."""
JITTER_FLOOR = 0.02
"""Spread (s) of waits at one retry number that loopback timing noise alone never reaches."""


# -- reading the journal --------------------------------------------------------------------


def fault_kind(e: Exchange) -> str | None:
    fault = e.fault
    return str(fault.get("kind")) if fault else None


def is_retryable_failure(e: Exchange) -> bool:
    """5xx, or a transport fault that left the client without a usable answer."""
    return e.status in SERVER_ERRORS or fault_kind(e) in TRANSPORT_FAILURES


def is_failure(e: Exchange) -> bool:
    """Did the client get a failure (HTTP error, transport fault, or listings' INVALID)?"""
    return (
        e.status >= 400
        or fault_kind(e) in TRANSPORT_FAILURES
        or facts_of(e).submission_status == "INVALID"
    )


def client_saw_request_id(e: Exchange) -> bool:
    return fault_kind(e) not in NO_REQUEST_ID


def _same_window(obs: Observation, a: Exchange, b: Exchange) -> bool:
    return obs.action_of(a) == obs.action_of(b)


def _retried(e: Exchange) -> bool:
    """Asks for a retry: a retryable failure (5xx, transport fault), a 429 or an expired
    token's 403."""
    return is_retryable_failure(e) or e.status in (403, 429)


def retry_chains(exchanges: list[Exchange]) -> list[RetryChain]:
    """Runs of the same request where every attempt but the last failed and was re-sent.

    A chain starts at any request; the next identical request joins it only if the previous
    attempt failed in a retryable way (5xx, 429, transport fault) or with an expired token.
    """
    return chains_of(exchanges, _retried)


def _delays(chain: RetryChain) -> list[float]:
    """Waits between attempts that followed an immediate failure (not a held timeout)."""
    return [
        b.wall - a.wall
        for a, b in itertools.pairwise(chain)
        if fault_kind(a) not in HELD and (a.status in SERVER_ERRORS or fault_kind(a))
    ]


# -- ERR-01 ---------------------------------------------------------------------------------


def _judge_no_retry_of_client_errors(obs: Observation) -> Judgement:
    refused = [e for e in obs.sp_api() if e.status in CLIENT_ERRORS]
    if not refused:
        return Judgement(None, "No call was answered 400, 404, 413 or 415.")
    repeats: list[tuple[Exchange, list[Exchange]]] = []
    seen: set[tuple[str, ...]] = set()
    for e in refused:
        if request_key(e) in seen:
            continue  # already reported as the first refusal of this request
        again = [
            x
            for x in obs.sp_api()
            if x.seq > e.seq and request_key(x) == request_key(e) and _same_window(obs, e, x)
        ]
        if again:
            seen.add(request_key(e))
            repeats.append((e, again))
    metrics = {"client_errors": len(refused), "resent_unchanged": sum(len(a) for _, a in repeats)}
    if repeats:
        evidence = []
        for e, again in repeats[:5]:
            evidence.append(e.summary())
            evidence += [f"  sent again: {x.summary()}" for x in again[:3]]
        first, again = repeats[0]
        return Judgement(
            False,
            f"{len(repeats)} request(s) refused with 400/404/413/415 were sent again unchanged "
            f"(e.g. {first.operation} refused with {first.status}, request {first.request_id}, "
            f"sent {len(again)} more time(s)). "
            "Amazon will refuse them every time.",
            evidence,
            metrics,
        )
    return Judgement(
        True,
        f"None of the {len(refused)} request(s) refused with 400/404/413/415 was sent again "
        "unchanged.",
        [e.summary() for e in refused[:10]],
        metrics,
    )


ERR_01 = Check(
    id="ERR-01",
    title="Does not retry requests Amazon refused as invalid",
    area="Errors",
    severity="critical",
    requirement="After 400, 404, 413 or 415 the same request is not sent again unchanged.",
    why="These answers mean the request itself is wrong (bad parameter, unknown order, body too "
    "large, wrong content type). Re-sending it can never succeed: it burns the operation's rate "
    "limit, delays every other call behind it and hides the real defect in noise.",
    remediation="Treat 400/404/413/415 as final for that request: record the error (with its "
    "x-amzn-RequestId) and move on. Decide retries on the HTTP status, never on the error code "
    'string, which differs per API (InvalidInput, BAD_REQUEST, "400", InvalidRequest).',
    judge=_judge_no_retry_of_client_errors,
    needs=("sync_orders",),
    brief="A request refused with 400/404/413/415 is not sent again unchanged.",
).register()


# -- ERR-02 ---------------------------------------------------------------------------------


def _judge_backoff(obs: Observation) -> Judgement:
    chains = [c for c in retry_chains(obs.sp_api()) if any(is_retryable_failure(e) for e in c)]
    if not chains:
        return Judgement(None, "No call failed with 500/503, a timeout or a reset.")
    problems: list[str] = []
    evidence: list[str] = []
    by_retry: dict[int, list[float]] = defaultdict(list)
    longest = max(len(c) for c in chains)
    for chain in chains:
        first, last = chain[0], chain[-1]
        name = f"{first.operation} (first request {first.request_id})"
        delays = _delays(chain)
        for n, delay in enumerate(delays, start=1):
            by_retry[n].append(delay)
        if len(chain) == 1:
            problems.insert(0, f"{name} failed once and was never retried")
            evidence.append(first.summary())
            continue
        if len(chain) > MAX_ATTEMPTS:
            problems.insert(0, f"{name} was sent {len(chain)} times in a row (unbounded)")
        quick = [d for d in delays if d < MIN_RETRY_WAIT_S]
        if quick:
            problems.append(
                f"{name} was retried {len(quick)} time(s) within {MIN_RETRY_WAIT_S * 1000:.0f} ms "
                f"of a failure (no backoff; shortest wait {min(quick) * 1000:.0f} ms)"
            )
        if len(delays) >= 3 and not waits_grew(delays, GROWTH_AFTER_FAILURE):
            problems.append(
                f"{name}: waits did not grow ({', '.join(f'{d:.2f}s' for d in delays)})"
            )
        if problems and len(evidence) < 20:
            evidence += [e.summary() for e in chain[:4]]
            if len(chain) > 4:
                evidence.append(f"  ... {len(chain) - 4} more attempt(s), last: {last.summary()}")
    jitter_judged, no_jitter = _jitter(by_retry, "across requests")
    problems += [no_jitter] if no_jitter else []
    metrics: dict[str, Any] = {
        "failed_requests": len(chains),
        "longest_chain": longest,
        "recovered": sum(1 for c in chains if not is_failure(c[-1])),
        "waits_by_retry": {n: [round(d, 3) for d in ds] for n, ds in sorted(by_retry.items())},
        "jitter_judged": jitter_judged,
    }
    if problems:
        return Judgement(
            False,
            "Transient failures were not retried with growing, jittered, bounded waits: "
            + "; ".join(problems[:5])
            + ".",
            evidence,
            metrics,
            [_retry_table(chains)],
        )
    jitter_note = (
        "waits differ between requests (jitter)"
        if jitter_judged
        else "too few retries to judge jitter"
    )
    return Judgement(
        True,
        f"{len(chains)} failing request(s) were retried after growing waits and at most "
        f"{longest} attempt(s); {jitter_note}.",
        [e.summary() for c in chains[:3] for e in c[:4]],
        metrics,
        [_retry_table(chains)],
    )


def _judge_backoff_by_kind(obs: Observation) -> Judgement:
    """ERR-02 on every fault kind's own sub-run; jitter judged on the waits of all of them
    (one failing request per kind gives one wait per retry number)."""
    results = judge_each(obs, _judge_backoff)
    if len(results) < 2:
        return merge(results)
    pooled: dict[int, list[float]] = defaultdict(list)
    for j in results.values():
        for n, waits in (j.metrics.get("waits_by_retry") or {}).items():
            pooled[int(n)] += [float(w) for w in waits]
    judged, no_jitter = _jitter(pooled, "across fault kinds")
    problems = [no_jitter] if no_jitter else []
    note = "jitter judged on the waits of every kind" if judged else "too few waits for jitter"
    merged = merge(results, problems)
    return replace(
        merged,
        summary=f"{merged.summary} ({note})",
        metrics={**merged.metrics, "jitter_judged_across_kinds": judged},
    )


def _jitter(by_retry: dict[int, list[float]], where: str) -> tuple[bool, str | None]:
    """(judged, problem): enough waits at one retry number to judge, and whether they were all
    alike (no jitter: every client retries in lockstep)."""
    groups = {n: ds for n, ds in by_retry.items() if len(ds) >= JITTER_SAMPLES}
    spread = [
        max(ds) - min(ds) > max(JITTER_FLOOR, 0.15 * statistics.mean(ds)) for ds in groups.values()
    ]
    if not groups or any(spread):
        return bool(groups), None
    waits = "; ".join(
        f"retry {n}: {', '.join(f'{d:.3f}s' for d in ds[:6])}" for n, ds in sorted(groups.items())
    )
    return True, f"waits at the same retry number were identical {where} (no jitter): {waits}"


def _retry_table(chains: list[RetryChain]) -> Attachment:
    """Every attempt of every failing request, one row each, for a spreadsheet or a chart."""
    rows = ["request,attempt,t_seconds,wait_seconds,answer,x_amzn_request_id"]
    for n, chain in enumerate(chains, start=1):
        previous: Exchange | None = None
        for attempt, e in enumerate(chain, start=1):
            wait = f"{e.wall - previous.wall:.3f}" if previous is not None else ""
            answer = fault_kind(e) if e.status == 0 else str(e.status)
            rows.append(f"{n} {e.operation},{attempt},{e.wall:.3f},{wait},{answer},{e.request_id}")
            previous = e
    return Attachment("retries", ("\n".join(rows) + "\n").encode(), "text/csv", "csv")


ERR_02 = Check(
    id="ERR-02",
    title="Retries transient failures with growing, jittered, bounded backoff",
    area="Errors",
    severity="critical",
    requirement="500, 503, read timeouts and connection resets are retried after growing, "
    f"jittered waits, at most {MAX_ATTEMPTS} attempts in all.",
    why="SP-API has short outages and overloaded moments. Giving up on the first 503 drops "
    "orders and stock updates; retrying at once, in lockstep with every other worker, or for "
    "ever turns a blip into an outage and gets the application throttled.",
    remediation="Retry 500/502/503/504, timeouts and resets with exponential backoff plus "
    "random jitter (e.g. delay = base * 2^attempt / 2 + random(0, base * 2^attempt / 2), "
    "capped), at most 5 attempts, then report the failure. Writes need idempotency first "
    "(ERR-03).",
    judge=_judge_backoff_by_kind,
    needs=("sync_orders",),
    brief="500/503, timeouts, resets and cut-off answers retried after growing, jittered waits, "
    "at most 6 attempts; each fault kind judged in its own fresh run, and a kind not "
    "exercised is not a pass.",
).register()


# -- ERR-03 ---------------------------------------------------------------------------------


def write_applied(e: Exchange) -> bool:
    """Did this exchange change the seller's state (whatever the client was told)?"""
    if e.operation not in WRITE_OPERATIONS:
        return False
    if facts_of(e).submission_status in ("INVALID", "VALID"):
        return False  # refused, or a VALIDATION_PREVIEW
    fault = e.fault
    if fault is not None:
        return bool(fault.get("write_applied"))
    return 200 <= e.status < 300


def _ambiguous(e: Exchange) -> bool:
    return e.operation in WRITE_OPERATIONS and is_retryable_failure(e)


def _judge_no_duplicate_writes(obs: Observation) -> Judgement:
    ambiguous = [e for e in obs.sp_api() if _ambiguous(e)]
    if not ambiguous:
        return Judgement(None, "No write failed ambiguously (5xx, timeout, reset).")
    applied: dict[tuple[str, ...], list[Exchange]] = defaultdict(list)
    for e in obs.sp_api():
        if write_applied(e):
            applied[request_key(e)].append(e)
    duplicates = {k: v for k, v in applied.items() if len(v) > 1}
    metrics = {
        "ambiguous_write_failures": len(ambiguous),
        "writes_applied": sum(len(v) for v in applied.values()),
        "duplicated_writes": len(duplicates),
    }
    if duplicates:
        evidence = []
        for group in list(duplicates.values())[:5]:
            evidence.append(f"applied {len(group)} times: {group[0].operation} {group[0].path}")
            evidence += [f"  {e.summary()}" for e in group]
        first = next(iter(duplicates.values()))
        return Judgement(
            False,
            f"{len(duplicates)} write(s) reached Amazon more than once after an ambiguous "
            f"failure: {first[0].operation} {first[0].path} was applied {len(first)} times "
            "(the simulator's state holds every copy).",
            evidence,
            metrics,
        )
    return Judgement(
        True,
        f"{len(ambiguous)} write(s) failed ambiguously and each intended write was applied at "
        "most once.",
        [e.summary() for e in ambiguous[:10]],
        metrics,
    )


ERR_03 = Check(
    id="ERR-03",
    title="No duplicate writes after ambiguous failures",
    area="Errors",
    severity="blocker",
    requirement="After a write fails ambiguously (timeout, reset, 5xx after Amazon applied it), "
    "the state shows one listing submission, one shipment confirmation, one feed per intended "
    "write.",
    why="A timeout does not mean the write failed: Amazon may have applied it. Blindly sending "
    "it again creates duplicate feeds, double shipment confirmations or a second listing "
    "submission that can overwrite newer data, and nobody notices until customers do.",
    remediation="Before retrying a write whose outcome is unknown, read the resource back "
    "(getListingsItem, getOrder, getFeed) and retry only if the write is not there; or make "
    "the write carry an idempotency key you track. Never retry writes in a generic loop.",
    judge=_judge_no_duplicate_writes,
    needs=("publish_listing|update_inventory|update_price|confirm_shipment",),
    brief="No duplicate write after an ambiguous failure (one listing submission, shipment "
    "confirmation, feed per intended write).",
).register()
