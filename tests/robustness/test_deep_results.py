"""An integration whose result is absurdly nested never gives GO or a traceback (issue 13.1).

It gave "GO (29 passed)" with FEED-01 missing (RecursionError). Now the driver refuses to read
the result, the run is INCOMPLETE (exit 2) and says which action of which integration did it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest


def _run(folder: Path, report: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "harness.cli.main",
            "run",
            "--integration",
            str(folder),
            "--report-dir",
            str(report),
            "--select",
            "feed",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def _check(proc: subprocess.CompletedProcess[str], report: Path) -> None:
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output[-3000:]
    assert "Traceback" not in output
    assert "submit_feed" in output
    data = json.loads((report / "readiness.json").read_text())
    assert data["verdict"] == "INCOMPLETE"
    assert [c["status"] for c in data["checks"] if c["id"] == "FEED-01"] == ["error"]


def test_a_command_result_100k_levels_deep_is_incomplete_naming_the_action(
    tmp_path: Path,
) -> None:
    (tmp_path / "deep.py").write_text("print('[' * 100000 + ']' * 100000)\n")
    (tmp_path / "acorn.toml").write_text(
        '[integration]\nname = "deep"\ndriver = "command"\n'
        '[integration.commands]\nsubmit_feed = "python3 deep.py"\n'
    )

    proc = _run(tmp_path, tmp_path / "report")

    _check(proc, tmp_path / "report")
    assert "nest" in proc.stdout + proc.stderr


@pytest.mark.parametrize("depth", [100_000])
def test_a_python_adapter_result_100k_levels_deep_is_incomplete(tmp_path: Path, depth: int) -> None:
    (tmp_path / "deep_adapter.py").write_text(
        textwrap.dedent(
            f"""
            class Adapter:
                def submit_feed(self, args):
                    value = []
                    for _ in range({depth}):
                        value = [value]
                    return value
            """
        )
    )
    (tmp_path / "acorn.toml").write_text(
        '[integration]\nname = "deep-py"\ndriver = "python"\nadapter = "deep_adapter:Adapter"\n'
        'scope = ["submit_feed"]\n'
    )

    proc = _run(tmp_path, tmp_path / "report")

    _check(proc, tmp_path / "report")
