"""The package's layers import only downward: contracts -> sim -> drive -> checks -> report
-> plugin/cli. A walk over every import (top-level and lazy) keeps it that way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parents[2] / "harness"
LAYERS = {
    "errors": 0,
    "redact": 0,
    "paths": 0,
    "contracts": 1,
    "cassettes": 1,  # data-level: format, scrub, scan, match (no sockets)
    "sim": 2,
    "drive": 3,
    "checks": 4,
    "report": 5,
    "plugin": 6,
    "fixtures": 6,  # the plugin's fixtures for a team's own tests
    "session": 6,  # the plugin's AcornSession, apart from its hooks
    "record": 6,  # what a session gathers; how parallel workers hand it over
    "cli": 6,
}


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "harness" or len(parts) < 2:
        return None
    return LAYERS.get(parts[1])


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


MODULES = sorted(p for p in HARNESS.rglob("*.py") if p.name != "__init__.py" or p.parent != HARNESS)


def test_every_package_is_assigned_a_layer() -> None:
    tops = {p.relative_to(HARNESS).parts[0].removesuffix(".py") for p in MODULES}
    assert tops - {"__init__"} <= set(LAYERS), tops - set(LAYERS)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(HARNESS)))
def test_imports_only_go_downward(path: Path) -> None:
    own = LAYERS[path.relative_to(HARNESS).parts[0].removesuffix(".py")]
    upward = [
        f"line {line}: {module}"
        for line, module in _imports(path)
        if (target := _layer(module)) is not None and target > own
    ]
    assert upward == [], f"{path.relative_to(HARNESS)} imports a higher layer: {upward}"
