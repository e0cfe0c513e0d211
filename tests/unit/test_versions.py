"""The reproducibility block: run ids, git commits that never fail a run, the versions dict."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.report.versions import git_commit, new_run_id, run_versions

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(repo: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "HOME": str(repo),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q")
    (tmp_path / "adapter.py").write_text("x = 1\n")
    _git(tmp_path, "add", "adapter.py")
    _git(tmp_path, "commit", "-q", "-m", "first")
    return tmp_path


def test_run_ids_are_unique_and_sortable_by_time() -> None:
    ids = {new_run_id() for _ in range(200)}

    assert len(ids) == 200
    assert all(re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{8}", i) for i in ids)


@needs_git
def test_the_commit_of_a_checkout_and_of_a_folder_inside_it(repo: Path) -> None:
    head = _git(repo, "rev-parse", "HEAD")
    (repo / "sub").mkdir()

    assert git_commit(repo) == head
    assert git_commit(repo / "sub") == head
    assert git_commit(repo / "adapter.py") == head  # an integration TOML file: its folder


@needs_git
def test_uncommitted_changes_are_not_passed_off_as_the_commit(repo: Path) -> None:
    (repo / "adapter.py").write_text("x = 2\n")

    assert git_commit(repo) == _git(repo, "rev-parse", "HEAD") + "+dirty"


def test_no_checkout_no_git_or_no_folder_gives_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))

    assert git_commit(tmp_path) is None
    assert git_commit(tmp_path / "missing") is None
    assert git_commit(None) is None
    monkeypatch.setenv("PATH", str(tmp_path))  # no git executable at all
    assert git_commit(tmp_path) is None


def test_a_hung_git_gives_none_within_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def hang(*args: object, **kwargs: object) -> None:
        raise subprocess.TimeoutExpired(cmd="git", timeout=5)

    monkeypatch.setattr(subprocess, "run", hang)

    assert git_commit(tmp_path) is None


@needs_git
def test_the_versions_block_names_everything_a_rerun_needs(
    repo: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = tmp_path_factory.mktemp("models")
    monkeypatch.setenv("ACORN_MODELS_DIR", str(models))
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(models.parent))

    versions = run_versions(
        {"name": "shop", "version": "2.1", "path": str(repo)}, harness_version="0.1.0", seed=7
    )

    assert versions["acorn"] == "0.1.0"
    assert versions["integration"] == {
        "name": "shop",
        "version": "2.1",
        "commit": _git(repo, "rev-parse", "HEAD"),
    }
    assert versions["amazon_models"] == {"dir": str(models), "commit": None}
    assert versions["seed"] == 7
    assert re.fullmatch(r"3\.\d+\.\d+.*", versions["python"])
    assert versions["os"]


def test_without_models_dir_the_models_commit_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACORN_MODELS_DIR", raising=False)

    versions = run_versions({"name": "x"}, harness_version="0.1.0")

    assert versions["amazon_models"] == {"dir": None, "commit": None}
    assert versions["integration"]["commit"] is None
