"""Finding a check by its id, or by the scenario test that judges it.

Scenario tests are named after the check they judge (``test_auth_02_...`` judges AUTH-02), so
the plugin knows before a scenario runs which checks it owes the report: a check whose
scenario errors, or never runs, is listed with that status instead of silently vanishing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from harness.checks import ALL_CHECKS
from harness.checks.model import Check

__all__ = ["NEEDS", "check_by_id", "check_for_test", "missing_actions"]

_BY_ID = {check.id: check for check in ALL_CHECKS}
_TEST_NAME = re.compile(r"^test_([a-z]+)_(\d{2})(?:_|$)")


NEEDS: dict[str, tuple[str, ...]] = {check.id: check.needs for check in ALL_CHECKS}
"""The actions each check needs before it can be judged at all ("a|b": either will do), as
each check registered them (Check.needs).

An integration whose declared scope lacks one gets the check as ``not_applicable``."""


def missing_actions(check_id: str, scope: Iterable[str], env_map: Iterable[str] = ()) -> list[str]:
    """The needs of ``check_id`` that ``scope`` does not cover (empty: the check applies).

    A need ``env:NAME`` is met when the integration maps ACORN's variable NAME in
    ``[integration.env]`` (``env_map``: the ACORN names it maps), e.g. an alert webhook."""
    have = set(scope) | {f"env:{name}" for name in env_map}
    return [
        _say(need) for need in NEEDS.get(check_id, ()) if not have.intersection(need.split("|"))
    ]


def _say(need: str) -> str:
    if need.startswith("env:"):
        return f"an {need[4:]} mapping in [integration.env]"
    return need.replace("|", " or ")


def check_by_id(check_id: str) -> Check:
    try:
        return _BY_ID[check_id]
    except KeyError:
        known = ", ".join(sorted(_BY_ID))
        raise KeyError(f"no readiness check {check_id!r}; the checks are {known}") from None


def check_for_test(test_name: str) -> Check | None:
    """The check a scenario test judges, from its name; None for a test that judges none."""
    match = _TEST_NAME.match(test_name.split("[", 1)[0])
    if match is None:
        return None
    return _BY_ID.get(f"{match.group(1).upper()}-{match.group(2)}")
