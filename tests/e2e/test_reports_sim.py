"""The simulator's Reports 2021-06-30 over real HTTP: lifecycle, endings, documents, bad input.

Processing times follow the schedule (processingStartTime when the queue ends,
processingEndTime when processing does), each ending a scenario can force reaches the wire as
the model's status, a document URL past its five minutes answers like S3, and bad input is
refused with Amazon's 400 while the journal names the rule.
"""

from __future__ import annotations

import gzip
import time
from typing import Any

import httpx
import pytest

from harness.sim import SimConfig

pytestmark = pytest.mark.e2e

US, DE, FR, IT, ES, GB = (
    "ATVPDKIKX0DER",
    "A1PA6795UKMFR9",
    "A13V1IB3VIYZZH",
    "APJ6JRA9NG5V4",
    "A1RKKUPIHCS9HS",
    "A1F83G8C2ARO7P",
)
REPORTS = "/reports/2021-06-30"
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
INVALID = {"errors": [{"code": "400", "message": "Invalid input", "details": "Invalid input"}]}


def _create(world: Any, token: str, region: str = "NA", **body: Any) -> httpx.Response:
    body = {"reportType": LISTINGS, "marketplaceIds": [US], **body}
    return world.call("POST", f"{REPORTS}/reports", region=region, token=token, json=body)


def _report(world: Any, token: str, report_id: str, region: str = "NA") -> dict[str, Any]:
    answer = world.get(f"{REPORTS}/reports/{report_id}", region=region, token=token)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_processing_times_are_when_processing_started_and_ended(world) -> None:
    token = world.access_token()
    report_id = _create(world, token).json()["reportId"]
    queued = _report(world, token, report_id)
    assert queued["processingStatus"] == "IN_QUEUE"
    assert "processingStartTime" not in queued
    world.sim.core.clock.advance(40)
    running = _report(world, token, report_id)
    assert running["processingStatus"] == "IN_PROGRESS"
    assert running["processingStartTime"] > running["createdTime"]
    assert "processingEndTime" not in running
    world.sim.core.clock.advance(40)
    done = _report(world, token, report_id)
    assert done["processingStatus"] == "DONE"
    assert done["createdTime"] < done["processingStartTime"] < done["processingEndTime"]
    assert done["processingStartTime"] == running["processingStartTime"]


@pytest.mark.parametrize(
    ("preset", "status", "started"),
    [("no_data", "CANCELLED", True), ("cancelled", "CANCELLED", False), ("fatal", "FATAL", True)],
)
def test_forced_endings_reach_the_wire(world, preset, status, started) -> None:
    world.reset(SimConfig(report_preset=preset))
    token = world.access_token()
    report_id = _create(world, token).json()["reportId"]
    world.sim.core.clock.advance(600)
    ended = _report(world, token, report_id)
    assert ended["processingStatus"] == status
    assert "reportDocumentId" not in ended
    assert ("processingStartTime" in ended) is started
    assert ("processingEndTime" in ended) is started


def test_a_period_without_orders_is_cancelled_for_lack_of_data(world) -> None:
    token = world.access_token()
    period = {"dataStartTime": "2020-01-01T00:00:00Z", "dataEndTime": "2020-01-02T00:00:00Z"}
    orders = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
    created = _create(world, token, reportType=orders, **period)
    world.sim.core.clock.advance(600)
    assert _report(world, token, created.json()["reportId"])["processingStatus"] == "CANCELLED"


def _document(world: Any, token: str, marketplaces: list[str], region: str) -> dict[str, Any]:
    report_id = _create(world, token, region, marketplaceIds=marketplaces).json()["reportId"]
    world.sim.core.clock.advance(600)
    document_id = _report(world, token, report_id, region)["reportDocumentId"]
    answer = world.get(f"{REPORTS}/documents/{document_id}", region=region, token=token)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_documents_come_plain_or_gzip_and_expire_like_s3(world) -> None:
    token = world.access_token()
    plain = _document(world, token, [US], "NA")
    assert "compressionAlgorithm" not in plain
    assert httpx.get(plain["url"]).text.startswith("seller-sku\t")
    packed = _document(world, token, [GB, DE, FR, IT, ES], "EU")
    assert packed["compressionAlgorithm"] == "GZIP"
    rows = gzip.decompress(httpx.get(packed["url"]).content).decode().splitlines()[1:]
    assert len(rows) == 20  # four SKUs in five marketplaces
    world.sim.core.clock.advance(301)
    expired = httpx.get(packed["url"])
    assert expired.status_code == 403
    assert "<Code>AccessDenied</Code><Message>Request has expired</Message>" in expired.text


def test_a_scenario_can_make_the_next_url_expire_before_its_download(world) -> None:
    world.reset(SimConfig(report_url_expiry=1))
    token = world.access_token()
    first = _document(world, token, [US], "NA")
    assert httpx.get(first["url"]).status_code == 403
    document_id = first["reportDocumentId"]
    fresh = world.get(f"{REPORTS}/documents/{document_id}", token=token).json()
    assert httpx.get(fresh["url"]).status_code == 200


def test_the_same_report_in_flight_is_recorded_on_the_second_request(world) -> None:
    token = world.access_token()
    first = _create(world, token, dataStartTime="2026-02-20T00:00:00Z")
    again = _create(world, token, dataStartTime="2026-02-20T00:00:00Z")
    other_period = _create(world, token, dataStartTime="2026-02-21T00:00:00Z")
    assert world.exchange_of(again).facts["in_flight_same"] == [first.json()["reportId"]]
    assert "in_flight_same" not in world.exchange_of(other_period).facts


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        ({"reportType": "orders-report"}, "RPT-REPORT-TYPE-INVALID"),
        ({"reportType": ""}, "RPT-REPORT-TYPE-INVALID"),
        ({"dataStartTime": "yesterday"}, "RPT-DATE-FORMAT"),
        ({"dataEndTime": "2026-13-45T00:00:00Z"}, "RPT-DATE-FORMAT"),
        ({"marketplaceIds": ["A0NOTAMARKET"]}, "MKT-UNKNOWN"),
    ],
)
def test_bad_input_gets_amazons_400_and_the_journal_says_why(world, body, rule) -> None:
    token = world.access_token()
    refused = _create(world, token, **body)
    assert refused.status_code == 400, refused.text
    assert refused.json()["errors"][0]["code"] == "400"
    if rule != "MKT-UNKNOWN":
        assert refused.json() == INVALID  # the model's sandbox answer, exactly
    assert world.exchange_of(refused).refusal == rule


def test_a_fast_clock_does_not_shorten_a_document_urls_five_minutes(world) -> None:
    # x3600: five virtual minutes pass in 83 wall ms, far less than a client behind a TLS
    # proxy on a busy machine may need; Amazon gives the URL five real minutes.
    world.reset(SimConfig(clock_speed=3600.0, token_lifetime=48 * 3600.0))
    token = world.access_token()
    document = _document(world, token, [US], "NA")
    time.sleep(0.3)  # 1,080 virtual seconds
    assert httpx.get(document["url"]).status_code == 200
    world.sim.core.clock.advance(301)  # a paused process: the integration's own minutes pass
    assert httpx.get(document["url"]).status_code == 403
