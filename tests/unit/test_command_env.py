"""A command runs with the team's own PATH: `python` in a command is theirs, not ACORN's.

ACORN used to put its own interpreter's folder first on PATH, so `python -m my_connector` ran
in ACORN's venv, without the integration's dependencies. Now the command gets the PATH `acorn`
was started with, unchanged (examples/README.md, "The environment an integration gets").
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from harness.drive.command import CommandDriver
from harness.drive.config import IntegrationSpec

WHICH = (
    'printf \'{"ok": true, "errors": [], "python": "%s", "path": "%s", "pythonpath": "%s"}\' '
    '"$(command -v python)" "$PATH" "$PYTHONPATH"'
)


def _run(tmp_path: Path, command: str) -> dict[str, object]:
    spec = IntegrationSpec(
        name="env",
        version="0",
        driver="command",
        root=tmp_path,
        source=tmp_path / "acorn.toml",
        commands={"sync_orders": command},
        action_timeout=30,
    )
    driver = CommandDriver(spec)
    driver.start({"ACORN_SELLER_ID": "A1"})
    outcome = driver.act("sync_orders", {})
    assert outcome.status == "ok", outcome.summary()
    assert outcome.result is not None
    return outcome.result


def test_python_in_a_command_is_the_first_on_the_users_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = tmp_path / "team-venv" / "bin"
    team.mkdir(parents=True)
    (team / "python").write_text("#!/bin/sh\necho team\n")
    (team / "python").chmod(0o755)
    users_path = os.pathsep.join([str(team), "/usr/bin", "/bin"])
    monkeypatch.setenv("PATH", users_path)
    result = _run(tmp_path, WHICH)
    assert result["python"] == str(team / "python")
    assert result["path"] == users_path  # exactly as acorn was started, nothing put before it
    assert str(Path(sys.executable).parent) not in str(result["path"]).split(os.pathsep)
    assert str(result["pythonpath"]).split(os.pathsep)[0] == str(tmp_path)


def test_without_python_on_the_users_path_acorns_interpreter_is_not_slipped_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    (empty / "sh").symlink_to("/bin/sh")
    monkeypatch.setenv("PATH", str(empty))
    command = (
        "if command -v python >/dev/null; then p=$(command -v python); else p=none; fi; "
        '/usr/bin/printf \'{"ok": true, "python": "%s"}\' "$p"'
    )
    assert _run(tmp_path, command)["python"] == "none"
