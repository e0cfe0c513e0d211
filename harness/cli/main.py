"""The ``acorn`` command line: ``run`` (the readiness suite) and ``serve`` (the simulator)."""

from __future__ import annotations

import signal
import sys
import threading
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
) -> None:
    """Test an integration against the SP-API simulator; exit 0 GO, 1 NO-GO, 2 harness error."""
    from harness.cli.run import run_readiness
    from harness.drive import resolve_run_config
    from harness.report import terminal_table

    console = Console(stderr=False)
    err = Console(stderr=True)
    try:
        settings = resolve_run_config(
            integration=integration, config_file=config, report_dir=report_dir
        )
        outcome = run_readiness(
            settings.integration,
            settings.report_dir,
            console=console,
            verbose=verbose,
            select=select,
            overwrite=overwrite,
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


@app.command()
def serve(
    clock_speed: Annotated[
        float, typer.Option(help="Virtual seconds per wall second (720: an hour in 5 s).")
    ] = 1.0,
    token_lifetime: Annotated[
        float, typer.Option(help="Access-token lifetime in virtual seconds.")
    ] = 3600.0,
    no_throttling: Annotated[
        bool, typer.Option("--no-throttling", help="Switch the usage-plan buckets off.")
    ] = False,
    cassette: Annotated[
        str | None,
        typer.Option(help="Replay this recorded cassette (name or path) instead of simulating."),
    ] = None,
    match_on: Annotated[
        str | None,
        typer.Option(help="With --cassette: matchers, default method,endpoint,path,query,body."),
    ] = None,
    ignore_param: Annotated[
        list[str] | None,
        typer.Option(help="With --cassette: a query parameter left out of matching; repeatable."),
    ] = None,
    sandbox: Annotated[
        bool,
        typer.Option(
            "--sandbox",
            help="Behave like Amazon's static sandbox: only the published cases, rate 5/burst 15.",
        ),
    ] = False,
    models: Annotated[
        str | None,
        typer.Option(help="With --sandbox: Amazon's models checkout (env ACORN_MODELS_DIR)."),
    ] = None,
) -> None:
    """Start the simulator on loopback and print its endpoints and test credentials."""
    from harness.sim import SimConfig, Simulator

    if clock_speed <= 0 or token_lifetime <= 0:
        Console(stderr=True).print(
            "acorn: cannot run. --clock-speed and --token-lifetime must be positive numbers."
        )
        raise typer.Exit(2)
    if sandbox:
        from harness.cli.contracts import sandbox_for_serve

        try:
            sim = sandbox_for_serve(models, cassette, token_lifetime=token_lifetime)
        except AcornUsageError as exc:
            _fail(exc, Console(stderr=True))
    elif cassette is not None:
        from harness.cli.cassettes import replay_for_serve

        try:
            sim = replay_for_serve(cassette, match_on, ignore_param)
        except AcornUsageError as exc:
            _fail(exc, Console(stderr=True))
    else:
        sim = Simulator(
            config=SimConfig(
                clock_speed=clock_speed, token_lifetime=token_lifetime, throttling=not no_throttling
            )
        )
    sim.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    endpoints = sim.endpoints
    print(f"# ACORN SP-API simulator; LWA token URL {endpoints.lwa_token_url}")
    for region, url in endpoints.regions.items():
        print(f"# {region} endpoint {url}")
    print("# Test credentials (not real secrets). Paste these into your integration's shell:")
    for name, value in sim.env().items():
        print(f"export {name}='{value}'")
    print("# Press Ctrl-C to stop.", flush=True)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    print("# simulator stopped", flush=True)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
