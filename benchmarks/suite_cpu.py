"""Where the test suite's time and CPU go, by module: a pytest plugin and its summary.

Record (each xdist worker appends one JSON line per test to a file of its own)::

    PYTHONPATH=benchmarks ACORN_SUITE_CPU=/tmp/suite-cpu pytest -p suite_cpu

Summarise::

    python benchmarks/suite_cpu.py /tmp/suite-cpu

CPU is the process's own (the simulators the tests start in process) plus its finished
children's (``acorn run`` subprocesses, the integrations they start, Chromium, npm): most of the
suite is whole runs in subprocesses. Wall is per test, so modules on different workers overlap.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

_started: dict[str, tuple[float, float, float]] = {}


def _cpu() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def pytest_runtest_protocol(item: Any, nextitem: Any) -> None:
    own, children = _cpu()
    _started[item.nodeid] = (own, children, time.monotonic())


def pytest_runtest_logfinish(nodeid: str, location: Any) -> None:
    if nodeid not in _started:
        return
    own0, children0, wall0 = _started.pop(nodeid)
    own, children = _cpu()
    folder = Path(os.environ.get("ACORN_SUITE_CPU", "suite-cpu"))
    folder.mkdir(parents=True, exist_ok=True)
    line = {
        "id": nodeid,
        "own": own - own0,
        "children": children - children0,
        "wall": time.monotonic() - wall0,
    }
    with (folder / f"{os.getpid()}.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


def summary(folder: Path, top: int = 25) -> str:
    rows = [
        json.loads(line)
        for path in sorted(folder.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    if not rows:
        raise SystemExit(f"no records in {folder}: run pytest with -p suite_cpu first")
    by_module: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0])
    for row in rows:
        totals = by_module[row["id"].split("::", 1)[0]]
        totals[0] += row["own"]
        totals[1] += row["children"]
        totals[2] += row["wall"]
        totals[3] += 1
    own = sum(r["own"] for r in rows)
    children = sum(r["children"] for r in rows)
    wall = sum(r["wall"] for r in rows)
    lines = [
        f"{len(rows)} tests: CPU {own + children:.0f} s (own {own:.0f}, children "
        f"{children:.0f}), test wall summed {wall:.0f} s",
        "",
        "| module | tests | CPU s | wall s |",
        "|---|---:|---:|---:|",
    ]
    ranked = sorted(by_module.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))
    for module, (m_own, m_children, m_wall, count) in ranked[:top]:
        lines.append(f"| {module} | {count:.0f} | {m_own + m_children:.1f} | {m_wall:.1f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python benchmarks/suite_cpu.py FOLDER (what -p suite_cpu wrote)")
    print(summary(Path(sys.argv[1])))
