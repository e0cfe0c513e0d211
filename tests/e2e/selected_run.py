"""One `acorn run --select ...` in a subprocess, and the statuses of the checks asked for.

The notification and alerting e2e modules each judge a few checks from a selected run of
an example integration; this is the one way they start it and read readiness.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def selected_checks(
    tmp: Path, select: str, ids: tuple[str, ...], *args: str
) -> dict[str, dict[str, Any]]:
    """Run the scenarios matching ``select`` into ``tmp``; return the checks ``ids`` by id."""
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli.main", "run", "--select", select,
         "--report-dir", str(tmp), *args],
        cwd=ROOT, env={**os.environ, "COLUMNS": "120"}, capture_output=True, text=True,
        timeout=240, check=False,
    )  # fmt: skip
    report = tmp / "readiness.json"
    assert report.is_file(), done.stdout + done.stderr
    return {c["id"]: c for c in json.loads(report.read_text())["checks"] if c["id"] in ids}
