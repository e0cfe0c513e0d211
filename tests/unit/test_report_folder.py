"""The report folder holds one run's files; junit.xml states the verdict readiness.json does."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.checks import CheckResult
from harness.errors import ConfigError
from harness.report import Readiness
from harness.report.folder import MARKER, mark_junit, prepare_report_dir


def test_a_new_folder_is_created_and_marked_as_acorns(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b"

    assert prepare_report_dir(target) == []
    assert (target / MARKER).is_file()
    assert sorted(p.name for p in target.iterdir()) == [MARKER]


def test_the_previous_runs_files_are_removed_so_no_stale_attachment_survives(
    tmp_path: Path,
) -> None:
    prepare_report_dir(tmp_path)
    (tmp_path / "attachments").mkdir()
    (tmp_path / "attachments" / "LST-01-matrix.md").write_text("INVALID everywhere")
    (tmp_path / "readiness.json").write_text("{}")
    (tmp_path / ".gitkeep").write_text("")

    removed = prepare_report_dir(tmp_path)

    assert removed == [MARKER, "attachments", "readiness.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [MARKER, ".gitkeep"]


def test_a_folder_acorn_did_not_write_is_refused_naming_overwrite(tmp_path: Path) -> None:
    (tmp_path / "budget.xlsx").write_text("the user's")

    with pytest.raises(ConfigError) as info:
        prepare_report_dir(tmp_path)

    assert "budget.xlsx" in str(info.value)
    assert "--overwrite" in str(info.value)
    assert (tmp_path / "budget.xlsx").exists()


def test_an_unknown_file_in_acorns_folder_is_refused_too(tmp_path: Path) -> None:
    prepare_report_dir(tmp_path)
    (tmp_path / "notes.txt").write_text("added by a person")

    with pytest.raises(ConfigError, match=r"notes\.txt"):
        prepare_report_dir(tmp_path)


def test_overwrite_clears_a_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "x").write_text("x")

    assert prepare_report_dir(tmp_path, overwrite=True) == ["old"]
    assert not (tmp_path / "old").exists()


def test_a_file_is_not_a_report_folder(tmp_path: Path) -> None:
    target = tmp_path / "r"
    target.write_text("")

    with pytest.raises(ConfigError, match="is a file, not a folder"):
        prepare_report_dir(target)


def _readiness(status: str, severity: str) -> Readiness:
    result = CheckResult(
        id="AUTH-04",
        title="t",
        area="Auth",
        severity=severity,  # type: ignore[arg-type]
        requirement="r",
        status=status,  # type: ignore[arg-type]
        summary="s",
        evidence=[],
        why="w",
        remediation="",
        scenario="daily-work",
        metrics={},
    )
    passed = CheckResult(**{**result.__dict__, "id": "AUTH-01", "status": "passed"})
    return Readiness(
        integration={"name": "x"},
        results=[passed, result],
        contracts={},
        harness_version="0",
        duration_s=1.0,
        selection="auth",
        scope={"areas": "orders"},
    )


def test_junit_states_the_verdict_scope_and_selection(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_text(
        '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" '
        'tests="2" failures="1"><testcase name="a"/><testcase name="b"><failure/></testcase>'
        "</testsuite></testsuites>"
    )

    mark_junit(junit, _readiness("failed", "normal"))
    mark_junit(junit, _readiness("failed", "normal"))  # idempotent: one set of properties

    props = {p.get("name"): p.get("value") for p in ET.parse(junit).getroot().iter("property")}
    assert props["acorn.verdict"] == "GO"  # a failed normal check does not block GO
    assert props["acorn.headline"] == "GO for orders"
    assert props["acorn.selection"] == "auth"
    assert props["acorn.count.failed"] == "1"
    assert len(list(ET.parse(junit).getroot().iter("property"))) == len(props)
