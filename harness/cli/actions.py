"""``acorn actions schema [ACTION]``: the action protocol as JSON Schemas, for a team's glue.

The same schemas ship as files (``harness/drive/action_schemas/<action>.<part>.json``, written
by ``--write``) so a team's own tests can validate their glue's output without ACORN running.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from harness.drive.action_schema import action_schemas
from harness.drive.scope import ACTIONS
from harness.errors import suggest

__all__ = ["SCHEMA_FILES", "app", "write_schema_files"]

SCHEMA_FILES = Path(str(resources.files("harness.drive") / "action_schemas"))
"""Inside the package (shipped in the wheel as package data), beside the module they come from."""

app = typer.Typer(
    name="actions",
    help="The actions ACORN drives an integration through.",
    no_args_is_help=True,
    add_completion=False,
)


def _dump(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def write_schema_files(folder: Path) -> list[Path]:
    """One file per action and part; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for action, parts in action_schemas().items():
        for part, schema in parts.items():
            path = folder / f"{action}.{part}.json"
            path.write_text(_dump(schema), encoding="utf-8")
            written.append(path)
    return written


@app.command()
def schema(
    action: Annotated[
        str | None, typer.Argument(help="One action (default: every action).")
    ] = None,
    part: Annotated[
        str | None,
        typer.Option(help="Only 'arguments' or only 'result' (default: both)."),
    ] = None,
    write: Annotated[
        Path | None,
        typer.Option(help="Write one file per action and part into this folder instead."),
    ] = None,
) -> None:
    """Print the JSON Schemas of the actions' arguments and results."""
    if action is not None and action not in ACTIONS:
        typer.echo(
            f"acorn: cannot run. {action!r} is not an action. "
            f"{suggest(action, ACTIONS)}the actions are: {', '.join(ACTIONS)}",
            err=True,
        )
        raise typer.Exit(2)
    if part is not None and part not in ("arguments", "result"):
        typer.echo(f"acorn: cannot run. --part is {part!r}; give 'arguments' or 'result'", err=True)
        raise typer.Exit(2)
    if write is not None:
        for path in write_schema_files(write):
            typer.echo(str(path))
        return
    schemas = action_schemas((action,) if action else ACTIONS)
    if part:
        shown: object = {a: s[part] for a, s in schemas.items()}
    else:
        shown = schemas
    if action:
        shown = shown[action]  # type: ignore[index]
    typer.echo(_dump(shown), nl=False)
