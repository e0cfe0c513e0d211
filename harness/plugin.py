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
    from collections.abc import Callable, Generator

    from harness.checks import Check, CheckResult, Observation

# The fixtures for a team's own tests (acorn_simulator, acorn_requests): docs/fixtures.md.
from harness.fixtures import acorn_requests, acorn_simulator, acorn_simulator_server  # noqa: F401
from harness.record import PAYLOAD, Merge, RunRecord, longest_first
from harness.session import AcornSession, SessionFacts, canaries_of

__all__ = ["RECORD", "AcornSession", "build_readiness", "canaries_of", "session_facts"]

RECORD = pytest.StashKey["RunRecord"]()
"""What the session gathers (harness.record): results by test, expected checks, problems."""
SESSION = pytest.StashKey["AcornSession"]()
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
    config.stash[RECORD] = record = RunRecord()
    if config.pluginmanager.hasplugin("xdist") and not _is_worker(config):
        # A parallel run's controller: the workers judge, it merges and writes the report.
        config.pluginmanager.register(Merge(record), "acorn-merge")
    config.addinivalue_line(
        "markers", "acorn_area(name): the readiness area (Auth, Orders, PII, ...) of a scenario"
    )
    config.addinivalue_line(
        "markers",
        "acorn_seconds(n): about how long a scenario module takes; parallel runs start the "
        "longest first",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _is_worker(config):
        workerinput: dict[str, Any] = config.workerinput  # type: ignore[attr-defined]
        longest_first(items, int(workerinput.get("workercount", 1)))


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
    config.stash[RECORD].record(nodeid, result)


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_collection_finish(session: pytest.Session) -> None:
    from harness.checks.registry import check_for_test

    record = session.config.stash.get(RECORD, None)
    if record is None:
        return
    for item in session.items:
        check = check_for_test(item.name)
        if check is not None:
            record.expected[item.nodeid] = check.id


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    from harness.errors import AcornUsageError, OutOfScope

    config = item.config
    record = config.stash.get(RECORD, None)
    if record is None:
        return report
    error = call.excinfo.value if call.excinfo is not None else None
    if isinstance(error, AcornUsageError) and str(error) not in record.harness_errors:
        record.harness_errors.append(str(error))
    check_id = record.expected.get(item.nodeid)
    judged = item.nodeid in record.results
    if call.when == "teardown":
        if error is not None:
            record.problems.append(
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
    config = session.config
    record = config.stash.get(RECORD, None)
    if record is not None and exitstatus == pytest.ExitCode.INTERRUPTED:
        record.problems.append("the run was interrupted before every scenario finished")
    if record is not None and _is_worker(config):
        # A parallel run's worker hands its record to the controller, which writes the report.
        workeroutput: dict[str, Any] = config.workeroutput  # type: ignore[attr-defined]
        workeroutput[PAYLOAD] = record.to_payload(session_facts(config))
        return
    report_dir = config.getoption("--acorn-report-dir", default=None)
    facts = session_facts(config)
    if report_dir is None or facts is None:
        return
    from harness.report import write_reports

    write_reports(build_readiness(config, facts), Path(report_dir))


def session_facts(config: pytest.Config) -> SessionFacts | None:
    """This process's session's facts, or the facts the workers of a parallel run merged."""
    acorn_session = config.stash.get(SESSION, None)
    if acorn_session is not None:
        return acorn_session.facts()
    record = config.stash.get(RECORD, None)
    return record.facts if record is not None else None


def _completed(config: pytest.Config) -> tuple[list[CheckResult], list[str]]:
    """Every selected check with a status, and the run's problems.

    A selected scenario test that never recorded a result (the run was interrupted, a
    session fixture failed, a worker died) is listed as ``error``: a check in scope never
    silently vanishes.
    """
    record = config.stash.get(RECORD, None)
    if record is None:
        return [], []
    from harness.checks.registry import check_by_id

    results, problems = record.ordered_results(), [*record.harness_errors, *record.problems]
    missing = [(n, c) for n, c in record.expected.items() if n not in record.results]
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


def build_readiness(config: pytest.Config, facts: SessionFacts | None = None) -> Any:
    """The run's Readiness; ``facts`` when the caller already has them (session_facts)."""
    from harness import __version__
    from harness.report import Readiness

    facts = facts or session_facts(config)
    spec = facts.spec if facts is not None else None
    results, problems = _completed(config)
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
    record = config.stash[RECORD]
    return Readiness(
        integration=integration,
        run_id=config.stash[RUN_ID],
        versions=run_versions(integration, harness_version=__version__, seed=SimConfig().seed),
        results=results,
        contracts=facts.contracts if facts is not None else {},
        harness_version=__version__,
        duration_s=time.monotonic() - record.started,
        scope=facts.scope() if facts is not None else {},
        problems=problems,
        fidelity=list(facts.fidelity.values()) if facts is not None else [],
        waivers=facts.waivers if facts is not None else None,
    )
