"""Report integrity end to end: an interrupted run is INCOMPLETE in every format, and a report
folder holds exactly the files of the run that wrote it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}


def _acorn(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli.main", "run", *args],
        capture_output=True,
        text=True,
        timeout=400,
        env=_env(),
        cwd=ROOT,
        check=False,
    )


def _junit_verdict(report: Path) -> str | None:
    for prop in ET.parse(report / "junit.xml").getroot().iter("property"):
        if prop.get("name") == "acorn.verdict":
            return prop.get("value")
    return None


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_run_is_incomplete_in_every_format(tmp_path: Path, signum: int) -> None:
    """Ctrl-C, or SIGTERM as a cancelled CI job or `timeout` sends it."""
    report = tmp_path / "r"
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli.main", "run", "--report-dir", str(report)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        cwd=ROOT,
    )
    deadline = time.monotonic() + 120
    # Interrupt once the first scenario has been judged (the work folder holds its log).
    while time.monotonic() < deadline and len(list((report / "work").glob("*.log"))) < 2:
        time.sleep(0.2)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=120)

    assert proc.returncode == 2, out[-2000:] + err[-2000:]
    data = json.loads((report / "readiness.json").read_text())
    assert data["verdict"] == "INCOMPLETE"
    assert "the run was interrupted before every scenario finished" in data["problems"]
    assert data["summary"]["error"] > 0  # the checks that never ran are listed, not dropped
    assert (report / "readiness.md").read_text().startswith("# Readiness report: INCOMPLETE")
    assert _junit_verdict(report) == "INCOMPLETE"
    assert "INCOMPLETE" in out + err


def test_a_go_into_a_folder_that_held_a_no_go_keeps_none_of_its_files(tmp_path: Path) -> None:
    report = tmp_path / "r"
    first = _acorn(
        "--integration", "examples/naive", "--select", "lst_01", "--report-dir", str(report)
    )
    assert first.returncode == 1, first.stdout[-2000:]
    assert list((report / "attachments").iterdir())  # the LST-01 matrix of the NO-GO

    second = _acorn("--select", "contract", "--report-dir", str(report))

    assert second.returncode == 0, second.stdout[-2000:]
    assert not (report / "attachments").exists()
    data = json.loads((report / "readiness.json").read_text())
    assert data["verdict"] == "GO"
    assert [c["id"] for c in data["checks"]] == ["CONTRACT-01"]
    assert _junit_verdict(report) == "GO"


def test_a_folder_acorn_did_not_write_is_refused_before_the_run(tmp_path: Path) -> None:
    (tmp_path / "thesis.tex").write_text("years of work")

    proc = _acorn("--select", "contract", "--report-dir", str(tmp_path))

    assert proc.returncode == 2
    assert "--overwrite" in proc.stdout + proc.stderr
    assert (tmp_path / "thesis.tex").read_text() == "years of work"
