"""The command driver: one shell command per action, JSON on stdin and stdout. Any language."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from typing import Any

from harness.drive.base import ActionOutcome, OutcomeStatus, OutputCapture, harness_path_env
from harness.drive.config import IntegrationSpec
from harness.drive.results import parse_result
from harness.errors import DriverError

__all__ = ["CommandDriver"]

_NOT_FOUND = (126, 127)  # the shell could not run the command at all


class CommandDriver:
    def __init__(self, spec: IntegrationSpec) -> None:
        self.spec = spec
        self.capture = OutputCapture()
        self._env: dict[str, str] = {}

    def start(self, env: dict[str, str]) -> None:
        self._env = harness_path_env(self.spec.integration_env(env), self.spec.root)

    def act(self, action: str, args: dict[str, Any]) -> ActionOutcome:
        command = self.spec.commands.get(action)
        if command is None:
            return ActionOutcome(
                action,
                args,
                "unsupported",
                error=f"no command for {action!r} in [integration.commands]",
            )
        started = time.monotonic()
        proc = subprocess.Popen(
            command,
            shell=True,
            cwd=self.spec.root,
            env=self._env,
            start_new_session=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            out, err = proc.communicate(json.dumps(args).encode(), timeout=self.spec.action_timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            self.capture.add(out.decode(errors="replace") + err.decode(errors="replace"))
            return ActionOutcome(
                action,
                args,
                "timeout",
                duration_s=time.monotonic() - started,
                error=f"no answer within {self.spec.action_timeout:.0f}s; the command was killed",
            )
        elapsed = time.monotonic() - started
        stdout, stderr = out.decode(errors="replace"), err.decode(errors="replace")
        # stdout is the action's result (orders with ship-to addresses, by design); the output
        # scan for leaked PII and secrets judges the integration's own logging: stderr.
        self.capture.add(stderr)
        if proc.returncode in _NOT_FOUND and not stdout.strip():
            raise DriverError(
                f"the command for {action!r} could not be run (exit {proc.returncode}): "
                f"{stderr.strip()[:200]}",
                where=str(self.spec.source),
                fix=f"check integration.commands.{action}; it runs in {self.spec.root}",
            )
        if not stdout.strip():
            return ActionOutcome(
                action,
                args,
                "crashed",
                duration_s=elapsed,
                exit_code=proc.returncode,
                error=f"exit {proc.returncode} with no result; stderr: {stderr.strip()[-300:]}",
            )
        result = parse_result(self.spec, action, stdout)
        status: OutcomeStatus = "ok" if result["ok"] and proc.returncode == 0 else "failed"
        return ActionOutcome(
            action, args, status, result=result, duration_s=elapsed, exit_code=proc.returncode
        )

    def stop(self) -> None:
        return None
