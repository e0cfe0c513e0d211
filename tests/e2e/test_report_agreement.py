"""Every format agrees: readiness.json, readiness.md, junit.xml and Allure state the same status
for each check, the same verdict, and the partial scope of a ``--select`` run.

Two runs of the naive integration with one waivers file: the whole suite (waived failures,
an unused waiver, an expired one, an unknown check, a missing owner, a blocker waiver without
approved_by), and a ``--select`` run where the only gating failure is waived, so it is GO;
that one takes its waivers from ``waivers = "..."`` in the integration's acorn.toml.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from harness.checks.registry import check_for_test

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(70)]
ROOT = Path(__file__).resolve().parents[2]

WAIVERS = """
[[waiver]]
check = "AUTH-02"
reason = "Retry on LWA errors ships in 0.2"
owner = "Jane Doe"
ticket = "OPS-1"
expiry = 2099-12-31
approved_by = "Head of Engineering"

[[waiver]]
check = "ERR-01"
reason = "Refused requests are rare for this seller"
owner = "Jane Doe"
ticket = "OPS-2"
expiry = 2099-12-31

[[waiver]]
check = "ORD-01"
reason = "kept from an old release"
owner = "Jane Doe"
ticket = "OPS-3"
expiry = 2099-12-31
approved_by = "Head of Engineering"

[[waiver]]
check = "AUTH-01"
reason = "expired"
owner = "Jane Doe"
ticket = "OPS-4"
expiry = 2001-01-01

[[waiver]]
check = "AUTH-99"
reason = "typo"
owner = "Jane Doe"
ticket = "OPS-5"
expiry = 2099-12-31

[[waiver]]
check = "ERR-02"
reason = "no owner"
ticket = "OPS-6"
expiry = 2099-12-31

[[waiver]]
check = "PII-01"
reason = "blocker without approval"
owner = "Jane Doe"
ticket = "OPS-7"
expiry = 2099-12-31
"""

# readiness status -> (readiness.md, junit.xml child, Allure status)
SHOWN = {
    "passed": ("PASS", "passed", "passed"),
    "failed": ("FAIL", "failure", "failed"),
    "waived": ("WAIVED", "skipped", "skipped"),
    "skipped": ("NOT PROVEN", "skipped", "skipped"),
    "not_applicable": ("N/A", "skipped", "skipped"),
    "error": ("ERROR", "error", "broken"),
}


def _acorn(report: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run(
        [sys.executable, "-m", "harness.cli.main", "run", "--report-dir", str(report), *extra],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=ROOT,
        check=False,
    )


@pytest.fixture(scope="module")
def waivers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("waivers") / "waivers.toml"
    path.write_text(WAIVERS)
    return path


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory, waivers: Path) -> tuple[Path, Any]:
    report = tmp_path_factory.mktemp("whole") / "r"
    # Three scenario workers: what is asked is that the formats agree, and the controller
    # writes them all from the workers' records.
    return report, _acorn(
        report, "--integration", "examples/naive", "--waivers", str(waivers), "--jobs", "3"
    )


def _naive_with_waivers(folder: Path, waivers: Path) -> Path:
    """The naive integration whose acorn.toml names its waivers file."""
    shutil.copytree(ROOT / "examples/naive", folder)
    shutil.copy(waivers, folder / "accepted-risks.toml")
    toml = folder / "acorn.toml"
    toml.write_text(
        toml.read_text().replace(
            "[integration]\n", '[integration]\nwaivers = "accepted-risks.toml"\n', 1
        )
    )
    return folder


@pytest.fixture(scope="module")
def partial(tmp_path_factory: pytest.TempPathFactory, waivers: Path) -> tuple[Path, Any]:
    base = tmp_path_factory.mktemp("partial")
    integration = _naive_with_waivers(base / "naive", waivers)
    report = base / "r"
    return report, _acorn(report, "--integration", str(integration), "-k", "auth_02 or ord_01")


def _formats(report: Path) -> dict[str, Any]:
    """Per format: check id -> Counter of statuses (as readiness names them), and verdict."""
    data = json.loads((report / "readiness.json").read_text())
    md = (report / "readiness.md").read_text()
    icons = {shown[0]: status for status, shown in SHOWN.items()}
    junit_kind = {"passed": "passed", "failure": "failed", "error": "error", "skipped": "skip"}
    allure_kind = {"passed": "passed", "failed": "failed", "broken": "error", "skipped": "skip"}
    out: dict[str, dict[str, Counter[str]]] = {"json": {}, "md": {}, "junit": {}, "allure": {}}
    for c in data["checks"]:
        out["json"].setdefault(c["id"], Counter())[c["status"]] += 1
    row_pattern = r"^\| ([A-Z]+-\d\d) [^|]*\|[^|]*\|[^|]*\|[^|]*\| ([A-Z/ ]+) \|"
    for row in re.findall(row_pattern, md, re.M):
        out["md"].setdefault(row[0], Counter())[icons[row[1]]] += 1
    root = ET.parse(report / "junit.xml").getroot()
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    for case in root.iter("testcase"):
        check = check_for_test(case.get("name", ""))
        if check is None:
            continue
        kinds = [c.tag for c in case if c.tag in ("failure", "error", "skipped")]
        kind = junit_kind[kinds[0] if kinds else "passed"]
        out["junit"].setdefault(check.id, Counter())[kind] += 1
    allure_verdict = []
    for path in (report / "allure-results").glob("*-result.json"):
        result = json.loads(path.read_text())
        labels = {lbl["name"]: lbl["value"] for lbl in result.get("labels", [])}
        if labels.get("acorn") == "verdict":
            allure_verdict.append(result)
        check_id = labels.get("check_id")
        if check_id is None:
            continue
        out["allure"].setdefault(check_id, Counter())[allure_kind[result["status"]]] += 1
    env_file = report / "allure-results/environment.properties"
    allure_env = {
        key.replace("\\ ", " "): value
        for key, value in (
            line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line
        )
    }
    return {
        "statuses": out,
        "data": data,
        "md": md,
        "junit_props": props,
        "allure_env": allure_env,
        "allure_verdict": allure_verdict,
        "junit": root,
    }


def _assert_agree(report: Path) -> dict[str, Any]:
    found = _formats(report)
    statuses = found["statuses"]
    expected = statuses["json"]
    assert statuses["md"] == expected
    # junit and Allure have one class for every kind of "skipped" (waived, not proven, N/A).
    coarse = {"waived": "skip", "skipped": "skip", "not_applicable": "skip"}

    def fold(counter: Counter[str]) -> Counter[str]:
        return Counter({coarse.get(k, k): v for k, v in counter.items()})

    folded = {check: fold(c) for check, c in expected.items()}
    assert {k: fold(v) for k, v in statuses["junit"].items()} == folded
    assert {k: fold(v) for k, v in statuses["allure"].items()} == folded
    data = found["data"]
    verdict = data["verdict"]
    assert found["md"].startswith(f"# Readiness report: {data['headline']}")
    assert found["junit_props"]["acorn.verdict"] == verdict
    assert found["allure_env"]["Verdict"] == data["headline"]
    [case] = found["allure_verdict"]
    assert case["status"] == {"GO": "passed", "NO-GO": "failed"}.get(verdict, "broken")
    assert case["statusDetails"]["message"].startswith(f"Verdict {verdict}: ")
    return found


def test_the_whole_run_agrees_in_every_format(whole: tuple[Path, Any]) -> None:
    report, run = whole
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]
    found = _assert_agree(report)
    data = found["data"]
    assert data["verdict"] == "NO-GO"
    assert data["selection"] is None
    assert found["junit_props"]["acorn.selection"] == "(whole suite)"
    assert "Selection (partial run)" not in found["allure_env"]
    checks = {c["id"]: c for c in data["checks"]}
    assert checks["AUTH-02"]["status"] == "waived"
    assert checks["AUTH-02"]["waiver"]["approved_by"] == "Head of Engineering"
    assert checks["ERR-01"]["status"] == "waived"
    assert checks["ORD-01"]["status"] == "passed"  # a waived pass stays passed
    assert checks["AUTH-01"]["status"] == "failed"  # its waiver expired
    assert checks["PII-01"]["status"] == "failed"  # a blocker waiver without approved_by
    assert not any("AUTH-02" in reason for reason in data["reasons"])


def test_waiver_problems_are_reported_and_the_run_still_reports_everything(
    whole: tuple[Path, Any],
) -> None:
    report, run = whole
    found = _formats(report)
    problems = found["data"]["waivers"]["problems"]
    assert len(problems) == 4, problems
    text = " ".join(problems)
    assert "expired on 2001-01-01" in text
    assert "no check 'AUTH-99'; did you mean" in text
    assert "owner is missing" in text
    assert "PII-01 is a blocker: a waiver of a blocker needs approved_by" in text
    unused = {w["check"]: w["why_unused"] for w in found["data"]["waivers"]["unused"]}
    assert unused == {"ORD-01": "the check passed: the waiver can be removed"}
    md = found["md"]
    assert "## Accepted risks (waivers)" in md
    assert "| AUTH-02 | all | Jane Doe | 2099-12-31 | OPS-1 | Head of Engineering |" in md
    assert "## Waiver problems" in md
    assert "did you mean" in md
    assert "Waiver problem:" in run.stdout
    assert found["junit_props"]["acorn.waivers.problems"] == "4"
    assert "expired on 2001-01-01" in found["junit_props"]["acorn.waiver_problem.1"]
    assert "expired on 2001-01-01" in found["allure_env"]["acorn.waiver_problem.1"]
    skipped = [
        c.find("skipped")
        for c in found["junit"].iter("testcase")
        if c.get("name", "").startswith("test_auth_02")
    ]
    assert skipped[0] is not None
    message = "waived by Jane Doe until 2099-12-31: Retry on LWA errors ships in 0.2"
    assert skipped[0].get("message") == message
    props = [
        p.get("value")
        for c in found["junit"].iter("testcase")
        for p in c.iter("property")
        if p.get("name") == "acorn.waiver"
    ]
    assert message in props
    allure = [json.loads(p.read_text()) for p in (report / "allure-results").glob("*-result.json")]
    auth_02 = [a for a in allure if "test_auth_02" in a.get("fullName", "")]
    assert [a["status"] for a in auth_02] == ["skipped"]
    assert message in auth_02[0]["statusDetails"]["message"]


def test_a_selected_run_agrees_and_shows_its_partial_scope_everywhere(
    partial: tuple[Path, Any],
) -> None:
    report, run = partial
    # The only gating failure (AUTH-02, a blocker) is waived with approval: GO.
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    found = _assert_agree(report)
    data = found["data"]
    assert data["verdict"] == "GO"
    assert set(found["statuses"]["json"]) == {"AUTH-02", "ORD-01"}
    assert data["selection"] == "auth_02 or ord_01"
    assert "**Partial run:** only the scenarios matching `auth_02 or ord_01`" in found["md"]
    assert found["junit_props"]["acorn.selection"] == "auth_02 or ord_01"
    assert found["allure_env"]["Selection (partial run)"] == "auth_02 or ord_01"
    [case] = found["allure_verdict"]
    assert (
        "Partial run: only scenarios matching 'auth_02 or ord_01'"
        in case["statusDetails"]["message"]
    )
    assert len(data["waivers"]["problems"]) == 4  # still reported in a partial run


def test_an_unreadable_waivers_file_stops_the_run_naming_file_and_line(tmp_path: Path) -> None:
    """--waivers wins over acorn.toml's waivers; a file that is not TOML is exit 2 at once."""
    good = tmp_path / "good.toml"
    good.write_text(WAIVERS)
    integration = _naive_with_waivers(tmp_path / "naive", good)
    broken = tmp_path / "broken.toml"
    broken.write_text('[[waiver]]\ncheck = "AUTH-02"\nowner = Jane Doe\n')
    run = _acorn(tmp_path / "r", "--integration", str(integration), "--waivers", str(broken))
    assert run.returncode == 2, run.stdout[-2000:] + run.stderr[-2000:]
    said = " ".join((run.stdout + run.stderr).split())
    assert str(broken) in said.replace(" ", "") or "broken.toml" in said
    assert "line 3" in said
    assert "not valid TOML" in said
    assert not (tmp_path / "r" / "readiness.json").exists()  # nothing ran
