"""Error-handling checks ERR-04..06: failures are reported, isolated and logged.

See :mod:`harness.checks.errors` for how the journal is read.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict

from harness.checks.errors import (
    TRANSPORT_FAILURES,
    WRITE_OPERATIONS,
    client_saw_request_id,
    is_failure,
    request_key,
    retry_chains,
)
from harness.checks.fault_parts import judge_parts
from harness.checks.model import Check, Judgement, Observation
from harness.checks.orders import listed_orders
from harness.drive.base import ActionOutcome
from harness.sim.journal import Exchange

__all__ = ["ERR_04", "ERR_05", "ERR_06", "final_failures"]


def final_failures(obs: Observation) -> list[Exchange]:
    """The last attempt of every request that never succeeded."""
    last: dict[tuple[str, ...], Exchange] = {}
    for chain in retry_chains(obs.sp_api()):
        # A request re-sent after a 400 forms new chains: report it once, by its last attempt.
        if is_failure(chain[-1]):
            last[request_key(chain[-1])] = chain[-1]
        else:
            last.pop(request_key(chain[-1]), None)
    return sorted(last.values(), key=lambda e: e.seq)


# -- ERR-04 ---------------------------------------------------------------------------------


def _outcome_text(outcome: ActionOutcome) -> str:
    return json.dumps(outcome.result, default=str) + (outcome.error or "")


def _judge_failures_surfaced(obs: Observation) -> Judgement:
    failures = final_failures(obs)
    if not failures:
        return Judgement(None, "Every request eventually succeeded; nothing to surface.")
    if not obs.action_windows:
        return Judgement(None, "The actions' timing is unknown; cannot tie failures to them.")
    problems: list[str] = []
    evidence: list[str] = []
    surfaced = 0
    for e in failures:
        index = obs.action_of(e)
        if index is None or index >= len(obs.outcomes):
            continue
        outcome = obs.outcomes[index]
        label = f"{outcome.action} (action {index + 1})"
        if outcome.status == "ok":
            problems.append(f"{label} reported ok although {e.operation} failed for good")
            evidence += [e.summary(), f"  outcome: {outcome.summary()}"]
        elif client_saw_request_id(e) and e.request_id not in _outcome_text(outcome):
            problems.append(
                f"{label} reported failure but did not name x-amzn-RequestId {e.request_id} "
                f"of the failed {e.operation}"
            )
            evidence += [e.summary(), f"  outcome: {_outcome_text(outcome)[:300]}"]
        else:
            surfaced += 1
    metrics = {"failed_for_good": len(failures), "surfaced": surfaced}
    if problems:
        return Judgement(
            False,
            "Failures were not surfaced: " + "; ".join(problems[:5]) + ".",
            evidence,
            metrics,
        )
    return Judgement(
        True,
        f"Each of {len(failures)} request(s) that failed for good made its action report "
        "failure, naming the x-amzn-RequestId where Amazon sent one.",
        [e.summary() for e in failures[:10]],
        metrics,
    )


ERR_04 = Check(
    id="ERR-04",
    title="Failures are reported, with Amazon's request id",
    area="Errors",
    severity="blocker",
    requirement="An action whose SP-API call failed for good reports failure (result ok false "
    "or exit code) and names the x-amzn-RequestId of the failed call.",
    why="A sync that says 'done' after losing orders is worse than one that crashes: nobody "
    "looks. Amazon support can only trace a problem from its x-amzn-RequestId; without it a "
    "ticket goes nowhere.",
    remediation="Collect every call that failed after its retries into the action's result "
    "(operation, HTTP status, x-amzn-RequestId, message), set ok false / a non-zero exit code, "
    "and alert on it. A listing answered 200 with status INVALID is a failure too.",
    judge=_judge_failures_surfaced,
    needs=("sync_orders",),
    brief="A call that failed for good makes its action report failure, naming the "
    "x-amzn-RequestId.",
).register()


# -- ERR-05 ---------------------------------------------------------------------------------


def _listing_marketplace(e: Exchange) -> str:
    values = e.query.get("marketplaceIds") or [""]
    return values[0]


def _by_action(obs: Observation, exchanges: list[Exchange]) -> dict[int | None, list[Exchange]]:
    """Exchanges grouped by the action they belong to (journal order kept within each)."""
    grouped: dict[int | None, list[Exchange]] = defaultdict(list)
    for e in exchanges:
        grouped[obs.action_of(e)].append(e)
    return grouped


def _judge_isolation(obs: Observation) -> Judgement:
    if not obs.action_windows:
        return Judgement(None, "The actions' timing is unknown; cannot judge per-item failures.")
    failures = final_failures(obs)
    calls_in = _by_action(obs, obs.sp_api())
    failures_in = _by_action(obs, failures)
    problems: list[str] = []
    evidence: list[str] = []
    judged = 0
    for index, outcome in enumerate(obs.outcomes):
        if index >= len(obs.action_windows):
            break
        window, failed = calls_in.get(index, []), failures_in.get(index, [])
        result = outcome.result or {}
        if outcome.action == "sync_orders":
            failed_items = [
                e for e in failed if e.operation in ("getOrderItems", "getOrderAddress", "getOrder")
            ]
            listed = listed_orders(window)
            if not failed_items or len(listed) < 2:
                continue
            judged += 1
            bad = {oid for e in failed_items for oid in listed if oid in e.path}
            returned = {
                o.get("amazon_order_id")
                for o in result.get("orders") or []
                if isinstance(o, dict) and o.get("items")
            }
            asked = {
                oid
                for oid in listed
                if any(oid in e.path for e in window if e.operation == "getOrderItems")
            }
            missing = [oid for oid in listed if oid not in bad and oid not in returned]
            unasked = [oid for oid in listed if oid not in bad and oid not in asked]
            if missing or unasked:
                problems.append(
                    f"sync_orders (action {index + 1}): after {failed_items[0].operation} failed "
                    f"for one order, {len(set(missing) | set(unasked))} other order(s) were "
                    f"not synced ({', '.join(sorted(set(missing) | set(unasked))[:5])})"
                )
                evidence += [e.summary() for e in failed_items[:3]]
        elif outcome.action in ("publish_listing", "update_inventory"):
            writes = [e for e in failed if e.operation in WRITE_OPERATIONS]
            asked_mps = [m for m in outcome.args.get("marketplace_ids") or [] if isinstance(m, str)]
            if not writes or len(asked_mps) < 2:
                continue
            judged += 1
            bad_mps = {_listing_marketplace(e) for e in writes}
            tried = {_listing_marketplace(e) for e in window if e.operation in WRITE_OPERATIONS}
            skipped = [m for m in asked_mps if m not in bad_mps and m not in tried]
            if skipped:
                problems.append(
                    f"{outcome.action} (action {index + 1}): after the write for "
                    f"{', '.join(sorted(bad_mps))} failed, marketplace(s) {', '.join(skipped)} "
                    "were never attempted"
                )
                evidence += [e.summary() for e in writes[:3]]
    metrics = {"batches_with_a_failed_item": judged}
    if not judged:
        return Judgement(None, "No batch action had one failing item among several.", [], metrics)
    if problems:
        return Judgement(
            False,
            "One failing item stopped the rest of its batch: " + "; ".join(problems[:5]) + ".",
            evidence,
            metrics,
        )
    return Judgement(
        True,
        f"In {judged} batch(es) with a failing item, every other item was still processed.",
        [e.summary() for e in failures[:10]],
        metrics,
    )


ERR_05 = Check(
    id="ERR-05",
    title="One failing item does not stop the batch",
    area="Errors",
    severity="critical",
    requirement="When one order (or one marketplace's listing) fails, the other items of the "
    "same action are still processed and returned.",
    why="A single malformed order or a refused listing in one marketplace should cost one item, "
    "not the whole run: otherwise one bad record blocks every later order from shipping.",
    remediation="Catch failures per item, record them in the result's errors and continue with "
    "the next item; report ok false at the end.",
    judge=_judge_isolation,
    needs=("sync_orders",),
    brief="One failing order or marketplace does not stop the rest of the batch.",
).register()


# -- ERR-06 ---------------------------------------------------------------------------------


def _judge_failure_log(obs: Observation) -> Judgement:
    failed = [e for e in obs.sp_api() if e.status >= 400 and client_saw_request_id(e)]
    if not failed:
        return Judgement(None, "No SP-API call was answered with an error status.")
    if not obs.output:
        return Judgement(None, "The integration's output was not captured.")
    lines = [(source, line) for source, text in obs.output.items() for line in text.splitlines()]
    problems: list[str] = []
    evidence: list[str] = []
    logged = 0
    for e in failed:
        hits = [line for _, line in lines if e.request_id in line]
        usable = [
            line
            for line in hits
            if (e.operation or "") in line and re.search(rf"(?<!\d){e.status}(?!\d)", line)
        ]
        if usable:
            logged += 1
        elif hits:
            problems.append(
                f"the log names request {e.request_id} but not its operation and status"
            )
            evidence += [e.summary(), f"  logged as: {hits[0][:200]}"]
        else:
            problems.append(f"failed {e.operation} ({e.status}, {e.request_id}) is not in the log")
            evidence.append(e.summary())
    leaks = _leaks(obs)
    problems += leaks
    metrics = {"failed_exchanges": len(failed), "logged": logged, "leaks": len(leaks)}
    if problems:
        return Judgement(
            False,
            f"{len(failed) - logged} of {len(failed)} failed exchange(s) cannot be traced from "
            "the integration's log"
            + (" and the log leaks secrets or PII" if leaks else "")
            + ": "
            + "; ".join(problems[:4])
            + ".",
            evidence[:25],
            metrics,
        )
    return Judgement(
        True,
        f"Each of {len(failed)} failed exchange(s) is logged with its request id, operation and "
        "status; no secret or buyer PII appears in the output.",
        [e.summary() for e in failed[:10]],
        metrics,
    )


def _leaks(obs: Observation) -> list[str]:
    """Labels (never values) of secrets and PII found in the integration's output."""
    if obs.canaries is None:
        return []
    found = []
    for kind, table in (("secret", obs.canaries.secrets), ("buyer PII", obs.canaries.pii)):
        for label, values in table.items():
            for source, text in obs.output.items():
                if any(len(v) >= 6 and v in text for v in values):
                    found.append(f"{kind} '{label}' appears in {source}")
    return found


def _judge_failure_log_by_kind(obs: Observation) -> Judgement:
    """ERR-06 on every sub-run whose fault answers with a status (a timeout or a reset has no
    x-amzn-RequestId to log), each judged on its own."""
    return judge_parts(
        obs, _judge_failure_log, relevant=lambda label: label.split()[0] not in TRANSPORT_FAILURES
    )


ERR_06 = Check(
    id="ERR-06",
    title="Keeps a usable log of failed exchanges, without secrets or PII",
    area="Errors",
    severity="normal",
    requirement="Each failed SP-API exchange is logged with its x-amzn-RequestId, operation and "
    "HTTP status; the log holds no tokens, secrets or buyer PII.",
    why="When a sync fails at 3 a.m., the log is all there is. Without request id, operation "
    "and status nobody can tell Amazon support what failed; with tokens or buyer addresses in "
    "it, the log itself becomes a data-protection incident (Amazon's DPP).",
    remediation="Log one line per failed exchange: time, operation, status, x-amzn-RequestId, "
    "what happens next (retry in N s / giving up). Never log headers, tokens, query strings "
    "with identifiers, or response bodies that may carry buyer data.",
    judge=_judge_failure_log_by_kind,
    needs=("sync_orders",),
    brief="Each failed exchange logged with request id, operation and status; no secrets or PII.",
).register()
