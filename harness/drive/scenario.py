"""One scenario: a fresh simulated world, the integration started against it, its actions."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any

from harness.drive import driver_for
from harness.drive.base import ActionOutcome, Driver
from harness.drive.config import IntegrationSpec
from harness.errors import OutOfScope
from harness.sim import SimConfig, Simulator
from harness.sim.journal import Exchange

__all__ = ["ScenarioRun"]


class ScenarioRun:
    """Use as a context manager; the integration is stopped on exit, whatever happened."""

    def __init__(
        self,
        sim: Simulator,
        spec: IntegrationSpec,
        name: str,
        config: SimConfig | None = None,
        *,
        work_dir: Path,
        needs: tuple[str, ...] = (),
        action_timeout: float | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.sim = sim
        # A scenario may cap how long its actions take (one whose calls are never answered
        # must not wait the integration's full timeout); it never lengthens it.
        if action_timeout is not None and action_timeout < spec.action_timeout:
            spec = replace(spec, action_timeout=action_timeout)
        self.spec = spec
        self.env_overrides = dict(env or {})
        """Values of ACORN's variables this scenario replaces (e.g. a region endpoint that
        refuses connections)."""
        self.name = name
        self.config = config or SimConfig()
        if spec.app_roles is not None and self.config.app_roles is None:
            # The app's roles are the team's to declare; a scenario that sets its own (to
            # rehearse a missing role) keeps them.
            self.config = replace(self.config, app_roles=spec.app_roles)
        self.needs = needs
        """The actions without which this scenario proves nothing (checked before it starts)."""
        self.outcomes: list[ActionOutcome] = []
        self.action_windows: list[tuple[float, float]] = []
        """(start, end) of each action on the simulator's wall clock, aligned with outcomes."""
        self.log_file = work_dir / f"{name}.integration.log"
        self._driver: Driver | None = None
        self._exchanges: list[Exchange] | None = None

    def __enter__(self) -> ScenarioRun:
        missing = self.spec.scope.missing(self.needs)
        if missing:
            raise OutOfScope(self.name, missing, self.spec.scope.describe())
        self.sim.reset(self.config)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self.log_file.write_text("")
        self._driver = driver_for(self.spec)
        env = {**self.sim.env(), "ACORN_LOG_FILE": str(self.log_file), **self.env_overrides}
        if self.config.faults is not None:
            # Fault scenarios ask for a short read timeout so a held connection costs seconds.
            env["ACORN_READ_TIMEOUT"] = str(self.config.faults.client_timeout)
        self._driver.start(env)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._driver is not None:
            self._driver.stop()
        self._exchanges = self.sim.journal.all()

    def in_scope(self, action: str) -> bool:
        """Whether the integration declares ``action`` (optional steps of a scenario ask)."""
        return self.spec.scope.covers(action)

    def act(self, action: str, **args: Any) -> ActionOutcome:
        assert self._driver is not None, "act() is only available inside the with-block"
        if not self.spec.scope.covers(action):
            # A scenario that did not declare this action in ``needs``: its checks cannot be
            # judged on this integration, which is a scope fact, not a failure.
            raise OutOfScope(self.name, [action], self.spec.scope.describe())
        started = self.sim.core.clock.wall_elapsed()
        outcome = self._driver.act(action, args)
        self.action_windows.append((started, self.sim.core.clock.wall_elapsed()))
        self.outcomes.append(outcome)
        return outcome

    def wait(self, seconds: float) -> None:
        """Let wall time pass (the integration's own clock moves too)."""
        time.sleep(seconds)

    def lower_rate(self, operation: str, rate: float, burst: int | None = None) -> None:
        """Amazon lowers this seller's plan for ``operation`` from now on (a dynamic plan);
        the x-amzn-RateLimit-Limit header announces the new rate on the next answers."""
        self.sim.core.change_plan(operation, rate, burst)

    def revoke_refresh_token(self) -> None:
        """The seller revokes the app (or its yearly authorization lapses): LWA now answers
        invalid_grant to the refresh token the integration holds."""
        self.sim.core.revoke_refresh_token()

    def rotate_client_secret(self) -> None:
        """The client secret is rotated (or its 180 days ran out) without the integration
        being updated: LWA now answers invalid_client to the secret it holds."""
        self.sim.core.rotate_client_secret()

    def lwa_outage(self, status: int = 503, requests: int | None = None) -> None:
        """LWA answers 500 server_error / 503 temporarily_unavailable to the next
        ``requests`` token requests (None: until :meth:`end_lwa_outage`)."""
        self.sim.core.lwa_outage(status, requests)

    def end_lwa_outage(self) -> None:
        self.sim.core.end_lwa_outage()

    def invalidate_tokens(self) -> None:
        """Amazon stops accepting issued tokens before their announced expiry."""
        self.sim.core.tokens.expire_all()

    @property
    def exchanges(self) -> list[Exchange]:
        return self._exchanges if self._exchanges is not None else self.sim.journal.all()

    @property
    def integration_outputs(self) -> dict[str, str]:
        """What the integration wrote, by source: captured stdout/stderr and its log file."""
        captured = self._driver.capture.text() if self._driver else ""
        log = self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
        return {"stdout/stderr": captured, "log file": log}

    @property
    def integration_output(self) -> str:
        """Everything the integration wrote, as one text (captured output, then its log)."""
        return "".join(self.integration_outputs.values())
