"""The Allure output: labels, statuses that agree with readiness.json, the run-level files."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from harness.checks import ALL_CHECKS, CheckResult
from harness.checks.docs import DOCS, docs_for
from harness.checks.matrix import LISTING_LEGEND, Cell, listing_code, render_grid_html
from harness.errors import ConfigError
from harness.report import Readiness
from harness.report.allure import (
    ALLURE_STATUS,
    allure_labels,
    reconcile_results,
    status_message,
    title,
)
from harness.report.allure_run import (
    CATEGORIES,
    environment,
    executor,
    finish_allure,
    load_history,
    models_commit,
    verdict_result,
    write_environment,
    write_history,
)


def result(
    check_id: str = "AUTH-03",
    status: str = "passed",
    severity: str = "critical",
    *,
    scenario: str = "concurrent-sync",
    metrics: dict[str, Any] | None = None,
) -> CheckResult:
    return CheckResult(
        id=check_id,
        title="Concurrent calls share one token refresh",
        area="Auth",
        severity=severity,  # type: ignore[arg-type]
        requirement="One refresh for many callers.",
        status=status,  # type: ignore[arg-type]
        summary=f"summary ({status})",
        evidence=[],
        why="",
        remediation="",
        scenario=scenario,
        metrics=metrics or {},
    )


def readiness(*results: CheckResult, **extra: Any) -> Readiness:
    return Readiness(
        integration={"name": "acme", "version": "2.3.0", "driver": "command", "path": ""},
        results=list(results),
        contracts={},
        harness_version="0.1.0",
        duration_s=1.0,
        scope={"actions": ["sync_orders"], "declared": True, "areas": "orders"},
        **extra,
    )


def test_title_and_labels_name_the_check_its_area_severity_and_scope() -> None:
    r = result()
    assert title(r) == "AUTH-03 Concurrent calls share one token refresh"
    labels = allure_labels(r, "orders", "acme")
    assert ("epic", "Auth") in labels
    assert ("feature", "concurrent-sync") in labels  # not per marketplace: the scenario
    assert ("story", "AUTH-03 Concurrent calls share one token refresh") in labels
    assert ("severity", "critical") in labels
    assert ("tag", "scope: orders") in labels
    assert ("parentSuite", "ACORN readiness: acme") in labels


def test_a_per_marketplace_check_has_one_feature_per_marketplace() -> None:
    labels = allure_labels(result("LST-01", metrics={"marketplaces": ["US", "DE"]}), "every")
    assert [v for n, v in labels if n == "feature"] == ["US", "DE"]


def test_every_check_links_amazon_documentation() -> None:
    assert {c.id for c in ALL_CHECKS} <= set(DOCS), {c.id for c in ALL_CHECKS} - set(DOCS)
    for check_id, pages in DOCS.items():
        assert pages, check_id
        for name, url in pages:
            assert name
            assert url.startswith("https://developer-docs.amazon.com/sp-api/docs/"), url
    assert docs_for("NOPE-01") == ()


@pytest.mark.parametrize(
    ("status", "allure", "category"),
    [
        ("failed", "failed", "Critical failures"),
        ("skipped", "skipped", "Not proven"),
        ("not_applicable", "skipped", "Not applicable (outside the declared scope)"),
        ("error", "broken", "Harness errors (run INCOMPLETE)"),
    ],
)
def test_status_messages_fall_in_their_category_in_allure_2_and_3(
    status: str, allure: str, category: str
) -> None:
    r = result(status=status)
    assert ALLURE_STATUS[status] == allure
    message = status_message(r) + "\nsecond line"
    # Allure 2 (Java) matches the whole message; Allure 3 (JS, flag s) searches it.
    java = [
        c["name"]
        for c in CATEGORIES
        if allure in c["matchedStatuses"] and re.fullmatch(c["messageRegex"], message)
    ]
    js = [
        c["name"]
        for c in CATEGORIES
        if allure in c["matchedStatuses"] and re.search(c["messageRegex"], message, re.S)
    ]
    assert java == js == [category]


def test_a_blocker_failure_is_its_own_category() -> None:
    message = status_message(result(status="failed", severity="blocker"))
    assert message.startswith("BLOCKER AUTH-03 failed: ")
    names = [c["name"] for c in CATEGORIES if re.fullmatch(c["messageRegex"], message)]
    assert names == ["Blocker failures"]


def _allure_pytest_result(tmp_path: Path, name: str, status: str, **extra: Any) -> Path:
    path = tmp_path / f"{name}-result.json"
    data = {
        "name": name,
        "status": status,
        "fullName": f"test_auth_lwa#{name}",
        "labels": [{"name": "suite", "value": "test_auth_lwa"}],
        **extra,
    }
    path.write_text(json.dumps(data))
    return path


def test_reconcile_makes_allure_agree_with_readiness(tmp_path: Path) -> None:
    # A scenario that died before judging: allure-pytest wrote "broken" with no ACORN labels.
    died = _allure_pytest_result(tmp_path, "test_auth_03_concurrent_refresh", "broken")
    # A test allure-pytest saw pass although the check recorded "judged nothing" (error).
    quiet = _allure_pytest_result(
        tmp_path,
        "test_auth_04_cached",
        "passed",
        labels=[{"name": "check_id", "value": "AUTH-04"}],
    )
    r3 = result("AUTH-03", "error", scenario="test_auth_lwa")
    r4 = result("AUTH-04", "error", scenario="test_auth_lwa")
    r5 = result("AUTH-05", "skipped", scenario="lapsed")  # never reported: interrupted
    assert reconcile_results(readiness(r3, r4, r5), tmp_path) == 3
    got = {p.name: json.loads(p.read_text()) for p in tmp_path.glob("*-result.json")}
    assert got[died.name]["status"] == "broken"
    assert got[died.name]["name"].startswith("AUTH-03 ")
    assert {"name": "epic", "value": "Auth"} in got[died.name]["labels"]
    assert got[quiet.name]["status"] == "broken"
    assert got[quiet.name]["statusDetails"]["message"].startswith("Harness error: AUTH-04")
    added = [d for n, d in got.items() if n not in (died.name, quiet.name)]
    assert len(added) == 1
    assert added[0]["status"] == "skipped"
    assert added[0]["statusDetails"]["message"].startswith("Not proven: AUTH-05")
    assert reconcile_results(readiness(r3, r4, r5), tmp_path) == 0  # idempotent


@pytest.mark.parametrize(
    ("results", "status"),
    [
        ((result(),), "passed"),
        ((result(status="failed"),), "failed"),
        ((result(status="skipped"),), "failed"),  # not proven is not GO
        ((result(), result("ERR-01", "error")), "broken"),
    ],
)
def test_the_verdict_is_a_test_case(results: tuple[CheckResult, ...], status: str) -> None:
    data = verdict_result(readiness(*results))
    assert data["name"] == "Verdict"
    assert data["status"] == status
    message = data["statusDetails"]["message"]
    assert message.startswith(f"Verdict {readiness(*results).verdict}: ")
    assert "(scope: orders)" in message
    assert {"name": "acorn", "value": "verdict"} in data["labels"]
    assert data["historyId"] == verdict_result(readiness(result()))["historyId"]  # one trend


def test_environment_names_versions_commits_and_seed(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "README.md").write_text("copy at commit " + "ab" * 20 + " of the models\n")
    values = environment(readiness(result()), {"ACORN_MODELS_DIR": str(models)})
    assert values["Integration"] == "acme"
    assert values["Integration.version"] == "2.3.0"
    assert values["Amazon.models.commit"] == "ab" * 20
    assert values["ACORN.version"] == "0.1.0"
    assert values["Simulator.seed"].isdigit()
    assert values["Python"].count(".") == 2
    assert values["Verdict"] == "GO for orders"
    path = tmp_path / "environment.properties"
    write_environment({"Name with space": "café = 1\nnext"}, path)
    assert path.read_text("ascii") == "Name\\ with\\ space=caf\\u00e9 = 1\\nnext\n"


def test_the_integration_commit_comes_from_its_git_checkout(tmp_path: Path) -> None:
    repo = tmp_path / "integration"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    (repo / "acorn.toml").write_text("[integration]\n")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "x"], check=True)
    head = subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    r = readiness(result())
    r.integration["path"] = str(repo)
    assert environment(r, {})["Integration.commit"] == head
    assert models_commit(repo) == head
    (repo / "acorn.toml").write_text("[integration]\nname = 'x'\n")
    assert environment(r, {})["Integration.commit"] == f"{head} (uncommitted changes)"
    assert "Integration.commit" not in environment(readiness(result()), {})


def test_executor_from_github_gitlab_jenkins_or_local() -> None:
    github = executor(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_RUN_ID": "42",
            "GITHUB_RUN_NUMBER": "7",
            "GITHUB_REPOSITORY": "acme/connector",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_WORKFLOW": "readiness",
        }
    )
    assert github["type"] == "github"
    assert github["buildUrl"] == "https://github.com/acme/connector/actions/runs/42"
    assert github["buildOrder"] == 7
    gitlab = executor(
        {
            "GITLAB_CI": "true",
            "CI_JOB_ID": "99",
            "CI_JOB_URL": "https://gitlab.example/acme/-/jobs/99",
            "CI_PIPELINE_IID": "5",
            "CI_PROJECT_URL": "https://gitlab.example/acme",
        }
    )
    assert (gitlab["type"], gitlab["buildUrl"], gitlab["buildOrder"]) == (
        "gitlab",
        "https://gitlab.example/acme/-/jobs/99",
        5,
    )
    jenkins = executor(
        {"JENKINS_URL": "https://ci.example/", "BUILD_URL": "https://ci.example/job/a/3/"}
    )
    assert (jenkins["type"], jenkins["buildUrl"]) == ("jenkins", "https://ci.example/job/a/3/")
    assert executor({})["type"] == "local"


def test_history_is_found_in_any_kept_layout_and_copied(tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    (kept / "allure-report" / "history").mkdir(parents=True)
    (kept / "allure-report" / "history" / "history-trend.json").write_text("[]")
    (kept / "allure-report" / "history" / "history.json").write_text("{}")
    (kept / "allure-report" / "history" / "notes.txt").write_text("not history")
    files = load_history(kept)
    assert sorted(files) == ["history-trend.json", "history.json"]
    results = tmp_path / "allure-results"
    assert write_history(files, results) == ["history-trend.json", "history.json"]
    assert (results / "history" / "history-trend.json").read_text() == "[]"
    assert sorted(load_history(kept / "allure-report")) == sorted(files)  # its history/
    (kept / "empty").mkdir()
    with pytest.raises(ConfigError, match="holds no Allure history"):
        load_history(kept / "empty")
    with pytest.raises(ConfigError, match="does not exist"):
        load_history(tmp_path / "missing")


def test_finish_allure_writes_every_run_level_file(tmp_path: Path) -> None:
    r = readiness(
        result(),
        fidelity=[{"code": "F1", "text": "accepted unverified", "count": 2, "scenario": "s"}],
    )
    finish_allure(r, tmp_path, history={"history.json": b"{}"}, environ={})
    names = {p.name for p in tmp_path.iterdir()}
    assert {"environment.properties", "executor.json", "categories.json", "history"} <= names
    results = [json.loads(p.read_text()) for p in tmp_path.glob("*-result.json")]
    kinds = sorted(
        next(lbl["value"] for lbl in d["labels"] if lbl["name"] == "acorn") for d in results
    )
    assert kinds == ["check", "fidelity", "verdict"]
    fidelity = next(d for d in results if d["name"] == "Not verified against Amazon")
    assert fidelity["statusDetails"]["message"].startswith("Fidelity note: ")
    assert (tmp_path / fidelity["attachments"][0]["source"]).read_text().startswith("F1: ")


def test_the_listing_matrix_is_one_row_per_product_with_codes_and_a_legend() -> None:
    assert listing_code("ACCEPTED") == "OK"
    assert listing_code("INVALID: missing x") == "INV"
    assert listing_code("not created: 1 PUT(s) refused, last HTTP 400") == "ERR"
    assert listing_code("not submitted (preview INVALID: missing y)") == "PRE"
    assert listing_code("not submitted") == "NS"
    html = render_grid_html(
        "m",
        ["US", "DE"],
        [
            ("MUG <1>", [Cell("OK", "ACCEPTED", True), Cell("INV", "INVALID: missing <a>")]),
            ("TOY", [Cell("\u2014"), Cell("OK", "ACCEPTED", True)]),
        ],
        LISTING_LEGEND,
    )
    assert html.count("<tr><th>") == 3  # the header row, then one row per product
    assert "<th>US</th><th>DE</th>" in html  # one column per marketplace
    assert "<dt>MUG &lt;1&gt; — DE: INV</dt><dd>INVALID: missing &lt;a&gt;</dd>" in html
    assert all(f"<b>{code}</b>" in html for code in LISTING_LEGEND)
    assert "<script" not in html
    assert "http" not in html


def test_history_setting_precedence_cli_then_acorn_toml_then_none(tmp_path: Path) -> None:
    from harness.drive import resolve_run_config

    assert resolve_run_config(cwd=tmp_path, environ={}).history is None
    (tmp_path / "acorn.toml").write_text('[run]\nhistory = "kept"\n')
    from_file = resolve_run_config(cwd=tmp_path, environ={})
    assert from_file.history == (tmp_path / "kept").resolve()
    assert "acorn.toml" in from_file.origins["history"]
    cli = resolve_run_config(cwd=tmp_path, environ={}, history="other")
    assert cli.history == (tmp_path / "other").resolve()
    assert cli.origins["history"] == "command line"
    (tmp_path / "acorn.toml").write_text("[run]\nhistory = 3\n")
    with pytest.raises(ConfigError, match="history must be a string"):
        resolve_run_config(cwd=tmp_path, environ={})
