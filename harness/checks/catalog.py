"""The suite's checks, gathered from where they register themselves.

A check module defines its check once, ``NOT_01 = Check(id=..., needs=..., brief=...,
judge=...).register()``; this module imports every module of the package so each registers,
refuses duplicate ids (Check.register), and orders the suite the way the README lists it.
ALL_CHECKS, the registry's NEEDS and the README's check table are derived from here, so adding
a check is one module, its scenario and its tests (tests/unit/test_check_catalog.py keeps the
README table equal to :func:`readme_table`).
"""

from __future__ import annotations

import importlib
import pkgutil

from harness.checks.model import Check, registered_checks

__all__ = ["ORDER", "all_checks", "readme_table"]

ORDER = ("AUTH", "CONTRACT", "ORD", "PII", "LST", "INV", "PRC", "FEED", "RPT", "THR", "ERR", "TLS")
"""How the README and ALL_CHECKS list the areas; an id prefix not named here comes after them,
alphabetically."""

_NOT_CHECK_MODULES = frozenset({"catalog", "registry"})  # they read the suite, not define it


def _import_check_modules() -> None:
    package = importlib.import_module("harness.checks")
    for module in pkgutil.iter_modules(package.__path__):
        if module.name not in _NOT_CHECK_MODULES:
            importlib.import_module(f"harness.checks.{module.name}")


def _rank(check: Check) -> tuple[int, str, int]:
    prefix, _, number = check.id.rpartition("-")
    rank = ORDER.index(prefix) if prefix in ORDER else len(ORDER)
    return rank, prefix, int(number) if number.isdigit() else 0


def all_checks() -> tuple[Check, ...]:
    """Every registered check, in README order."""
    _import_check_modules()
    return tuple(sorted(registered_checks(), key=_rank))


def readme_table() -> str:
    """The README's "Readiness checks" table (id, severity, one-line requirement)."""
    rows = ["| id | severity | requirement |", "|---|---|---|"]
    rows += [f"| {c.id} | {c.severity} | {c.brief} |" for c in all_checks()]
    return "\n".join(rows)
