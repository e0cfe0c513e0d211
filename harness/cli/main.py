"""The ``acorn`` command line: ``run`` (the readiness suite) and ``serve`` (the simulator)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from harness.errors import AcornUsageError

__all__ = ["app", "main"]

app = typer.Typer(
    name="acorn",
    help="ACORN: onboarding-readiness harness for Amazon SP-API integrations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_subcommands() -> None:
    from harness.cli.contracts import app as contracts_app

    app.add_typer(contracts_app, name="contracts")

    from harness.cli.cassettes import register as register_cassettes

    register_cassettes(app)  # record, scan

    from harness.cli.validate import register as register_validate

    register_validate(app)  # validate (offline catalog check)

    from harness.cli.product_types import register as register_product_types

    register_product_types(app)  # product-types pull

    from harness.cli.serve import register as register_serve

    register_serve(app)  # serve (the simulator on its own, observe mode)

    from harness.cli.judge import register as register_judge

    register_judge(app)  # judge (a readiness report from recorded traffic)

    from harness.cli.report import app as report_app

    app.add_typer(report_app, name="report")  # report schema, report validate

    from harness.cli.init import register as register_init

    register_init(app)  # init, examples path

    from harness.cli.actions import app as actions_app

    app.add_typer(actions_app, name="actions")  # actions schema


_register_subcommands()


def _version(value: bool) -> None:
    if value:
        from harness import __version__
        from harness.paths import models_commit

        print(f"acorn {__version__}")
        print(f"contracts agree with amzn/selling-partner-api-models at {models_commit()}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Print ACORN's version and the Amazon models commit its contracts agree with.",
        ),
    ] = False,
) -> None:
    """ACORN: onboarding-readiness harness for Amazon SP-API integrations."""


def _fail(exc: AcornUsageError, console: Console) -> None:
    console.print(f"[bold red]acorn: cannot run.[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


@app.command()
def run(
    integration: Annotated[
        str | None,
        typer.Option(
            help="Integration folder (with acorn.toml) or integration TOML file. "
            "Default: env ACORN_INTEGRATION, then acorn.toml/[tool.acorn], then examples/reference."
        ),
    ] = None,
    config: Annotated[
        str | None,
        typer.Option("--config", help="A TOML file: an integration's acorn.toml or run settings."),
    ] = None,
    report_dir: Annotated[
        str | None, typer.Option(help="Where the report goes (default reports/).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show pytest's output.")] = False,
    select: Annotated[
        str | None,
        typer.Option(
            "--select",
            "-k",
            help="Run only the scenarios matching this pytest -k expression, e.g. "
            "'auth or pii'; the report says the run was partial.",
        ),
    ] = None,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Clear a non-empty --report-dir that ACORN did not write (its files are "
            "deleted). Folders ACORN wrote are always cleared of the previous run's files.",
        ),
    ] = False,
    history: Annotated[
        str | None,
        typer.Option(
            "--history",
            help="A folder kept from the previous run's Allure report (its history/, or "
            "allure-report/history/): copied into allure-results/history/ so Allure shows "
            "the trend. Also `history` in acorn.toml [run].",
        ),
    ] = None,
    waivers: Annotated[
        str | None,
        typer.Option(
            "--waivers",
            help="Accepted risks (waivers.toml): a failed check it covers shows as WAIVED and "
            "does not block GO. Default: integration.waivers in acorn.toml.",
        ),
    ] = None,
    transport: Annotated[
        str | None,
        typer.Option(
            "--transport",
            help="plain (http://127.0.0.1), tls (https with a local CA, TLS-01 judged) or "
            "intercept (Amazon's own URLs through an HTTPS_PROXY); default: acorn.toml's.",
        ),
    ] = None,
    jobs: Annotated[
        str | None,
        typer.Option(
            "--jobs",
            "-j",
            help="Run the scenarios on this many worker processes, each with its own "
            "simulator (1: one after another; auto: one per CPU core, at most 4). Also env "
            "ACORN_JOBS and `jobs` in acorn.toml [run]; default 1.",
        ),
    ] = None,
) -> None:
    """Test an integration against the SP-API simulator; exit 0 GO, 1 NO-GO, 2 harness error."""
    from harness.cli.run import run_readiness
    from harness.drive import resolve_run_config
    from harness.report import terminal_table

    console = Console(stderr=False)
    err = Console(stderr=True)
    try:
        settings = resolve_run_config(
            integration=integration,
            config_file=config,
            report_dir=report_dir,
            history=history,
            jobs=jobs,
        )
        outcome = run_readiness(
            settings.integration,
            settings.report_dir,
            console=console,
            verbose=verbose,
            select=select,
            overwrite=overwrite,
            history=settings.history,
            waivers=waivers,
            transport=_transport(transport),
            jobs=settings.jobs,
        )
    except AcornUsageError as exc:
        _fail(exc, err)
    if outcome.readiness is None:
        err.print(f"[bold red]acorn: cannot run.[/] {outcome.message}", highlight=False)
        raise typer.Exit(outcome.exit_code)
    terminal_table(outcome.readiness, console)
    if outcome.message:  # e.g. the output scan found a leak in the report
        err.print(f"acorn: {outcome.message}", style="bold red", highlight=False, markup=False)
    console.print()
    for kind, path in outcome.report_paths.items():
        console.print(f"{kind:>8}: {path}", highlight=False)
    raise typer.Exit(outcome.exit_code)


def _transport(value: str | None) -> str | None:
    from harness.drive.transport import check_transport

    return None if value is None else check_transport(value, where="--transport")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
