"""Alerting (MON-01, MON-02): each incident a person must act on reaches them, once.

Incidents are read from the journal, never from what the integration says: LWA refusing the
refresh token (invalid_grant) or the client (invalid_client), a run of 5xx answers to one
operation, throttling of one operation that lasts past a bound, a feed the integration gave
up on while it was still IN_QUEUE/IN_PROGRESS (stuck past its deadline), a listing read back
suppressed from search after it was ACCEPTED. Alerts are what arrived at
ACORN's loopback alert sink (``ACORN_ALERT_WEBHOOK``), with the simulator's clock, handed to the
checks by the scenario as ``expected["alerts"]``. An integration that declares no alert webhook
is not judged (the checks' needs, see :mod:`harness.checks.registry`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.checks.facts import facts_of
from harness.checks.fault_parts import parts_of
from harness.checks.model import Check, Judgement, Observation
from harness.checks.pii import scan_output
from harness.sim.journal import Exchange

__all__ = ["ALERT_WITHIN_S", "MON_01", "MON_02", "Incident", "incidents"]

ALERT_WITHIN_S = 15 * 60.0
"""An alert must arrive within 15 virtual minutes of the incident's first sign: a person paged
later than that finds a day of orders unsynced."""
SERVER_ERROR_RUN = 3
"""Consecutive 5xx answers to one operation that make a run (one is a blip, retried away)."""
THROTTLED_FOR_S = 300.0
"""Virtual seconds of unbroken 429s to one operation that make throttling an incident."""
_WORDS = {
    "invalid_grant": ("invalid_grant", "invalid grant", "reauthoriz", "re-authoriz"),
    "invalid_client": ("invalid_client", "client authentication failed", "rotate"),
}


@dataclass
class Incident:
    kind: str  # invalid_grant, invalid_client, server_errors, throttled, feed_stuck,
    # listing_suppressed
    operation: str
    path: str
    marketplaces: list[str]
    virtual: float  # the first sign, virtual seconds
    wall: float
    requests: int

    def describe(self) -> str:
        where = ", ".join(self.marketplaces) or "no marketplace"
        return f"{self.kind} on {self.operation} ({where}, {self.requests} request(s))"


def _marketplaces_of(e: Exchange) -> list[str]:
    raw = (e.query or {}).get("MarketplaceIds") or (e.query or {}).get("marketplaceIds") or []
    found = [m for value in raw for m in str(value).split(",") if m]
    body = e.request_body if isinstance(e.request_body, dict) else {}
    found += [str(m) for m in body.get("marketplaceIds") or [] if m not in found]
    return found


def _action_marketplaces(obs: Observation, wall: float) -> list[str]:
    index = obs.action_at(wall)
    if index is None or index >= len(obs.outcomes):
        return []
    args = obs.outcomes[index].args or {}
    ids = args.get("marketplace_ids") or [args.get("marketplace_id")]
    return [str(m) for m in ids if m]


def incidents(obs: Observation) -> list[Incident]:
    """The incidents of a scenario, from its journal, in the order they began."""
    found: list[Incident] = []
    last_lwa: Incident | None = None
    for e in obs.lwa():
        code = e.error_code()
        if code not in _WORDS:
            last_lwa = None
            continue
        if last_lwa is not None and last_lwa.kind == code:
            last_lwa.requests += 1
            continue
        last_lwa = Incident(
            code,
            "LWA token request",
            e.path,
            _action_marketplaces(obs, e.wall),
            e.virtual,
            e.wall,
            1,
        )
        found.append(last_lwa)
    runs: dict[str, list[Exchange]] = {}

    def close(operation: str) -> None:
        run = runs.pop(operation, [])
        if not run:
            return
        first = run[0]
        kind = "throttled" if first.status == 429 else "server_errors"
        long_enough = (
            run[-1].virtual - first.virtual >= THROTTLED_FOR_S
            if kind == "throttled"
            else len(run) >= SERVER_ERROR_RUN
        )
        if long_enough:
            found.append(
                Incident(
                    kind,
                    operation,
                    first.path,
                    _marketplaces_of(first),
                    first.virtual,
                    first.wall,
                    len(run),
                )
            )

    for e in obs.sp_api():
        op = e.operation or ""
        bad = e.status == 429 or e.status >= 500
        if bad and runs.get(op) and (runs[op][0].status == 429) != (e.status == 429):
            close(op)
        if bad:
            runs.setdefault(op, []).append(e)
        else:
            close(op)
    for op in list(runs):
        close(op)
    found += _stuck_feeds(obs)
    found += _suppressed_listings(obs)
    return sorted(found, key=lambda i: i.virtual)


def _suppressed(body: Any) -> bool:
    issues = body.get("issues") if isinstance(body, dict) else None
    for issue in issues if isinstance(issues, list) else []:
        actions = ((issue or {}).get("enforcements") or {}).get("actions") or []
        if any(isinstance(a, dict) and a.get("action") == "SEARCH_SUPPRESSED" for a in actions):
            return True
    return False


def _suppressed_listings(obs: Observation) -> list[Incident]:
    """A listing Amazon suppressed from search after ACCEPTED, as the integration read it
    (getListingsItem issues with a SEARCH_SUPPRESSED enforcement): buyers cannot find it."""
    found: dict[tuple[str, str], Incident] = {}
    for e in obs.sp_api():
        if e.operation != "getListingsItem" or e.status != 200 or not _suppressed(e.response_body):
            continue
        for marketplace in _marketplaces_of(e) or [""]:
            key = (e.path, marketplace)
            if key in found:
                found[key].requests += 1
            else:
                found[key] = Incident("listing_suppressed", "getListingsItem", e.path,
                                      [marketplace] if marketplace else [], e.virtual,
                                      e.wall, 1)  # fmt: skip
    return list(found.values())


def _stuck_feeds(obs: Observation) -> list[Incident]:
    """Feeds the integration stopped polling while still IN_QUEUE/IN_PROGRESS: it gave up at
    its own deadline, and only a person (Seller Support) can move such a feed. The first sign
    is the last poll."""
    created: dict[str, Exchange] = {}
    last: dict[str, tuple[Exchange, int]] = {}
    for e in obs.sp_api():
        feed_id = facts_of(e).feed_id or ""
        if e.operation == "createFeed" and e.status == 202 and feed_id:
            created[feed_id] = e
        elif e.operation == "getFeed" and e.status == 200 and feed_id:
            last[feed_id] = (e, last.get(feed_id, (e, 0))[1] + 1)
    found = []
    for feed_id, (e, polls) in last.items():
        if facts_of(e).status in ("IN_QUEUE", "IN_PROGRESS") and feed_id in created:
            marketplaces = _marketplaces_of(created[feed_id])
            found.append(Incident("feed_stuck", "getFeed", e.path, marketplaces, e.virtual,
                                  e.wall, polls))  # fmt: skip
    return found


def _alerts(obs: Observation) -> list[dict[str, Any]] | None:
    found = obs.expected.get("alerts")
    return [a for a in found if isinstance(a, dict)] if isinstance(found, list) else None


def _text(alert: dict[str, Any]) -> str:
    body = alert.get("body")
    return (json.dumps(body) if body is not None else str(alert.get("text", ""))).casefold()


def _names_it(alert: dict[str, Any], incident: Incident) -> bool:
    text = _text(alert)
    marketplace = any(m.casefold() in text for m in incident.marketplaces) or not (
        incident.marketplaces
    )
    if incident.kind in _WORDS:
        named = any(word in text for word in _WORDS[incident.kind])
    else:
        named = incident.operation.casefold() in text or incident.path.casefold() in text
    return marketplace and named


def _in_time(alert: dict[str, Any], incident: Incident) -> bool:
    return (
        incident.virtual <= float(alert.get("virtual", 0.0)) <= incident.virtual + (ALERT_WITHIN_S)
    )


def _judge_alerted(obs: Observation) -> Judgement:
    alerts = _alerts(obs)
    if alerts is None:
        return Judgement(None, "The scenario ran without ACORN's alert sink: nothing to judge.")
    found = incidents(obs)
    if not found:
        return Judgement(None, "No incident a person must act on happened in this scenario.")
    problems: list[str] = []
    evidence = [f"incident: {i.describe()}" for i in found]
    for incident in found:
        timely = [a for a in alerts if _in_time(a, incident)]
        if not any(_names_it(a, incident) for a in timely):
            why = "no alert at all" if not timely else "no alert naming it and its marketplace"
            problems.append(
                f"{incident.describe()}: {why} within {ALERT_WITHIN_S / 60:.0f} virtual minutes"
            )
    leaks = (
        scan_output(
            {f"alert {n}": str(a.get("text", "")) for n, a in enumerate(alerts, 1)}, obs.canaries
        )
        if obs.canaries is not None
        else []
    )
    leaking = {source: kinds for source, _, kinds in leaks}
    for n, a in enumerate(alerts[:15], 1):
        # Never the text of an alert that leaks: the report would repeat the leak.
        shown = (
            f"withheld, it carries {', '.join(leaking[f'alert {n}'])}"
            if f"alert {n}" in leaking
            else str(a.get("text", ""))[:160]
        )
        evidence.append(f"alert {n} at +{float(a.get('wall', 0.0)):.1f}s: {shown}")
    if leaks:
        kinds = sorted({k for _, _, ks in leaks for k in ks})
        problems.append(f"{len(leaks)} alert(s) carry {', '.join(kinds)}")
    metrics = {"incidents": len(found), "alerts": len(alerts), "leaks": len(leaks)}
    if problems:
        return Judgement(False, "; ".join(problems) + ".", evidence, metrics)
    return Judgement(
        True,
        f"Each of {len(found)} incident(s) alerted within "
        f"{ALERT_WITHIN_S / 60:.0f} virtual minutes, naming its operation and "
        "marketplace, with no secret or buyer PII.",
        evidence,
        metrics,
    )


def _judge_storm(obs: Observation) -> Judgement:
    alerts = _alerts(obs)
    found = incidents(obs)
    if alerts is None or not found:
        return Judgement(None, "No alert sink, or no incident in this scenario: nothing to judge.")
    evidence: list[str] = []
    storms: list[str] = []
    # Observation.action_at: an alert posted as its action answers arrives just after the
    # action's end, and still belongs to it.
    for index in range(len(obs.action_windows)):
        inside = [i for i in found if obs.action_at(i.wall) == index]
        posted = [a for a in alerts if obs.action_at(float(a.get("wall", -1.0))) == index]
        evidence.append(f"action {index + 1}: {len(inside)} incident(s), {len(posted)} alert(s)")
        if posted and len(posted) > max(len(inside), 1):
            storms.append(
                f"{len(posted)} alerts for {len(inside)} incident(s) in action {index + 1}"
            )
    metrics = {"incidents": len(found), "alerts": len(alerts)}
    if storms:
        return Judgement(
            False,
            "Alert storm: " + "; ".join(storms) + " (one alert per failed "
            "request, not per incident).",
            evidence,
            metrics,
        )
    return Judgement(
        True, f"{len(alerts)} alert(s) for {len(found)} incident(s): no storm.", evidence, metrics
    )


def _by_world(
    judge: Callable[[Observation], Judgement],
) -> Callable[[Observation], Judgement]:
    """``judge`` on each world of a combined observation (one incident kind per world):
    failed if any world failed, passed if any passed, else not proven."""

    def judged(obs: Observation) -> Judgement:
        results = {label: judge(part) for label, part in parts_of(obs).items()}
        if len(results) == 1:
            return next(iter(results.values()))
        failed = {k: j for k, j in results.items() if j.passed is False}
        passed = {k: j for k, j in results.items() if j.passed is True}
        evidence = [f"[{k}] {j.summary}" for k, j in results.items()]
        for k, j in results.items():
            evidence += [f"[{k}] {line}" for line in j.evidence[:6]]
        metrics = {k: j.metrics for k, j in results.items()}
        if failed:
            summary = " | ".join(f"{k}: {j.summary}" for k, j in failed.items())
            return Judgement(False, summary, evidence, metrics)
        if passed:
            summary = " | ".join(f"{k}: {j.summary}" for k, j in passed.items())
            return Judgement(True, summary, evidence, metrics)
        return Judgement(None, "No world of the scenario had an incident to judge.", evidence)

    return judged


MON_01 = Check(
    id="MON-01",
    title="Each incident a person must act on is alerted in time, without secrets",
    area="Monitoring",
    severity="critical",
    requirement="Within 15 virtual minutes of its first sign, an alert reaches the webhook for "
    "each invalid_grant / invalid_client, run of 5xx or lasting throttling; it names the "
    "operation and marketplace and carries no secret or buyer PII.",
    why="A lapsed authorization or an outage that only a log line records is found days "
    "later, by the seller, through missing orders; an alert with a token in it is a leak.",
    remediation="Post one alert per incident to the on-call channel with the operation, the "
    "marketplaces, Amazon's request id and what to do (re-authorize, rotate the secret).",
    judge=_by_world(_judge_alerted),
    needs=("sync_orders", "env:ACORN_ALERT_WEBHOOK"),
    brief=(
        "Each incident a person must act on (invalid_grant/invalid_client, a run of 5xx, "
        "lasting throttling) alerted to `ACORN_ALERT_WEBHOOK` within 15 virtual minutes, "
        "naming operation and marketplace, without secrets or buyer PII."
    ),
).register()
MON_02 = Check(
    id="MON-02",
    title="No alert storm: one alert per incident, not one per failed request",
    area="Monitoring",
    # normal: a storm still alerts; it wastes attention and hides the next incident.
    severity="normal",
    requirement="Within one action, no more alerts than incidents.",
    why="An alert per retry turns one outage into dozens of pages; people mute the channel "
    "and miss the next incident.",
    remediation="Key alerts by incident (kind, operation, marketplaces) and send each once "
    "until it is resolved.",
    judge=_by_world(_judge_storm),
    needs=("sync_orders", "env:ACORN_ALERT_WEBHOOK"),
    brief=("No alert storm: no more alerts than incidents per action."),
).register()
