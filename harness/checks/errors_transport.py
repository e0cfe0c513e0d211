"""Error-handling checks ERR-07 and ERR-08: calls that never answer, endpoints that are down.

ERR-07 reads stalls from the journal: an SP-API exchange the fault plan answered with
``transport = "stall"`` (or a held ``timeout``) and an LWA token request the simulator held
back (``facts["delay_s"]``). The simulator journals an exchange when the request arrives, so
a stall starts at the exchange's wall time and lasts its hold; the client gave up on it when
it sent the same request again or when its action ended, whichever came first.

ERR-08 cannot read the refused connections themselves: nothing listens on the refused
endpoint's port, so no request reaches the simulator and the journal never sees one. It judges
from what the wire does show (the other regions' traffic: their order lists and items) and,
for the refused marketplaces, from the action result, which is the only evidence that the
failure was reported. The scenario names the refused endpoint in ``expected``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from harness.checks.errors import request_key
from harness.checks.facts import facts_of
from harness.checks.fault_parts import judge_parts
from harness.checks.model import Check, Judgement, Observation
from harness.checks.orders import listed_orders
from harness.drive.base import ActionOutcome
from harness.sim.journal import Exchange

__all__ = ["ERR_07", "ERR_08", "REFUSED", "STALL_MIN", "stall_length"]

STALL_MIN = 10.0
"""A hold at least this long is a stall (a short ``timeout`` hold only trips a short timeout)."""
SLACK = 1.0
"""A client still waiting this close to the end of the hold waited for the simulator."""
REFUSED = "refused_connection"
"""``expected`` key: {"region": "FE", "marketplaces": [...], "port": 12345}."""
LWA_WORDS = ("lwa", "login with amazon", "/auth/o2", "token")


def stall_length(e: Exchange) -> float | None:
    """How long the simulator held this exchange unanswered, if it was a stall."""
    fault = e.fault
    held = 0.0
    if fault is not None and fault.get("kind") in ("stall", "timeout"):
        held = float(fault.get("hold") or 0.0)
    delay = facts_of(e).delay_s
    if delay is not None:
        held = max(held, delay)
    return held if held >= STALL_MIN else None


def _outcome_text(outcome: ActionOutcome) -> str:
    return json.dumps(outcome.result, default=str) + " " + (outcome.error or "")


def _names_operation(outcome: ActionOutcome, e: Exchange) -> bool:
    text = _outcome_text(outcome).lower()
    if e.is_lwa:
        return any(word in text for word in LWA_WORDS)
    api_path = "/".join(e.path.split("/")[:4]).lower()  # e.g. /orders/v0/orders
    return (e.operation or "\0").lower() in text or api_path in text


_TIMEOUT_WORDS = re.compile(r"time[ds]?[ _-]?out|timed out|deadline|no answer", re.IGNORECASE)


def _reports_the_stall(outcome: ActionOutcome, e: Exchange) -> bool:
    """The failure says why: the operation that never answered, or that a call timed out
    (a library's own "ReadTimeout: timed out" is as honest a report as the operation's name)."""
    return _names_operation(outcome, e) or _TIMEOUT_WORDS.search(_outcome_text(outcome)) is not None


def _op(e: Exchange) -> str:
    return "the LWA token request" if e.is_lwa else (e.operation or e.path)


# -- ERR-07 ---------------------------------------------------------------------------------


def _judge_bounded(obs: Observation) -> Judgement:
    stalls = [e for e in obs.exchanges if stall_length(e) is not None]
    killed = [(i, o) for i, o in enumerate(obs.outcomes) if o.status == "timeout"]
    if not stalls and not killed:
        return Judgement(None, "No SP-API or LWA call was stalled.")
    if not obs.action_windows:
        return Judgement(None, "The actions' timing is unknown; cannot tell when a call ended.")
    problems: list[str] = []
    evidence: list[str] = []
    waits: list[float] = []
    passed: list[str] = []
    for i, outcome in killed:
        problems.append(
            f"{outcome.action} (action {i + 1}) never ended: the driver killed it after "
            f"{outcome.duration_s:.0f}s"
            + (
                f" while {_op(stalls[0])} was stalled (no read timeout)"
                if any(obs.action_of(e) == i for e in stalls)
                else ""
            )
        )
        evidence.append(f"  outcome: {outcome.summary()}")
    killed_at = {i for i, _ in killed}
    for e in stalls:
        index = obs.action_of(e)
        if index is None or index >= len(obs.outcomes) or index in killed_at:
            continue
        length = stall_length(e) or 0.0
        again = [
            x.wall
            for x in obs.exchanges
            if x.seq > e.seq and request_key(x) == request_key(e) and obs.action_of(x) == index
        ]
        gave_up = min([*again[:1], obs.action_windows[index][1]])
        waited = gave_up - e.wall
        line = f"{e.summary()}; held {length:.0f}s unanswered, client gave up after {waited:.1f}s"
        if waited >= length - SLACK:
            problems.append(
                f"{_op(e)} was stalled for {length:.0f}s and the client waited {waited:.1f}s, "
                "until the simulator gave up first: no read timeout"
            )
            evidence.append(line)
        else:
            waits.append(waited)
            passed.append(line)
    problems += _unreported(obs, stalls, killed_at, evidence)
    metrics: dict[str, Any] = {
        "stalled_calls": len(stalls),
        "lwa_stalls": sum(1 for e in stalls if e.is_lwa),
        "sp_api_stalls": sum(1 for e in stalls if not e.is_lwa),
        "longest_wait_s": round(max(waits), 2) if waits else None,
        "killed_actions": len(killed),
    }
    if problems:
        return Judgement(
            False,
            "A stalled call was not handled: " + "; ".join(problems[:4]) + ".",
            evidence + passed[:5],
            metrics,
        )
    return Judgement(
        True,
        f"The client gave up on each of {len(stalls)} stalled call(s) on its own (after at "
        f"most {max(waits):.1f}s); every action ended, and an operation that never answered "
        "afterwards was reported as failed.",
        passed[:10],
        metrics,
    )


def _unreported(
    obs: Observation, stalls: list[Exchange], killed: set[int], evidence: list[str]
) -> list[str]:
    """Actions whose stalled operation never answered later, yet reported ok or said nothing
    about which operation failed."""
    problems: list[str] = []
    seen: set[tuple[int, str]] = set()
    for e in stalls:
        i = obs.action_of(e)
        if i is None or i >= len(obs.outcomes) or i in killed or (i, _op(e)) in seen:
            continue
        seen.add((i, _op(e)))
        answered = any(
            x.seq > e.seq
            and obs.action_of(x) == i
            and x.is_lwa == e.is_lwa
            and (x.is_lwa or x.operation == e.operation)
            and 200 <= x.status < 300
            and stall_length(x) is None
            for x in obs.exchanges
        )
        outcome = obs.outcomes[i]
        if answered:
            continue
        if outcome.status == "ok":
            problems.append(
                f"{outcome.action} (action {i + 1}) reported ok although {_op(e)} never answered"
            )
            evidence += [e.summary(), f"  outcome: {outcome.summary()}"]
        elif not _reports_the_stall(outcome, e):
            problems.append(
                f"{outcome.action} (action {i + 1}) reported failure without naming "
                f"{_op(e)}, the call that never answered, or saying that it timed out"
            )
            evidence += [e.summary(), f"  outcome: {_outcome_text(outcome)[:300]}"]
    return problems


def _judge_bounded_by_part(obs: Observation) -> Judgement:
    return judge_parts(obs, _judge_bounded)


ERR_07 = Check(
    id="ERR-07",
    title="Every SP-API and LWA call is bounded in time",
    area="Errors",
    severity="critical",
    requirement="On a stalled connection (the request is accepted and never answered) the "
    "client gives up on its own, well before the simulator's 45 s hold ends, and the action "
    "ends and reports it (naming the operation, or saying that a call timed out). An action the "
    "driver had to kill fails this check.",
    why="Connections do stall: a half-open TCP connection, a proxy that swallows the answer, an "
    "overloaded endpoint. Without a read timeout the sync hangs for ever, holds its lock or "
    "cron slot, and no order, stock or price moves until someone notices and kills it. "
    "Several HTTP clients and SP-API libraries have no read timeout by default.",
    remediation="Set a connect and a read timeout on every HTTP client you use for SP-API and "
    "for LWA (e.g. 10 s connect, 30 s read), treat a timeout as a retryable failure (ERR-02), "
    "and report the operation that timed out when the retries run out.",
    judge=_judge_bounded_by_part,
    needs=("sync_orders",),
    brief="Every SP-API and LWA call is bounded in time: on a stalled connection the client "
    "gives up on its own and the action reports the operation (a killed action fails).",
).register()


# -- ERR-08 ---------------------------------------------------------------------------------


def _marketplaces(e: Exchange) -> set[str]:
    return {m for v in e.query.get("MarketplaceIds", []) for m in v.split(",") if m}


def _names_refused(outcome: ActionOutcome, refused: dict[str, Any]) -> bool:
    text = _outcome_text(outcome)
    words = [str(refused.get("region") or ""), *refused.get("countries", [])]
    if any(m in text for m in refused.get("marketplaces", [])):
        return True
    if any(w and re.search(rf"\b{re.escape(w)}\b", text) for w in words):
        return True
    port = refused.get("port")
    return bool(port) and re.search(rf"(:|port=){port}\b", text) is not None


def _judge_refused(obs: Observation) -> Judgement:
    refused = obs.expected.get(REFUSED)
    if not isinstance(refused, dict):
        return Judgement(None, "No regional endpoint refused connections in this scenario.")
    if not obs.action_windows:
        return Judgement(None, "The actions' timing is unknown; cannot judge per action.")
    down = set(refused.get("marketplaces", []))
    region = refused.get("region", "?")
    problems: list[str] = []
    evidence: list[str] = []
    judged = 0
    for i, outcome in enumerate(obs.outcomes[: len(obs.action_windows)]):
        asked = [m for m in outcome.args.get("marketplace_ids") or [] if isinstance(m, str)]
        live = [m for m in asked if m not in down]
        if not live or len(live) == len(asked):
            continue
        judged += 1
        label = f"{outcome.action} (action {i + 1})"
        if outcome.status == "timeout":
            problems.append(f"{label} never ended: the driver killed it ({outcome.error})")
            continue
        window = [e for e in obs.sp_api() if obs.action_of(e) == i]
        listed = {m for e in window if e.operation == "getOrders" and e.status == 200
                  for m in _marketplaces(e)}  # fmt: skip
        unlisted = [m for m in live if m not in listed]
        if unlisted:
            problems.append(
                f"{label}: with the {region} endpoint refusing connections, the orders of "
                f"{', '.join(unlisted)} (other regions) were never listed"
            )
        items = {e.path for e in window if e.operation == "getOrderItems"}
        skipped = [o for o in listed_orders(window) if not any(o in p for p in items)]
        if skipped:
            problems.append(
                f"{label}: {len(skipped)} listed order(s) of the other regions were never "
                f"detailed ({', '.join(skipped[:3])})"
            )
        if outcome.status == "ok":
            problems.append(
                f"{label} reported ok although the {region} endpoint refused every connection "
                f"({', '.join(sorted(down & set(asked)))} never synced)"
            )
            evidence.append(f"  outcome: {outcome.summary()}")
        elif not _names_refused(outcome, refused):
            problems.append(
                f"{label} reported failure without saying which marketplace or region failed "
                f"(expected one of {', '.join(sorted(down))}, {region} or the endpoint's port)"
            )
            evidence.append(f"  outcome: {_outcome_text(outcome)[:300]}")
        evidence += [e.summary() for e in window if e.operation == "getOrders"][:5]
    metrics = {"actions_judged": judged, "refused_region": region}
    if not judged:
        return Judgement(
            None, f"No action asked for {region} marketplaces together with others.", [], metrics
        )
    if problems:
        return Judgement(
            False,
            "A refused connection was not handled as one marketplace's failure: "
            + "; ".join(problems[:4])
            + ".",
            evidence,
            metrics,
        )
    return Judgement(
        True,
        f"With the {region} endpoint refusing connections, the other regions' orders were "
        f"listed and detailed and the {region} failure was reported, in {judged} action(s).",
        evidence[:10],
        metrics,
    )


ERR_08 = Check(
    id="ERR-08",
    title="A regional endpoint that refuses connections costs only its marketplaces",
    area="Errors",
    severity="critical",
    requirement="When one region's endpoint refuses connections, the action reports the "
    "failure of that region's marketplaces (naming them or the region) and still syncs the "
    "other regions' marketplaces.",
    why="Regional endpoints fail independently (an outage, a DNS or firewall change, a proxy "
    "that only reaches one region). A sync that stops at the first refused connection leaves "
    "every other region unsynced; one that swallows the error leaves a region silently stale.",
    remediation="Handle connection errors per region (or per marketplace): record the failure "
    "with the marketplace ids and region in the result, set ok false, and go on with the "
    "other regions.",
    judge=_judge_refused,
    needs=("sync_orders",),
    brief="A regional endpoint refusing connections is reported as that region's failure; the "
    "other marketplaces are still synced.",
).register()
