"""The bundled examples under the throttling scenarios, as `acorn run` runs them (pytest with
ACORN's plugin in a subprocess): the naive connector fails THR-01/02 because it has no
backoff, the conservative one fails THR-04 because it sleeps between calls. The reference
connector passes every THR check in tests/e2e/test_cli.py's full run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"


def _command(integration: str, select: str, report_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest",
        "-c",
        str(SCENARIOS / "pytest.ini"),
        "--rootdir",
        str(SCENARIOS),
        str(SCENARIOS / "test_throttling.py"),
        "-k",
        select,
        f"--acorn-integration={ROOT / 'examples' / integration}",
        f"--acorn-report-dir={report_dir}",
        "-p",
        "no:cacheprovider",
        "-q",
    ]


RUNS = {"naive": "thr_01 or thr_02", "conservative": "small_sync"}


@pytest.fixture(scope="module")
def reports(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[dict[str, dict[str, Any]], Path]]:
    """Both examples at once (two processes): their verdicts do not depend on each other."""
    dirs = {name: tmp_path_factory.mktemp(name) for name in RUNS}
    procs = {
        name: subprocess.Popen(
            _command(name, select, dirs[name]),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name, select in RUNS.items()
    }
    out: dict[str, tuple[dict[str, dict[str, Any]], Path]] = {}
    for name, proc in procs.items():
        output, _ = proc.communicate(timeout=180)
        assert proc.returncode in (0, 1), output
        report = json.loads((dirs[name] / "readiness.json").read_text())
        checks = {f"{c['id']} {c['scenario']}": c for c in report["checks"]}
        out[name] = (checks, dirs[name])
    return out


def test_naive_fails_thr_01_and_thr_02_because_it_does_not_back_off(reports) -> None:  # type: ignore[no-untyped-def]
    checks, report_dir = reports["naive"]
    rare = checks["THR-01 orders-sync-beyond-burst"]
    backoff = checks["THR-02 rate-header-missing"]
    assert (rare["status"], backoff["status"]) == ("failed", "failed")
    assert rare["metrics"]["share"] >= 0.10
    assert "ms after a 429" in backoff["summary"]
    assert backoff["metrics"]["longest_chain"] > 8  # its 10 immediate retries
    # The report states the scaled plan the verdict was judged against.
    assert "Amazon's rate x10, Amazon's burst; Amazon publishes 0.5/s burst 30" in rare["summary"]
    assert any("x-amzn-RequestId" in line for line in rare["evidence"])
    attachments = report_dir / "attachments"
    assert (attachments / "THR-01-timeline-orders-sync-beyond-burst.png").is_file()


def test_conservative_fails_thr_04_because_it_sleeps_between_calls(reports) -> None:  # type: ignore[no-untyped-def]
    checks, _ = reports["conservative"]
    slow = checks["THR-04 small-sync-throughput"]
    assert slow["status"] == "failed"
    assert slow["metrics"]["span_s"] > 2 * slow["metrics"]["bound_s"]
    assert "plan allows them at once" in slow["summary"]
