"""The readiness verdicts of a fixed-seed run do not move when the checks are refactored.

The examples' auth, error, throttling and feed scenarios (the checks issue 19's refactor touches)
run once per example, in parallel; their readiness.json, masked by golden_mask (ids, wall
times, durations and seconds-valued measurements vary from run to run), must equal the golden
files that the code before the refactor produced. A deliberate change of behaviour regenerates
them: ``ACORN_UPDATE_GOLDEN=1 pytest tests/e2e/test_golden_readiness.py`` (and the commit says
why the verdicts moved).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from golden_mask import masked

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(90)]

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"
SELECT = "auth or err or thr or feed"
EXAMPLES = ("reference", "naive")
RACING = {"naive": frozenset({"AUTH-04", "AUTH-08", "ERR-01", "ERR-02", "THR-04"})}
"""Checks whose details differed between two runs of the same code (golden_mask.masked).
THR-04 joined when the suite ran on four workers: naive's successful calls, and with them the
operation that bounds its throughput, moved with the machine's load (passed both times)."""
ACORN = [sys.executable, "-m", "harness.cli.main", "run", "--select", SELECT]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Both examples at once (two processes): their verdicts do not depend on each other."""
    dirs = {name: tmp_path_factory.mktemp(name) for name in EXAMPLES}
    procs = {
        name: subprocess.Popen(
            [*ACORN, f"--integration=examples/{name}", f"--report-dir={dirs[name]}"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name in EXAMPLES
    }
    out = {}
    for name, proc in procs.items():
        log, _ = proc.communicate(timeout=600)
        report = dirs[name] / "readiness.json"
        assert report.exists(), f"acorn run on examples/{name} wrote no readiness.json:\n{log}"
        out[name] = json.loads(report.read_text(encoding="utf-8"))
    return out


@pytest.mark.parametrize("name", EXAMPLES)
def test_verdicts_match_the_golden_file(runs: dict[str, dict[str, Any]], name: str) -> None:
    got = masked(runs[name], RACING.get(name, frozenset()))
    golden = GOLDEN / f"{name}.json"
    if os.environ.get("ACORN_UPDATE_GOLDEN") == "1":
        golden.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    want = json.loads(golden.read_text(encoding="utf-8"))
    assert got["verdict"] == want["verdict"]
    assert [(c["id"], c["scenario"], c["status"]) for c in got["checks"]] == [
        (c["id"], c["scenario"], c["status"]) for c in want["checks"]
    ]
    for mine, theirs in zip(got["checks"], want["checks"], strict=True):
        assert mine == theirs, f"{mine['id']} ({mine['scenario']}) changed"
    assert got == want
