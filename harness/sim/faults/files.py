"""Fault plan files: TOML (tomllib) or YAML (PyYAML), with line numbers for every mistake."""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path
from typing import Any

from harness.contracts import ContractSet
from harness.errors import ConfigError
from harness.sim.faults.plan import FaultPlan
from harness.sim.faults.rules import FaultRule, suggest

__all__ = ["load", "load_fault_plan", "plan_from_dict"]

_RULE_KEYS = {
    "name",
    "operation",
    "path_contains",
    "on_calls",
    "from_call",
    "share",
    "window",
    "times",
    "sticky",
    "preset",
    "status",
    "code",
    "message",
    "details",
    "body",
    "transport",
    "after_write",
    "hold",
    "interval",
    "chunks",
}
_PLAN_KEYS = {"seed", "client_timeout", "fault", "faults"}


def load(path: Path | str, contracts: ContractSet | None = None) -> FaultPlan:
    """Read a ``.toml`` or ``.yaml``/``.yml`` fault plan and check it against the contracts."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot read the fault plan {file}: {exc.strerror}",
            fix="give the path of an existing .toml or .yaml fault plan",
        ) from None
    suffix = file.suffix.lower()
    if suffix == ".toml":
        data, lines = _parse_toml(text, file)
    elif suffix in (".yaml", ".yml"):
        data, lines = _parse_yaml(text, file)
    else:
        raise ConfigError(
            f"{file.name} is neither TOML nor YAML",
            where=str(file),
            fix="name the file *.toml, *.yaml or *.yml",
        )
    plan = plan_from_dict(data, source=str(file), lines=lines)
    from harness.contracts import load_contracts

    plan.check_against(contracts or load_contracts())
    return plan


def plan_from_dict(
    data: Any, *, source: str = "<dict>", lines: list[dict[str, int]] | None = None
) -> FaultPlan:
    """Build a plan from parsed TOML/YAML; ``lines`` gives each rule's key -> line number."""
    if not isinstance(data, dict):
        raise ConfigError(
            "a fault plan must be a table/mapping",
            where=source,
            fix="write top-level keys seed, client_timeout and a list of faults",
        )
    for key in data:
        if key not in _PLAN_KEYS:
            raise ConfigError(
                f"unknown key {key!r}",
                where=source,
                fix=f"{suggest(str(key), _PLAN_KEYS)}known keys: {', '.join(sorted(_PLAN_KEYS))}",
            )
    raw_rules = data.get("fault", data.get("faults", []))
    if not isinstance(raw_rules, list):
        raise ConfigError(
            "faults must be a list of rules",
            where=source,
            fix="use [[fault]] tables in TOML or a 'faults:' list in YAML",
        )
    rules = []
    for index, raw in enumerate(raw_rules):
        keys = lines[index] if lines and index < len(lines) else {}
        rules.append(_rule_from_dict(raw, index, source, keys))
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"seed is {seed!r}", where=source, fix="give an integer seed")
    timeout = data.get("client_timeout", 1.0)
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not math.isfinite(timeout)
        or timeout <= 0
    ):
        raise ConfigError(
            f"client_timeout is {timeout!r}, not a finite number of seconds above 0",
            where=source,
            fix="give seconds, e.g. client_timeout = 0.5",
        )
    return FaultPlan(tuple(rules), seed=seed, client_timeout=float(timeout), source=source)


def _rule_from_dict(raw: Any, index: int, source: str, lines: dict[str, int]) -> FaultRule:
    start = lines.get("", 0)
    label = f"{source}:{start}" if start else source
    where = f"{label} (fault #{index + 1})"
    if not isinstance(raw, dict):
        raise ConfigError(
            f"fault #{index + 1} is not a table", where=where, fix="write key = value pairs"
        )

    def at(key: str) -> str:
        line = lines.get(key)
        return f"{source}:{line} (fault #{index + 1}, {key})" if line else where

    for key in raw:
        if key not in _RULE_KEYS:
            raise ConfigError(
                f"unknown key {key!r} in fault #{index + 1}",
                where=at(str(key)),
                fix=f"{suggest(str(key), _RULE_KEYS)}known keys: {', '.join(sorted(_RULE_KEYS))}",
            )
    kwargs = dict(raw)
    calls = kwargs.get("on_calls", ())
    kwargs["on_calls"] = tuple(calls) if isinstance(calls, list) else (calls,) if calls else ()
    window = kwargs.get("window")
    if window is not None:
        if (
            not isinstance(window, list)
            or len(window) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in window)
        ):
            raise ConfigError(
                f"window is {window!r}",
                where=at("window"),
                fix="give [start, end] in seconds since the scenario began, e.g. [0, 2.5]",
            )
        kwargs["window"] = (float(window[0]), float(window[1]))
    try:
        return FaultRule(
            **kwargs, where=f"{source} (fault #{index + 1})", lines=tuple(sorted(lines.items()))
        )
    except TypeError as exc:  # a value of the wrong type deep inside
        raise ConfigError(f"fault #{index + 1}: {exc}", where=where) from None


_TOML_HEADER = re.compile(r"^\s*\[\[\s*faults?\s*\]\]")
_TOML_KEY = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=")


def _parse_toml(text: str, file: Path) -> tuple[Any, list[dict[str, int]]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"not valid TOML: {exc}", where=str(file), fix="correct the TOML syntax there"
        ) from None
    lines: list[dict[str, int]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if _TOML_HEADER.match(line):
            lines.append({"": number})
        elif lines and (key := _TOML_KEY.match(line)):
            lines[-1].setdefault(key.group(1), number)
    return data, lines


def _parse_yaml(text: str, file: Path) -> tuple[Any, list[dict[str, int]]]:
    try:
        import yaml
    except ImportError:
        raise ConfigError(
            "YAML fault plans need PyYAML, which is not installed",
            where=str(file),
            fix="pip install pyyaml, or write the plan as TOML",
        ) from None
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"not valid YAML: {exc}", where=str(file), fix="correct the YAML syntax there"
        ) from None
    lines: list[dict[str, int]] = []
    if isinstance(root, yaml.MappingNode):
        for key_node, value_node in root.value:
            if key_node.value in ("fault", "faults") and isinstance(value_node, yaml.SequenceNode):
                for item in value_node.value:
                    keys = {"": item.start_mark.line + 1}
                    if isinstance(item, yaml.MappingNode):
                        for k, _v in item.value:
                            keys.setdefault(str(k.value), k.start_mark.line + 1)
                    lines.append(keys)
    return data, lines


def load_fault_plan(path: Path | str, contracts: ContractSet | None = None) -> FaultPlan:
    """Read a ``.toml`` or ``.yaml``/``.yml`` fault plan (the name the package exports)."""
    return load(path, contracts)
