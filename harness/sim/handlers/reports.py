"""Reports 2021-06-30: request a report, poll its status, download its document.

docs/fidelity.md §11: createReport answers 202 ``{reportId}`` (bare: a dated API); the report
moves IN_QUEUE -> IN_PROGRESS -> DONE, CANCELLED or FATAL on the virtual clock (the model's
five statuses; no data means an automatic CANCELLED); getReportDocument gives a presigned URL
valid five minutes, ``compressionAlgorithm`` only when the document is GZIP. Documents of
restricted report types hold buyer PII, so they need a Restricted Data Token (section 6).

Scenario hooks (:class:`harness.sim.SimConfig`): ``report_queue_seconds`` and
``report_processing_seconds`` (slow processing), ``report_preset`` (force no data, a
cancellation or FATAL) and ``report_url_expiry`` (a URL that expires before its download).
The journal's facts tell the reports checks what the integration could not see: whether the
same report was already in flight, and how many rows a document holds.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime
from typing import Any

from harness.sim.commerce import RESTRICTED_REPORT_TYPES, ReportRecord
from harness.sim.handlers.base import Ctx, Handler
from harness.sim.handlers.documents import URL_TTL, presigned_url
from harness.sim.handlers.reports_content import data_lines, parse_time, publish_document
from harness.sim.http import Reply
from harness.sim.state import iso
from harness.sim.world import World

__all__ = ["HANDLERS", "TYPE_SHAPE", "add_report", "run_schedules"]

_INVALID = "Invalid input"
# Report types outside the GET_/SC_ families (Amazon Business; listed in public SDK enums).
_UNPREFIXED_TYPES = frozenset({"FEE_DISCOUNTS_REPORT", "RFQD_BULK_DOWNLOAD"})
# Every report type Amazon documents is upper snake case (GET_..., SC_..., FEE_DISCOUNTS_REPORT).
TYPE_SHAPE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_TERMINAL = ("DONE", "CANCELLED", "FATAL")


def _bad(ctx: Ctx, details: str, rule: str) -> Reply:
    return ctx.error(400, "400", _INVALID, details, rule=rule)


def _schedule(world: World, report: ReportRecord) -> None:
    """Set when the report starts and ends, and how, from the scenario's hooks."""
    config = world.config
    queue, processing = config.report_queue_seconds, config.report_processing_seconds
    preset = config.report_preset
    if preset == "cancelled":  # cancelled in the queue: it never starts
        report.starts, report.ends, report.outcome = None, report.created + queue, "CANCELLED"
        return
    report.starts = report.created + queue
    report.ends = report.starts + processing
    if preset == "fatal":
        report.outcome = "FATAL"
    elif preset == "no_data" or len(data_lines(world, report)) < 2:
        report.outcome, report.no_data = "CANCELLED", True


def add_report(world: World, report: ReportRecord) -> str:
    """Number ``report``, set its processing from the scenario's hooks and store it (the
    caller holds the state lock). createReport and report schedules both come here."""
    commerce = world.state.commerce
    report.report_id = str(50000 + len(commerce.reports) + 1) + "019000"
    _schedule(world, report)
    commerce.reports[report.report_id] = report
    return report.report_id


MAX_SCHEDULED_BATCH = 1000
"""Reports one schedule creates in one catch-up: a PT5M schedule on a clock run very fast
creates what the elapsed time calls for, but a runaway clock never fills memory."""


def run_schedules(world: World) -> None:
    """Create the reports the seller's schedules owe by now (the caller holds the lock).

    Reports are created lazily, when a Reports operation is next called, each with its
    ``createdTime`` at the moment the schedule was due: what the integration then sees is what
    Amazon would have created on time.
    """
    commerce = world.state.commerce
    now = world.clock.now()
    for schedule in commerce.report_schedules.values():
        made = 0
        while not schedule.cancelled and schedule.next_at <= now and made < MAX_SCHEDULED_BATCH:
            due = schedule.next_at
            report = ReportRecord(
                report_id="",
                report_type=schedule.report_type,
                marketplace_ids=list(schedule.marketplace_ids),
                created=due,
                created_at=datetime.fromtimestamp(due, tz=UTC),
                schedule_id=schedule.schedule_id,
            )
            add_report(world, report)
            schedule.created_reports += 1
            schedule.next_at = due + schedule.period_s
            made += 1


def create_report(ctx: Ctx) -> Reply:
    body = ctx.request.json()
    report_type = str(body["reportType"])
    if not TYPE_SHAPE.match(report_type):
        # No report type has this shape: Amazon answers an unknown type 400 "Invalid input"
        # (the model's createReport sandbox case).
        return _bad(ctx, _INVALID, "RPT-REPORT-TYPE-INVALID")
    for name in ("dataStartTime", "dataEndTime"):
        if name in body and parse_time(body[name]) is None:
            return _bad(ctx, _INVALID, "RPT-DATE-FORMAT")
    marketplace_ids = [str(m) for m in body["marketplaceIds"]]
    refused = ctx.check_marketplaces(marketplace_ids)
    if refused:
        return refused
    if not report_type.startswith(("GET_", "SC_")) and report_type not in _UNPREFIXED_TYPES:
        # Amazon refuses unknown types (its sandbox case), but ACORN has no list of them.
        ctx.note("RPT-REPORT-TYPE-UNKNOWN")
    commerce = ctx.world.state.commerce
    now = ctx.world.clock.now()
    with ctx.world.locked():
        run_schedules(ctx.world)
        report = ReportRecord(
            report_id="",
            report_type=report_type,
            marketplace_ids=marketplace_ids,
            created=now,
            created_at=ctx.world.clock.now_datetime(),
            data_start=body.get("dataStartTime"),
            data_end=body.get("dataEndTime"),
        )
        in_flight = [
            r.report_id
            for r in commerce.reports.values()
            if r.key() == report.key() and r.status(now) not in _TERMINAL
        ]
        report_id = add_report(ctx.world, report)
    facts: dict[str, Any] = {
        "report_id": report_id,
        "report_type": report_type,
        "restricted_report": report_type in RESTRICTED_REPORT_TYPES,
    }
    if in_flight:
        facts["in_flight_same"] = in_flight  # the same report and period, not yet finished
    return Reply(202, {"reportId": report_id}, facts=facts)


def _report_json(ctx: Ctx, report: ReportRecord) -> tuple[dict[str, Any], dict[str, Any]]:
    """The Report object as Amazon shows it now, and the facts the journal keeps of it."""
    now = ctx.world.clock.now()
    status = report.status(now)
    data: dict[str, Any] = {
        "reportId": report.report_id,
        "reportType": report.report_type,
        "marketplaceIds": report.marketplace_ids,
        "createdTime": iso(report.created_at),
        "processingStatus": status,
    }
    facts: dict[str, Any] = {
        "report_id": report.report_id,
        "report_type": report.report_type,
        "processing_status": status,
    }
    if report.schedule_id:
        data["reportScheduleId"] = report.schedule_id
        facts["report_schedule_id"] = report.schedule_id
    if report.data_start:
        data["dataStartTime"] = report.data_start
    if report.data_end:
        data["dataEndTime"] = report.data_end
    if report.starts is not None and now >= report.starts:
        data["processingStartTime"] = iso(report.starts)
    if status in _TERMINAL and report.ends is not None and report.starts is not None:
        data["processingEndTime"] = iso(report.ends)  # a report cancelled unstarted has none
    if status == "CANCELLED":
        facts["no_data"] = report.no_data
    if status == "DONE":
        with ctx.world.locked():
            known = ctx.world.state.commerce.report_documents.get(report.document_id or "")
            record = known or publish_document(ctx.world, report)
        data["reportDocumentId"] = report.document_id
        facts.update(document=report.document_id, rows=record.rows, gzip=record.gzipped)
    return data, facts


def get_report(ctx: Ctx) -> Reply:
    with ctx.world.locked():
        run_schedules(ctx.world)
    report = ctx.world.state.commerce.reports.get(ctx.params["reportId"])
    if report is None:
        return _bad(ctx, _INVALID, "RPT-UNKNOWN-REPORT")
    data, facts = _report_json(ctx, report)
    return Reply(200, data, facts=facts)


_LIST_FILTERS = ("reportTypes", "processingStatuses", "marketplaceIds", "pageSize")
_RETENTION_S = 90 * 86400.0  # createdSince defaults to 90 days ago (the model)


def get_reports(ctx: Ctx) -> Reply:
    """The seller's reports, newest first; the page token carries the filters, because the
    model wants ``nextToken`` as the only parameter of the next call."""
    query = ctx.request.query
    token = ctx.request.first("nextToken")
    if token is not None:
        if any(name in query for name in (*_LIST_FILTERS, "createdSince", "createdUntil")):
            return _bad(ctx, _INVALID, "RPT-TOKEN-WITH-FILTERS")
        try:
            wanted = json.loads(base64.urlsafe_b64decode(token.encode()))
            start = int(wanted.pop("offset"))
        except (ValueError, KeyError, TypeError, AttributeError):
            return ctx.foreign_token(_INVALID)
    else:
        if not ctx.request.csv("reportTypes"):
            return _bad(ctx, _INVALID, "RPT-TYPES-OR-TOKEN")
        wanted = {name: ctx.request.csv(name) for name in _LIST_FILTERS[:3]}
        wanted["pageSize"] = int(ctx.request.first("pageSize") or 10)
        for name in ("createdSince", "createdUntil"):
            if name in query:
                moment = parse_time(ctx.request.first(name))
                if moment is None:
                    return _bad(ctx, _INVALID, "RPT-DATE-FORMAT")
                wanted[name] = moment.timestamp()
        start = 0
    now = ctx.world.clock.now()
    since, until = wanted.get("createdSince", now - _RETENTION_S), wanted.get("createdUntil", now)
    types, statuses = set(wanted["reportTypes"]), set(wanted["processingStatuses"])
    marketplaces, size = set(wanted["marketplaceIds"]), int(wanted["pageSize"])
    with ctx.world.locked() as state:
        run_schedules(ctx.world)
        chosen = [
            r
            for r in sorted(state.commerce.reports.values(), key=lambda r: -r.created)
            if r.report_type in types
            and since <= r.created <= until
            and (not marketplaces or marketplaces & set(r.marketplace_ids))
            and (not statuses or r.status(now) in statuses)
        ]
        page = [_report_json(ctx, r)[0] for r in chosen[start : start + size]]
    body: dict[str, Any] = {"reports": page}
    if start + size < len(chosen):
        following = {**wanted, "offset": start + size}
        body["nextToken"] = base64.urlsafe_b64encode(json.dumps(following).encode()).decode()
    facts = {"reports": len(page), "report_ids": [r["reportId"] for r in page]}
    return Reply(200, body, facts=facts)


def get_report_document(ctx: Ctx) -> Reply:
    state = ctx.world.state
    with ctx.world.locked():
        run_schedules(ctx.world)
    record = state.commerce.report_documents.get(ctx.params["reportDocumentId"])
    if record is None:
        return _bad(ctx, _INVALID, "RPT-UNKNOWN-DOCUMENT")
    restricted = record.report_type in RESTRICTED_REPORT_TYPES
    if restricted and not ctx.unlocked():
        # A restricted report's document is refused to a plain LWA token.
        reply = ctx.error(
            403,
            "Unauthorized",
            "Access to requested resource is denied.",
            "",
            rule="RPT-RESTRICTED-NO-RDT",
        )
        reply.facts.update(report_id=record.report_id, restricted_report=True)
        return reply
    doc = state.documents[record.key]
    host = ctx.request.headers.get("host", "127.0.0.1")
    data: dict[str, Any] = {
        "reportDocumentId": doc.document_id,
        "url": presigned_url(ctx.world, host, doc, "GET", URL_TTL, scheme=ctx.request.scheme),
    }
    if record.gzipped:
        data["compressionAlgorithm"] = "GZIP"
    facts: dict[str, Any] = {
        "report_id": record.report_id,
        "document": doc.document_id,
        "restricted_report": restricted,
        "gzip": record.gzipped,
        "rows": record.rows,
        "first_column": record.first_column,
    }
    config = ctx.world.config
    with ctx.world.locked():
        if config.report_url_expiry > 0:
            # Time passes before the download (a paused process): the URL is stale on arrival.
            config.report_url_expiry -= 1
            ctx.world.clock.advance(URL_TTL + 1)
            facts["url_expired_by_scenario"] = True
    return Reply(200, data, facts=facts)


HANDLERS: dict[str, Handler] = {
    "createReport": create_report,
    "getReports": get_reports,
    "getReport": get_report,
    "getReportDocument": get_report_document,
}
