"""``acorn run``: the readiness suite against one integration, as a GO / NO-GO with a report.

The suite is pytest (scenarios/ with ACORN's plugin); this module runs it in-process, shows
progress, prints the readiness table and turns the outcome into the exit code:
0 GO, 1 NO-GO, 2 the harness could not run.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

__all__ = [
    "EXIT_GO",
    "EXIT_HARNESS",
    "EXIT_NO_GO",
    "RunOutcome",
    "run_readiness",
]

EXIT_GO, EXIT_NO_GO, EXIT_HARNESS = 0, 1, 2


@dataclass
class _Progress:
    """A pytest plugin object that feeds the progress bar and keeps the session's config."""

    progress: Progress
    config: pytest.Config | None = None
    task: Any = None
    collect_errors: list[str] = field(default_factory=list)

    def pytest_configure(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append(f"{report.nodeid}: {report.longreprtext.strip()[-600:]}")

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.task = self.progress.add_task("readiness scenarios", total=len(session.items))

    def pytest_runtest_logstart(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        if self.task is not None:
            self.progress.update(self.task, description=location[2])

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.task is None:
            return
        done = report.when == "call" or (report.when == "setup" and not report.passed)
        if done:
            self.progress.advance(self.task)


class _ParallelProgress(_Progress):
    """The progress of a parallel run: the controller collects nothing, its workers do."""

    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        if self.task is None:
            self.task = self.progress.add_task("readiness scenarios", total=len(ids))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        return None


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a cancelled CI job, `timeout`, a container stop) ends the run as Ctrl-C does:
    pytest stops the scenarios, the drivers end the integration's processes, and the report
    says INCOMPLETE, instead of the process dying with a stale report and orphans."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass
class RunOutcome:
    exit_code: int
    readiness: Any = None
    report_paths: dict[str, Path] = field(default_factory=dict)
    message: str = ""


def run_readiness(
    integration: Path,
    report_dir: Path,
    *,
    console: Console,
    verbose: bool = False,
    select: str | None = None,
    overwrite: bool = False,
    history: Path | None = None,
    waivers: str | None = None,
    transport: str | None = None,
    jobs: int = 1,
) -> RunOutcome:
    from harness.contracts import load_contracts
    from harness.drive import load_integration
    from harness.paths import bundled
    from harness.plugin import build_readiness, session_facts

    # Fail fast, before any scenario starts, on what the user can fix.
    spec = load_integration(integration)
    load_contracts()
    waivers_file = _waivers_file(waivers, spec.waivers)
    scenarios = bundled("scenarios")
    from harness.report.allure_run import load_history
    from harness.report.folder import prepare_report_dir

    # The Allure trend, read before the report folder (which may hold it) is cleared.
    kept_history = load_history(history) if history is not None else None
    prepare_report_dir(report_dir, overwrite=overwrite)
    args = _pytest_args(
        scenarios,
        spec.source,
        report_dir,
        waivers_file=waivers_file,
        jobs=jobs,
        verbose=verbose,
        select=select,
        transport=transport,
    )
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with (
        Progress(*columns, console=console, transient=True, disable=verbose) as progress,
        _terminate_as_interrupt(),
    ):
        tracker = _Progress(progress) if jobs == 1 else _ParallelProgress(progress)
        code = pytest.main(args, plugins=[tracker])
    config = tracker.config
    if select and code == pytest.ExitCode.NO_TESTS_COLLECTED and not tracker.collect_errors:
        return RunOutcome(
            EXIT_HARNESS,
            message=f"no scenario of the readiness suite matches --select {select!r}. Fix: use "
            "words from the scenario or check names, e.g. 'auth', 'throttling', 'listings' "
            "(pytest -k syntax: 'auth or pii', 'not errors').",
        )
    if (
        config is None
        or tracker.collect_errors
        or code
        in (
            pytest.ExitCode.INTERNAL_ERROR,
            pytest.ExitCode.USAGE_ERROR,
            pytest.ExitCode.NO_TESTS_COLLECTED,
        )
    ):
        detail = "\n".join(tracker.collect_errors) or f"pytest exit code {int(code)}"
        return RunOutcome(
            EXIT_HARNESS,
            message=f"the readiness suite in {scenarios} could not run: {detail}",
        )
    assert config is not None
    facts = session_facts(config)
    readiness = build_readiness(config, facts)
    readiness.selection = select
    paths = {
        "markdown": report_dir / "readiness.md",
        "json": report_dir / "readiness.json",
        "html": report_dir / "readiness.html",
        "junit": report_dir / "junit.xml",
        "allure": report_dir / "allure-results",
    }
    # ACORN scans its own outputs last: a leak in a report fails the run, loudly.
    from harness.cli.cassettes import scan_run_outputs

    _fold_integration_leaks(readiness, report_dir, facts)
    exit_code = {"GO": EXIT_GO, "NO-GO": EXIT_NO_GO}.get(readiness.verdict, EXIT_HARNESS)
    try:
        # Allure: statuses as readiness.json says, environment, executor, categories, verdict.
        from harness.report.allure_run import finish_allure

        finish_allure(readiness, paths["allure"], history=kept_history)
    except OSError as exc:
        return RunOutcome(
            EXIT_HARNESS, message=f"could not write the Allure results to {paths['allure']}: {exc}"
        )
    readiness.scan = scan_run_outputs(report_dir, facts)
    try:
        _write_formats(readiness, report_dir, paths)
        # The files just written are the ones the reviewer reads: scan them too. A leak only
        # they hold (the scan's findings name places, never values) is stated in them again.
        final = scan_run_outputs(report_dir, facts)
        if readiness.scan["clean"] and not final["clean"]:
            readiness.scan = final
            _write_formats(readiness, report_dir, paths)
    except OSError as exc:
        # A full disk or a folder made read-only mid-run: the verdict exists only in memory,
        # so nothing may look decided.
        return RunOutcome(
            EXIT_HARNESS,
            message=f"could not write the report to {exc.filename or report_dir}: "
            f"{exc.strerror or exc}. Fix: free space or choose a writable --report-dir; "
            f"the verdict was {readiness.verdict}, but no report of it could be kept.",
        )
    if not readiness.scan["clean"]:
        return RunOutcome(EXIT_HARNESS, readiness, paths, message=readiness.scan["summary"])
    if readiness.verdict == "INCOMPLETE":
        # Nothing was decided: say why in one place the user sees without opening the report.
        reasons = "; ".join(readiness.reasons()[:5])
        return RunOutcome(exit_code, readiness, paths, message=f"run INCOMPLETE: {reasons}")
    return RunOutcome(exit_code, readiness, paths)


def _pytest_args(
    scenarios: Path,
    integration: Path,
    report_dir: Path,
    *,
    waivers_file: Path | None,
    jobs: int,
    verbose: bool,
    select: str | None,
    transport: str | None,
) -> list[str]:
    """The readiness suite's pytest command line (its own pytest.ini, ACORN's options)."""
    args = [
        "-c",
        str(scenarios / "pytest.ini"),
        "--rootdir",
        str(scenarios),
        str(scenarios),
        f"--acorn-integration={integration}",
        f"--acorn-report-dir={report_dir}",
        f"--alluredir={report_dir / 'allure-results'}",
        f"--junitxml={report_dir / 'junit.xml'}",
        "-p",
        "no:cacheprovider",
        *([f"--acorn-waivers={waivers_file}"] if waivers_file is not None else []),
    ]
    # prepare_report_dir has emptied the folder; --clean-alluredir in each of several workers
    # would delete what the others already wrote. A module's scenarios share fixtures, so a
    # module stays on one worker.
    args += (
        ["--clean-alluredir"]
        if jobs == 1
        else ["-n", str(jobs), "--dist", "loadfile", "--no-loadscope-reorder"]
    )
    args += ["-v"] if verbose else ["-p", "no:terminal"]
    if select:
        args += ["-k", select]
    if transport:  # plain | tls | intercept (harness.drive.transport); else acorn.toml's
        args.append(f"--acorn-transport={transport}")
    return args


def _write_formats(readiness: Any, report_dir: Path, paths: dict[str, Path]) -> None:
    """readiness.md/json/html, then junit.xml and Allure brought to the same statuses."""
    from harness.report import write_reports
    from harness.report.agree import sync_formats
    from harness.report.folder import mark_junit

    write_reports(readiness, report_dir)
    mark_junit(paths["junit"], readiness)
    sync_formats(readiness, paths["junit"], paths["allure"])


# -- waivers and the integration's own files (harness/report/waivers.py, agree.py) ----------
def _waivers_file(given: str | None, declared: Path | None) -> Path | None:
    """--waivers > integration.waivers in acorn.toml > none. A file ACORN cannot read stops
    the run here, before any scenario (exit 2); a waiver that is wrong is reported with the
    results instead."""
    from harness.report.waivers import load_waivers

    path = Path(given).resolve() if given else declared
    if path is not None:
        load_waivers(path)
    return path


def _fold_integration_leaks(readiness: Any, report_dir: Path, facts: Any) -> None:
    """A leak in the integration's own files (work/) is PII-03's finding, not ACORN's error;
    judged before any format is finished, so every format states it."""
    from harness.cli.cassettes import scan_integration_files
    from harness.report.agree import apply_log_leaks

    leaks = scan_integration_files(report_dir, facts)
    readiness.results = apply_log_leaks(readiness.results, leaks)
    readiness.apply_waivers()  # a waiver may cover PII-03's late failure too
