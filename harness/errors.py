"""The harness's own exceptions.

A user's mistake (a broken config file, an unknown integration path, a malformed contract)
is an :class:`AcornUsageError`: the CLI prints its message as one paragraph and exits 2,
without a traceback. Everything else is a bug in ACORN and keeps its traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "AcornError",
    "AcornUsageError",
    "ConfigError",
    "ContractError",
    "DriverError",
    "OutOfScope",
    "suggest",
]


def suggest(value: str, known: Iterable[str]) -> str:
    """A "did you mean" prefix for an error's fix, or nothing when no name is close."""
    close = difflib.get_close_matches(value, sorted(known), n=1)
    return f"did you mean {close[0]!r}? " if close else ""


class AcornError(Exception):
    """Root of every exception ACORN raises on purpose."""


class AcornUsageError(AcornError):
    """Something the user gave ACORN is wrong; the message says what and how to fix it."""

    def __init__(self, what: str, *, fix: str | None = None, where: str | None = None) -> None:
        self.what = what
        self.fix = fix
        self.where = where
        parts = [f"{where}: {what}" if where else what]
        if fix:
            parts.append(f"Fix: {fix}")
        super().__init__(" ".join(parts))


class ContractError(AcornUsageError):
    """A contract file is malformed or refers to something that does not exist."""


class ConfigError(AcornUsageError):
    """The ACORN configuration (acorn.toml, [tool.acorn], CLI options or env) is wrong."""


class DriverError(AcornUsageError):
    """The integration could not be started, or it answered an action with something unusable."""


class OutOfScope(AcornError):
    """A scenario needs an action the integration does not declare in its scope.

    Not an error: the checks that scenario feeds are *not applicable* to this integration, and
    the report says so instead of failing or skipping them.
    """

    def __init__(self, scenario: str, missing: list[str], scope: str) -> None:
        self.scenario = scenario
        self.missing = tuple(missing)
        self.scope = scope
        super().__init__(
            f"out of scope: scenario {scenario!r} needs {', '.join(missing)}, which the "
            f"integration does not declare (its scope: {scope})"
        )
