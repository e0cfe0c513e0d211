"""ACORN's pytest plugin: options, the ``acorn`` and ``acorn_check`` fixtures, the report.

Kept thin and cheap to import: the simulator, drivers and report writers load only when a
scenario asks for them.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Sequence

    from harness.checks import Canaries, Check, CheckResult, Observation
    from harness.drive import IntegrationSpec
    from harness.drive.scenario import ScenarioRun
    from harness.sim import SimConfig, SimCore, Simulator

# The fixtures for a team's own tests (acorn_simulator, acorn_requests): docs/fixtures.md.
from harness.fixtures import acorn_requests, acorn_simulator, acorn_simulator_server  # noqa: F401

__all__ = ["RESULTS", "AcornSession", "canaries_of"]

RESULTS = pytest.StashKey["list[CheckResult]"]()  # appended to by acorn_check
HARNESS_ERRORS = pytest.StashKey["list[str]"]()
STARTED = pytest.StashKey[float]()
SESSION = pytest.StashKey["AcornSession"]()
EXPECTED = pytest.StashKey["dict[str, str]"]()
"""nodeid -> check id of every selected scenario test: each must end with a result."""
JUDGED = pytest.StashKey["set[str]"]()
"""nodeids that recorded a result (judged, out of scope, or errored)."""
PROBLEMS = pytest.StashKey["list[str]"]()
"""Why the run did not finish: each makes the verdict INCOMPLETE."""
RUN_ID = pytest.StashKey[str]()
"""One id per session: every report written for it (plugin's and ``acorn run``'s) shares it."""


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("acorn", "ACORN readiness harness")
    group.addoption(
        "--acorn-integration",
        default=None,
        help="integration folder (with acorn.toml) or integration TOML file to test; "
        "precedence: this option > env ACORN_INTEGRATION > acorn.toml/[tool.acorn] > "
        "examples/reference",
    )
    group.addoption(
        "--acorn-transport",
        default=None,
        choices=("plain", "tls", "intercept"),
        help="how the integration reaches the simulator (overrides acorn.toml's transport): "
        "plain HTTP, TLS with a local CA, or Amazon's own URLs through the intercept proxy",
    )
    group.addoption(
        "--acorn-report-dir",
        default=None,
        help="write readiness.json and readiness.md here at the end of the session",
    )
    group.addoption(
        "--acorn-waivers",
        default=None,
        help="accepted risks (waivers.toml); default: integration.waivers in acorn.toml",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[RESULTS] = []
    config.stash[HARNESS_ERRORS] = []
    config.stash[EXPECTED] = {}
    config.stash[JUDGED] = set()
    config.stash[PROBLEMS] = []
    config.stash[STARTED] = time.monotonic()
    config.addinivalue_line(
        "markers", "acorn_area(name): the readiness area (Auth, Orders, PII, ...) of a scenario"
    )


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

    def close(self) -> None:
        self.transport.close()
        for server in self._replays.values():
            server.stop()


def canaries_of(core: SimCore) -> Canaries:
    """harness.checks.canaries.canaries_of, imported only when called: the plugin stays cheap."""
    from harness.checks.canaries import canaries_of as of_core

    return of_core(core)


@pytest.fixture(scope="session")
def acorn(request: pytest.FixtureRequest) -> Generator[AcornSession, None, None]:
    """The ACORN session: ``acorn.scenario(name, SimConfig(...))`` runs the integration."""
    from harness.drive import load_integration, resolve_run_config

    config = request.config
    run = resolve_run_config(
        integration=config.getoption("--acorn-integration"),
        report_dir=config.getoption("--acorn-report-dir"),
    )
    spec = load_integration(run.integration, source_hint=run.origins["integration"])
    if run.action_timeout is not None:
        # `action_timeout` in [run] / [tool.acorn] is this run's choice; it overrides the one
        # the integration's acorn.toml suggests.
        spec = replace(spec, action_timeout=run.action_timeout)
    transport = config.getoption("--acorn-transport")
    if transport is not None:  # `acorn run --transport` overrides acorn.toml's
        spec = replace(spec, transport=transport)
    work_dir = run.report_dir / "work"
    session = AcornSession(spec, work_dir)
    waivers = config.getoption("--acorn-waivers", default=None) or spec.waivers
    if waivers:
        from harness.report.waivers import load_waivers

        session.waivers = load_waivers(Path(waivers))
    config.stash[SESSION] = session
    yield session
    session.close()


@pytest.fixture
def acorn_check(
    request: pytest.FixtureRequest, acorn: AcornSession
) -> Callable[[Check, Observation], CheckResult]:
    """Judge ``check`` on ``observation``, record it for the report, fail the test if failed.

    A check whose actions the integration does not declare is recorded as not applicable
    (its scenario may still have run the actions that are in scope, for other checks)."""
    from harness.checks.registry import missing_actions

    def judge(check: Check, observation: Observation) -> CheckResult:
        missing = missing_actions(check.id, acorn.spec.scope.actions, acorn.spec.env_map)
        if missing:
            reason = (
                f"out of scope: {check.id} needs {', '.join(missing)}, which the integration "
                f"does not declare (its scope: {acorn.spec.scope.describe()})"
            )
            unjudged = check.unjudged(observation.scenario, "not_applicable", reason)
            _record(request.config, request.node.nodeid, unjudged)
            _label_allure(unjudged, acorn)
            pytest.skip(reason)
        inapplicable = observation.settings.get("not_applicable")
        if inapplicable:  # the run's mode leaves nothing to judge (TLS-01 in a plain run)
            unjudged = check.unjudged(observation.scenario, "not_applicable", str(inapplicable))
            _record(request.config, request.node.nodeid, unjudged)
            _label_allure(unjudged, acorn)
            pytest.skip(str(inapplicable))
        result = check.evaluate(observation)
        _record(request.config, request.node.nodeid, result)
        _label_allure(result, acorn)
        if result.status == "skipped":
            pytest.skip(f"{result.id}: {result.summary}")
        waiver = acorn.waivers.waiver_for(result) if acorn.waivers is not None else None
        if waiver is not None:  # an accepted risk: skipped in junit and Allure, WAIVED in reports
            request.node.user_properties.append(("acorn.waiver", waiver.text()))
            pytest.skip(waiver.text())
        if result.status == "failed":
            pytest.fail(result.explain(), pytrace=False)
        return result

    return judge


def _label_allure(result: CheckResult, acorn: AcornSession) -> None:
    from harness.report.allure import label_check

    label_check(result, acorn.spec.scope.describe(), acorn.spec.name)


def _record(config: pytest.Config, nodeid: str, result: CheckResult) -> None:
    if nodeid in config.stash[JUDGED]:
        return
    config.stash[JUDGED].add(nodeid)
    config.stash[RESULTS].append(result)


def pytest_collection_finish(session: pytest.Session) -> None:
    from harness.checks.registry import check_for_test

    expected = session.config.stash.get(EXPECTED, None)
    if expected is None:
        return
    for item in session.items:
        check = check_for_test(item.name)
        if check is not None:
            expected[item.nodeid] = check.id


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    from harness.errors import AcornUsageError, OutOfScope

    config = item.config
    if EXPECTED not in config.stash:
        return report
    error = call.excinfo.value if call.excinfo is not None else None
    if isinstance(error, AcornUsageError):
        errors = config.stash[HARNESS_ERRORS]
        if str(error) not in errors:
            errors.append(str(error))
    check_id = config.stash[EXPECTED].get(item.nodeid)
    judged = item.nodeid in config.stash[JUDGED]
    if call.when == "teardown":
        if error is not None:
            config.stash[PROBLEMS].append(
                f"{item.nodeid}: the scenario did not end cleanly: {_cause(error)}"
            )
        return report
    if check_id is None or judged:
        return report
    from harness.checks.registry import check_by_id

    check = check_by_id(check_id)
    scenario = _scenario_of(item.nodeid)
    if isinstance(error, OutOfScope):
        _record(config, item.nodeid, check.unjudged(error.scenario, "not_applicable", str(error)))
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: {error}")
    elif error is not None or call.when == "call":
        cause = _cause(error) if error is not None else "the scenario test judged nothing"
        _record(
            config,
            item.nodeid,
            check.unjudged(scenario, "error", f"the scenario could not run: {cause}"),
        )
    return report


def _cause(error: BaseException) -> str:
    """One line naming an exception, for the report (never its traceback or arguments)."""
    text = str(error).strip().splitlines()[0][:300] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _scenario_of(nodeid: str) -> str:
    """The scenario module a test belongs to (``scenarios/test_orders.py::...`` -> test_orders),
    named in results its scenario never produced (an error, or a run that ended first)."""
    return nodeid.split("::", maxsplit=1)[0].rsplit("/", 1)[-1].removesuffix(".py")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if PROBLEMS in session.config.stash and exitstatus == pytest.ExitCode.INTERRUPTED:
        session.config.stash[PROBLEMS].append(
            "the run was interrupted before every scenario finished"
        )
    report_dir = session.config.getoption("--acorn-report-dir", default=None)
    acorn_session = session.config.stash.get(SESSION, None)
    if report_dir is None or acorn_session is None:
        return
    from harness.report import write_reports

    readiness = build_readiness(session.config)
    write_reports(readiness, Path(report_dir))


def _completed(config: pytest.Config) -> tuple[list[CheckResult], list[str]]:
    """Every selected check with a status, and the run's problems.

    A selected scenario test that never recorded a result (the run was interrupted, a
    session fixture failed) is listed as ``error``: a check in scope never silently vanishes.
    """
    if RESULTS not in config.stash:
        return [], []
    from harness.checks.registry import check_by_id

    recorded: list[CheckResult] = config.stash[RESULTS]
    errors: list[str] = config.stash[HARNESS_ERRORS]
    later: list[str] = config.stash[PROBLEMS]
    results, problems = list(recorded), [*errors, *later]
    missing = [
        (nodeid, check_id)
        for nodeid, check_id in config.stash[EXPECTED].items()
        if nodeid not in config.stash[JUDGED]
    ]
    for nodeid, check_id in missing:
        scenario = _scenario_of(nodeid)
        results.append(
            check_by_id(check_id).unjudged(
                scenario, "error", "did not run: the run ended before this scenario judged it"
            )
        )
    if missing:
        problems.append(f"{len(missing)} selected check(s) did not run")
    return results, problems


def build_readiness(config: pytest.Config) -> Any:
    from harness import __version__
    from harness.report import Readiness

    acorn_session = config.stash.get(SESSION, None)
    spec = acorn_session.spec if acorn_session else None
    results, problems = _completed(config)
    scope: dict[str, Any] = {}
    if spec is not None and acorn_session is not None:
        countries = {
            m.id: m.country for m in acorn_session.sim.core.contracts.marketplaces.values()
        }
        scope = {
            **spec.scope.to_dict(),
            "marketplaces": [countries.get(m, m) for m in spec.marketplaces],
            "uncovered": {
                name: [countries.get(m, m) for m in ids[:-1]] + ids[-1:]
                for name, ids in acorn_session.uncovered.items()
            },
        }
    contracts: dict[str, str] = {}
    if acorn_session is not None:
        for op in acorn_session.sim.core.contracts.operations:
            contracts[op.api_title] = op.version
    from harness.report.versions import new_run_id, run_versions
    from harness.sim import SimConfig

    if RUN_ID not in config.stash:  # the first report of the session names the run
        config.stash[RUN_ID] = new_run_id()

    integration = {
        "name": spec.name if spec else "unknown",
        "version": spec.version if spec else "unknown",
        "driver": spec.driver if spec else "unknown",
        "path": str(spec.root) if spec else "",
    }
    return Readiness(
        integration=integration,
        run_id=config.stash[RUN_ID],
        versions=run_versions(integration, harness_version=__version__, seed=SimConfig().seed),
        results=results,
        contracts=contracts,
        harness_version=__version__,
        duration_s=time.monotonic() - config.stash[STARTED],
        scope=scope,
        problems=problems,
        fidelity=list(acorn_session.fidelity.values()) if acorn_session else [],
        waivers=acorn_session.waivers if acorn_session else None,
    )
