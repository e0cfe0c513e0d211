"""The wheel a team installs carries everything a run needs (issue 15, "Package").

One build (``python -m build``: the sdist, then the wheel from it, as CI and PyPI do), one
fresh venv with only the wheel installed, then ``acorn`` run from a folder far from this
checkout: GO for the bundled reference and NO-GO for naive (their auth scenarios, as the
README finds them: `acorn examples path`), and the whole suite GO on a team's folder made with
`acorn init` and filled with calls into the reference connector. The commands are the README's
("Installing ACORN in your own project"). About 2.5 minutes: the build and venv install
(about 50 s), one full run (about 85 s), two auth-only runs (about 30 s).
"""

from __future__ import annotations

import json
import re
import shutil
import tarfile
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from wheel_venv import ROOT, Installed

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(170)]


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


def _bundled_run(installed: Installed, example: str, report: str) -> dict[str, Any]:
    """``acorn run`` on a bundled example found as the README says, its auth scenarios only."""
    where = installed.acorn("examples", "path", example).stdout.strip()
    started = time.monotonic()
    done = installed.acorn(
        "run", "--integration", where, "--select", "auth", "--report-dir", report
    )
    installed.timings[f"run {example} (auth)"] = time.monotonic() - started
    report_file = installed.workdir / report / "readiness.json"
    assert report_file.is_file(), done.stdout[-3000:] + done.stderr[-3000:]
    return {"exit": done.returncode, **json.loads(report_file.read_text())}


def test_reference_is_go_from_the_wheel(installed: Installed) -> None:
    report = _bundled_run(installed, "reference", "reference-report")
    assert (report["exit"], report["verdict"]) == (0, "GO")


def test_naive_is_no_go_from_the_wheel(installed: Installed) -> None:
    report = _bundled_run(installed, "naive", "naive-report")
    assert (report["exit"], report["verdict"]) == (1, "NO-GO")
    failed = {c["id"] for c in report["checks"] if c["status"] == "failed"}
    assert {"AUTH-01", "AUTH-02"} & failed, failed


def _fill_with_the_reference_connector(folder: Path, reference: Path) -> None:
    """What a team does after ``acorn init``: each TODO becomes a call into its connector."""
    shutil.copytree(
        reference / "reference_connector",
        folder / "reference_connector",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    glue = folder / "acorn_glue.py"
    text = glue.read_text()
    text = text.replace(
        "pass  # TODO: create your client here, configured from the environment",
        "from reference_connector import Connector as Theirs\n\n        self.theirs = Theirs()",
    )
    text = re.sub(
        r'raise NotImplementedError\("TODO (\w+): [^"]*"\)', r"return self.theirs.\1(args)", text
    )
    text = text.replace("pass  # optional: close your client", "self.theirs.close()")
    assert "NotImplementedError" not in text
    assert "# TODO" not in text
    glue.write_text(text)


def test_init_filled_with_the_reference_connector_is_go_from_the_wheel(
    installed: Installed,
) -> None:
    """The whole suite from the wheel, on a team's folder: acorn init, fill, acorn run: GO."""
    team = installed.workdir / "team-connector"
    team.mkdir()
    init = installed.run([str(installed.venv / "bin" / "acorn"), "init"], cwd=team)
    assert init.returncode == 0, init.stderr
    reference = Path(installed.acorn("examples", "path", "reference").stdout.strip())
    _fill_with_the_reference_connector(team, reference)
    started = time.monotonic()
    # `--jobs 3`: the wheel must bring what parallel runs need (pytest-xdist) too.
    done = installed.run(
        [str(installed.venv / "bin" / "acorn"), "run", "--integration", ".", "--jobs", "3"],
        cwd=team,
    )
    installed.timings["run init + reference connector"] = time.monotonic() - started
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads((team / "reports" / "readiness.json").read_text())
    assert report["verdict"] == "GO"
    assert report["integration"]["name"] == "team-connector"
    assert report["scope"]["declared"] is True
    assert (team / "reports" / "junit.xml").is_file()
