"""Field corpus fixtures: install each integration's pinned library, run `acorn run` on it once.

An integration folder under tests/field/ takes part when it has a ground_truth.toml. Its
dependencies are installed the way its user would: a venv with requirements.txt (cached under
~/.cache/acorn-field, linked as the folder's .venv) or ``npm ci`` for a package-lock.json.
A missing tool chain skips with the reason, or fails when CI is set.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

FIELD = Path(__file__).resolve().parent
sys.path.insert(0, str(FIELD / "probes"))

from fieldenv import ToolchainMissing, ensure_python_env  # noqa: E402

RUN_TIMEOUT_S = 1800
"""One `acorn run` of a field integration; slow libraries (2 s between pages) take minutes."""

_RANK = {"not_applicable": 0, "passed": 1, "skipped": 2, "failed": 3}

TABLE: list[tuple[str, str, str, str, str]] = []
"""(integration, check, behaviour, expected, ACORN's status) per row compared this session."""


_RUNS: dict[str, FieldRun] = {}


@dataclass
class FieldRun:
    """One `acorn run` of one integration: exit code, statuses per check id, wall time."""

    name: str
    exit_code: int
    verdict: str | None
    statuses: dict[str, str]
    wall_s: float
    output_tail: str

    def status(self, check_id: str) -> str:
        return self.statuses.get(check_id, "absent")


def worst_status(statuses: list[str]) -> str:
    """A check listed more than once: failed > skipped > passed; not_applicable only if all
    are. A status outside these (an error) wins, so it can never pass for an expectation."""
    unknown = [s for s in statuses if s not in _RANK]
    if unknown:
        return unknown[0]
    return max(statuses, key=_RANK.__getitem__)


def read_statuses(readiness: dict[str, Any]) -> dict[str, str]:
    by_id: dict[str, list[str]] = {}
    for check in readiness.get("checks", []):
        by_id.setdefault(check["id"], []).append(str(check["status"]))
    return {check_id: worst_status(s) for check_id, s in by_id.items()}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"field corpus cannot be installed on CI: {reason}")
    pytest.skip(reason)


def _npm_ci(folder: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise ToolchainMissing(f"npm is not installed; {folder.name} needs `npm ci`")
    lock = folder / "package-lock.json"
    stamp = folder / "node_modules" / ".acorn-field-lock"
    if stamp.exists() and stamp.read_text() == lock.read_text():
        return
    proc = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"], cwd=folder, capture_output=True, check=False
    )
    if proc.returncode != 0:
        raise ToolchainMissing(f"`npm ci` failed in {folder}: {proc.stderr.decode()[-500:]}")
    stamp.write_text(lock.read_text())


def install(folder: Path) -> None:
    """Install what the integration's own files pin (requirements.txt / package-lock.json)."""
    if (folder / "requirements.txt").exists():
        ensure_python_env(folder)
    if (folder / "package-lock.json").exists():
        _npm_ci(folder)


def _acorn_command() -> list[str]:
    script = Path(sys.executable).parent / "acorn"
    return [str(script)] if script.exists() else [sys.executable, "-m", "harness.cli.main"]


@pytest.fixture(scope="session")
def field_table() -> list[tuple[str, str, str, str, str]]:
    """Where each compared row is recorded for the terminal summary's table."""
    return TABLE


JOBS = max(1, int(os.environ.get("ACORN_FIELD_JOBS", "2")))
"""How many field integrations run at once (their runs are mostly waits: paced clients,
stalls, back-offs), so the corpus fits a CI step on two cores."""
WALL_S = {"sp_api_sdk_node": 240, "amazon_sp_api_js": 185, "amzn_sp_api": 115, "sp_api_python": 60}
"""About how long each run takes on two cores (2026-12-06): the longest start first, so the
corpus takes about as long as its longest run plus what fits beside it (424 s in name order,
two at a time: amazon_sp_api_js and amzn_sp_api first, sp_api_sdk_node last)."""
ACORN_JOBS = os.environ.get("ACORN_JOBS") or "3"
"""Scenario workers inside each `acorn run` (``acorn run --jobs``; ACORN_JOBS overrides).
The corpus is also the proof that parallel runs judge as serial ones do: 72 of 72 rows agreed
with 3 workers, two integrations at a time, on two cores (848 s -> 412 s for the corpus)."""


def _run_one(name: str, report_dir: Path) -> FieldRun:
    folder = FIELD / name
    started = time.monotonic()
    proc = subprocess.run(
        [*_acorn_command(), "run", "--integration", str(folder), "--report-dir", str(report_dir)],
        capture_output=True,
        check=False,
        timeout=RUN_TIMEOUT_S,
        env={**os.environ, "ACORN_JOBS": ACORN_JOBS},
    )
    wall = time.monotonic() - started
    tail = (proc.stdout + proc.stderr).decode(errors="replace")[-3000:]
    readiness_file = report_dir / "readiness.json"
    readiness = json.loads(readiness_file.read_text()) if readiness_file.exists() else {}
    return FieldRun(
        name=name,
        exit_code=proc.returncode,
        verdict=readiness.get("verdict"),
        statuses=read_statuses(readiness),
        wall_s=wall,
        output_tail=tail,
    )


def _selected(session: pytest.Session) -> list[str]:
    """The integrations the selected tests compare (``-k sp_api_python`` runs only that one)."""
    corpus = {p.parent.name for p in FIELD.glob("*/ground_truth.toml")}
    names = {
        str(item.callspec.params["name"])
        for item in session.items
        if isinstance(item, pytest.Function)
        and item.originalname == "test_acorn_agrees_with_ground_truth"
        and hasattr(item, "callspec")
    }
    # Other test modules parametrize a "name" too: only corpus folders are runs.
    return sorted(names & corpus, key=lambda name: (-WALL_S.get(name, 0), name))


@pytest.fixture(scope="session")
def field_run(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], FieldRun]:
    """``field_run(name)``: install and run ACORN on every selected corpus folder once per
    session (``JOBS`` at a time), then hand out each integration's run."""
    runs = _RUNS
    failures: dict[str, str] = {}

    def run_all() -> None:
        names = _selected(request.session)
        ready = []
        for name in names:
            try:
                install(FIELD / name)
                ready.append(name)
            except ToolchainMissing as exc:
                failures[name] = str(exc)
        dirs = {name: tmp_path_factory.mktemp(f"field-{name}") for name in ready}
        with ThreadPoolExecutor(max_workers=JOBS) as pool:
            done = {name: pool.submit(_run_one, name, dirs[name]) for name in ready}
            for name, future in done.items():
                runs[name] = future.result()
                print(
                    f"\nacorn run {name}: exit {runs[name].exit_code}, verdict "
                    f"{runs[name].verdict}, {runs[name].wall_s:.0f}s wall"
                )

    def get(name: str) -> FieldRun:
        if not runs and not failures:
            run_all()
        if name in failures:
            _unavailable(failures[name])
        if name not in runs:
            _unavailable(f"{name} has no ground_truth.toml")
        return runs[name]

    return get


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The row x integration table, as in tests/field/README.md, with today's statuses."""
    if not TABLE:
        return
    agree = sum(1 for *_rest, expect, got in TABLE if expect == got)
    terminalreporter.write_sep("-", f"field corpus: ACORN agrees on {agree} of {len(TABLE)} rows")
    terminalreporter.write_line("| integration | check | behaviour | expected | ACORN |")
    terminalreporter.write_line("|---|---|---|---|---|")
    for name, check, behaviour, expect, got in TABLE:
        mark = "" if expect == got else " (differs)"
        terminalreporter.write_line(f"| {name} | {check} | {behaviour} | {expect} | {got}{mark} |")
    for run in _RUNS.values():
        terminalreporter.write_line(
            f"acorn run {run.name}: exit {run.exit_code}, verdict {run.verdict}, "
            f"{run.wall_s:.0f} s wall"
        )
