"""The wheel a team installs carries everything a run needs (issue 15, "Package").

One build (``python -m build``: the sdist, then the wheel from it, as CI and PyPI do), one
fresh venv with only the wheel installed, then ``acorn`` run from a folder far from this
checkout: GO for the bundled reference, NO-GO for naive. The commands are the README's
("Installing ACORN in your own project"). About three minutes: one venv install (about 40 s),
one full run (about 80 s), one partial run.
"""

from __future__ import annotations

import json
import tarfile
import time
import zipfile
from pathlib import Path

import pytest
from wheel_venv import ROOT, Installed

pytestmark = pytest.mark.e2e


def readme_block(heading: str) -> list[str]:
    """The command lines of the first bash block under ``heading`` in README.md."""
    text = (ROOT / "README.md").read_text()
    section = text.split(f"## {heading}\n", 1)[1]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    return [ln.split("  #")[0].strip() for ln in block.splitlines() if ln.strip()]


@pytest.fixture
def installed(installed_wheel: Installed) -> Installed:
    return installed_wheel


def test_the_readme_installs_from_the_wheel() -> None:
    lines = readme_block("Installing ACORN in your own project")
    assert "python -m build" in lines
    assert "pip install dist/acorn_harness-*.whl" in lines
    assert 'acorn run --integration "$(acorn examples path reference)"' in lines


def test_wheel_and_sdist_carry_the_bundled_data(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    for needed in (
        "harness/_bundled/contracts/marketplaces.json",
        "harness/_bundled/contracts/models_commit.txt",
        "harness/_bundled/contracts/product-types/SHIRT/US.json",
        "harness/_bundled/scenarios/pytest.ini",
        "harness/_bundled/cassettes/reference-order-sync/cassette.yaml",
        "harness/_bundled/examples/reference/acorn.toml",
        "harness/_bundled/examples/naive/naive_connector.py",
        "harness/drive/action_schemas/sync_orders.result.json",
    ):
        assert needed in names, needed
    assert not [n for n in names if "__pycache__" in n or n.startswith("harness/_bundled/tests")]
    with tarfile.open(installed.sdist) as sdist:
        top = {m.name.split("/")[1] for m in sdist.getmembers() if m.name.count("/")}
    assert {"contracts", "scenarios", "cassettes", "examples", "harness"} <= top
    assert "reports" not in top


def test_the_installed_acorn_runs_from_any_folder(installed: Installed) -> None:
    version = installed.acorn("--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("acorn ")
    assert "selling-partner-api-models at " in version.stdout
    where = installed.acorn("examples", "path", "reference")
    assert where.returncode == 0, where.stderr
    reference = Path(where.stdout.strip())
    assert reference.is_relative_to(installed.venv), reference  # the wheel's copy, not ours
    assert not reference.is_relative_to(ROOT)


def test_reference_is_go_from_the_wheel(installed: Installed) -> None:
    started = time.monotonic()
    done = installed.acorn(
        "run", "--integration", installed.acorn("examples", "path", "reference").stdout.strip()
    )
    installed.timings["run reference"] = time.monotonic() - started
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads((installed.workdir / "reports" / "readiness.json").read_text())
    assert report["verdict"] == "GO"
    assert (installed.workdir / "reports" / "junit.xml").is_file()


def test_naive_is_no_go_from_the_wheel(installed: Installed) -> None:
    """Its auth scenarios are enough for NO-GO (the full verdict is tests/e2e/test_cli.py's)."""
    naive = installed.acorn("examples", "path", "naive").stdout.strip()
    started = time.monotonic()
    done = installed.acorn(
        "run", "--integration", naive, "--select", "auth", "--report-dir", "naive-report"
    )
    installed.timings["run naive (auth)"] = time.monotonic() - started
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads((installed.workdir / "naive-report" / "readiness.json").read_text())
    assert report["verdict"] == "NO-GO"
    failed = {c["id"] for c in report["checks"] if c["status"] == "failed"}
    assert {"AUTH-01", "AUTH-02"} & failed, failed
