"""Report schedules (Reports 2021-06-30) over real HTTP: a schedule creates reports on the
virtual clock (the first at nextReportCreationTime, then one per period) that an integration
reads like requested ones; listing, reading, replacing and cancelling schedules; Amazon's 400s
for what its model and sandbox cases refuse, with the journal naming the rule."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.e2e

US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"
REPORTS = "/reports/2021-06-30"
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
INVALID = {"errors": [{"code": "400", "message": "Invalid input", "details": "Invalid input"}]}


def _at(world: Any, seconds: float) -> str:
    moment = datetime.fromtimestamp(world.sim.core.clock.now() + seconds, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _schedule(world: Any, token: str, **body: Any) -> httpx.Response:
    body = {"reportType": LISTINGS, "marketplaceIds": [US], "period": "PT5M", **body}
    return world.call("POST", f"{REPORTS}/schedules", token=token, json=body)


def _scheduled_reports(world: Any, schedule_id: str) -> list[Any]:
    reports = world.sim.core.state.commerce.reports.values()
    return sorted((r for r in reports if r.schedule_id == schedule_id), key=lambda r: r.created)


def test_a_schedule_creates_reports_on_the_clock_and_stops_when_cancelled(world) -> None:
    token = world.access_token()
    created = _schedule(world, token, nextReportCreationTime=_at(world, 120))
    assert created.status_code == 201, created.text
    schedule_id = created.json()["reportScheduleId"]
    assert set(created.json()) == {"reportScheduleId"}
    clock = world.sim.core.clock
    clock.advance(60)
    shown = world.get(f"{REPORTS}/schedules/{schedule_id}", token=token)
    assert shown.status_code == 200, shown.text
    assert shown.json()["period"] == "PT5M"
    assert shown.json()["marketplaceIds"] == [US]
    assert _scheduled_reports(world, schedule_id) == []  # not due yet
    clock.advance(61 + 2 * 300)  # the first report, then two periods
    assert _scheduled_reports(world, schedule_id) == []  # created lazily, at the next call
    listed = world.get(f"{REPORTS}/schedules", token=token, params={"reportTypes": LISTINGS})
    assert listed.status_code == 200, listed.text
    assert [s["reportScheduleId"] for s in listed.json()["reportSchedules"]] == [schedule_id]
    reports = _scheduled_reports(world, schedule_id)
    assert len(reports) == 3
    assert [round(b.created - a.created) for a, b in pairwise(reports)] == [300, 300]
    first = world.get(f"{REPORTS}/reports/{reports[0].report_id}", token=token).json()
    assert first["reportScheduleId"] == schedule_id
    assert first["processingStatus"] == "DONE"  # created 600 virtual seconds ago
    assert "reportDocumentId" in first
    cancelled = world.call("DELETE", f"{REPORTS}/schedules/{schedule_id}", token=token)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.content == b""
    clock.advance(1800)  # six more periods (the access token lives an hour)
    again = world.get(f"{REPORTS}/schedules/{schedule_id}", token=token)
    assert again.status_code == 400
    assert again.json() == INVALID
    assert world.exchange_of(again).refusal == "RPT-UNKNOWN-SCHEDULE"
    assert len(_scheduled_reports(world, schedule_id)) == 3  # none after the cancellation


def test_a_schedule_for_the_same_report_replaces_the_one_before(world) -> None:
    token = world.access_token()
    first = _schedule(world, token, nextReportCreationTime=_at(world, 60)).json()
    other = _schedule(world, token, marketplaceIds=[CA], nextReportCreationTime=_at(world, 60))
    second = _schedule(world, token, period="P1D", nextReportCreationTime=_at(world, 60))
    assert world.exchange_of(second).facts["replaced_schedules"] == [first["reportScheduleId"]]
    listed = world.get(f"{REPORTS}/schedules", token=token, params={"reportTypes": LISTINGS})
    ids = {s["reportScheduleId"] for s in listed.json()["reportSchedules"]}
    assert ids == {other.json()["reportScheduleId"], second.json()["reportScheduleId"]}


def test_a_schedule_without_a_start_time_starts_now_with_a_fidelity_note(world) -> None:
    token = world.access_token()
    created = _schedule(world, token)
    assert created.status_code == 201, created.text
    assert "RPT-SCHEDULE-STARTS-NOW" in str(world.exchange_of(created).facts.get("fidelity"))
    world.get(f"{REPORTS}/schedules", token=token, params={"reportTypes": LISTINGS})
    assert len(_scheduled_reports(world, created.json()["reportScheduleId"])) == 1


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        ({"period": "PT10M"}, None),  # outside the model's enum: the contract refuses it
        ({"period": "P1W"}, None),
        ({"reportType": "orders-report"}, "RPT-REPORT-TYPE-INVALID"),
        ({"nextReportCreationTime": "tomorrow"}, None),
        ({"marketplaceIds": ["A0NOTAMARKET"]}, "MKT-UNKNOWN"),
    ],
)
def test_bad_schedules_get_amazons_400(world, body, rule) -> None:
    token = world.access_token()
    refused = _schedule(world, token, **body)
    assert refused.status_code == 400, refused.text
    assert refused.json()["errors"][0]["code"] == "400"
    if rule is not None:
        assert world.exchange_of(refused).refusal == rule
    assert world.sim.core.state.commerce.report_schedules == {}


def test_unknown_schedule_ids_and_report_types_are_refused_like_the_sandbox(world) -> None:
    token = world.access_token()
    for method in ("GET", "DELETE"):
        refused = world.call(method, f"{REPORTS}/schedules/badReportId1", token=token)
        assert refused.status_code == 400, refused.text
        assert refused.json() == INVALID
    bad_type = world.get(f"{REPORTS}/schedules", token=token, params={"reportTypes": "x-y"})
    assert bad_type.status_code == 400
    assert world.exchange_of(bad_type).refusal == "RPT-REPORT-TYPE-INVALID"
    no_types = world.get(f"{REPORTS}/schedules", token=token)
    assert no_types.status_code == 400  # reportTypes is required (the model)


def test_getreports_finds_the_scheduled_reports_page_by_page(world) -> None:
    token = world.access_token()
    schedule_id = _schedule(world, token).json()["reportScheduleId"]
    world.sim.core.clock.advance(4 * 300 + 1)  # five reports: at once, then four periods
    query = {"reportTypes": LISTINGS, "pageSize": 2}
    first = world.get(f"{REPORTS}/reports", token=token, params=query)
    assert first.status_code == 200, first.text
    pages = [first.json()]
    while "nextToken" in pages[-1]:
        following = {"nextToken": pages[-1]["nextToken"]}  # the only parameter (the model)
        answer = world.get(f"{REPORTS}/reports", token=token, params=following)
        assert answer.status_code == 200, answer.text
        pages.append(answer.json())
    found = [r for page in pages for r in page["reports"]]
    assert [len(page["reports"]) for page in pages] == [2, 2, 1]
    assert {r["reportScheduleId"] for r in found} == {schedule_id}
    assert [r["createdTime"] for r in found] == sorted(
        (r["createdTime"] for r in found), reverse=True
    )
    done = world.get(
        f"{REPORTS}/reports",
        token=token,
        params={"reportTypes": LISTINGS, "processingStatuses": "DONE", "pageSize": 10},
    )
    assert len(done.json()["reports"]) == 4  # the newest is still in the queue
    assert "nextToken" not in done.json()


def test_getreports_refuses_what_the_model_says_it_refuses(world) -> None:
    token = world.access_token()
    _schedule(world, token)
    world.sim.core.clock.advance(900)  # four reports
    no_filter = world.get(f"{REPORTS}/reports", token=token)
    assert no_filter.status_code == 400
    assert world.exchange_of(no_filter).refusal == "RPT-TYPES-OR-TOKEN"
    page = world.get(f"{REPORTS}/reports", token=token, params={"reportTypes": LISTINGS,
                                                               "pageSize": 1}).json()  # fmt: skip
    mixed = world.get(
        f"{REPORTS}/reports",
        token=token,
        params={"nextToken": page["nextToken"], "reportTypes": LISTINGS},
    )
    assert mixed.status_code == 400
    assert world.exchange_of(mixed).refusal == "RPT-TOKEN-WITH-FILTERS"
    foreign = world.get(f"{REPORTS}/reports", token=token, params={"nextToken": "not-ours"})
    assert foreign.status_code == 400
    assert world.exchange_of(foreign).refusal == "PAGE-TOKEN"
    bad_status = world.get(
        f"{REPORTS}/reports",
        token=token,
        params={"reportTypes": LISTINGS, "processingStatuses": "BAD_VALUE"},
    )
    assert bad_status.status_code == 400  # the enum (the model's sandbox case)
