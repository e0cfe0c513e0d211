"""Run purpose-built clients against the simulator and turn the journal into an Observation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clients.mini_connector import Behaviour, MiniConnector
from harness.checks import Check, CheckResult, Observation
from harness.drive.base import ActionOutcome
from harness.plugin import canaries_of
from harness.sim import Simulator


class Rehearsal:
    """One client in one scenario: actions timed on the simulator's clock, then judged."""

    def __init__(self, sim: Simulator, behaviour: Behaviour | None = None) -> None:
        creds = sim.core.credentials
        self.sim = sim
        self.client = MiniConnector(
            token_url=sim.endpoints.lwa_token_url,
            endpoints={k: str(v) for k, v in sim.endpoints.regions.items()},
            client_id=creds.client_id,
            client_secret=creds.client_secret,
            refresh_token=creds.refresh_token,
            behaviour=behaviour,
        )
        self.outcomes: list[ActionOutcome] = []
        self.windows: list[tuple[float, float]] = []

    def act(self, name: str, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        start = self.sim.core.clock.wall_elapsed()
        result = run()
        self.windows.append((start, self.sim.core.clock.wall_elapsed()))
        self.outcomes.append(
            ActionOutcome(name, {}, "ok" if result["ok"] else "failed", result=result)
        )
        return result

    def sync(self, regions: dict[str, str], **options: Any) -> dict[str, Any]:
        return self.act("sync", lambda: self.client.sync(regions, **options))

    def judge(self, check: Check) -> CheckResult:
        self.client.close()
        observation = Observation(
            scenario="rehearsal",
            exchanges=self.sim.journal.all(),
            outcomes=self.outcomes,
            output={"client log": "\n".join(self.client.log)},
            canaries=canaries_of(self.sim.core),
            action_windows=self.windows,
        )
        return check.evaluate(observation)
