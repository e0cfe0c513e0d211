"""``acorn report``: the readiness.json schema, and a check that a report follows it.

A dashboard or a ticket bot that reads readiness.json needs its contract: ``acorn report
schema`` prints the JSON Schema shipped with this ACORN (``schema_version`` says which shape a
file has), and ``acorn report validate FILE`` checks a file against it: exit 0 valid, 1 not,
2 unreadable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

__all__ = ["SCHEMA_FILE", "app", "load_schema", "schema_errors"]

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "report" / "readiness.schema.json"

app = typer.Typer(
    name="report",
    help="The readiness report's JSON Schema, and validation of a readiness.json against it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def load_schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data


def schema_errors(document: object) -> list[str]:
    """Every way ``document`` breaks the schema, as "path: message" (empty: valid)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(load_schema())
    found = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message[:300]}" for e in found
    ]


@app.command()
def schema() -> None:
    """Print the JSON Schema of readiness.json (draft 2020-12)."""
    typer.echo(SCHEMA_FILE.read_text(encoding="utf-8"), nl=False)


@app.command()
def validate(
    file: Annotated[
        Path, typer.Argument(help="A readiness.json, or the report folder holding it.")
    ],
) -> None:
    """Check a readiness.json against the schema: exit 0 valid, 1 invalid, 2 unreadable."""
    err = Console(stderr=True)
    path = file / "readiness.json" if file.is_dir() else file
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        err.print(
            f"acorn: cannot read {path}: {exc}. Fix: pass a readiness.json written by "
            "`acorn run`, or its report folder.",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(2) from None
    errors = schema_errors(document)
    if errors:
        err.print(
            f"{path} does not follow the readiness.json schema:",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        for line in errors[:20]:
            err.print(f"  {line}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(1)
    version = document.get("schema_version") if isinstance(document, dict) else None
    typer.echo(f"{path}: valid readiness.json (schema_version {version}).")
