"""The verdict, readiness.json / readiness.md, and the terminal table."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from harness.checks import CheckResult
from harness.report import Readiness, decide, render_markdown, terminal_table, write_reports


def result(
    check_id: str,
    status: str = "passed",
    severity: str = "blocker",
    *,
    summary: str | None = None,
    evidence: list[str] | None = None,
) -> CheckResult:
    failed = status == "failed"
    return CheckResult(
        id=check_id,
        title=f"Title of {check_id}",
        area="Auth",
        severity=severity,  # type: ignore[arg-type]
        requirement=f"Requirement of {check_id}.",
        status=status,  # type: ignore[arg-type]
        summary=summary or f"Summary of {check_id} ({status}).",
        evidence=evidence
        if evidence is not None
        else [f"t=1.00s evidence {check_id} rid-{check_id}"],
        why=f"Why {check_id} matters.",
        remediation=f"Fix {check_id} like this." if failed else "",
        scenario=f"scenario-{check_id}",
        metrics={"n": 1},
    )


def readiness(*results: CheckResult) -> Readiness:
    return Readiness(
        integration={"name": "reference", "version": "1.0.0", "driver": "python"},
        results=list(results),
        contracts={"orders-v0": "2024-01-01", "tokens-2021-03-01": "2023-05-01"},
        harness_version="0.1.0",
        duration_s=12.345,
        generated_at="2025-01-02T03:04:05Z",
    )


# -- decide ----------------------------------------------------------------------------------


def test_go_when_everything_passed() -> None:
    results = [result("A", severity=s) for s in ("blocker", "critical", "normal")]

    assert decide(results) == "GO"


@pytest.mark.parametrize("severity", ["blocker", "critical"])
def test_no_go_on_a_failed_gating_check(severity: str) -> None:
    results = [result("A"), result("B", "failed", severity), result("C", severity="normal")]

    assert decide(results) == "NO-GO"


def test_go_with_only_a_normal_check_failed_or_unproven() -> None:
    results = [result("A"), result("B", "failed", "normal"), result("C", "skipped", "normal")]

    assert decide(results) == "GO"


@pytest.mark.parametrize("severity", ["blocker", "critical"])
def test_an_unproven_gating_check_is_no_go(severity: str) -> None:
    """Not proven is not GO: a gating check in scope that was never exercised blocks GO."""
    r = readiness(result("A"), result("B", "skipped", severity, summary="no 429 ever came."))

    assert r.verdict == "NO-GO"
    assert r.reasons() == [
        f"B ({severity}) was not exercised, so it is not proven: no 429 ever came."
    ]


def test_out_of_scope_checks_neither_block_nor_count() -> None:
    r = readiness(
        result("A"), result("LST-01", "not_applicable"), result("PRC-01", "not_applicable")
    )
    r.scope = {"actions": ["sync_orders"], "declared": True, "areas": "orders"}

    assert r.verdict == "GO"
    assert r.headline == "GO for orders"
    assert r.counts()["not_applicable"] == 2
    assert decide([result("LST-01", "not_applicable")]) == "NO-GO"  # nothing in scope proven


def test_an_errored_check_or_a_run_problem_is_incomplete_never_go() -> None:
    assert decide([result("A"), result("B", "error")]) == "INCOMPLETE"
    assert decide([result("A")], ["the run was interrupted"]) == "INCOMPLETE"
    r = readiness(result("A"), result("ERR-02", "error", summary="the scenario could not run: X"))
    assert r.verdict == "INCOMPLETE"
    assert r.reasons() == ["ERR-02 (blocker) could not be judged: the scenario could not run: X"]
    assert "## Why the run is INCOMPLETE" in render_markdown(r)


def test_no_go_when_nothing_passed() -> None:
    assert decide([result("A", "skipped"), result("B", "skipped", "normal")]) == "NO-GO"
    assert decide([result("A", "failed", "normal")]) == "NO-GO"
    assert decide([]) == "NO-GO"


def test_readiness_verdict_and_counts() -> None:
    r = readiness(result("A"), result("B", "failed", "normal"), result("C", "skipped", "normal"))

    assert r.verdict == "GO"
    assert r.counts() == {
        "passed": 1,
        "failed": 1,
        "waived": 0,
        "skipped": 1,
        "not_applicable": 0,
        "error": 0,
    }


# -- write_reports ---------------------------------------------------------------------------


def _mixed() -> Readiness:
    return readiness(
        result("AUTH-01"),
        result(
            "AUTH-02",
            "failed",
            "blocker",
            summary="request rid-0002 (getOrders) was never retried",
            evidence=["t=   5.00s  NA GET /orders/v0/orders -> 403; x-amzn-RequestId rid-0002"],
        ),
        result("ORD-01", "skipped"),
    )


def test_write_reports_json(tmp_path: Path) -> None:
    paths = write_reports(_mixed(), tmp_path / "out")

    assert paths["json"] == tmp_path / "out" / "readiness.json"
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["verdict"] == "NO-GO"
    assert data["integration"] == {"name": "reference", "version": "1.0.0", "driver": "python"}
    assert data["contracts"] == {"orders-v0": "2024-01-01", "tokens-2021-03-01": "2023-05-01"}
    assert data["summary"] == {
        "passed": 1,
        "failed": 1,
        "waived": 0,
        "skipped": 1,
        "not_applicable": 0,
        "error": 0,
    }
    assert data["reasons"][0].startswith("AUTH-02 (blocker) failed: request rid-0002")
    assert data["duration_s"] == 12.35
    assert [(c["id"], c["status"], c["severity"]) for c in data["checks"]] == [
        ("AUTH-01", "passed", "blocker"),
        ("AUTH-02", "failed", "blocker"),
        ("ORD-01", "skipped", "blocker"),
    ]
    failed = data["checks"][1]
    assert failed["evidence"] == [
        "t=   5.00s  NA GET /orders/v0/orders -> 403; x-amzn-RequestId rid-0002"
    ]
    assert failed["remediation"] == "Fix AUTH-02 like this."
    assert failed["why"] == "Why AUTH-02 matters."
    assert failed["scenario"] == "scenario-AUTH-02"


def test_write_reports_markdown(tmp_path: Path) -> None:
    paths = write_reports(_mixed(), tmp_path)

    text = paths["markdown"].read_text(encoding="utf-8")
    lines = text.splitlines()

    assert paths["markdown"] == tmp_path / "readiness.md"
    assert lines[0] == "# Readiness report: NO-GO"
    assert "**Verdict: NO-GO** — 1 passed, 1 failed, 1 not proven (skipped)." in text
    assert "## Why NO-GO" in text
    rows = [line for line in lines if line.startswith("| ") and "Title of" in line]
    assert len(rows) == 3
    # Blockers first: the failed blocker, then the one not proven, then what passed.
    assert rows[0].startswith(
        "| AUTH-02 Title of AUTH-02 | Auth | scenario-AUTH-02 | blocker | FAIL |"
    )
    assert rows[1].startswith(
        "| ORD-01 Title of ORD-01 | Auth | scenario-ORD-01 | blocker | NOT PROVEN |"
    )
    assert rows[2].startswith(
        "| AUTH-01 Title of AUTH-01 | Auth | scenario-AUTH-01 | blocker | PASS |"
    )

    failed_section = text.split("## What failed and how to fix it", 1)[1]
    assert "### AUTH-02 Title of AUTH-02 (blocker)" in failed_section
    assert "- **Requirement:** Requirement of AUTH-02." in failed_section
    assert "(scenario `scenario-AUTH-02`): request rid-0002" in failed_section
    assert "- **Why it matters in production:** Why AUTH-02 matters." in failed_section
    assert "- **How to fix:** Fix AUTH-02 like this." in failed_section
    assert "x-amzn-RequestId rid-0002" in failed_section
    assert "AUTH-01" not in failed_section.split("\n## ")[0]
    assert "- orders-v0: 2024-01-01" in text


def test_markdown_has_no_failure_section_when_all_passed() -> None:
    text = render_markdown(readiness(result("AUTH-01"), result("ORD-01")))

    assert text.startswith("# Readiness report: GO\n")
    assert "What failed" not in text


def test_markdown_escapes_pipes_in_summaries() -> None:
    text = render_markdown(readiness(result("A", summary="token Atza|***abcd1234 reused")))

    row = next(line for line in text.splitlines() if line.startswith("| A Title"))
    assert "Atza\\|***abcd1234" in row
    assert row.count(" | ") == 5  # six cells, the summary's pipe does not make a seventh


def test_write_reports_overwrites(tmp_path: Path) -> None:
    write_reports(readiness(result("A", "failed")), tmp_path)
    write_reports(readiness(result("A")), tmp_path)

    assert json.loads((tmp_path / "readiness.json").read_text())["verdict"] == "GO"


# -- terminal_table --------------------------------------------------------------------------


def _render(r: Readiness) -> str:
    console = Console(record=True, width=120, color_system=None, file=io.StringIO())
    terminal_table(r, console)
    return console.export_text()


def test_terminal_table_lists_checks_and_verdict() -> None:
    text = _render(_mixed())

    rows = {line.split()[1]: line for line in text.splitlines() if line.startswith("│ ")}
    assert set(rows) >= {"AUTH-01", "AUTH-02", "ORD-01"}
    assert "PASS" in rows["AUTH-01"]
    assert "FAIL" in rows["AUTH-02"]
    assert "NOT PROVEN" in rows["ORD-01"]
    assert "request rid-0002 (getOrders) was never retried" in text
    assert "Verdict: NO-GO" in text
    assert "ACORN readiness: reference" in text
    assert "Fix: Fix AUTH-02 like this." in text
    assert "x-amzn-RequestId rid-0002" in text


def test_terminal_table_go() -> None:
    text = _render(readiness(result("AUTH-01"), result("PII-01")))

    assert "Verdict: GO" in text
    assert "NO-GO" not in text
    assert "Fix:" not in text


@pytest.mark.parametrize(
    "summary",
    [
        "sync_orders: raised in 0.10s (HTTPError [getOrders] 500)",
        "sync_orders: raised in 0.10s (HTTPError 500 at [/orders/v0/orders])",
    ],
    ids=["tag-like-text-vanishes", "closing-tag-like-text-crashes"],
)
def test_terminal_table_prints_summaries_literally(summary: str) -> None:
    """BUG (harness/report/writers.py, terminal_table): summaries are parsed as rich markup.

    ORD-01's summary embeds the integration's own error text (ActionOutcome.summary()):
    '[getOrders]' silently vanishes from the failure line, and '[/orders/v0/orders]' raises
    rich.errors.MarkupError, so the run crashes instead of printing the verdict.
    """
    text = _render(readiness(result("AUTH-01"), result("ORD-01", "failed", summary=summary)))

    assert f"ORD-01 Title of ORD-01: {summary}" in text
    assert "Verdict: NO-GO" in text


def test_a_partial_run_says_so() -> None:
    report = readiness(result("A"))
    assert "Partial run" not in render_markdown(report)
    report.selection = "auth or pii"
    assert "**Partial run:** only the scenarios matching `auth or pii` ran" in render_markdown(
        report
    )
    assert report.to_dict()["selection"] == "auth or pii"
