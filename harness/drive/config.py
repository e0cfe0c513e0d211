"""Where settings come from, in one precedence order: CLI > env > file > default.

Two kinds of file: a run configuration (``acorn.toml`` or ``[tool.acorn]`` in
``pyproject.toml``: which integration, where the report goes) and an integration's own
``acorn.toml`` (``[integration]``: how to drive it). Every error names the file and the key.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from harness.drive.scope import ACTIONS, Scope, app_roles, marketplace_ids, parse_scope
from harness.errors import ConfigError, suggest

__all__ = [
    "ACTIONS",
    "ENV_NAMES",
    "IntegrationSpec",
    "load_integration",
]

ENV_NAMES = (
    "ACORN_LWA_TOKEN_URL",
    "ACORN_ENDPOINT_NA",
    "ACORN_ENDPOINT_EU",
    "ACORN_ENDPOINT_FE",
    "ACORN_CLIENT_ID",
    "ACORN_CLIENT_SECRET",
    "ACORN_REFRESH_TOKEN",
    "ACORN_SELLER_ID",
    "ACORN_LOG_FILE",
    "ACORN_READ_TIMEOUT",
    # -- notifications (issue 17): the loopback SQS endpoint (moto) and its test credentials --
    "ACORN_SQS_ENDPOINT",
    "ACORN_SQS_QUEUE_URL",
    "ACORN_SQS_QUEUE_ARN",
    "ACORN_AWS_REGION",
    "ACORN_AWS_ACCESS_KEY_ID",
    "ACORN_AWS_SECRET_ACCESS_KEY",
    # -- alerting (issue 17): the loopback alert sink's URL --
    "ACORN_ALERT_WEBHOOK",
)
DriverKind = Literal["python", "command", "observe"]
_INTEGRATION_KEYS = {
    "name",
    "version",
    "driver",
    "app_roles",
    "adapter",
    "commands",
    "env",
    "action_timeout",
    "scope",
    "marketplaces",
    "waivers",
    "transport",
}
DEFAULT_ACTION_TIMEOUT = 180.0
"""Longer than any documented client back-off (one Node library waits 61.4 s before it retries
a throttled getOrders, and may do so twice): an action killed early proves nothing."""


def _seconds(value: object) -> bool:
    """A usable number of seconds: positive and finite (nan and inf are neither)."""
    return (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and value > 0
    )


def _suggest(key: str, known: set[str]) -> str:
    return f"{suggest(key, known)}known keys: {', '.join(sorted(known))}"


MAX_CONFIG_BYTES = 1_000_000
"""An acorn.toml is a few hundred bytes; a larger file is a mistake (or an attack on the
parser), refused before it is read."""
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise ConfigError(
                f"the file is {size:,} bytes; an ACORN configuration is far smaller",
                where=str(path),
                fix=f"point ACORN at the right acorn.toml (at most {MAX_CONFIG_BYTES:,} bytes)",
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"the file {path} does not exist", fix="give the path of an existing acorn.toml"
        ) from None
    except IsADirectoryError:
        raise ConfigError(
            f"{path} is a folder, not a TOML file", fix="give the path of an acorn.toml file"
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"cannot read {path}: {exc.strerror}", fix="check the path and its permissions"
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"not UTF-8 text (byte {exc.start} is {raw[exc.start : exc.start + 1]!r})",
            where=str(path),
            fix="save the file as UTF-8 (TOML files must be UTF-8)",
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"not valid TOML: {exc}", where=str(path), fix="correct the TOML syntax there"
        ) from None
    except RecursionError:
        raise ConfigError(
            "the TOML nests tables or arrays too deeply to read",
            where=str(path),
            fix="an acorn.toml needs two levels ([integration] and its sub-tables)",
        ) from None


@dataclass(frozen=True)
class IntegrationSpec:
    """How to drive one integration (from its ``acorn.toml`` ``[integration]`` table)."""

    name: str
    version: str
    driver: DriverKind
    root: Path
    source: Path
    adapter: str | None = None
    commands: Mapping[str, str] = field(default_factory=dict)
    env_map: Mapping[str, str] = field(default_factory=dict)
    action_timeout: float = DEFAULT_ACTION_TIMEOUT
    scope: Scope = field(default_factory=Scope)
    marketplaces: tuple[str, ...] = ()
    """The seller's marketplace ids from acorn.toml; empty when it declares none."""
    app_roles: frozenset[str] | None = None
    """The restricted roles the app holds (RDT data elements); None: not declared."""
    waivers: Path | None = None
    """The accepted-risks file (``waivers``, relative to acorn.toml); ``--waivers`` wins."""
    transport: str = "plain"
    """plain | tls | intercept: how it reaches the simulator (harness.drive.transport)."""

    def integration_env(self, acorn_env: Mapping[str, str]) -> dict[str, str]:
        """ACORN's values under both ACORN's names and the integration's own names."""
        env = dict(acorn_env)
        for acorn_name, own_name in self.env_map.items():
            if acorn_name in acorn_env:
                env[own_name] = acorn_env[acorn_name]
        return env


def load_integration(path: Path | str, *, source_hint: str = "") -> IntegrationSpec:
    """Read an integration folder (holding ``acorn.toml``) or an integration TOML file."""
    target = Path(path)
    origin = f" (from {source_hint})" if source_hint else ""
    if target.is_dir():
        file = target / "acorn.toml"
        if not file.is_file():
            raise ConfigError(
                f"the integration folder {target}{origin} has no acorn.toml",
                fix="add an acorn.toml with an [integration] table (see examples/README.md), "
                "or pass the path of the folder that has one",
            )
    elif target.is_file():
        file = target
    else:
        raise ConfigError(
            f"the integration path {target}{origin} does not exist",
            fix="pass --integration with a folder holding acorn.toml, e.g. examples/reference",
        )
    data = _read_toml(file)
    table = data.get("integration")
    if not isinstance(table, dict):
        raise ConfigError(
            "there is no [integration] table",
            where=str(file),
            fix="add [integration] with name, version, driver and adapter or commands",
        )
    for key in table:
        if key not in _INTEGRATION_KEYS:
            raise ConfigError(
                f"unknown key integration.{key}",
                where=str(file),
                fix=_suggest(key, _INTEGRATION_KEYS),
            )
    driver = table.get("driver", "python")
    if driver not in ("python", "command", "observe"):
        raise ConfigError(
            f"integration.driver is {driver!r}",
            where=str(file),
            fix="set driver to 'python', 'command' or 'observe'",
        )
    adapter = table.get("adapter")
    commands = table.get("commands", {})
    if driver == "python" and (not isinstance(adapter, str) or ":" not in adapter):
        raise ConfigError(
            f"integration.adapter is {adapter!r}; the python driver needs 'module:object'",
            where=str(file),
            fix='set adapter = "your_module:YourConnector"',
        )
    if driver == "command":
        if not isinstance(commands, dict) or not commands:
            raise ConfigError(
                "the command driver needs an [integration.commands] table",
                where=str(file),
                fix='add one command per action, e.g. sync_orders = "./connector sync-orders"',
            )
        for action, command in commands.items():
            if action not in ACTIONS:
                raise ConfigError(
                    f"integration.commands.{action} is not an action",
                    where=str(file),
                    fix=_suggest(action, set(ACTIONS)),
                )
            if not isinstance(command, str) or not command.strip():
                raise ConfigError(
                    f"integration.commands.{action} must be a non-empty string",
                    where=str(file),
                    fix="give the shell command that performs the action",
                )
    env_map = table.get("env", {})
    if not isinstance(env_map, dict):
        raise ConfigError(
            "integration.env must be a table", where=str(file), fix="use [integration.env]"
        )
    for acorn_name, own in env_map.items():
        if acorn_name not in ENV_NAMES:
            raise ConfigError(
                f"integration.env.{acorn_name} is not a variable ACORN provides",
                where=str(file),
                fix=_suggest(acorn_name, set(ENV_NAMES)),
            )
        if not isinstance(own, str) or not _ENV_NAME.match(own):
            raise ConfigError(
                f"integration.env.{acorn_name} is {own!r}, which is not an environment "
                "variable name (letters, digits and _, not starting with a digit)",
                where=str(file),
                fix=f'write {acorn_name} = "YOUR_VARIABLE_NAME"',
            )
    timeout = table.get("action_timeout", DEFAULT_ACTION_TIMEOUT)
    if not _seconds(timeout):
        raise ConfigError(
            f"integration.action_timeout is {timeout!r}",
            where=str(file),
            fix="give a positive, finite number of seconds (e.g. 180)",
        )
    scope = parse_scope(
        table.get("scope"),
        commands=list(commands) if driver == "command" else [],
        where=str(file),
    )
    marketplaces = marketplace_ids(table.get("marketplaces"), where=str(file))
    roles = app_roles(table.get("app_roles"), where=str(file))
    waivers = table.get("waivers")
    if waivers is not None and (not isinstance(waivers, str) or not waivers.strip()):
        raise ConfigError(
            f"integration.waivers is {waivers!r}",
            where=str(file),
            fix='give the path of a waivers file, relative to acorn.toml: waivers = "waivers.toml"',
        )
    from harness.drive.transport import check_transport

    transport = check_transport(table.get("transport", "plain"), where=f"{file}: transport")
    return IntegrationSpec(
        name=str(table.get("name", file.parent.name)),
        version=str(table.get("version", "unknown")),
        driver=driver,
        root=file.parent.resolve(),
        source=file.resolve(),
        adapter=adapter,
        commands=dict(commands),
        env_map=dict(env_map),
        action_timeout=float(timeout),
        scope=scope,
        marketplaces=marketplaces,
        app_roles=roles,
        waivers=(file.parent / waivers).resolve() if waivers else None,
        transport=transport,
    )
