"""Reports: a report polled to DONE, a slow one resumed, three endings, and four documents.

The virtual clock runs x60, so a report's 30 s in queue and 60 s of processing take 1.5 wall
seconds, and the slow report's hour one minute (the integration is given one second, then the
clock jumps the hour: the next request for the same report finds it DONE, if it kept it).
The endings scenario forces no data (CANCELLED after processing: the 2021-06-30 API's
DONE_NO_DATA), a cancellation in the queue and FATAL. The documents scenario serves a plain
document, a GZIP one (five EU marketplaces: over 512 bytes), one whose URL expires before the
download (the clock jumps past its five minutes) and a restricted order report (buyer PII:
RDT needed); its reports are DONE at once so even a client that polls badly gets there.
"""

from __future__ import annotations

import pytest
from markets import CA, DE, ES, FR, GB, IT, SINCE, US
from setups import start

from harness.checks import RPT_01, RPT_02, RPT_03, RPT_04, RPT_05, Observation
from harness.plugin import AcornSession

# About 6 s on the reference: a parallel run (acorn run --jobs) starts the longest first.
pytestmark = pytest.mark.acorn_seconds(6)

LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
RESTRICTED = "GET_FLAT_FILE_ORDER_REPORT_DATA_SHIPPING"  # buyer name and address


def _args(report_type: str, marketplaces: list[str], give_up: float) -> dict[str, object]:
    return {"report_type": report_type, "marketplace_ids": marketplaces,
            "data_start_time": SINCE, "give_up_after_s": give_up}  # fmt: skip


@pytest.fixture(scope="module")
def report_polling(acorn: AcornSession) -> Observation:
    with start(acorn, "report-polling") as run:
        core = acorn.sim.core
        run.act("fetch_report", **_args(LISTINGS, [US], 30.0))
        core.config.report_processing_seconds = 3600.0  # slow: an hour of processing
        run.act("fetch_report", **_args(ORDERS, [US], 1.0))
        core.clock.advance(3600.0)  # the hour passes between two runs of the job
        run.act("fetch_report", **_args(ORDERS, [US], 30.0))
    return acorn.observe(run, expected={"repeat_actions": [2]})


@pytest.fixture(scope="module")
def report_endings(acorn: AcornSession) -> Observation:
    with start(acorn, "report-endings") as run:
        core = acorn.sim.core
        for preset in ("no_data", "cancelled", "fatal"):
            core.config.report_preset = preset
            run.act("fetch_report", **_args(LISTINGS, [US], 10.0))
    return acorn.observe(run, expected={"endings": ["CANCELLED", "FATAL"]})


@pytest.fixture(scope="module")
def report_documents(acorn: AcornSession) -> Observation:
    with start(acorn, "report-documents") as run:
        core = acorn.sim.core
        run.act("fetch_report", **_args(LISTINGS, [US], 10.0))  # plain
        run.act("fetch_report", **_args(LISTINGS, [GB, DE, FR, IT, ES], 10.0))  # GZIP
        core.config.report_url_expiry = 1
        run.act("fetch_report", **_args(LISTINGS, [CA], 10.0))  # its first URL expires
        run.act("fetch_report", **_args(RESTRICTED, [US], 10.0))
    return acorn.observe(run, expected={"url_expiry": True})


def test_rpt_01_polling(report_polling: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(RPT_01, report_polling)


def test_rpt_02_endings(report_endings: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(RPT_02, report_endings)


def test_rpt_03_documents(report_documents: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(RPT_03, report_documents)


def test_rpt_04_restricted_documents(report_documents: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(RPT_04, report_documents)


def test_rpt_05_in_flight_reused(report_polling: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(RPT_05, report_polling)
