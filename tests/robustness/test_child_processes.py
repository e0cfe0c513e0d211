"""No child process hangs ACORN or outlives its action (issue 13, point 3).

Both drivers, each with the children a real integration leaves behind: ``setsid`` (out of the
process group), ``nohup``, a plain background child, a child that holds stdout open, a
double-forked daemon, one that ignores SIGTERM, and an action that blocks on such a child.
Each action must end within ``action_timeout`` plus a few seconds, and afterwards no process
may carry the test's own marker variable (every process the integration started inherits it,
so this looks further than ACORN's own token does).
"""

from __future__ import annotations

import os
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.drive.base import ActionOutcome
from harness.drive.command import CommandDriver
from harness.drive.config import IntegrationSpec
from harness.drive.processes import TOKEN_VAR, end_processes, marked, snapshot
from harness.drive.python import PythonDriver

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the process walk reads /proc"
)

TIMEOUT = 3.0
SLACK = 4.0  # SIGTERM grace, the pipe drain and a loaded machine
MARK = "ACORN_TEST_CHILD_MARK"
OK = """echo '{"ok": true, "errors": []}'"""


def _survivors(mark: str) -> list[int]:
    needle = f"{MARK}={mark}".encode()
    found = []
    for pid in snapshot():
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            found.append(pid)
    return found


def _settled(mark: str, count: int, within: float = 5.0) -> list[int]:
    """The marked processes once there are ``count`` of them (or whatever is there at the end).

    A process that has just been started can show an empty environment for a moment: the
    kernel sets its new environment only after the exec its parent waited for, and a loaded
    machine can stretch that moment to tens of milliseconds.
    """
    deadline = time.monotonic() + within
    found = _survivors(mark)
    while len(found) != count and time.monotonic() < deadline:
        time.sleep(0.02)
        found = _survivors(mark)
    return found


@pytest.fixture
def mark() -> Iterator[str]:
    value = uuid.uuid4().hex
    yield value
    # Whatever the test asserted, it leaves nothing behind for the next one.
    for pid in _survivors(value):
        os.kill(pid, 9)


def _spec(tmp_path: Path, **kw: object) -> IntegrationSpec:
    base: dict[str, object] = {
        "name": "children",
        "version": "0",
        "root": tmp_path,
        "source": tmp_path / "acorn.toml",
        "action_timeout": TIMEOUT,
    }
    return IntegrationSpec(**{**base, **kw})  # type: ignore[arg-type]


def _timed(driver: CommandDriver | PythonDriver, args: dict[str, object]) -> ActionOutcome:
    started = time.monotonic()
    outcome = driver.act("sync_orders", args)
    elapsed = time.monotonic() - started
    assert elapsed < TIMEOUT + SLACK, f"{outcome.summary()} took {elapsed:.1f}s"
    return outcome


COMMANDS = {
    "setsid": (f"setsid sleep 60 & {OK}", "ok"),
    "nohup": (f"nohup sleep 500 & {OK}", "ok"),
    "background": (f"sleep 60 & {OK}", "ok"),
    "holds-stdout": (f"(sleep 60; echo late) & {OK}", "ok"),
    "holds-stderr-setsid": (f"setsid sh -c 'sleep 60; echo late >&2' & {OK}", "ok"),
    "double-fork": (f"setsid sh -c 'sleep 60 & exit 0' & {OK}", "ok"),
    "ignores-sigterm": (f"sh -c 'trap \"\" TERM; sleep 60' & {OK}", "ok"),
    "drops-token-in-session": (f"env -u {TOKEN_VAR} sleep 60 & {OK}", "ok"),
    "hangs-with-setsid-child": ("setsid sleep 60 & sleep 60", "timeout"),
    "hangs-with-nohup-child": ("nohup sleep 500 & sleep 60", "timeout"),
    "hangs-itself": ("sleep 60", "timeout"),
}


@pytest.mark.parametrize("case", sorted(COMMANDS))
def test_command_driver_ends_every_child(tmp_path: Path, mark: str, case: str) -> None:
    command, expected = COMMANDS[case]
    driver = CommandDriver(_spec(tmp_path, driver="command", commands={"sync_orders": command}))
    driver.start({MARK: mark})
    outcome = _timed(driver, {})
    assert outcome.status == expected, outcome.summary()
    driver.stop()
    assert _survivors(mark) == []


ADAPTER = textwrap.dedent(
    """
    import os, subprocess, time

    class Adapter:
        def __init__(self):
            # A helper started with the adapter lives until the worker stops.
            self.helper = subprocess.Popen(["sleep", "120"])

        def helper_alive(self, args):
            return {"ok": self.helper.poll() is None, "errors": []}

        def sync_orders(self, args):
            mode = args["mode"]
            if mode == "setsid":
                subprocess.Popen("setsid sleep 60 &", shell=True)
            elif mode == "nohup":
                os.system("nohup sleep 500 &")
            elif mode == "background":
                subprocess.Popen(["sleep", "60"])
            elif mode == "holds-stdout":
                subprocess.Popen(["sh", "-c", "sleep 60; echo late"])
            elif mode == "double-fork":
                os.system("setsid sh -c 'sleep 60 & exit 0' &")
            elif mode == "blocks-on-setsid-child":
                subprocess.run("setsid sleep 700", shell=True, capture_output=True)
            elif mode == "hangs":
                time.sleep(60)
            elif mode == "crashes-after-setsid":
                subprocess.Popen("setsid sleep 60 &", shell=True).wait()
                os._exit(1)
            elif mode == "dies-after-answering":
                import threading
                threading.Timer(0.2, os._exit, (0,)).start()
            return {"ok": True, "errors": []}
    """
)


@pytest.fixture
def python_driver(tmp_path: Path, mark: str) -> Iterator[PythonDriver]:
    (tmp_path / "child_adapter.py").write_text(ADAPTER)
    driver = PythonDriver(_spec(tmp_path, driver="python", adapter="child_adapter:Adapter"))
    driver.start({MARK: mark})
    yield driver
    driver.stop()


PYTHON_CASES = {
    "setsid": "ok",
    "nohup": "ok",
    "background": "ok",
    "holds-stdout": "ok",
    "double-fork": "ok",
    "blocks-on-setsid-child": "timeout",
    "hangs": "timeout",
    "crashes-after-setsid": "crashed",
}


@pytest.mark.parametrize("case", sorted(PYTHON_CASES))
def test_python_driver_ends_every_child_of_an_action(
    python_driver: PythonDriver, mark: str, case: str
) -> None:
    assert python_driver._proc is not None
    worker = python_driver._proc.pid
    outcome = _timed(python_driver, {"mode": case})
    assert outcome.status == PYTHON_CASES[case], outcome.summary()
    left = set(_survivors(mark))
    if outcome.status == "ok":
        # The worker and its constructor's helper stay; nothing the action started does.
        assert worker in left
        assert len(left) == 2, f"left running: {sorted(left)}"
        assert python_driver.act("helper_alive", {}).status == "ok"
    else:
        assert left == set()  # a timeout ends the worker and everything it started
    python_driver.stop()
    assert _survivors(mark) == []


def test_a_worker_that_died_between_actions_takes_its_helpers(
    python_driver: PythonDriver, mark: str
) -> None:
    assert python_driver.act("sync_orders", {"mode": "dies-after-answering"}).status == "ok"
    time.sleep(1.0)  # the worker is gone; its constructor's helper is not, yet
    assert len(_survivors(mark)) == 1
    assert python_driver.act("helper_alive", {}).status == "ok"  # a new worker, a new helper
    assert len(_settled(mark, 2)) == 2
    python_driver.stop()
    assert _survivors(mark) == []


def test_a_worker_left_alone_takes_its_helpers_with_it(
    python_driver: PythonDriver, mark: str
) -> None:
    """ACORN dies without stopping the driver: the worker sees EOF and ends its helpers."""
    proc = python_driver._proc
    assert proc is not None
    assert proc.stdin is not None
    assert len(_settled(mark, 2)) == 2
    proc.stdin.close()
    deadline = time.monotonic() + 10
    while _survivors(mark) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _survivors(mark) == []


def test_a_stopped_python_driver_leaves_nothing(python_driver: PythonDriver, mark: str) -> None:
    assert python_driver.act("sync_orders", {"mode": "none"}).status == "ok"
    assert len(_settled(mark, 2)) == 2  # the worker and its helper
    started = time.monotonic()
    python_driver.stop()
    assert time.monotonic() - started < 5 + SLACK
    assert _survivors(mark) == []


def test_end_processes_finds_a_setsid_orphan_by_its_token(mark: str) -> None:
    """The /proc walk itself: an orphan outside the session is found by its token alone."""
    import subprocess

    token = uuid.uuid4().hex
    env = {**os.environ, TOKEN_VAR: token, MARK: mark}
    subprocess.run("setsid sleep 60 &", shell=True, env=env, check=True)
    deadline = time.monotonic() + 5
    while not marked(token) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(marked(token)) == 1
    assert end_processes([token]) == 1
    assert marked(token) == []
    assert _survivors(mark) == []


def test_acorn_record_run_is_not_held_by_what_its_command_leaves(tmp_path: Path, mark: str) -> None:
    """``acorn record --run``: the run is over when the command exits, leftovers end too."""
    import subprocess

    command = f"setsid sleep 60 & nohup sleep 500 & (sleep 60; echo late) & {OK}"
    args = ["record", "--cassette", "c", "--cassettes-dir", str(tmp_path)]
    args += ["--upstream", "http://127.0.0.1:9", "--run", command]
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, MARK: mark},
        check=False,
    )
    assert time.monotonic() - started < 20, done.stderr
    assert done.returncode == 1, done.stderr  # nothing reached the proxy, so nothing recorded
    assert "nothing was recorded" in done.stderr
    assert _survivors(mark) == []


def test_a_worker_that_stops_reading_cannot_block_the_request() -> None:
    """The request to the worker is written against the action's deadline, not forever."""
    from harness.drive.python import _write_within

    read, write = os.pipe()
    try:
        started = time.monotonic()
        assert _write_within(write, b"x" * 1_000_000, started + 0.5) is False
        assert time.monotonic() - started < 2
        assert _write_within(write, b"", started) is True
    finally:
        os.close(read)
        os.close(write)
