"""The command driver: one shell command per action, JSON on stdin and stdout. Any language.

The action is over when the command exits (or its timeout passes): what it printed by then is
its result, and every process it left behind is ended (harness.drive.processes).
"""

from __future__ import annotations

import json
import time
from typing import Any

from harness.drive.base import ActionOutcome, OutcomeStatus, OutputCapture, harness_path_env
from harness.drive.config import IntegrationSpec
from harness.drive.processes import run_isolated
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
        # Its own session and action token: whatever the command leaves running (``cmd &``,
        # nohup, setsid) is ended when it exits or times out, and cannot hold the run.
        done = run_isolated(
            command,
            payload=json.dumps(args).encode(),
            env=self._env,
            cwd=self.spec.root,
            timeout=self.spec.action_timeout,
        )
        out, err = done.stdout, done.stderr
        if done.late:  # not the result, but still the integration's output: scanned
            self.capture.add(done.late.decode(errors="replace"))
        if done.timed_out:
            self.capture.add(out.decode(errors="replace") + err.decode(errors="replace"))
            return ActionOutcome(
                action,
                args,
                "timeout",
                duration_s=time.monotonic() - started,
                error=f"no answer within {self.spec.action_timeout:g}s; the command and every "
                "process it started were stopped",
            )
        elapsed = time.monotonic() - started
        stdout, stderr = out.decode(errors="replace"), err.decode(errors="replace")
        # stdout is the action's result (orders with ship-to addresses, by design); the output
        # scan for leaked PII and secrets judges the integration's own logging: stderr.
        self.capture.add(stderr)
        if done.code in _NOT_FOUND and not stdout.strip():
            raise DriverError(
                f"the command for {action!r} could not be run (exit {done.code}): "
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
                exit_code=done.code,
                error=f"exit {done.code} with no result; stderr: {stderr.strip()[-300:]}",
            )
        result = parse_result(self.spec, action, stdout)
        status: OutcomeStatus = "ok" if result["ok"] and done.code == 0 else "failed"
        return ActionOutcome(
            action, args, status, result=result, duration_s=elapsed, exit_code=done.code
        )

    def stop(self) -> None:
        return None
