"""Accepted risks: which waivers count, what a waived failure does to the verdict and every
format, and how a bad waivers file is reported (never silently, never as a crash)."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from harness.checks import CheckResult
from harness.errors import ConfigError
from harness.report import Readiness, render_markdown, terminal_table, write_reports
from harness.report.agree import apply_log_leaks, sync_allure, sync_junit
from harness.report.allure import reconcile_results
from harness.report.waivers import load_waivers, parse_waivers

TODAY = date(2026, 6, 1)
CHECKS = {"THR-03": "critical", "PII-03": "blocker", "ERR-01": "normal", "LST-01": "blocker"}
COUNTRIES = {"DE": "DE", "US": "US", "GB": "GB", "UK": "GB", "A1PA6795UKMFR9": "DE"}


def result(check_id: str, status: str = "failed", *, summary: str = "") -> CheckResult:
    return CheckResult(
        id=check_id,
        title=f"Title of {check_id}",
        area="Throttling",
        severity=CHECKS.get(check_id, "normal"),  # type: ignore[arg-type]
        requirement="r",
        status=status,  # type: ignore[arg-type]
        summary=summary or f"{check_id} {status}.",
        evidence=["t=1.00s rid-1"],
        why="w",
        remediation="fix" if status == "failed" else "",
        scenario=f"test_{check_id.lower()}",
        metrics={},
    )


def entry(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "check": "THR-03",
        "reason": "Retry-After ships in 2.4",
        "owner": "Jane Doe",
        "ticket": "OPS-12",
        "expiry": date(2026, 7, 1),
    }
    return {k: v for k, v in {**base, **over}.items() if v is not None}


def parse(*entries: dict[str, Any], **top: Any) -> Any:
    return parse_waivers(
        {"waiver": list(entries), **top},
        source="waivers.toml",
        today=TODAY,
        check_ids=CHECKS,
        countries=COUNTRIES,
    )


def readiness(results: list[CheckResult], waivers: Any) -> Readiness:
    return Readiness(
        integration={"name": "x", "version": "1", "driver": "python"},
        results=results,
        contracts={},
        harness_version="0",
        duration_s=1.0,
        waivers=waivers,
    )


# -- which waivers count ---------------------------------------------------------------------


def test_a_valid_waiver_counts() -> None:
    waivers = parse(entry())
    assert waivers.problems == []
    assert [w.check for w in waivers.waivers] == ["THR-03"]
    text = "waived by Jane Doe until 2026-07-01: Retry-After ships in 2.4"
    assert waivers.waivers[0].text() == text


def test_a_waiver_counts_through_its_expiry_day_and_not_after() -> None:
    assert parse(entry(expiry=TODAY)).waivers
    expired = parse(entry(expiry=date(2026, 5, 31)))
    assert expired.waivers == []
    assert expired.problems == [
        "waivers.toml waiver #1 (THR-03): expired on 2026-05-31 (today is 2026-06-01). "
        "This waiver does not count."
    ]


@pytest.mark.parametrize(
    ("over", "phrase"),
    [
        ({"owner": None}, "owner is missing"),
        ({"owner": "  "}, "owner must be a non-empty string"),
        ({"check": "THR-3"}, "no check 'THR-3'; did you mean 'THR-03'?"),
        ({"expiry": "2026-07-01"}, "expiry must be a TOML date such as 2026-03-31 (no quotes)"),
        ({"check": "PII-03"}, "PII-03 is a blocker: a waiver of a blocker needs approved_by"),
        ({"owners": "x"}, "unknown key 'owners'; did you mean 'owner'?"),
        ({"marketplace": "DEU"}, "marketplace 'DEU' is not one ACORN knows; did you mean 'DE'?"),
    ],
)
def test_a_malformed_waiver_never_counts_and_says_why(over: dict[str, Any], phrase: str) -> None:
    waivers = parse(entry(**over))
    assert waivers.waivers == []
    assert len(waivers.problems) == 1
    assert phrase in waivers.problems[0]
    assert waivers.problems[0].startswith("waivers.toml waiver #1")


def test_one_bad_waiver_leaves_the_others_counting() -> None:
    waivers = parse(entry(owner=None), entry(check="ERR-01"))
    assert [w.check for w in waivers.waivers] == ["ERR-01"]
    assert len(waivers.problems) == 1


def test_a_misspelt_table_is_reported() -> None:
    waivers = parse_waivers(
        {"waivers": [entry()]}, source="w.toml", today=TODAY, check_ids=CHECKS, countries={}
    )
    assert waivers.waivers == []
    assert "unknown key 'waivers'; did you mean 'waiver'?" in waivers.problems[0]


def test_a_file_that_is_not_toml_is_a_usage_error_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "waivers.toml"
    path.write_text('[[waiver]]\ncheck = "THR-03"\nowner = Jane\n')
    with pytest.raises(ConfigError) as caught:
        load_waivers(path, today=TODAY, check_ids=CHECKS, countries=COUNTRIES)
    assert str(path) in str(caught.value)
    assert "line 3" in str(caught.value)
    with pytest.raises(ConfigError, match="does not exist"):
        load_waivers(tmp_path / "missing.toml")


def test_the_real_check_ids_and_marketplaces_are_known(tmp_path: Path) -> None:
    path = tmp_path / "waivers.toml"
    path.write_text(
        '[[waiver]]\ncheck = "LST-01"\nmarketplace = "uk"\nreason = "r"\nowner = "o"\n'
        'ticket = "T-1"\nexpiry = 2099-01-01\napproved_by = "CISO"\n'
    )
    waivers = load_waivers(path)
    assert waivers.problems == []
    assert waivers.waivers[0].marketplace == "GB"


# -- what a waiver does ----------------------------------------------------------------------


def test_a_waived_critical_failure_does_not_block_go() -> None:
    results = [result("ERR-01", "passed"), result("THR-03")]
    assert readiness(results, None).verdict == "NO-GO"
    waived = readiness(results, parse(entry()))
    assert waived.verdict == "GO"
    assert waived.results[1].status == "waived"
    assert waived.counts()["waived"] == 1
    assert waived.counts()["failed"] == 0
    assert waived.reasons() == []


def test_a_waived_pass_stays_passed_and_the_waiver_is_unused() -> None:
    report = readiness([result("THR-03", "passed")], parse(entry()))
    assert report.status_of(report.results[0]) == "passed"
    unused = report.waiver_report()["unused"]  # type: ignore[index]
    assert unused[0]["why_unused"] == "the check passed: the waiver can be removed"


def test_a_not_proven_blocker_is_not_waived_and_the_waiver_is_a_problem() -> None:
    results = [result("ERR-01", "passed"), result("PII-03", "skipped")]
    report = readiness(results, parse(entry(check="PII-03", approved_by="CISO")))
    assert report.verdict == "NO-GO"
    assert report.results[1].status == "skipped"
    problems = report.waiver_report()["problems"]  # type: ignore[index]
    assert "PII-03 was not proven" in problems[0]
    assert "not proven is not GO" in problems[0]


def test_a_marketplace_waiver_covers_only_a_failure_confined_to_it() -> None:
    waivers = parse(entry(marketplace="DE"))
    only_de = result("THR-03", summary="DE: 3 calls retried without waiting.")
    de_and_us = result("THR-03", summary="DE and US: 3 calls retried without waiting.")
    unnamed = result("THR-03", summary="3 calls retried without waiting.")
    assert waivers.waiver_for(only_de) is not None
    assert waivers.waiver_for(de_and_us) is None
    assert waivers.waiver_for(unnamed) is None


def test_waiver_problems_are_properties_in_junit_and_allure(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_text('<testsuites><testsuite name="pytest" tests="0"/></testsuites>')
    report = readiness([result("ERR-01", "passed")], parse(entry(owner=None)))
    sync_junit(junit, report)
    sync_allure(tmp_path, report)
    props = {p.get("name"): p.get("value") for p in ET.parse(junit).getroot().iter("property")}
    assert "owner is missing" in str(props["acorn.waiver_problem.1"])
    env = (tmp_path / "environment.properties").read_text()
    assert "acorn.waiver_problem.1=waivers.toml waiver #1 (THR-03): owner is missing" in env


def test_a_check_judged_twice_is_waived_per_result() -> None:
    """THR-03 in two scenarios: the DE-only failure is waived, the US one still blocks."""
    de = result("THR-03", summary="DE: calls retried without waiting.")
    us = result("THR-03", summary="US: calls retried without waiting.")
    report = readiness([result("ERR-01", "passed"), de, us], parse(entry(marketplace="DE")))
    assert [report.status_of(r) for r in report.results] == ["passed", "waived", "failed"]
    assert report.verdict == "NO-GO"
    assert len(report.reasons()) == 1


def test_every_format_shows_the_waiver(tmp_path: Path) -> None:
    results = [result("ERR-01", "passed"), result("THR-03")]
    report = readiness(results, parse(entry(), entry(check="PII-03", owner=None)))
    write_reports(report, tmp_path)
    data = json.loads((tmp_path / "readiness.json").read_text())
    thr = next(c for c in data["checks"] if c["id"] == "THR-03")
    assert thr["status"] == "waived"
    assert thr["waiver"]["owner"] == "Jane Doe"
    assert thr["waiver"]["expiry"] == "2026-07-01"
    assert thr["waiver"]["approved_by"] is None
    assert thr["waiver"]["ticket"] == "OPS-12"
    assert data["summary"]["waived"] == 1
    assert "owner is missing" in data["waivers"]["problems"][0]
    from harness.cli.report import schema_errors

    # (This hand-made Readiness has no versions block; the waiver parts must validate.)
    assert [e for e in schema_errors(data) if not e.startswith("versions:")] == []
    md = render_markdown(report)
    assert "| THR-03 Title of THR-03 |" in md
    assert "| WAIVED |" in md
    assert "## Accepted risks (waivers)" in md
    assert "| Jane Doe | 2026-07-01 | OPS-12 |" in md
    assert "## Waiver problems" in md
    assert "owner is missing" in md
    out = io.StringIO()
    terminal_table(report, Console(file=out, width=200))
    assert "WAIVED" in out.getvalue()
    assert "Waiver problem:" in out.getvalue()


def test_junit_and_allure_follow_readiness(tmp_path: Path) -> None:
    """A test case pytest reported as failed, now waived, becomes skipped with the waiver."""
    junit = tmp_path / "junit.xml"
    junit.write_text(
        '<testsuites><testsuite name="pytest" tests="2" failures="1" errors="0" skipped="0">'
        '<testcase classname="scenarios.test_thr" name="test_thr_03_retry">'
        '<failure message="x">x</failure></testcase>'
        '<testcase classname="scenarios.test_err" name="test_err_01_x"/>'
        "</testsuite></testsuites>"
    )
    allure = tmp_path / "allure-results"
    allure.mkdir()
    (allure / "a-result.json").write_text(
        json.dumps({"fullName": "scenarios.test_thr#test_thr_03_retry", "status": "failed"})
    )
    report = readiness([result("THR-03"), result("ERR-01", "passed")], parse(entry()))
    assert sync_junit(junit, report) == ["THR-03"]
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None
    assert suite.get("failures") == "0"
    assert suite.get("skipped") == "1"
    skipped = suite.find("testcase/skipped")
    assert skipped is not None
    assert skipped.get("message") == "waived by Jane Doe until 2026-07-01: Retry-After ships in 2.4"
    reconcile_results(report, allure)
    sync_allure(allure, report)
    data = json.loads((allure / "a-result.json").read_text())
    assert data["status"] == "skipped"
    assert "waived by Jane Doe" in data["statusDetails"]["message"]
    assert "acorn.waivers.applied=1" in (allure / "environment.properties").read_text()
    props = {p.get("name"): p.get("value") for p in ET.parse(junit).getroot().iter("property")}
    assert props["acorn.waivers.applied"] == "1"
    assert props["acorn.waivers.problems"] == "0"


# -- the integration's own files: PII-03 -----------------------------------------------------


def test_a_leak_in_the_integrations_files_fails_pii_03_without_the_value() -> None:
    findings = ["work/test_auth.integration.log:4: LWA refresh token"]
    results = apply_log_leaks([result("PII-03", "passed")], findings)
    assert results[0].status == "failed"
    assert results[0].evidence == findings
    assert "work/test_auth.integration.log" in results[0].summary
    assert results[0].remediation


def test_a_leak_fails_pii_03_even_when_the_run_did_not_select_it() -> None:
    results = apply_log_leaks([result("ERR-01", "passed")], ["work/a.log:1: LWA refresh token"])
    assert [(r.id, r.status) for r in results] == [("ERR-01", "passed"), ("PII-03", "failed")]
    assert apply_log_leaks([result("ERR-01", "passed")], []) == [result("ERR-01", "passed")]


# -- where the waivers file comes from -------------------------------------------------------


def test_acorn_toml_names_a_waivers_file_relative_to_itself(tmp_path: Path) -> None:
    from harness.drive.config import load_integration

    folder = tmp_path / "conn"
    folder.mkdir()
    toml = folder / "acorn.toml"
    toml.write_text('[integration]\nadapter = "m:C"\nwaivers = "risk/waivers.toml"\n')
    assert load_integration(folder).waivers == (folder / "risk/waivers.toml").resolve()
    toml.write_text('[integration]\nadapter = "m:C"\n')
    assert load_integration(folder).waivers is None
    toml.write_text('[integration]\nadapter = "m:C"\nwaivers = 3\n')
    with pytest.raises(ConfigError, match=r"integration\.waivers is 3"):
        load_integration(folder)


def test_a_late_pii_03_failure_is_waived_when_a_waiver_covers_it() -> None:
    waivers = parse(entry(check="PII-03", approved_by="CISO"))
    report = readiness([result("ERR-01", "passed"), result("PII-03", "passed")], waivers)
    assert report.verdict == "GO"
    report.results = apply_log_leaks(report.results, ["work/a.log:1: LWA refresh token"])
    assert str(report.verdict) == "NO-GO"  # verdict is computed: the results changed
    report.apply_waivers()
    assert report.results[1].status == "waived"
    assert report.results[1].evidence == ["work/a.log:1: LWA refresh token"]
    assert report.verdict == "GO"
