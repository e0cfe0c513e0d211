"""One wheel build and one fresh venv per session, shared by the wheel and CI-template tests.

``python -m build`` (the sdist, then the wheel from it, as CI and PyPI do), then a venv with
only that wheel installed, and a team's folder far from this checkout to run ``acorn`` in.
The build and install are the slow part (about 50 s), so they happen once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Installed:
    venv: Path
    wheel: Path
    sdist: Path
    workdir: Path  # a team's folder: no checkout, no ACORN source anywhere near it
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        """The venv's bin first, as ``. venv/bin/activate`` does; nothing of this checkout."""
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        ours = str(Path(sys.executable).parent)
        rest = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != ours]
        env["PATH"] = os.pathsep.join([str(self.venv / "bin"), *rest])
        env["VIRTUAL_ENV"] = str(self.venv)
        return env

    def run(
        self, argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv,
            cwd=cwd or self.workdir,
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )

    def acorn(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run([str(self.venv / "bin" / "acorn"), *args])

    def timed(self, name: str, argv: list[str]) -> subprocess.CompletedProcess[str]:
        started = time.monotonic()
        done = self.run(argv, env=dict(os.environ))
        self.timings[name] = time.monotonic() - started
        assert done.returncode == 0, f"{name}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
        return done


@pytest.fixture(scope="session")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("wheel")
    dist, venv, workdir = base / "dist", base / "venv", base / "team"
    workdir.mkdir()
    setup = Installed(venv, dist, dist, workdir)
    setup.timings = {}
    setup.timed("build", [sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)])
    (setup.wheel,) = dist.glob("acorn_harness-*-py3-none-any.whl")
    (setup.sdist,) = dist.glob("acorn_harness-*.tar.gz")
    setup.timed("venv", [sys.executable, "-m", "venv", str(venv)])
    setup.timed("install", [str(venv / "bin" / "pip"), "install", "-q", str(setup.wheel)])
    yield setup
    print("\nwheel timings (s): " + ", ".join(f"{k} {v:.0f}" for k, v in setup.timings.items()))
