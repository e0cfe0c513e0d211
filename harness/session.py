"""The ACORN session a scenario drives: the simulator (started once per pytest session), the
integration under test, and what the run gathers across scenarios (fidelity notes, uncovered
marketplaces, waivers). Kept apart from harness.plugin, which holds the pytest hooks and the
stash bookkeeping; ``harness.plugin.AcornSession`` still names this class.

Cheap to import, like the plugin: the simulator, drivers and checks load when a session or a
scenario is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from harness.checks import Canaries, Observation
    from harness.drive import IntegrationSpec
    from harness.drive.scenario import ScenarioRun
    from harness.sim import SimConfig, SimCore, Simulator

__all__ = ["AcornSession", "SessionFacts", "canaries_of"]


@dataclass
class SessionFacts:
    """What the report needs from a session once its scenarios ended, and nothing live.

    One process's AcornSession gives it (:meth:`AcornSession.facts`); a parallel run's
    controller merges one per worker (harness.parallel), so the report is written from the
    same facts either way. ``secrets`` and ``pii`` are the values the output scans look for:
    they stay in memory, handed between ACORN's own processes, and are never written."""

    spec: IntegrationSpec
    countries: dict[str, str] = field(default_factory=dict)
    """Marketplace id -> country code, for the report's scope."""
    contracts: dict[str, str] = field(default_factory=dict)
    fidelity: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    uncovered: dict[str, list[str]] = field(default_factory=dict)
    waivers: Any = None
    secrets: set[str] = field(default_factory=set)
    pii: set[str] = field(default_factory=set)

    def merge(self, other: SessionFacts) -> None:
        """Fold another worker's facts in: fidelity counts add up, the rest is a union."""
        for key, note in other.fidelity.items():
            if key in self.fidelity:
                self.fidelity[key]["count"] += note["count"]
            else:
                self.fidelity[key] = dict(note)
        self.uncovered.update(other.uncovered)
        self.secrets |= other.secrets
        self.pii |= other.pii
        self.countries = self.countries or other.countries
        self.contracts = self.contracts or other.contracts

    def scope(self) -> dict[str, Any]:
        """The report's scope block: declared actions, marketplaces, what was not covered."""
        countries = self.countries
        return {
            **self.spec.scope.to_dict(),
            "marketplaces": [countries.get(m, m) for m in self.spec.marketplaces],
            "uncovered": {
                name: [countries.get(m, m) for m in ids[:-1]] + ids[-1:]
                for name, ids in self.uncovered.items()
            },
        }


class AcornSession:
    """The simulator (started once per session) and the integration under test."""

    def __init__(self, spec: IntegrationSpec, work_dir: Path) -> None:
        from harness.drive.transport import SessionTransport

        self.spec = spec
        self.work_dir = work_dir
        self.transport = SessionTransport(spec.transport)  # type: ignore[arg-type]
        """plain, tls or intercept (harness.drive.transport); TLS-01 reads it."""
        self.sim: Simulator = self.transport.sim
        self._replays: dict[Path, Simulator] = {}
        self.fidelity: dict[tuple[str, str], dict[str, Any]] = {}
        """(code, subject) -> what the simulator accepted unverified, over every scenario."""
        self.uncovered: dict[str, list[str]] = {}
        """Scenario -> the seller's marketplaces it could not cover, with why (report)."""
        self.waivers: Any = None
        """The run's accepted risks (harness.report.waivers.WaiverSet), None without any."""

    def seller_marketplaces(self, default: Sequence[str]) -> list[str]:
        """The marketplaces acorn.toml declares, else the scenario's own ``default``."""
        return list(self.spec.marketplaces) or list(default)

    def covered_marketplaces(
        self, scenario: str, available: Sequence[str], *, why: str
    ) -> list[str]:
        """The seller's marketplaces among those a scenario has data for (``available``).

        Declared marketplaces it cannot cover are named in the report ("LST: no bundled
        product-type schema for PL, SE"), never silently dropped. With no declared
        marketplaces, or none covered, the scenario uses all it has."""
        declared = list(self.spec.marketplaces)
        covered = [m for m in declared if m in available]
        left_out = [m for m in declared if m not in available]
        if left_out:
            self.uncovered[scenario] = [*left_out, why]
        return covered or list(available)

    def scenario(
        self,
        name: str,
        config: SimConfig | None = None,
        *,
        needs: tuple[str, ...] = (),
        action_timeout: float | None = None,
        env: dict[str, str] | None = None,
    ) -> ScenarioRun:
        """A fresh world for scenario ``name``. ``needs``: the actions it cannot do without;
        when the integration's scope lacks one, the scenario's checks are not applicable.
        ``action_timeout`` caps the integration's own; ``env`` replaces ACORN variables."""
        from harness.drive.scenario import ScenarioRun

        return ScenarioRun(
            self.sim,
            self.spec,
            name,
            config,
            work_dir=self.work_dir,
            needs=needs,
            action_timeout=action_timeout,
            env=env,
        )

    def replay(self, name: str, cassette: str | Path) -> ScenarioRun:
        """A scenario whose SP-API and LWA answers come from a recorded cassette.

        ``cassette`` is a name under ``cassettes/`` or a path. The replay server is started
        on first use and kept for the session; requests it cannot match are answered with
        Amazon's "Could not match input arguments" 400 and listed in the journal facts.
        """
        from harness.cassettes.format import cassette_path, load
        from harness.drive.scenario import ScenarioRun
        from harness.paths import bundled
        from harness.sim.replay import replay_simulator

        path = cassette_path(str(cassette), bundled("cassettes"))
        server = self._replays.get(path)
        if server is None:
            server = self._replays[path] = replay_simulator(load(path))
            server.start()
        return ScenarioRun(server, self.spec, name, work_dir=self.work_dir)

    def observe(self, run: ScenarioRun, *, expected: dict[str, Any] | None = None) -> Observation:
        from harness.checks import Observation
        from harness.sim import fidelity_notes

        for note in fidelity_notes(run.exchanges):
            key = (note.code, note.subject)
            if key in self.fidelity:
                self.fidelity[key]["count"] += note.count
            else:
                self.fidelity[key] = {**note.to_dict(), "scenario": run.name}

        return Observation(
            scenario=run.name,
            exchanges=run.exchanges,
            outcomes=list(run.outcomes),
            expected=expected or {},
            output=run.integration_outputs,
            canaries=canaries_of(run.sim.core),
            action_windows=list(run.action_windows),
            settings={
                "clock_speed": run.config.clock_speed,
                # The usage plans in force, so throttling verdicts can say which plan they
                # judged against (scaled plans are stated, never hidden).
                "usage_plans": run.sim.core.plans.describe(),
            },
        )

    def facts(self) -> SessionFacts:
        """The session's facts for the report; valid after close() too (nothing live is read)."""
        core = self.sim.core
        canaries = canaries_of(core)  # the one list of what must never be printed
        return SessionFacts(
            spec=self.spec,
            countries={m.id: m.country for m in core.contracts.marketplaces.values()},
            contracts={op.api_title: op.version for op in core.contracts.operations},
            fidelity={key: dict(note) for key, note in self.fidelity.items()},
            uncovered=dict(self.uncovered),
            waivers=self.waivers,
            secrets={value for values in canaries.secrets.values() for value in values},
            pii={value for values in canaries.pii.values() for value in values},
        )

    def close(self) -> None:
        self.transport.close()
        for server in self._replays.values():
            server.stop()


def canaries_of(core: SimCore) -> Canaries:
    """harness.checks.canaries.canaries_of, imported only when called: the plugin stays cheap."""
    from harness.checks.canaries import canaries_of as of_core

    return of_core(core)
