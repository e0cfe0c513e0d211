"""Command-driver integrations around clients/command_client.py, and the scenario run that
`acorn run` performs (pytest with ACORN's plugin, in a subprocess), for end-to-end verdicts."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
SCENARIOS = ROOT / "scenarios"
CLIENT = Path(__file__).resolve().parent / "command_client.py"


def command_integration(folder: Path, flags: str, actions: tuple[str, ...]) -> Path:
    """An integration folder whose acorn.toml runs command_client.py once per action."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        "[integration]",
        f"name = {json.dumps('command-client ' + (flags or 'good'))}",
        'version = "0.1.0"',
        'driver = "command"',
        "",
        "[integration.commands]",
    ]
    for action in actions:
        command = f"{shlex.quote(sys.executable)} {shlex.quote(str(CLIENT))} {action} {flags}"
        lines.append(f"{action} = {json.dumps(command.strip())}")
    (folder / "acorn.toml").write_text("\n".join(lines) + "\n")
    return folder


def start_scenarios(
    scenario_files: str | tuple[str, ...],
    integration: Path,
    report_dir: Path,
    select: str | None = None,
) -> subprocess.Popen[str]:
    """Start the scenarios of ``scenario_files`` against ``integration`` (as `acorn run`)."""
    files = (scenario_files,) if isinstance(scenario_files, str) else scenario_files
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-c",
        str(SCENARIOS / "pytest.ini"),
        "--rootdir",
        str(SCENARIOS),
        *(str(SCENARIOS / name) for name in files),
        *(["-k", select] if select else []),
        f"--acorn-integration={integration}",
        f"--acorn-report-dir={report_dir}",
        "-p",
        "no:cacheprovider",
        "-q",
    ]
    return subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def verdicts(proc: subprocess.Popen[str], report_dir: Path) -> dict[str, dict[str, Any]]:
    """Wait for the run; its checks by "ID scenario" (and by ID alone when unambiguous)."""
    output, _ = proc.communicate(timeout=240)
    assert proc.returncode in (0, 1), output
    report = json.loads((report_dir / "readiness.json").read_text())
    out: dict[str, dict[str, Any]] = {}
    for check in report["checks"]:
        out[f"{check['id']} {check['scenario']}"] = check
        out.setdefault(check["id"], check)
    return out
