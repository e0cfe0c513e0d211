"""readiness.html and the views it shares with readiness.md: blockers first, the marketplace
matrix, accepted risks, the reproducibility block, escaping and self-containment."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from harness.checks import CheckResult
from harness.cli.report import load_schema
from harness.report import Readiness, write_reports
from harness.report.html import render_html
from harness.report.versions import run_versions
from harness.report.views import blockers_first, marketplace_matrix, marketplaces_named


def result(
    check_id: str,
    status: str = "passed",
    severity: str = "blocker",
    *,
    area: str = "Auth",
    summary: str | None = None,
    evidence: list[str] | None = None,
) -> CheckResult:
    return CheckResult(
        id=check_id,
        title=f"Title of {check_id}",
        area=area,
        severity=severity,  # type: ignore[arg-type]
        requirement=f"Requirement of {check_id}.",
        status=status,  # type: ignore[arg-type]
        summary=summary or f"Summary of {check_id} ({status}).",
        evidence=evidence if evidence is not None else [f"t=1.00s evidence of {check_id}"],
        why=f"Why {check_id} matters.",
        remediation=f"Fix {check_id} like this." if status == "failed" else "",
        scenario=f"scenario-{check_id}",
        metrics={},
    )


def readiness(*results: CheckResult, **extra: Any) -> Readiness:
    r = Readiness(
        integration={"name": "shop", "version": "1.2.3", "driver": "python", "path": ""},
        results=list(results),
        contracts={"Orders v0": "v0"},
        harness_version="0.1.0",
        duration_s=3.0,
        generated_at="2026-01-02T03:04:05Z",
        **extra,
    )
    r.versions = run_versions(r.integration, harness_version="0.1.0", seed=11)
    return r


MIXED = (
    result("AUTH-01", "passed", "critical"),
    result("AUTH-04", "failed", "normal"),
    result("LST-01", "failed", "blocker", area="Listings", summary="ACORN-TOY-03 in DE: INVALID"),
    result("THR-05", "skipped", "critical", area="Throttling"),
    result("ORD-01", "skipped", "blocker", area="Orders"),
    result("AUTH-02", "failed", "blocker"),
    result("FEED-01", "not_applicable", "critical", area="Feeds"),
)


def test_blockers_first_then_criticals_then_the_rest() -> None:
    order = [(r.id, r.status) for r in blockers_first(MIXED)]

    assert order == [
        ("LST-01", "failed"),
        ("AUTH-02", "failed"),
        ("ORD-01", "skipped"),
        ("THR-05", "skipped"),
        ("AUTH-04", "failed"),
        ("AUTH-01", "passed"),
        ("FEED-01", "not_applicable"),
    ]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("ACORN-TOY-03 in DE: INVALID; ACORN-TOY-03 in FR: INVALID", ["DE", "FR"]),
        ("DE: never updated after the order; IT: never updated", ["DE", "IT"]),
        ("the FE endpoint refused every connection (A1VC38T7YXB528 never synced)", ["JP"]),
        ("prices in USD instead of EUR", []),  # currencies are not marketplaces
        ("IT departments and US-ASCII headers; NA GET /orders", []),  # bare codes are not enough
    ],
)
def test_a_check_is_per_marketplace_when_its_evidence_names_them(
    text: str, named: list[str]
) -> None:
    assert marketplaces_named(result("X-01", "failed", summary=text, evidence=[])) == named


def test_the_matrix_says_what_is_blocked_where_and_why() -> None:
    m = marketplace_matrix(list(MIXED), {"marketplaces": ["US", "DE"]})

    assert m.marketplaces == ("US", "DE")
    assert m.cells[("DE", "Listings")].state == "blocked"
    assert m.cells[("DE", "Listings")].checks == ("LST-01",)
    assert m.cells[("US", "Listings")].state == "not_covered"  # LST-01 named DE only
    assert m.cells[("US", "Auth")].state == "blocked"  # AUTH-02 names none: everywhere
    assert m.cells[("US", "Auth")].checks == ("AUTH-02",)
    assert m.cells[("US", "Orders")].state == "not_proven"
    assert m.cells[("US", "Feeds")].state == "not_applicable"
    assert [r.id for r in m.everywhere] == ["AUTH-02", "ORD-01", "THR-05"]
    assert [(r.id, why) for r, why in m.where["DE"]] == [("LST-01", "ACORN-TOY-03 in DE: INVALID")]


def test_undeclared_marketplaces_are_the_seeded_sellers() -> None:
    m = marketplace_matrix([result("AUTH-01")], {})

    assert m.marketplaces == ("US", "CA", "GB", "DE", "FR", "IT", "ES", "JP")
    assert not m.declared


def test_the_page_is_self_contained_and_escapes_everything() -> None:
    hostile = '<script>alert("x")</script> & <img src=http://evil.invalid/a.png>'
    page = render_html(
        readiness(
            result("AUTH-02", "failed", summary=hostile, evidence=[hostile]),
            selection="<b>auth</b>",
        )
    )

    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert "&lt;script&gt;" in page
    assert "&lt;b&gt;auth&lt;/b&gt;" in page
    # No network: no link, stylesheet, font, image or frame from anywhere.
    assert not re.search(
        r"<[^>]*\s(?:src|href)\s*=|@import|url\(|<link|<iframe|<object", page, re.I
    )
    assert "https://" not in page
    assert page.count("http://") == page.count("&lt;img src=http://")  # only escaped text


def test_the_page_has_every_section_a_sign_off_needs() -> None:
    page = render_html(readiness(*MIXED, scope={"areas": "orders", "actions": ["sync_orders"]}))

    for heading in (
        "Why NO-GO",
        "By marketplace",
        "Checks, blockers first",
        "What failed and how to fix it",
        "Accepted risks",
        "Compliance evidence (Amazon DPP / AUP)",
        "Reproducibility",
        "Sign-off",
    ):
        assert f">{heading}</h2>" in page, heading
    signoff = page.split(">Sign-off</h2>", 1)[1]
    for column in ("Reviewer", "Role", "Date", "Signature"):
        assert f"<th>{column}</th>" in signoff
    assert "None: no failure was accepted as a risk" in page
    # Blockers first in the checks table, each failure with its evidence and fix.
    table = page.split(">Checks, blockers first</h2>", 1)[1].split("</table>", 1)[0]
    assert table.index("LST-01") < table.index("AUTH-02") < table.index("ORD-01")
    assert table.index("ORD-01") < table.index("THR-05") < table.index("AUTH-04")
    failures = page.split(">What failed and how to fix it</h2>", 1)[1]
    assert "Fix LST-01 like this." in failures
    assert "t=1.00s evidence of LST-01" in failures
    assert "Title of AUTH-01" not in failures.split("</h2>", 1)[0]


def test_accepted_risks_list_each_waiver_with_its_owner_and_expiry() -> None:
    base = result("LST-05", "failed", "critical", area="Listings")
    waived = replace(
        base,
        status="waived",
        waiver={
            "owner": "qa-lead@example.invalid",
            "expires": "2026-03-31",
            "reason": "JP text ships in the next release",
            "ticket": "SHOP-42",
            "marketplace": "JP",
        },
    )

    page = render_html(readiness(result("AUTH-01"), waived))
    risks = page.split(">Accepted risks</h2>", 1)[1].split("</table>", 1)[0]

    for text in (
        "LST-05",
        "JP",
        "qa-lead@example.invalid",
        "2026-03-31",
        "SHOP-42",
        "next release",
    ):
        assert text in risks
    assert "None: no failure" not in page


def test_the_reproducibility_block_names_run_versions_and_the_json_digest(tmp_path: Path) -> None:
    paths = write_reports(readiness(*MIXED), tmp_path)

    digest = hashlib.sha256(paths["json"].read_bytes()).hexdigest()
    data = json.loads(paths["json"].read_text())
    page = paths["html"].read_text()
    text = paths["markdown"].read_text()
    for shown in (page, text):
        assert digest in shown
        assert data["run_id"] in shown
        assert "20260302" not in shown  # the seed given, not the default
    assert "<dt>Seed</dt><dd><code>11</code></dd>" in page
    assert f"Run `{data['run_id']}`; readiness.json SHA-256 `{digest}`." in text


def test_what_a_run_writes_follows_the_shipped_schema(tmp_path: Path) -> None:
    paths = write_reports(readiness(*MIXED, selection="auth"), tmp_path)
    data = json.loads(paths["json"].read_text())

    jsonschema.Draft202012Validator(load_schema()).validate(data)
    assert data["schema_version"] == "1.0"
    assert {c["id"] for c in data["checks"] if c["marketplaces"]} == {"LST-01"}
    cells = {(c["marketplace"], c["area"]): c for c in data["marketplace_matrix"]["cells"]}
    assert cells[("DE", "Listings")]["checks"] == ["LST-01"]
    assert {a["id"] for a in data["compliance"]} >= {"credential-management", "fair-use"}


def test_the_schema_refuses_what_is_not_a_readiness_report(tmp_path: Path) -> None:
    data = json.loads(write_reports(readiness(*MIXED), tmp_path)["json"].read_text())
    validator = jsonschema.Draft202012Validator(load_schema())

    for broken in (
        {**data, "verdict": "MAYBE"},
        {k: v for k, v in data.items() if k != "run_id"},
        {**data, "checks": [{**data["checks"][0], "status": "green"}]},
        {**data, "versions": {**data["versions"], "seed": "eleven"}},
    ):
        assert not validator.is_valid(broken)


def test_the_schema_knows_every_status_the_model_has() -> None:
    from harness.report.model import STATUSES

    check = load_schema()["properties"]["checks"]["items"]["properties"]
    assert set(STATUSES) <= set(check["status"]["enum"])


def test_the_run_output_scan_covers_the_html(tmp_path: Path) -> None:
    from harness.cli.cassettes import scan_run_outputs

    write_reports(readiness(*MIXED), tmp_path)
    assert scan_run_outputs(tmp_path)["clean"]
    page = tmp_path / "readiness.html"
    page.write_text(page.read_text() + "<p>Atzr|IwEBIA-leaked-refresh-token-0123456789</p>")

    scan = scan_run_outputs(tmp_path)

    assert not scan["clean"]
    assert "readiness.html" in scan["summary"]


def test_readiness_md_has_the_matrix_and_the_compliance_section(tmp_path: Path) -> None:
    text = write_reports(readiness(*MIXED, scope={"marketplaces": ["US", "DE"]}), tmp_path)[
        "markdown"
    ].read_text()

    matrix = text.split("## By marketplace", 1)[1].split("\n## ", 1)[0]
    assert "| Marketplace | Auth | Listings | Throttling | Orders | Feeds |" in matrix
    assert "| DE | BLOCKED AUTH-02 | BLOCKED LST-01 | NOT PROVEN THR-05 |" in matrix
    assert "| US | BLOCKED AUTH-02 | - | NOT PROVEN THR-05 |" in matrix
    assert "**DE** also blocked by:\n- LST-01 (blocker): ACORN-TOY-03 in DE: INVALID" in matrix
    assert text.index("## By marketplace") < text.index("## Checks, blockers first")
    compliance = text.split("## Compliance evidence (Amazon DPP / AUP)", 1)[1]
    assert "| Credential management | DPP | a blocker or critical check failed |" in compliance
    assert "AUTH-02 FAIL" in compliance


def test_an_incomplete_run_says_so_on_the_page_with_what_stopped_it() -> None:
    page = render_html(
        readiness(
            result("AUTH-01"),
            result("ORD-01", "error", summary="did not run: the run ended first"),
            problems=["the run was interrupted before every scenario finished"],
        )
    )

    assert '<span class="verdict v-INCOMPLETE">INCOMPLETE</span>' in page
    assert ">Why the run is INCOMPLETE</h2>" in page
    assert "the run was interrupted before every scenario finished" in page
    assert ">GO<" not in page
