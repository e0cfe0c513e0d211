"""``acorn report schema`` prints the shipped schema; ``acorn report validate`` applies it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from harness.checks import CheckResult
from harness.cli.main import app
from harness.cli.report import SCHEMA_FILE
from harness.report import Readiness, write_reports
from harness.report.versions import run_versions


def _report(folder: Path) -> Path:
    check = CheckResult(
        id="AUTH-01",
        title="t",
        area="Auth",
        severity="critical",
        requirement="r",
        status="passed",
        summary="s",
        evidence=[],
        why="w",
        remediation="",
        scenario="sc",
        metrics={},
    )
    integration = {"name": "shop", "version": "1", "driver": "python", "path": ""}
    readiness = Readiness(integration, [check], {}, "0.1.0", 1.0)
    readiness.versions = run_versions(integration, harness_version="0.1.0")
    return write_reports(readiness, folder)["json"]


def test_schema_prints_the_shipped_json_schema() -> None:
    result = CliRunner().invoke(app, ["report", "schema"])

    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema == json.loads(SCHEMA_FILE.read_text())
    assert schema["$schema"].endswith("2020-12/schema")
    assert "schema_version" in schema["required"]


def test_validate_accepts_a_report_and_names_what_breaks_one(tmp_path: Path) -> None:
    path = _report(tmp_path)

    ok = CliRunner().invoke(app, ["report", "validate", str(tmp_path)])
    assert ok.exit_code == 0, ok.output
    assert "schema_version 1.0" in ok.stdout

    data = json.loads(path.read_text())
    data["checks"][0]["severity"] = "minor"
    del data["run_id"]
    path.write_text(json.dumps(data))
    bad = CliRunner().invoke(app, ["report", "validate", str(path)])
    assert bad.exit_code == 1
    assert "'run_id' is a required property" in bad.output
    assert "checks/0/severity" in bad.output

    path.write_text("{not json")
    unreadable = CliRunner().invoke(app, ["report", "validate", str(path)])
    assert unreadable.exit_code == 2
    assert "cannot read" in unreadable.output
