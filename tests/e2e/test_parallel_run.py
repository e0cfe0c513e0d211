"""`acorn run --jobs N`: scenario modules on N workers, and the report a serial run writes.

Issue 18 asks that verdicts be identical serial and parallel. Compared here, beyond the
verdict: every check's status, scenario and (masked) summary in the report's order, the
junit counts, and the integration's own leaks that the run's scan folds into PII-03 (the
secrets it looks for come from the workers' simulators). The reference's full parallel run is
compared with the golden file a serial run is held to (tests/e2e/test_cli.py); naive, which
fails in several modules and leaks into its own log, is run both ways on a selection.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from golden_readiness import GOLDEN, essence
from selected_run import acorn_run

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(210)]

NAIVE_SELECTION = "auth_lwa or pii or errors or contract or orders"


def _junit_counts(report_dir: Path) -> dict[str, str]:
    head = (report_dir / "junit.xml").read_text()
    suite = re.search(r"<testsuite [^>]*>", head)
    assert suite is not None
    return dict(re.findall(r'(tests|failures|errors|skipped)="(\d+)"', suite.group(0)))


def _order(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(c["id"], c["scenario"], c["status"]) for c in report["checks"]]


@pytest.fixture(scope="module")
def naive_both_ways(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[Path, Any, dict[str, Any]]]:
    runs = {}
    for name, extra in (("serial", ()), ("parallel", ("--jobs", "3"))):
        folder = tmp_path_factory.mktemp(f"naive-{name}")
        done, report = acorn_run(
            folder, "--integration", "examples/naive", "--select", NAIVE_SELECTION, *extra
        )
        runs[name] = (folder, done, report)
    return runs


def test_naive_is_judged_the_same_serial_and_parallel(naive_both_ways: Any) -> None:
    serial_dir, serial_done, serial = naive_both_ways["serial"]
    parallel_dir, parallel_done, parallel = naive_both_ways["parallel"]
    assert serial_done.returncode == parallel_done.returncode == 1, parallel_done.stderr[-2000:]
    assert serial["verdict"] == parallel["verdict"] == "NO-GO"
    assert _order(parallel) == _order(serial)
    assert essence(parallel) == essence(serial)
    assert _junit_counts(parallel_dir) == _junit_counts(serial_dir)
    assert parallel["selection"] == serial["selection"]
    failed = {c["id"] for c in parallel["checks"] if c["status"] == "failed"}
    assert {"AUTH-05", "PII-01", "ERR-01", "CONTRACT-01"} <= failed, failed


def test_the_leak_scan_of_a_parallel_run_knows_every_workers_secrets(
    naive_both_ways: Any,
) -> None:
    _, _, serial = naive_both_ways["serial"]
    _, _, parallel = naive_both_ways["parallel"]
    found = parallel["output_scan"]["integration_findings"]
    assert found == serial["output_scan"]["integration_findings"]
    assert found, "naive logs its credentials: the scan must find them in work/"
    assert parallel["output_scan"]["clean"] is True
    pii_03 = next(c for c in parallel["checks"] if c["id"] == "PII-03")
    assert pii_03["status"] == "failed"


def test_the_reference_on_three_workers_is_the_serial_golden(tmp_path: Path) -> None:
    done, report = acorn_run(tmp_path, "--jobs", "3")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert essence(report) == expected
    assert report["duration_s"] > 0
