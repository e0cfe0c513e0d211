"""The CI templates in docs/ci run what they say, so they cannot rot (issue 15, "CI templates").

Each template is parsed (YAML), its commands are taken from it as written and run, in order,
under ``bash -e`` as both CI systems do, in a team's folder with the wheel installed in a fresh
venv (tests/e2e/wheel_venv.py): a GO run (the bundled reference, shipments only: seconds) leaves
every artifact the template keeps; a NO-GO run
fails the job and still leaves them. The pre-commit hook's entry is run on a clean and on a
leaking file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from wheel_venv import ROOT, Installed

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(75)]

GITHUB = ROOT / "docs" / "ci" / "github-actions.yml"
GITLAB = ROOT / "docs" / "ci" / "gitlab-ci.yml"


def _lines(script: str) -> list[str]:
    return [
        ln.strip() for ln in script.splitlines() if ln.strip() and not ln.strip().startswith("#")
    ]


def github() -> tuple[dict[str, str], list[str], list[str], dict[str, Any]]:
    """(env, commands, artifact paths, the upload step) of the workflow's one job."""
    (job,) = yaml.safe_load(GITHUB.read_text())["jobs"].values()
    commands = [c for step in job["steps"] if "run" in step for c in _lines(step["run"])]
    (upload,) = [s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/upload")]
    return dict(job["env"]), commands, _lines(upload["with"]["path"]), upload


def gitlab() -> tuple[dict[str, str], list[str], list[str], dict[str, Any]]:
    (job,) = [v for k, v in yaml.safe_load(GITLAB.read_text()).items() if not k.startswith(".")]
    return dict(job["variables"]), list(job["script"]), list(job["artifacts"]["paths"]), job


def test_both_templates_run_the_same_commands_and_keep_the_report_on_failure() -> None:
    gh_env, gh_commands, gh_paths, upload = github()
    gl_env, gl_commands, gl_paths, job = gitlab()
    assert gh_commands == gl_commands  # one command list to prove, in two CI syntaxes
    assert gh_env == gl_env
    assert gh_paths == gl_paths
    assert upload["if"] == "always()"  # kept when the readiness step failed the job
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["reports"]["junit"] in gl_paths
    assert any(c.startswith("python -m pip install") and "$ACORN_WHEEL" in c for c in gh_commands)
    kept = {Path(p).name for p in gh_paths}
    assert kept == {"readiness.md", "readiness.json", "junit.xml", "allure-results"}


def _shipments_only(team: Path, installed: Installed) -> Path:
    """The bundled reference (from the wheel) declared as shipments only: a run of seconds."""
    source = Path(installed.acorn("examples", "path", "reference").stdout.strip())
    folder = team / "reference-shipments"
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("__pycache__", "acorn*.toml"))
    text = (source / "acorn.toml").read_text()
    (folder / "acorn.toml").write_text(
        text.replace("[integration]\n", '[integration]\nscope = ["confirm_shipment"]\n', 1)
    )
    return folder


def _never_confirms(team: Path) -> Path:
    """An integration that says every shipment failed: its one check is not proven, NO-GO."""
    folder = team / "never-confirms"
    folder.mkdir()
    (folder / "acorn.toml").write_text(
        '[integration]\nname = "never-confirms"\ndriver = "command"\n'
        "[integration.commands]\n"
        """confirm_shipment = "echo '{\\"ok\\": false, \\"errors\\": []}'"\n"""
    )
    return folder


def _run_template(
    installed: Installed, integration: Path, cwd: Path
) -> subprocess.CompletedProcess[str]:
    env, commands, _, _ = github()
    script = "\n".join(commands)
    full = {**installed.env, **env, "ACORN_WHEEL": str(installed.wheel)}
    full["ACORN_INTEGRATION"] = str(integration)
    return installed.run(["bash", "-e", "-c", script], env=full, cwd=cwd)


def _kept(cwd: Path) -> list[Path]:
    _, _, paths, _ = github()
    return [cwd / p for p in paths]


def test_the_template_commands_pass_on_go_and_keep_the_artifacts(
    installed_wheel: Installed, tmp_path: Path
) -> None:
    integration = _shipments_only(tmp_path, installed_wheel)
    done = _run_template(installed_wheel, integration, tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "acorn " in done.stdout  # acorn --version
    assert "GO for shipments" in done.stdout
    for path in _kept(tmp_path):
        assert path.exists(), path
    assert any((tmp_path / "acorn-report" / "allure-results").iterdir())


def test_the_template_commands_fail_the_job_on_no_go(
    installed_wheel: Installed, tmp_path: Path
) -> None:
    integration = _never_confirms(tmp_path)
    done = _run_template(installed_wheel, integration, tmp_path)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "NO-GO" in done.stdout
    for path in _kept(tmp_path):
        assert path.exists(), path


def test_the_pre_commit_hook_runs_acorn_scan(tmp_path: Path) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "acorn-scan"
    assert hook["language"] == "python"  # pre-commit installs this package: `acorn` exists
    clean, leaking = tmp_path / "clean.yaml", tmp_path / "cassette.yaml"
    clean.write_text("interactions: []\n")
    leaking.write_text("token: " + "Atza" + "|IwEBI" + "x" * 40 + "\n")  # an LWA access token
    program, *args = hook["entry"].split()
    entry = [str(Path(sys.executable).parent / program), *args]  # this install's console script
    ok = subprocess.run([*entry, str(clean)], capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = subprocess.run(
        [*entry, str(clean), str(leaking)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    assert "cassette.yaml:1: LWA access token" in bad.stdout
