"""RPT-01..05 on synthetic journals: the judging edge cases the e2e scenarios do not reach.

The journal shapes are the simulator's (harness/sim/handlers/reports.py): createReport (202)
carries ``facts.report_id`` (and ``in_flight_same`` for a duplicate), getReport carries
``facts.processing_status`` (with ``document``, ``rows``, ``gzip`` when DONE),
getReportDocument carries ``facts.report_id``/``rows``/``gzip`` and the token kind, and the
presigned download (``s3:GET``) names the document in its path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.checks import RPT_01, RPT_02, RPT_03, RPT_04, RPT_05, Observation
from harness.drive.base import ActionOutcome
from harness.sim.journal import Exchange, TokenUse

LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
TAX = "GET_FLAT_FILE_ORDER_REPORT_DATA_TAX"
US = "ATVPDKIKX0DER"
LWA = TokenUse("t1", "access", "ok")
RDT = TokenUse("r1", "rdt", "ok")


@dataclass
class Journal:
    exchanges: list[Exchange] = field(default_factory=list)

    def add(self, wall: float, op: str, path: str, status: int, facts: dict[str, Any],
            body: Any = None, token: TokenUse | None = LWA) -> None:  # fmt: skip
        seq = len(self.exchanges) + 1
        method = "POST" if op == "createReport" else "GET"
        self.exchanges.append(Exchange(seq, f"rid-{seq}", wall, 0.0, "NA", op, method, path, {},
                                       {}, body, status, {}, None, 1.0, token, facts))  # fmt: skip

    def create(self, wall: float, rid: str, report_type: str = LISTINGS, **facts: Any) -> None:
        body = {"reportType": report_type, "marketplaceIds": [US],
                "dataStartTime": "2026-02-20T00:00:00Z"}  # fmt: skip
        restricted = report_type == TAX
        self.add(wall, "createReport", "/reports/2021-06-30/reports", 202,
                 {"report_id": rid, "restricted_report": restricted, **facts}, body)  # fmt: skip

    def poll(self, wall: float, rid: str, status: str = "IN_PROGRESS", code: int = 200,
             **facts: Any) -> None:  # fmt: skip
        found = {"report_id": rid, "processing_status": status, **facts} if code == 200 else {}
        self.add(wall, "getReport", f"/reports/2021-06-30/reports/{rid}", code, found)

    def done(self, wall: float, rid: str, rows: int = 4, gzip: bool = False) -> None:
        self.poll(wall, rid, "DONE", document=f"doc-{rid}", rows=rows, gzip=gzip)

    def document(self, wall: float, rid: str, rows: int = 4, gzip: bool = False,
                 token: TokenUse = LWA, status: int = 200) -> None:  # fmt: skip
        facts: dict[str, Any] = {"report_id": rid, "rows": rows, "gzip": gzip}
        if status == 403:
            facts = {"report_id": rid, "refusal": "RPT-RESTRICTED-NO-RDT"}
        self.add(wall, "getReportDocument", f"/reports/2021-06-30/documents/doc-{rid}", status,
                 facts, token=token)  # fmt: skip

    def download(self, wall: float, rid: str, status: int = 200) -> None:
        facts = {"document": f"doc-{rid}"} if status == 200 else {"refusal": "S3-EXPIRED"}
        self.add(wall, "s3:GET", f"/_s3/tortuga-prod/NinetyDays/doc-{rid}", status, facts, None,
                 None)  # fmt: skip


def outcome(status: str | None, rows: int | None = None, ok: bool = True) -> ActionOutcome:
    result: dict[str, Any] = {"ok": ok, "errors": [], "status": status}
    if rows is not None:
        result["rows"] = [{"seller-sku": str(n)} for n in range(rows)]
    return ActionOutcome("fetch_report", {}, "ok" if ok else "failed", result, None, 1.0)


def judge(check: Any, j: Journal, outcomes: list[ActionOutcome], windows: list[Any],
          **expected: Any) -> Any:  # fmt: skip
    obs = Observation("unit", j.exchanges, outcomes, expected, action_windows=windows)
    return check.evaluate(obs)


def _polled(waits: list[float], rid: str = "1", j: Journal | None = None) -> Journal:
    j = j or Journal()
    j.create(0.0, rid)
    at = 0.01
    for wait in waits:
        j.poll(at, rid)
        at += wait
    j.done(at, rid)
    return j


# -- RPT-01 -----------------------------------------------------------------------------------
def test_rpt_01_passes_growing_waits_and_fails_a_fixed_tight_loop() -> None:
    good = _polled([0.1, 0.15, 0.22, 0.34, 0.5])
    assert judge(RPT_01, good, [outcome("DONE", 4)], [(0, 10)]).status == "passed"
    tight = _polled([0.05] * 8)
    result = judge(RPT_01, tight, [outcome("DONE", 4)], [(0, 10)])
    assert result.status == "failed"
    assert "do not grow" in result.summary


def test_rpt_01_fails_on_429_and_on_a_create_report_per_poll() -> None:
    j = _polled([0.1, 0.15, 0.22, 0.34])
    j.poll(2.0, "1", code=429)
    result = judge(RPT_01, j, [outcome("DONE", 4)], [(0, 10)])
    assert result.status == "failed"
    assert "429" in result.summary
    again = Journal()
    for n, rid in enumerate(("1", "2", "3")):
        again.create(n * 1.0, rid)
        again.poll(n * 1.0 + 0.1, rid)
    result = judge(RPT_01, again, [outcome("IN_PROGRESS", ok=False)], [(0, 10)])
    assert result.status == "failed"
    assert "a new report per poll" in result.summary


def test_rpt_01_is_not_proven_without_enough_polls() -> None:
    j = _polled([0.5])
    result = judge(RPT_01, j, [outcome("DONE", 4)], [(0, 10)])
    assert result.status == "skipped"


# -- RPT-02 -----------------------------------------------------------------------------------
def _ending(status: str, after: int = 0, **facts: Any) -> Journal:
    j = Journal()
    j.create(0.0, "1")
    j.poll(0.1, "1")
    j.poll(0.3, "1", status, **facts)
    for n in range(after):
        j.poll(0.4 + n * 0.1, "1", status)
    return j


def test_rpt_02_passes_when_each_ending_stops_the_action_and_is_named() -> None:
    runs = [outcome("CANCELLED", 0), outcome("FATAL", ok=False)]
    k = _ending("CANCELLED", no_data=True)
    k.create(5.0, "2")
    k.poll(5.1, "2")
    k.poll(5.3, "2", "FATAL")
    result = judge(RPT_02, k, runs, [(0, 1), (5, 6)])
    assert result.status == "passed", result.summary


def test_rpt_02_fails_when_polling_goes_on_or_the_result_does_not_say() -> None:
    kept_on = judge(RPT_02, _ending("FATAL", after=3), [outcome("FATAL", ok=False)], [(0, 1)],
                    endings=["FATAL"])  # fmt: skip
    assert kept_on.status == "failed"
    assert "went on: 3 more getReport" in kept_on.summary
    silent = judge(RPT_02, _ending("FATAL"), [outcome("IN_PROGRESS")], [(0, 1)],
                   endings=["FATAL"])  # fmt: skip
    assert silent.status == "failed"
    assert "says status 'IN_PROGRESS'" in silent.summary
    fatal_ok = judge(RPT_02, _ending("FATAL"), [outcome("FATAL")], [(0, 1)], endings=["FATAL"])
    assert fatal_ok.status == "failed"
    assert "reported ok" in fatal_ok.summary


def test_rpt_02_accepts_done_no_data_for_a_no_data_cancel_and_needs_every_ending() -> None:
    j = _ending("CANCELLED", no_data=True)
    said = judge(RPT_02, j, [outcome("DONE_NO_DATA", 0)], [(0, 1)], endings=["CANCELLED"])
    assert said.status == "passed", said.summary
    half = judge(RPT_02, j, [outcome("CANCELLED", 0)], [(0, 1)])
    assert half.status == "skipped"
    assert "FATAL" in half.summary


# -- RPT-03 -----------------------------------------------------------------------------------
def _documents(gzip_rows: int, expired: bool, fresh: bool) -> Journal:
    j = Journal()
    j.create(0.0, "1")
    j.done(0.1, "1", rows=4)
    j.document(0.2, "1", rows=4)
    j.download(0.21, "1")
    j.create(1.0, "2")
    j.done(1.1, "2", rows=20, gzip=True)
    j.document(1.2, "2", rows=20, gzip=True)
    if expired:
        j.download(1.21, "2", 403)
        if fresh:
            j.document(1.3, "2", rows=20, gzip=True)
    if not expired or fresh:
        j.download(1.31, "2")
    return j


def test_rpt_03_passes_plain_gzip_and_a_fresh_url_after_expiry() -> None:
    j = _documents(20, expired=True, fresh=True)
    runs = [outcome("DONE", 4), outcome("DONE", 20)]
    result = judge(RPT_03, j, runs, [(0, 0.5), (1, 1.5)], url_expiry=True)
    assert result.status == "passed", result.summary


def test_rpt_03_fails_gzip_read_as_text_and_an_expired_url_given_up() -> None:
    runs = [outcome("DONE", 4), outcome("DONE", 2)]
    garbled = judge(RPT_03, _documents(20, False, False), runs, [(0, 0.5), (1, 1.5)])
    assert garbled.status == "failed"
    assert "2 parsed rows, the GZIP document 20" in garbled.summary
    gave_up = judge(RPT_03, _documents(20, True, False), [outcome("DONE", 4), outcome("DONE", 0)],
                    [(0, 0.5), (1, 1.5)])  # fmt: skip
    assert gave_up.status == "failed"
    assert "its URL had expired" in gave_up.summary


def test_rpt_03_without_a_gzip_document_is_not_proven() -> None:
    j = Journal()
    j.create(0.0, "1")
    j.done(0.1, "1")
    j.document(0.2, "1")
    j.download(0.21, "1")
    assert judge(RPT_03, j, [outcome("DONE", 4)], [(0, 1)]).status == "skipped"


# -- RPT-04 -----------------------------------------------------------------------------------
def _restricted(token: TokenUse, status: int) -> Journal:
    j = Journal()
    j.create(0.0, "1", TAX)
    j.done(0.1, "1")
    j.document(0.2, "1", token=token, status=status)
    return j


def test_rpt_04_needs_an_rdt_for_a_restricted_document() -> None:
    assert judge(RPT_04, _restricted(RDT, 200), [outcome("DONE", 4)], [(0, 1)]).status == "passed"
    refused = judge(RPT_04, _restricted(LWA, 403), [outcome("DONE", 0)], [(0, 1)])
    assert refused.status == "failed"
    assert "refused 403" in refused.summary
    plain = _polled([0.1])
    assert judge(RPT_04, plain, [outcome("DONE", 4)], [(0, 1)]).status == "skipped"


# -- RPT-05 -----------------------------------------------------------------------------------
def test_rpt_05_fails_a_duplicate_and_passes_a_reused_report() -> None:
    dup = Journal()
    dup.create(0.0, "1")
    dup.poll(0.1, "1")
    dup.create(2.0, "2", in_flight_same=["1"])
    result = judge(RPT_05, dup, [outcome("IN_PROGRESS"), outcome("DONE")], [(0, 1), (2, 3)])
    assert result.status == "failed"
    assert "already in flight" in result.summary
    reused = Journal()
    reused.create(0.0, "1")
    reused.poll(0.1, "1")
    reused.done(2.1, "1")
    runs = [outcome("IN_PROGRESS", ok=False), outcome("DONE", 4)]
    result = judge(RPT_05, reused, runs, [(0, 1), (2, 3)], repeat_actions=[1])
    assert result.status == "passed", result.summary
    no_chance = judge(RPT_05, reused, runs, [(0, 1), (2, 3)])
    assert no_chance.status == "skipped"


def test_rpt_05_fails_a_new_request_for_a_report_never_seen_ending() -> None:
    """The simulator may have finished it (the clock jumped), but the integration never saw
    that: asking again instead of reading the report it has is the duplicate."""
    j = Journal()
    j.create(0.0, "1")
    j.poll(0.1, "1")
    j.create(2.0, "2")
    j.done(2.1, "2")
    runs = [outcome("IN_PROGRESS", ok=False), outcome("DONE", 4)]
    result = judge(RPT_05, j, runs, [(0, 1), (2, 3)], repeat_actions=[1])
    assert result.status == "failed"
    assert "while 1 was in flight" in result.evidence[0]


def test_readme_lists_each_reports_check_with_its_severity() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for check in (RPT_01, RPT_02, RPT_03, RPT_04, RPT_05):
        assert f"| {check.id} | {check.severity} |" in readme, check.id
