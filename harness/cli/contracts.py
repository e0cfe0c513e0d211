"""``acorn contracts``: import Amazon's models as contracts, and show drift from them.

Exit codes follow the rest of the CLI: 0 success (diff: the contracts agree), 1 the diff found
drift, 2 bad input (a folder that is not Amazon's layout, a broken model or contract), with
the file and JSON pointer in the message instead of a traceback.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from harness.errors import AcornUsageError

if TYPE_CHECKING:
    from harness.sim import Simulator

__all__ = ["app", "sandbox_for_serve"]

app = typer.Typer(
    name="contracts",
    help="Import Amazon's SP-API models as contracts; diff the contracts against them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_MODELS_HELP = (
    "A checkout of amzn/selling-partner-api-models (or its models/ folder). "
    "Default: env ACORN_MODELS_DIR."
)


def _fail(exc: AcornUsageError) -> None:
    Console(stderr=True).print(
        f"[bold red]acorn: cannot run.[/] {exc}", highlight=False, soft_wrap=True
    )
    raise typer.Exit(2)


def _models_dir(given: str | None) -> Path:
    from harness.errors import ConfigError

    value = given or os.environ.get("ACORN_MODELS_DIR")
    if not value:
        raise ConfigError(
            "no models folder given",
            fix="pass the path of a checkout of amzn/selling-partner-api-models, "
            "or set ACORN_MODELS_DIR",
        )
    return Path(value)


@app.command("import")
def import_(
    models: Annotated[str | None, typer.Argument(help=_MODELS_HELP, show_default=False)] = None,
    out: Annotated[
        str, typer.Option("--out", help="Folder to write (apis/*.json and marketplaces.json).")
    ] = "imported-contracts",
) -> None:
    """Write a contract for every operation in Amazon's models."""
    from harness.contracts.importer import import_models

    try:
        result = import_models(_models_dir(models), out)
    except AcornUsageError as exc:
        _fail(exc)
    print(
        f"Imported {result.operations} operations from {result.files} model files "
        f"({result.sandbox_cases} static sandbox cases) into {result.out} "
        f"in {result.seconds:.2f} s."
    )


@app.command()
def diff(
    models: Annotated[str | None, typer.Argument(help=_MODELS_HELP, show_default=False)] = None,
    contracts: Annotated[
        str | None,
        typer.Option(
            help="Contracts folder to compare (default: env ACORN_CONTRACTS_DIR, "
            "then the bundled contracts/)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the drift as JSON.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List the operations not covered.")
    ] = False,
) -> None:
    """Show drift between the contracts and the models; exit 1 when they differ."""
    from harness.contracts.diff import diff_contracts

    try:
        report = diff_contracts(_models_dir(models), contracts)
    except AcornUsageError as exc:
        _fail(exc)
    if as_json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(report.to_text(verbose=verbose))
    raise typer.Exit(0 if report.agree else 1)


def sandbox_for_serve(
    models: str | None, cassette: str | None, *, token_lifetime: float = 3600.0
) -> Simulator:
    """The simulator ``acorn serve --sandbox`` runs: cases from the models, else the contracts.

    With ``--models`` (or ACORN_MODELS_DIR) the models are imported in memory; otherwise the
    contracts in use (ACORN_CONTRACTS_DIR or bundled) must carry sandbox cases, i.e. come from
    ``acorn contracts import``.
    """
    from harness.contracts import load_contracts
    from harness.contracts.importer import load_models_as_contracts
    from harness.errors import ConfigError
    from harness.sim import SimConfig
    from harness.sim.sandbox import sandbox_simulator

    if cassette is not None:
        raise ConfigError(
            "--sandbox and --cassette are two different simulators",
            fix="choose one of them",
        )
    if models or os.environ.get("ACORN_MODELS_DIR"):
        contracts = load_models_as_contracts(_models_dir(models))
    else:
        contracts = load_contracts()
        if not any(op.sandbox for op in contracts.operations):
            raise ConfigError(
                "the contracts in use carry no sandbox cases",
                fix="pass --models DIR (a checkout of amzn/selling-partner-api-models), set "
                "ACORN_MODELS_DIR, or point ACORN_CONTRACTS_DIR at the output of "
                "`acorn contracts import`",
            )
    cases = sum(len(op.sandbox) for op in contracts.operations)
    print(
        f"# static sandbox mode: {len(contracts.operations)} operations, {cases} published "
        "cases, rate 5 / burst 15 for every operation"
    )
    return sandbox_simulator(contracts=contracts, config=SimConfig(token_lifetime=token_lifetime))
