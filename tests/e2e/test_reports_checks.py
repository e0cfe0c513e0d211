"""RPT-01..05 proven both ways over HTTP: the reports scenarios run by ``acorn run``.

The reference integration passes every reports check; the naive one fails each for its own
mistake (a tight getReport loop with a createReport per round, CANCELLED and FATAL not taken as
endings, GZIP read as text and an expired URL given up, no RDT for a restricted report, the
same report requested while one is in flight). An integration whose scope lacks fetch_report
gets them as not applicable. One ``acorn run --select rpt`` per integration (about 10 s
each); the command-driver reference runs them in test_cli's full run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
RPT = ["RPT-01", "RPT-02", "RPT-03", "RPT-04", "RPT-05"]


def _run(tmp: Path, *args: str) -> tuple[int, dict[str, dict[str, Any]]]:
    out = tmp / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "harness.cli.main", "run", *args, "--select", "rpt",
         "--report-dir", str(out)],
        cwd=ROOT, env={**os.environ, "COLUMNS": "120"}, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert (out / "readiness.json").is_file(), proc.stdout[-3000:] + proc.stderr[-3000:]
    data = json.loads((out / "readiness.json").read_text())
    return proc.returncode, {c["id"]: c for c in data["checks"]}


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any]]:
    return _run(tmp_path_factory.mktemp("ref"), "--integration", "examples/reference")


@pytest.fixture(scope="module")
def naive(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any]]:
    return _run(tmp_path_factory.mktemp("naive"), "--integration", "examples/naive")


def test_reference_passes_every_reports_check(reference) -> None:  # type: ignore[no-untyped-def]
    code, checks = reference
    assert {i: checks[i]["status"] for i in RPT} == dict.fromkeys(RPT, "passed"), {
        i: checks[i]["summary"] for i in RPT
    }
    assert code == 0
    assert "growing waits" in checks["RPT-01"]["summary"]
    assert "reused it" in checks["RPT-05"]["summary"]


def test_naive_fails_every_reports_check_for_its_own_mistake(naive) -> None:  # type: ignore[no-untyped-def]
    code, checks = naive
    assert code == 1
    assert {i: checks[i]["status"] for i in RPT} == dict.fromkeys(RPT, "failed")
    assert "refused with 429" in checks["RPT-01"]["summary"]
    assert "do not grow" in checks["RPT-01"]["summary"]
    assert "a new report per poll" in checks["RPT-01"]["summary"]
    assert "yet the integration went on" in checks["RPT-02"]["summary"]
    assert "the GZIP document 20" in checks["RPT-03"]["summary"]
    assert "its URL had expired" in checks["RPT-03"]["summary"]
    assert "never fetched with an RDT" in checks["RPT-04"]["summary"]
    assert "refused 403" in checks["RPT-04"]["summary"]
    assert "already in flight" in checks["RPT-05"]["summary"]
    assert all(checks[i]["remediation"] for i in RPT)


def test_a_scope_without_fetch_report_makes_them_not_applicable(tmp_path: Path) -> None:
    config = ROOT / "examples" / "reference" / "acorn-orders-only.toml"  # scope: sync_orders
    _, checks = _run(tmp_path, "--config", str(config))
    assert {i: checks[i]["status"] for i in RPT} == dict.fromkeys(RPT, "not_applicable")
    assert "fetch_report" in checks["RPT-01"]["summary"]
