"""`acorn` in a subprocess, and one `acorn run` with its readiness.json: the one way e2e modules
start the command (the CLI, notifications, alerting, parallel and TLS runs).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def acorn(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """`acorn ARGS` in a subprocess of this interpreter (``env`` added to ours), finished."""
    return subprocess.run(
        [sys.executable, "-m", "harness.cli.main", *args],
        cwd=cwd,
        env={**os.environ, **(env or {}), "COLUMNS": "120"},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def acorn_run(
    report_dir: Path, *args: str, timeout: float = 600
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """`acorn run --report-dir report_dir ARGS`; the finished process and its readiness.json."""
    done = acorn("run", "--report-dir", str(report_dir), *args, timeout=timeout)
    report = report_dir / "readiness.json"
    assert report.is_file(), done.stdout[-3000:] + done.stderr[-3000:]
    return done, json.loads(report.read_text())


def selected_checks(
    tmp: Path, select: str, ids: tuple[str, ...], *args: str
) -> dict[str, dict[str, Any]]:
    """Run the scenarios matching ``select`` into ``tmp``; return the checks ``ids`` by id."""
    _, report = acorn_run(tmp, "--select", select, *args, timeout=240)
    return {c["id"]: c for c in report["checks"] if c["id"] in ids}
