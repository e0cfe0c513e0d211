"""``acorn init``: wire a team's integration in, and ``acorn examples path``: find the bundled ones.

``init`` writes, in the team's folder, an acorn.toml (scope = the actions they pick, their
marketplaces, the environment mapping) and a glue template with one function per chosen action
that shows its arguments and its result, from the same JSON Schemas ``acorn run`` checks the
results against (harness.drive.action_schema), so the template cannot drift from the protocol.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from harness.drive.action_schema import schema_of
from harness.drive.scope import ACTIONS
from harness.errors import AcornUsageError, ConfigError, suggest

__all__ = ["DRIVERS", "LANGS", "InitPlan", "plan_init", "register", "write_init"]

DRIVERS = ("python", "command")
LANGS = ("python", "node")
GLUE = {"python": "acorn_glue.py", "node": "acorn_glue.mjs"}
ENV_MAP = {
    "ACORN_LWA_TOKEN_URL": "SPAPI_LWA_TOKEN_URL",
    "ACORN_ENDPOINT_NA": "SPAPI_ENDPOINT_NA",
    "ACORN_ENDPOINT_EU": "SPAPI_ENDPOINT_EU",
    "ACORN_ENDPOINT_FE": "SPAPI_ENDPOINT_FE",
    "ACORN_CLIENT_ID": "LWA_CLIENT_ID",
    "ACORN_CLIENT_SECRET": "LWA_CLIENT_SECRET",
    "ACORN_REFRESH_TOKEN": "SPAPI_REFRESH_TOKEN",
    "ACORN_SELLER_ID": "SPAPI_SELLER_ID",
    "ACORN_LOG_FILE": "CONNECTOR_LOG_FILE",
    "ACORN_READ_TIMEOUT": "SPAPI_READ_TIMEOUT",
}
"""ACORN's variable -> the name the glue reads; the team renames the right-hand side."""
SQS_ENV_MAP = {
    "ACORN_SQS_ENDPOINT": "SQS_ENDPOINT",
    "ACORN_SQS_QUEUE_URL": "SQS_QUEUE_URL",
    "ACORN_SQS_QUEUE_ARN": "SQS_QUEUE_ARN",
    "ACORN_AWS_REGION": "AWS_REGION",
    "ACORN_AWS_ACCESS_KEY_ID": "AWS_ACCESS_KEY_ID",
    "ACORN_AWS_SECRET_ACCESS_KEY": "AWS_SECRET_ACCESS_KEY",
}
"""For the notification actions: ACORN's loopback SQS queue, under the names boto3 and the
AWS SDKs read themselves."""
NOTIFICATION_ACTIONS = frozenset({"subscribe", "process_notifications"})


class InitPlan:
    """What ``acorn init`` will write: checked before anything touches the disk."""

    def __init__(
        self, folder: Path, driver: str, lang: str, actions: tuple[str, ...], markets: list[str]
    ) -> None:
        self.folder, self.driver, self.lang = folder, driver, lang
        self.actions, self.marketplaces = actions, markets
        self.glue = folder / GLUE[lang]
        self.toml = folder / "acorn.toml"


def _choices(raw: str | None, known: tuple[str, ...], what: str) -> tuple[str, ...]:
    if raw is None:
        return known
    picked = [p.strip() for p in raw.split(",") if p.strip()]
    for item in picked:
        if item not in known:
            raise ConfigError(
                f"{item!r} is not {what}",
                fix=f"{suggest(item, known)}choose from: {', '.join(known)}",
            )
    if not picked:
        raise ConfigError(f"no {what} given", fix=f"choose from: {', '.join(known)}")
    return tuple(a for a in known if a in picked)


def plan_init(
    folder: Path,
    *,
    driver: str = "python",
    lang: str = "python",
    actions: str | None = None,
    marketplaces: str | None = None,
    force: bool = False,
) -> InitPlan:
    """Check every option; raise a usage error naming the choices for a wrong one."""
    from harness.drive.scope import marketplace_ids

    if driver not in DRIVERS:
        raise ConfigError(
            f"--driver is {driver!r}",
            fix=f"{suggest(driver, DRIVERS)}choose one of: python, command",
        )
    if lang not in LANGS:
        raise ConfigError(
            f"--lang is {lang!r}", fix=f"{suggest(lang, LANGS)}choose one of: python, node"
        )
    if driver == "python" and lang != "python":
        raise ConfigError(
            f"the python driver runs Python code; --lang {lang} needs the command driver",
            fix=f"use --driver command --lang {lang}",
        )
    chosen = _choices(actions, ACTIONS, "an action")
    markets = [m.strip() for m in (marketplaces or "").split(",") if m.strip()]
    if marketplaces is not None and not markets:
        raise ConfigError("--marketplaces is empty", fix="give country codes, e.g. US,DE")
    if markets:
        marketplace_ids(markets, where="--marketplaces")  # refuses an unknown one, with the list
    plan = InitPlan(folder, driver, lang, chosen, markets)
    if not force:
        for path in (plan.toml, plan.glue):
            if path.exists():
                raise ConfigError(
                    f"{path} already exists; acorn init does not overwrite it",
                    fix="pass --force to replace it, or run acorn init in another folder",
                )
    return plan


def _toml_list(items: list[str] | tuple[str, ...]) -> str:
    return "[" + ", ".join(f'"{i}"' for i in items) + "]"


def _command(plan: InitPlan, action: str) -> str:
    runner = "python3" if plan.lang == "python" else "node"
    return f"{runner} {plan.glue.name} {action}"


def render_toml(plan: InitPlan) -> str:
    lines = [
        "# Written by `acorn init`: how ACORN drives this integration (examples/README.md in",
        "# ACORN's docs; `acorn examples path` shows the bundled ones). Then, in this folder:",
        "# acorn run --integration .",
        "[integration]",
        f'name = "{plan.folder.resolve().name}"',
        'version = "0.1.0"',
        f'driver = "{plan.driver}"',
    ]
    if plan.driver == "python":
        lines.append(f'adapter = "{plan.glue.stem}:Connector"')
    lines += [
        "# The actions this integration implements: it is judged on these only.",
        f"scope = {_toml_list(plan.actions)}",
        "# The seller's marketplaces (country codes or marketplace ids); without it, the",
        "# scenarios use every marketplace they have data for.",
        f"marketplaces = {_toml_list(plan.marketplaces)}"
        if plan.marketplaces
        else '# marketplaces = ["US", "DE"]',
        "# The restricted roles your app was granted (RDT data elements); without it, ACORN",
        '# grants all of them. Add "buyerTaxInformation" if the app holds Tax Invoicing.',
        '# app_roles = ["buyerInfo", "shippingAddress"]',
        "",
        "# ACORN's value = the environment variable your integration reads; rename the right side.",
        "[integration.env]",
        *(f'{acorn} = "{own}"' for acorn, own in ENV_MAP.items()),
    ]
    if NOTIFICATION_ACTIONS & set(plan.actions):
        lines += [
            "# Notifications: ACORN's SQS queue on loopback (moto), under the AWS SDKs' names.",
            *(f'{acorn} = "{own}"' for acorn, own in SQS_ENV_MAP.items()),
        ]
    lines += [
        "# Alerting (MON-01/02 are judged once this is mapped): the webhook to post alerts to.",
        '# ACORN_ALERT_WEBHOOK = "ALERT_WEBHOOK_URL"',
    ]
    if plan.driver == "command":
        lines += [
            "",
            "# One command per action: arguments as JSON on stdin, the result as JSON on stdout.",
            "# It runs in this folder with the PATH `acorn` was started with.",
            "[integration.commands]",
            *(f'{a} = "{_command(plan, a)}"' for a in plan.actions),
        ]
    return "\n".join(lines) + "\n"


def _type(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " or ".join(_type(s) for s in schema["anyOf"])
    kind = schema.get("type", "any")
    kinds = kind if isinstance(kind, list) else [kind]
    shown = []
    for k in kinds:
        if k == "array" and isinstance(schema.get("items"), dict):
            shown.append(f"list of {_type(schema['items'])}")
        elif k == "object" and schema.get("properties"):
            shown.append("{" + ", ".join(schema["properties"]) + "}")
        else:
            shown.append(str(k))
    return " or ".join(shown)


def describe(action: str, part: str) -> list[str]:
    """One line per top-level field: ``name: type (required) - description``."""
    schema = schema_of(action, part)
    required = set(schema.get("required", []))
    out = []
    for name, sub in schema.get("properties", {}).items():
        line = f"{name}: {_type(sub)}" + (" (required)" if name in required else "")
        if sub.get("description"):
            line += f" - {sub['description']}"
        out.append(line)
    return out


def _doc(action: str, indent: str, comment: str) -> list[str]:
    lines = ["Arguments:", *("  " + f for f in describe(action, "arguments"))]
    lines += ["Result:", *("  " + f for f in describe(action, "result"))]
    lines.append(f"Full schema: acorn actions schema {action}")
    return [f"{indent}{comment}{line}".rstrip() for line in lines]


def _todo(action: str) -> str:
    return f"TODO {action}: call your integration and return the result shown above"


def render_python_adapter(plan: InitPlan) -> str:
    out = [
        '"""ACORN glue, written by `acorn init`: one method per action, calling your code.',
        "",
        "Replace each TODO with a call into your integration and return the result shape",
        "shown. `acorn run` checks every result against the action's schema.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import Any",
        "",
        "",
        "class Connector:",
        '    """ACORN makes one per scenario and calls a method per action with its arguments."""',
        "",
        "    def __init__(self) -> None:",
        "        pass  # TODO: create your client here, configured from the environment",
    ]
    for action in plan.actions:
        out += ["", f"    def {action}(self, args: dict[str, Any]) -> dict[str, Any]:"]
        out += ['        """', *_doc(action, "        ", ""), '        """']
        out.append(f'        raise NotImplementedError("{_todo(action)}")')
    out += ["", "    def close(self) -> None:", "        pass  # optional: close your client", ""]
    return "\n".join(out)


def render_python_command(plan: InitPlan) -> str:
    out = [
        '"""ACORN glue, written by `acorn init`: `python3 acorn_glue.py ACTION` reads the',
        "action's arguments as JSON on stdin and prints its result as JSON on stdout (logs go to",
        'stderr). Replace each TODO with a call into your integration."""',
        "",
        "from __future__ import annotations",
        "",
        "import json",
        "import sys",
        "from typing import Any",
    ]
    for action in plan.actions:
        out += ["", "", f"def {action}(args: dict[str, Any]) -> dict[str, Any]:"]
        out += ['    """', *_doc(action, "    ", ""), '    """']
        out.append(f'    raise NotImplementedError("{_todo(action)}")')
    out += [
        "",
        "",
        "ACTIONS = {" + ", ".join(f'"{a}": {a}' for a in plan.actions) + "}",
        "",
        "",
        "def main() -> int:",
        "    result = ACTIONS[sys.argv[1]](json.load(sys.stdin))",
        "    json.dump(result, sys.stdout)",
        '    return 0 if result.get("ok") else 1',
        "",
        "",
        'if __name__ == "__main__":',
        "    sys.exit(main())",
        "",
    ]
    return "\n".join(out)


def render_node_command(plan: InitPlan) -> str:
    out = [
        "// ACORN glue, written by `acorn init`: `node acorn_glue.mjs ACTION` reads the action's",
        "// arguments as JSON on stdin and prints its result as JSON on stdout (logs go to",
        "// stderr). Replace each TODO with a call into your integration.",
        "import process from 'node:process'",
        "",
        "const actions = {",
    ]
    for action in plan.actions:
        out += ["  /**", *_doc(action, "   ", "* "), "   */"]
        out += [f"  async {action}(args) {{", f"    throw new Error('{_todo(action)}')", "  },"]
    out += [
        "}",
        "",
        "let text = ''",
        "for await (const chunk of process.stdin) text += chunk",
        "const result = await actions[process.argv[2]](JSON.parse(text))",
        "const done = () => process.exit(result.ok ? 0 : 1)",
        "process.stdout.write(JSON.stringify(result) + '\\n', done)",
        "",
    ]
    return "\n".join(out)


def write_init(plan: InitPlan) -> list[Path]:
    if plan.lang == "node":
        glue = render_node_command(plan)
    elif plan.driver == "python":
        glue = render_python_adapter(plan)
    else:
        glue = render_python_command(plan)
    plan.folder.mkdir(parents=True, exist_ok=True)
    plan.toml.write_text(render_toml(plan), encoding="utf-8")
    plan.glue.write_text(glue, encoding="utf-8")
    return [plan.toml, plan.glue]


examples_app = typer.Typer(
    name="examples", help="The example integrations bundled with ACORN.", no_args_is_help=True
)


@examples_app.command("path")
def examples_path(
    name: Annotated[
        str | None, typer.Argument(help="reference, naive or conservative (default: the folder).")
    ] = None,
) -> None:
    """Print where a bundled example integration is, e.g. for `acorn run --integration`."""
    from harness.paths import bundled

    root = bundled("examples")
    if name is None:
        typer.echo(str(root))
        return
    known = sorted(p.name for p in root.iterdir() if (p / "acorn.toml").is_file())
    if name not in known:
        typer.echo(
            f"acorn: cannot run. {name!r} is not a bundled example. "
            f"{suggest(name, known)}the examples are: {', '.join(known)}",
            err=True,
        )
        raise typer.Exit(2)
    typer.echo(str(root / name))


def register(app: typer.Typer) -> None:
    app.add_typer(examples_app, name="examples")

    @app.command()
    def init(
        folder: Annotated[Path, typer.Argument(help="The integration's folder.")] = Path("."),
        driver: Annotated[str, typer.Option(help="python (a class) or command (any language).")] = (
            "python"
        ),
        lang: Annotated[str, typer.Option(help="The glue's language: python or node.")] = "python",
        actions: Annotated[
            str | None,
            typer.Option(help="Comma-separated actions it implements (default: all)."),
        ] = None,
        marketplaces: Annotated[
            str | None,
            typer.Option(help="Comma-separated marketplaces, e.g. US,DE (default: all ACORN has)."),
        ] = None,
        force: Annotated[
            bool, typer.Option("--force", help="Replace an existing acorn.toml and glue.")
        ] = False,
    ) -> None:
        """Write an acorn.toml and a glue template for the actions your integration implements."""
        try:
            plan = plan_init(
                folder,
                driver=driver,
                lang=lang,
                actions=actions,
                marketplaces=marketplaces,
                force=force,
            )
        except AcornUsageError as exc:
            typer.echo(f"acorn: cannot run. {exc}", err=True)
            raise typer.Exit(2) from None
        for path in write_init(plan):
            typer.echo(f"wrote {path}")
        typer.echo(
            f"Next: fill in the TODOs in {plan.glue.name}, rename the variables in "
            f"[integration.env] to yours, then run: acorn run --integration {folder}"
        )
