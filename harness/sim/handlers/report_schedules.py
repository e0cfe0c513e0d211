"""Reports 2021-06-30 report schedules: create, list, read and cancel them.

An integration that needs the same report every day may schedule it instead of calling
createReport on a timer. A schedule creates its first report at ``nextReportCreationTime``
(now when the request gives none or a past time: a fidelity note, Amazon does not document
either), then one every ``period``, on the virtual clock; the reports carry the schedule's id
in ``reportScheduleId`` and follow the same lifecycle as requested ones
(:func:`harness.sim.handlers.reports.run_schedules` creates them lazily, when a Reports
operation is next called).

What Amazon refuses, from its model: a ``period`` outside the model's enum (the contract's
validation answers 400 before this module runs), a missing required field (the same), an
unknown schedule id for getReportSchedule / cancelReportSchedule (the sandbox's 400 cases),
and report types no report type can be (400, like createReport). A schedule for the same report
type and marketplaces replaces the one before it, as the model's description says.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from harness.sim.commerce import ReportScheduleRecord
from harness.sim.handlers.base import Ctx, Handler
from harness.sim.handlers.reports import TYPE_SHAPE, run_schedules
from harness.sim.handlers.reports_content import parse_time
from harness.sim.http import Reply
from harness.sim.state import iso

__all__ = ["HANDLERS", "PERIODS"]

_INVALID = "Invalid input"
_H, _D = 3600.0, 86400.0
PERIODS: dict[str, float] = {
    "PT5M": 300.0,
    "PT15M": 900.0,
    "PT30M": 1800.0,
    "PT1H": _H,
    "PT2H": 2 * _H,
    "PT4H": 4 * _H,
    "PT8H": 8 * _H,
    "PT12H": 12 * _H,
    "P1D": _D,
    "P2D": 2 * _D,
    "P3D": 3 * _D,
    "PT84H": 84 * _H,
    "P7D": 7 * _D,
    "P14D": 14 * _D,
    "P15D": 15 * _D,
    "P18D": 18 * _D,
    "P30D": 30 * _D,
    "P1M": 30 * _D,  # a month, taken as 30 days: Amazon does not say which day it repeats on
}
"""The model's ``period`` enum, in virtual seconds."""


def _bad(ctx: Ctx, rule: str) -> Reply:
    return ctx.error(400, "400", _INVALID, _INVALID, rule=rule)


def _known_type(ctx: Ctx, report_type: str) -> bool:
    """False when no report type can have this shape; an unknown one of the right shape is
    accepted with a note (ACORN has no list of Amazon's report types)."""
    if not TYPE_SHAPE.match(report_type):
        return False
    if not report_type.startswith(("GET_", "SC_")) and report_type not in (
        "FEE_DISCOUNTS_REPORT",
        "RFQD_BULK_DOWNLOAD",
    ):
        ctx.note("RPT-REPORT-TYPE-UNKNOWN")
    return True


def _schedule_json(schedule: ReportScheduleRecord) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reportScheduleId": schedule.schedule_id,
        "reportType": schedule.report_type,
        "marketplaceIds": list(schedule.marketplace_ids),
        "period": schedule.period,
        "nextReportCreationTime": iso(datetime.fromtimestamp(schedule.next_at, tz=UTC)),
    }
    if schedule.report_options:
        data["reportOptions"] = dict(schedule.report_options)
    return data


def create_report_schedule(ctx: Ctx) -> Reply:
    body = ctx.request.json()
    report_type = str(body["reportType"])
    if not _known_type(ctx, report_type):
        return _bad(ctx, "RPT-REPORT-TYPE-INVALID")
    now = ctx.world.clock.now()
    start = now
    if "nextReportCreationTime" in body:
        moment = parse_time(body["nextReportCreationTime"])
        if moment is None:
            return _bad(ctx, "RPT-DATE-FORMAT")
        start = moment.timestamp()
    if start < now or "nextReportCreationTime" not in body:
        ctx.note("RPT-SCHEDULE-STARTS-NOW")
        start = now
    marketplace_ids = [str(m) for m in body["marketplaceIds"]]
    refused = ctx.check_marketplaces(marketplace_ids)
    if refused:
        return refused
    period = str(body["period"])  # in the enum: the contract's validation refused others
    options = body.get("reportOptions")
    with ctx.world.locked() as state:
        run_schedules(ctx.world)
        schedules = state.commerce.report_schedules
        replaced = [
            s
            for s in schedules.values()
            if not s.cancelled
            and s.report_type == report_type
            and sorted(s.marketplace_ids) == sorted(marketplace_ids)
        ]
        for old in replaced:
            old.cancelled = True
        schedule_id = str(70000 + len(schedules) + 1) + "019000"
        schedules[schedule_id] = ReportScheduleRecord(
            schedule_id=schedule_id,
            report_type=report_type,
            marketplace_ids=marketplace_ids,
            period=period,
            period_s=PERIODS[period],
            next_at=start,
            report_options={str(k): str(v) for k, v in options.items()}
            if isinstance(options, dict)
            else None,
        )
    facts: dict[str, Any] = {
        "report_schedule_id": schedule_id,
        "report_type": report_type,
        "period": period,
    }
    if replaced:
        facts["replaced_schedules"] = [s.schedule_id for s in replaced]
    return Reply(201, {"reportScheduleId": schedule_id}, facts=facts)


def get_report_schedules(ctx: Ctx) -> Reply:
    types = ctx.request.csv("reportTypes")
    if not all(_known_type(ctx, t) for t in types):
        return _bad(ctx, "RPT-REPORT-TYPE-INVALID")
    with ctx.world.locked() as state:
        run_schedules(ctx.world)
        found = [
            _schedule_json(s)
            for s in state.commerce.report_schedules.values()
            if not s.cancelled and s.report_type in types
        ]
    return Reply(200, {"reportSchedules": found}, facts={"report_schedules": len(found)})


def _live(ctx: Ctx) -> ReportScheduleRecord | None:
    schedule = ctx.world.state.commerce.report_schedules.get(ctx.params["reportScheduleId"])
    return None if schedule is None or schedule.cancelled else schedule


def get_report_schedule(ctx: Ctx) -> Reply:
    with ctx.world.locked():
        run_schedules(ctx.world)
        schedule = _live(ctx)
        if schedule is None:
            return _bad(ctx, "RPT-UNKNOWN-SCHEDULE")
        data = _schedule_json(schedule)
    return Reply(200, data, facts={"report_schedule_id": schedule.schedule_id})


def cancel_report_schedule(ctx: Ctx) -> Reply:
    with ctx.world.locked():
        run_schedules(ctx.world)  # reports already due were created before the cancellation
        schedule = _live(ctx)
        if schedule is None:
            return _bad(ctx, "RPT-UNKNOWN-SCHEDULE")
        schedule.cancelled = True
    return Reply(200, None, facts={"report_schedule_id": schedule.schedule_id})


HANDLERS: dict[str, Handler] = {
    "createReportSchedule": create_report_schedule,
    "getReportSchedules": get_report_schedules,
    "getReportSchedule": get_report_schedule,
    "cancelReportSchedule": cancel_report_schedule,
}
