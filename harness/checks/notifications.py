"""Notifications (NOT-01..04): subscribe once with the right tokens, then trust the queue.

NOT-01 and NOT-04 are judged on the wire (the journal). NOT-02 cannot be: what an integration
does with a message it read from SQS never reaches SP-API, so the ``process_notifications``
result (its ``applied`` list) is the evidence, compared with what ACORN published. NOT-03 is
judged from the SQS server's own count of what is left in the queue at the end (moto: messages
visible, and received but never deleted).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from harness.checks.model import Check, Judgement, Observation
from harness.sim.journal import Exchange

__all__ = ["NOT_01", "NOT_02", "NOT_03", "NOT_04"]

_DESTINATION_OPS = ("createDestination", "getDestinations", "getDestination", "deleteDestination")
_SUBSCRIPTION_OPS = ("createSubscription", "getSubscription")
# What a subscription tells, so polling it is waste: operation -> the notification that tells.
_TOLD_BY = {
    "getOrders": "ORDER_CHANGE",
    "getFeeds": "FEED_PROCESSING_FINISHED",
    "getFeed": "FEED_PROCESSING_FINISHED",
    "getReports": "REPORT_PROCESSING_FINISHED",
    "getReport": "REPORT_PROCESSING_FINISHED",
}


_TOKEN_WORDS = {
    "access": "the seller's",
    "grantless": "a grantless",
    "rdt": "a Restricted Data",
    "missing": "no",
}


def _facts(obs: Observation) -> dict[str, Any]:
    found = obs.expected.get("notifications")
    return found if isinstance(found, dict) else {}


def _outcomes(obs: Observation, action: str) -> list[Any]:
    return [o for o in obs.outcomes if o.action == action]


def _line(e: Exchange) -> str:
    kind = e.token.kind if e.token else "no"
    return f"#{e.seq} {e.method} {e.path} -> {e.status} ({kind} token)"


def _judge_subscribe(obs: Observation) -> Judgement:
    if not _outcomes(obs, "subscribe"):
        return Judgement(None, "No subscribe action ran: nothing to judge.")
    calls = [e for e in obs.sp_api() if e.operation in (*_DESTINATION_OPS, *_SUBSCRIPTION_OPS)]
    problems: list[str] = []
    evidence: list[str] = []
    for e in calls:
        want = "grantless" if e.operation in _DESTINATION_OPS else "access"
        kind = e.token.kind if e.token else "missing"
        if kind != want:
            word = (
                "a grantless (client_credentials, notifications scope)"
                if want == "grantless"
                else "the seller's"
            )
            sent = _TOKEN_WORDS.get(kind, f"a {kind}")
            problems.append(f"{e.operation} sent with {sent} token; it takes {word} token")
            evidence.append(_line(e))
    creates = [e for e in calls if e.operation == "createDestination"]
    per_arn = Counter(
        str(((e.request_body or {}).get("resourceSpecification") or {}).get("sqs", {}).get("arn"))
        for e in creates
        if isinstance(e.request_body, dict)
    )
    for arn, count in per_arn.items():
        if count > 1:
            problems.append(f"createDestination sent {count} times for the same queue ({arn})")
            evidence += [_line(e) for e in creates]
    subs = [e for e in calls if e.operation == "createSubscription"]
    per_type = Counter(e.path.rstrip("/").rsplit("/", 1)[-1] for e in subs)
    repeated = sorted(k for k, n in per_type.items() if n > 1)
    if repeated:
        answers = Counter(e.status for e in subs if e.status != 200)
        said = ", ".join(f"{n}x {status}" for status, n in sorted(answers.items()))
        problems.append(
            f"createSubscription sent more than once for {', '.join(repeated)} "
            f"(refused: {said or 'none'}): a second run must reuse the subscription"
        )
        evidence += [_line(e) for e in subs if e.status != 200][:10]
    made = {e.path.rstrip("/").rsplit("/", 1)[-1] for e in subs if e.status == 200}
    wanted = set(_facts(obs).get("types") or [])
    missing = sorted(wanted - made - {k for k in per_type if k in made})
    if missing and not problems:
        problems.append(f"no subscription created for {', '.join(missing)}")
    metrics = {
        "destination_creates": len(creates),
        "subscription_creates": len(subs),
        "calls": len(calls),
    }
    if problems:
        return Judgement(False, "; ".join(problems) + ".", evidence, metrics)
    return Judgement(
        True,
        f"{len(creates)} destination created with a grantless token, {len(made)} subscription(s) "
        f"with the seller's token, each once; the repeated subscribe reused them "
        f"({len(calls) - len(creates) - len(subs)} read(s)).",
        [_line(e) for e in calls][:25],
        metrics,
    )


def _applied(obs: Observation) -> list[dict[str, Any]] | None:
    found: list[dict[str, Any]] = []
    seen_result = False
    for outcome in _outcomes(obs, "process_notifications"):
        result = outcome.result or {}
        if isinstance(result.get("applied"), list):
            seen_result = True
            found += [a for a in result["applied"] if isinstance(a, dict)]
    return found if seen_result else None


def _stale(published: list[dict[str, Any]]) -> set[str]:
    """ORDER_CHANGEs older than another ORDER_CHANGE of the same order."""
    newest: dict[str, str] = {}
    for p in published:
        if p["notification_type"] == "ORDER_CHANGE":
            newest[p["subject"]] = max(newest.get(p["subject"], ""), p["event_time"])
    return {
        p["notification_id"]
        for p in published
        if p["notification_type"] == "ORDER_CHANGE" and p["event_time"] < newest[p["subject"]]
    }


def _judge_applied(obs: Observation) -> Judgement:
    published = list(_facts(obs).get("published") or [])
    applied = _applied(obs)
    if not published or applied is None:
        return Judgement(
            None,
            "Nothing published, or no process_notifications result with an "
            "'applied' list: what the integration applied cannot be known.",
        )
    counts = Counter(str(a.get("notification_id")) for a in applied)
    stale = _stale(published)
    problems: list[str] = []
    evidence: list[str] = [
        "Judged from the process_notifications result ('applied'), compared with what ACORN "
        "published: applying a message happens inside the integration, never on the wire."
    ]
    twice = [p for p in published if counts[p["notification_id"]] > 1]
    if twice:
        delivered = sum(1 for p in twice if p["copies"] > 1)
        problems.append(
            f"{len(twice)} notification(s) applied more than once "
            f"({delivered} of them delivered twice by SQS): dedupe by notificationId"
        )
        evidence += [
            f"{p['notification_type']} {p['subject']} {p['notification_id']} applied "
            f"{counts[p['notification_id']]}x"
            for p in twice
        ]
    lost = [
        p
        for p in published
        if counts[p["notification_id"]] == 0 and p["notification_id"] not in stale
    ]
    if lost:
        problems.append(f"{len(lost)} notification(s) never applied")
        evidence += [f"{p['notification_type']} {p['subject']} never applied" for p in lost]
    last: dict[str, str] = {}
    for a in applied:
        if a.get("notification_type") != "ORDER_CHANGE":
            continue
        subject, when = str(a.get("subject")), str(a.get("event_time"))
        if subject in last and when < last[subject]:
            problems.append(
                f"an older ORDER_CHANGE of {subject} ({a.get('state')}, {when}) "
                f"overwrote the newer state of {last[subject]}"
            )
        last[subject] = max(last.get(subject, ""), when)
    metrics = {"published": len(published), "applied": len(applied), "stale": len(stale)}
    if problems:
        return Judgement(False, "; ".join(problems) + ".", evidence, metrics)
    return Judgement(
        True,
        f"All {len(published) - len(stale)} notification(s) applied exactly once although "
        f"{sum(1 for p in published if p['copies'] > 1)} were delivered twice; the "
        f"{len(stale)} older ORDER_CHANGE(s) delivered late did not overwrite newer states.",
        evidence,
        metrics,
    )


def _judge_deleted(obs: Observation) -> Judgement:
    leftover = _facts(obs).get("leftover")
    if not isinstance(leftover, dict) or not _outcomes(obs, "process_notifications"):
        return Judgement(
            None,
            "No process_notifications ran, or the queue was not read at the end: nothing to judge.",
        )
    visible, in_flight = int(leftover.get("visible", 0)), int(leftover.get("in_flight", 0))
    published = sum(int(p.get("copies", 1)) for p in _facts(obs).get("published") or [])
    metrics = {"sent": published, "visible": visible, "in_flight": in_flight}
    evidence = [
        f"SQS server's count at the end: {visible} visible, {in_flight} received but "
        f"not deleted, of {published} message(s) sent"
    ]
    if visible or in_flight:
        return Judgement(
            False,
            f"{visible + in_flight} of {published} message(s) left in the queue ({in_flight} "
            "received and never deleted, redelivered when their visibility timeout ends; "
            f"{visible} never read): they pile up until SQS's retention period drops them.",
            evidence,
            metrics,
        )
    return Judgement(
        True,
        f"All {published} message(s) deleted after processing (duplicates "
        "and stale ones included): nothing left to expire.",
        evidence,
        metrics,
    )


def _judge_polling(obs: Observation) -> Judgement:
    windows = [
        w
        for o, w in zip(obs.outcomes, obs.action_windows, strict=False)
        if o.action == "process_notifications"
    ]
    subscribed = {
        e.path.rstrip("/").rsplit("/", 1)[-1]
        for e in obs.sp_api()
        if e.operation in ("createSubscription", "getSubscription") and e.status == 200
    }
    if not windows or not subscribed:
        return Judgement(
            None, "No subscription in place, or no process_notifications ran: nothing to judge."
        )
    polls = [
        e
        for e in obs.sp_api()
        if _TOLD_BY.get(e.operation or "") in subscribed
        and (index := obs.action_during(e)) is not None
        and obs.outcomes[index].action == "process_notifications"
    ]
    metrics = {"polls": len(polls), "windows": len(windows)}
    if polls:
        ops = Counter(e.operation for e in polls)
        return Judgement(
            False,
            "While processing notifications it still polled what they tell it: "
            + ", ".join(f"{op} x{n}" for op, n in ops.items())
            + f" (subscribed to {', '.join(sorted(_TOLD_BY[op] for op in ops))}).",  # type: ignore[index]
            [_line(e) for e in polls],
            metrics,
        )
    return Judgement(
        True,
        f"No getOrders/getFeed(s)/getReport(s) polling in "
        f"{len(windows)} process_notifications run(s) with "
        f"{len(subscribed)} subscription(s) in place.",
        [],
        metrics,
    )


NOT_01 = Check(
    id="NOT-01",
    title="Destination and subscriptions created once, with the right token kinds",
    area="Notifications",
    # critical: with the wrong token nothing is ever delivered; created again on each run,
    # every run fails with 409s (and a job that "fixes" them by deleting loses messages).
    severity="critical",
    requirement="createDestination/getDestinations use a grantless token (client_credentials, "
    "scope sellingpartnerapi::notifications), createSubscription/getSubscription the seller's "
    "token; a repeated subscribe reuses the existing destination and subscriptions.",
    why="Amazon refuses a seller token on destinations and a grantless one on subscriptions; "
    "a job that creates them on every run earns 409 Conflicts and, if it ever deletes and "
    "recreates, loses the messages published in between.",
    remediation="Get a client_credentials token with the notifications scope for destinations; "
    "before creating, list destinations (match the queue ARN) and getSubscription per type.",
    judge=_judge_subscribe,
    needs=("subscribe",),
    brief=(
        "Notification destination with a grantless token, subscriptions with the seller's, "
        "each created once (a second run reuses them)."
    ),
).register()
NOT_02 = Check(
    id="NOT-02",
    title="Each notification applied once; an older ORDER_CHANGE never overwrites a newer one",
    area="Notifications",
    # critical: a duplicate or stale message applied corrupts orders and stock silently.
    severity="critical",
    requirement="Duplicate deliveries (same notificationId) are applied once; an ORDER_CHANGE "
    "older (EventTime) than the state already applied is ignored; no notification is lost.",
    why="SQS standard queues deliver at least once and in no guaranteed order: applying a "
    "duplicate double-counts stock or shipments, and a late 'Unshipped' after 'Shipped' "
    "makes the seller ship an order twice.",
    remediation="Keep the notificationIds processed (a table with a TTL of days), compare "
    "EventTime with the stored state before applying an ORDER_CHANGE.",
    judge=_judge_applied,
    needs=("subscribe", "process_notifications"),
    brief=(
        "Each notification applied once despite SQS duplicates; an older ORDER_CHANGE never "
        "overwrites a newer state (judged from the action's `applied` list)."
    ),
).register()
NOT_03 = Check(
    id="NOT-03",
    title="Processed messages are deleted from the queue",
    area="Notifications",
    # normal: with NOT-02 in place a redelivered message costs work, not data; the backlog
    # and the silent expiry are what a person must know about.
    severity="normal",
    requirement="Every message read and dealt with (applied, or recognised as a duplicate or "
    "stale) is deleted; nothing is left in flight or visible at the end.",
    why="A message received but not deleted comes back when its visibility timeout ends and "
    "is processed again and again until the retention period drops it, silently.",
    remediation="DeleteMessage (or DeleteMessageBatch) with the receipt handle after "
    "processing; send what cannot be processed to a dead-letter queue and alert.",
    judge=_judge_deleted,
    needs=("subscribe", "process_notifications"),
    brief=(
        "Processed messages deleted: nothing left in the SQS queue (moto on loopback) at the end."
    ),
).register()
NOT_04 = Check(
    id="NOT-04",
    title="With a subscription in place, the integration stops polling what it tells",
    area="Notifications",
    # normal: waste of rate limits, not wrong data.
    severity="normal",
    requirement="While notifications are processed, no getOrders (ORDER_CHANGE), getFeed(s) "
    "(FEED_PROCESSING_FINISHED) or getReport(s) (REPORT_PROCESSING_FINISHED) polling.",
    why="Polling what a subscription already tells spends rate limits (getOrders 0.0167/s) "
    "other work needs and is what Amazon's guides ask integrations to stop doing.",
    remediation="Drive order, feed and report updates from the notifications; keep a slow "
    "reconciliation poll (hours) only as a safety net, outside the notification path.",
    judge=_judge_polling,
    needs=("subscribe", "process_notifications"),
    brief=(
        "With a subscription in place, no getOrders/getFeed(s)/getReport(s) polling while "
        "notifications are processed."
    ),
).register()
