"""Report schedules: the periods ACORN knows are exactly the model's, and a schedule's reports
are created on time, lazily, up to a cap, and not after it is cancelled."""

from __future__ import annotations

from harness.contracts import load_contracts
from harness.sim.commerce import ReportScheduleRecord
from harness.sim.core import SimCore
from harness.sim.handlers.report_schedules import PERIODS
from harness.sim.handlers.reports import MAX_SCHEDULED_BATCH, run_schedules


def test_the_periods_are_the_models_enum() -> None:
    operation = load_contracts().operation("createReportSchedule")
    spec = operation.definitions["CreateReportScheduleSpecification"]
    assert sorted(PERIODS) == sorted(spec["properties"]["period"]["enum"])
    assert PERIODS["PT5M"] == 300
    assert PERIODS["PT84H"] == 84 * 3600


def _schedule(core: SimCore, period: str, start: float) -> ReportScheduleRecord:
    schedule = ReportScheduleRecord(
        "S1", "GET_MERCHANT_LISTINGS_ALL_DATA", ["ATVPDKIKX0DER"], period, PERIODS[period], start
    )
    core.state.commerce.report_schedules["S1"] = schedule
    return schedule


def test_reports_come_when_due_each_period_and_stop_when_cancelled() -> None:
    core = SimCore()
    now = core.clock.now()
    schedule = _schedule(core, "PT1H", now + 10)
    run_schedules(core.world())
    assert core.state.commerce.reports == {}
    core.clock.advance(10 + 2 * 3600)
    run_schedules(core.world())
    made = sorted(core.state.commerce.reports.values(), key=lambda r: r.created)
    assert [r.created - now for r in made] == [10, 3610, 7210]
    assert {r.schedule_id for r in made} == {"S1"}
    assert schedule.next_at == now + 10 + 3 * 3600
    schedule.cancelled = True
    core.clock.advance(86400)
    run_schedules(core.world())
    assert len(core.state.commerce.reports) == 3


def test_a_runaway_clock_creates_at_most_a_batch_per_call() -> None:
    core = SimCore()
    _schedule(core, "PT5M", core.clock.now())
    core.clock.advance(300 * (MAX_SCHEDULED_BATCH + 50))
    run_schedules(core.world())
    assert len(core.state.commerce.reports) == MAX_SCHEDULED_BATCH
