"""ACORN's pytest plugin: options, the ``acorn`` and ``acorn_check`` fixtures, the report.

Kept thin and cheap to import: the simulator, drivers and report writers load only when a
scenario asks for them.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Generator

    from harness.checks import Canaries, Check, CheckResult, Observation
    from harness.drive import IntegrationSpec
    from harness.drive.scenario import ScenarioRun
    from harness.sim import SimConfig, SimCore, Simulator

__all__ = ["RESULTS", "AcornSession", "canaries_of"]

RESULTS = pytest.StashKey["list[CheckResult]"]()  # appended to by acorn_check
HARNESS_ERRORS = pytest.StashKey["list[str]"]()
STARTED = pytest.StashKey[float]()
SESSION = pytest.StashKey["AcornSession"]()


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
        "--acorn-report-dir",
        default=None,
        help="write readiness.json and readiness.md here at the end of the session",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[RESULTS] = []
    config.stash[HARNESS_ERRORS] = []
    config.stash[STARTED] = time.monotonic()
    config.addinivalue_line(
        "markers", "acorn_area(name): the readiness area (Auth, Orders, PII, ...) of a scenario"
    )


class AcornSession:
    """The simulator (started once per session) and the integration under test."""

    def __init__(self, spec: IntegrationSpec, work_dir: Path) -> None:
        from harness.sim import Simulator

        self.spec = spec
        self.work_dir = work_dir
        self.sim: Simulator = Simulator()
        self.sim.start()
        self._replays: dict[Path, Simulator] = {}

    def scenario(self, name: str, config: SimConfig | None = None) -> ScenarioRun:
        from harness.drive.scenario import ScenarioRun

        return ScenarioRun(self.sim, self.spec, name, config, work_dir=self.work_dir)

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
        self.sim.stop()
        for server in self._replays.values():
            server.stop()


def canaries_of(core: SimCore) -> Canaries:
    """The secrets and buyer PII of the simulator's current world, by label (output scans)."""
    from harness.checks import Canaries

    secrets: dict[str, tuple[str, ...]] = {
        label: tuple(values) for label, values in core.credentials.labelled().items()
    }
    issued = core.tokens.all()
    secrets["access token"] = tuple(t.value for t in issued if t.kind != "rdt")
    secrets["restricted data token"] = tuple(t.value for t in issued if t.kind == "rdt")
    buyers = [order.buyer for order in core.state.orders.values()]
    pii = {
        "buyer name": tuple(b.name for b in buyers),
        "buyer street address": tuple(b.address_line1 for b in buyers),
        "buyer phone": tuple(b.phone for b in buyers),
        "buyer email": tuple(b.email for b in buyers),
    }
    return Canaries(secrets=secrets, pii=pii)


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
    work_dir = run.report_dir / "work"
    session = AcornSession(spec, work_dir)
    config.stash[SESSION] = session
    yield session
    session.close()


@pytest.fixture
def acorn_check(request: pytest.FixtureRequest) -> Callable[[Check, Observation], CheckResult]:
    """Judge ``check`` on ``observation``, record it for the report, fail the test if failed."""

    def judge(check: Check, observation: Observation) -> CheckResult:
        result = check.evaluate(observation)
        request.config.stash[RESULTS].append(result)
        _label_allure(result)
        if result.status == "skipped":
            pytest.skip(f"{result.id}: {result.summary}")
        if result.status == "failed":
            pytest.fail(result.explain(), pytrace=False)
        return result

    return judge


def _label_allure(result: CheckResult) -> None:
    try:
        import allure
    except ImportError:  # allure-pytest is a dependency, but the plugin must not need it
        return
    # allure-python-commons ships no annotations for its dynamic API.
    allure.dynamic.epic(result.area)
    allure.dynamic.feature(result.scenario)
    allure.dynamic.story(f"{result.id} {result.title}")
    allure.dynamic.severity(result.severity)
    allure.dynamic.label("check_id", result.id)
    allure.dynamic.description(result.requirement)
    allure.attach(
        result.explain(), name=f"{result.id} evidence", attachment_type=allure.attachment_type.TEXT
    )
    kinds = {t.mime_type: t for t in allure.attachment_type}
    for item in result.attachments:
        allure.attach(
            item.content,
            name=item.name,
            attachment_type=kinds.get(item.mime),
            extension=item.extension,
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    from harness.errors import AcornUsageError

    if call.excinfo is not None and isinstance(call.excinfo.value, AcornUsageError):
        errors = item.config.stash[HARNESS_ERRORS]
        message = str(call.excinfo.value)
        if message not in errors:
            errors.append(message)
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    report_dir = session.config.getoption("--acorn-report-dir", default=None)
    acorn_session = session.config.stash.get(SESSION, None)
    if report_dir is None or acorn_session is None:
        return
    from harness.report import write_reports

    readiness = build_readiness(session.config)
    write_reports(readiness, Path(report_dir))


def _recorded(config: pytest.Config) -> list[CheckResult]:
    if RESULTS not in config.stash:
        return []
    results: list[CheckResult] = config.stash[RESULTS]
    return list(results)


def build_readiness(config: pytest.Config) -> Any:
    from harness import __version__
    from harness.report import Readiness

    acorn_session = config.stash.get(SESSION, None)
    spec = acorn_session.spec if acorn_session else None
    contracts: dict[str, str] = {}
    if acorn_session is not None:
        for op in acorn_session.sim.core.contracts.operations:
            contracts[op.api_title] = op.version
    return Readiness(
        integration={
            "name": spec.name if spec else "unknown",
            "version": spec.version if spec else "unknown",
            "driver": spec.driver if spec else "unknown",
            "path": str(spec.root) if spec else "",
        },
        results=_recorded(config),
        contracts=contracts,
        harness_version=__version__,
        duration_s=time.monotonic() - config.stash[STARTED],
    )
