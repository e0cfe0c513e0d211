"""The Python adapter driver: ``module:object`` in a worker process of its own.

The worker lives across actions, in a session of its own, marked with a worker token; each
action also gets a token, which the worker puts in its environment while the action runs.
When an action ends, every process carrying that action's token is ended (what an action
starts does not outlive it); when the worker is stopped or killed (timeout, crash, end of
run), its whole session, its descendants and everything with its token go too
(harness.drive.processes). Helpers the adapter starts in its constructor live until then.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import select
import subprocess
import sys
import threading
import time
from typing import IO, Any

from harness.contracts.swagger_json import JsonInputError, loads_bounded
from harness.drive.base import ActionOutcome, OutcomeStatus, OutputCapture, harness_path_env
from harness.drive.config import IntegrationSpec
from harness.drive.processes import TOKEN_VAR, end_processes, has_exited, new_token
from harness.drive.results import RESULT_DEPTH, check_result
from harness.errors import DriverError

__all__ = ["PythonDriver"]

_START_TIMEOUT = 30.0
_PIPE_BUF = 512


class PythonDriver:
    def __init__(self, spec: IntegrationSpec) -> None:
        self.spec = spec
        self.capture = OutputCapture()
        self._proc: subprocess.Popen[bytes] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._env: dict[str, str] = {}
        self._threads: list[threading.Thread] = []
        self._token: str | None = None
        """The worker's token: every process it (or its adapter's constructor) starts has it."""

    def start(self, env: dict[str, str]) -> None:
        self._env = env
        self._spawn()

    def _spawn(self) -> None:
        assert self.spec.adapter is not None
        self._lines = queue.Queue()
        self._token = new_token()
        env = harness_path_env(self.spec.integration_env(self._env), self.spec.root)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "harness.drive.worker", self.spec.adapter],
            cwd=self.spec.root,
            env={**env, TOKEN_VAR: self._token},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        assert self._proc.stdout is not None
        assert self._proc.stderr is not None
        reader = threading.Thread(target=self._read, args=(self._proc.stdout,), daemon=True)
        reader.start()
        self._threads = [self.capture.pump(self._proc.stderr), reader]
        message = self._next(_START_TIMEOUT)
        if message is None or message.get("type") != "ready":
            self._kill()
            reason = (message or {}).get("error") or "it exited or stayed silent while starting"
            raise DriverError(
                f"integration {self.spec.name!r} could not start its adapter "
                f"{self.spec.adapter!r}: {reason}",
                where=str(self.spec.source),
                fix="check that the module is importable from the integration folder and that "
                "the object can be created with no arguments",
            )

    def _read(self, stream: IO[bytes]) -> None:
        lines = self._lines
        for raw in iter(stream.readline, b""):
            lines.put(raw.decode("utf-8", errors="replace"))
        lines.put(None)

    def _next(self, timeout: float) -> dict[str, Any] | None:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            return {"type": "timeout"}
        if line is None:
            return None
        try:
            parsed: dict[str, Any] = loads_bounded(line, RESULT_DEPTH + 4)
        except JsonInputError as exc:
            return {"type": "bad_result", "error": exc.message, "result_type": "deep JSON"}
        return parsed

    def act(self, action: str, args: dict[str, Any]) -> ActionOutcome:
        if self._proc is not None and has_exited(self._proc):
            self._kill()  # died between actions: what it started goes with it
        if self._proc is None:
            self._spawn()
        assert self._proc is not None
        assert self._proc.stdin is not None
        started = time.monotonic()
        token = new_token()
        request = {"action": action, "args": args, "token": token}
        deadline = started + self.spec.action_timeout
        sent = _write_within(
            self._proc.stdin.fileno(), (json.dumps(request) + "\n").encode(), deadline
        )
        message = self._next(max(0.0, deadline - time.monotonic())) if sent else {"type": "timeout"}
        elapsed = time.monotonic() - started
        # The action is over, whatever it answered: what it started ends with it.
        end_processes([token], keep={self._proc.pid})
        if message is None:
            code = self._kill(extra=token)
            return ActionOutcome(
                action,
                args,
                "crashed",
                error=f"the worker exited with {code}",
                duration_s=elapsed,
                exit_code=code,
            )
        kind = message["type"]
        if kind == "timeout":
            self._kill(extra=token)
            return ActionOutcome(
                action,
                args,
                "timeout",
                duration_s=elapsed,
                error=f"no answer within {self.spec.action_timeout:g}s; the integration and "
                "every process it started were stopped",
            )
        if kind == "raised":
            return ActionOutcome(action, args, "raised", error=message["error"], duration_s=elapsed)
        if kind == "unsupported":
            return ActionOutcome(
                action,
                args,
                "unsupported",
                duration_s=elapsed,
                error=f"the adapter has no method {action!r}",
            )
        if kind == "bad_result":
            raise DriverError(
                f"the {action!r} action of integration {self.spec.name!r} returned a "
                f"{message['result_type']} that is not JSON-serialisable ({message['error']})",
                where=str(self.spec.source),
                fix="return a dict of JSON types (str, number, bool, None, list, dict)",
            )
        result = check_result(self.spec, action, message["result"])
        status: OutcomeStatus = "ok" if result["ok"] else "failed"
        return ActionOutcome(action, args, status, result=result, duration_s=elapsed)

    def _kill(self, extra: str | None = None) -> int | None:
        """End the worker and everything it started; return its exit code (None: unknown).

        SIGTERM then SIGKILL to its session, its descendants and every process with its (or
        the current action's) token, before the worker is reaped, so its pid still names its
        session. Every wait is bounded.
        """
        proc = self._proc
        if proc is None:
            return None
        end_processes([self._token, extra], proc.pid)
        code: int | None = None
        try:
            code = proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = proc.wait(timeout=5)
        self._release()
        return code

    def stop(self) -> None:
        proc = self._proc
        if proc is None:
            return
        assert proc.stdin is not None
        # A worker whose stdin closes runs the adapter's close() and exits by itself; give
        # it that chance, then end whatever is left of it either way.
        with contextlib.suppress(OSError):
            proc.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            _exit_within(proc, 5.0)
        self._kill()

    def _release(self) -> None:
        """Let the reader threads drain to EOF, then close the worker's pipes ourselves.

        Left to the garbage collector, the pipes surface as ResourceWarnings in whatever test
        or scenario happens to run next.
        """
        proc, self._proc = self._proc, None
        for thread in self._threads:
            thread.join(timeout=2)
        self._threads = []
        if proc is not None:
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()


def _exit_within(proc: subprocess.Popen[bytes], seconds: float) -> None:
    """Wait (without reaping) until ``proc`` exits; TimeoutExpired after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not has_exited(proc):
        if time.monotonic() > deadline:
            raise subprocess.TimeoutExpired(str(proc.pid), seconds)
        time.sleep(0.02)


def _write_within(fd: int, data: bytes, deadline: float) -> bool:
    """Write ``data`` to the worker's stdin by ``deadline`` (False: it stopped reading).

    A worker that does not read (its adapter took stdin, or it is stuck) must not block
    ACORN on a full pipe: each write is at most PIPE_BUF bytes, only once select() says
    the pipe has room. A worker that is gone (broken pipe) counts as written: its exit is
    what the next read reports.
    """
    view = memoryview(data)
    while view:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([], [fd], [], remaining)[1]:
            return False
        try:
            view = view[os.write(fd, view[:_PIPE_BUF]) :]
        except BrokenPipeError:
            return True
    return True
