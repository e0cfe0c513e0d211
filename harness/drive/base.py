"""What every driver offers, and what one action produced."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, Protocol

from harness.drive.config import IntegrationSpec

__all__ = ["ActionOutcome", "Driver", "OutcomeStatus", "OutputCapture", "harness_path_env"]

OutcomeStatus = Literal["ok", "failed", "raised", "timeout", "crashed", "unsupported"]


@dataclass
class ActionOutcome:
    """One action's outcome. ``failed`` = the integration said ok false; the others are worse."""

    action: str
    args: dict[str, Any]
    status: OutcomeStatus
    result: dict[str, Any] | None = None
    error: str | None = None
    duration_s: float = 0.0
    exit_code: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def summary(self) -> str:
        text = f"{self.action}: {self.status} in {self.duration_s:.2f}s"
        said = self.error or self.first_reported_error()
        if said:
            text += f" ({said.splitlines()[0][:200]})"
        return text

    def first_reported_error(self) -> str | None:
        """The first entry of the result's ``errors``, so evidence of a failed action names
        what the integration said went wrong (operation, status, message), not only that it
        failed."""
        errors = (self.result or {}).get("errors")
        if not isinstance(errors, list) or not errors:
            return None
        first = errors[0]
        if not isinstance(first, dict):
            return str(first) or None
        parts = [str(first[k]) for k in ("operation", "status", "message") if first.get(k)]
        return " ".join(parts) or None


class Driver(Protocol):
    spec: IntegrationSpec
    capture: OutputCapture

    def start(self, env: dict[str, str]) -> None: ...

    def act(self, action: str, args: dict[str, Any]) -> ActionOutcome: ...

    def stop(self) -> None: ...


@dataclass
class OutputCapture:
    """Everything the integration wrote to stdout/stderr, kept for the output scan."""

    chunks: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, text: str) -> None:
        with self._lock:
            self.chunks.append(text)

    def text(self) -> str:
        with self._lock:
            return "".join(self.chunks)

    def pump(self, stream: IO[bytes]) -> threading.Thread:
        def run() -> None:
            for raw in iter(stream.readline, b""):
                self.add(raw.decode("utf-8", errors="replace"))

        thread = threading.Thread(target=run, daemon=True, name="acorn-capture")
        thread.start()
        return thread


def harness_path_env(base: dict[str, str], root: Path) -> dict[str, str]:
    """The environment an integration's process gets: the one ``acorn`` was started with, PATH
    unchanged (so ``python``, ``node`` or ``./venv/bin/...`` in a command are the team's own,
    exactly as in their shell), plus ACORN's variables (``base``), the integration folder first
    on PYTHONPATH (so its modules import from any working directory) and PYTHONUNBUFFERED=1.
    ACORN's own interpreter runs only the python driver's worker (by its full path)."""
    env = {**os.environ, **base}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    return env
