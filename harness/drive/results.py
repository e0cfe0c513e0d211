"""Checking what an integration returned for an action against the action protocol."""

from __future__ import annotations

import json
from typing import Any

from harness.contracts.swagger_json import JsonInputError, loads_bounded
from harness.drive.action_schema import result_problem
from harness.drive.config import IntegrationSpec
from harness.errors import DriverError

__all__ = ["RESULT_DEPTH", "check_result", "parse_result"]

RESULT_DEPTH = 64
"""An action's result is a few levels deep; one nested deeper (a 100k-deep array) is refused
as a protocol error instead of crashing a check with RecursionError."""


def parse_result(spec: IntegrationSpec, action: str, text: str) -> dict[str, Any]:
    """Parse a command's stdout; anything but one JSON object is a protocol error."""
    try:
        value = loads_bounded(text, RESULT_DEPTH)
    except JsonInputError as exc:
        raise DriverError(
            f"the {action!r} action of integration {spec.name!r} printed a result ACORN will "
            f"not read: {exc.message}",
            where=str(spec.source),
            fix=f"return the action's result as documented (at most {RESULT_DEPTH} levels of "
            "nesting; see examples/README.md, Actions)",
        ) from None
    except json.JSONDecodeError as exc:
        excerpt = text.strip().replace("\n", " ")[:120] or "(nothing)"
        raise DriverError(
            f"the {action!r} action of integration {spec.name!r} printed something that is not "
            f"JSON on stdout ({exc.msg} at line {exc.lineno}); it began with: {excerpt!r}",
            where=str(spec.source),
            fix="print exactly one JSON object on stdout (logs go to stderr), "
            'e.g. {"ok": true, "errors": []}',
        ) from None
    return check_result(spec, action, value)


def check_result(spec: IntegrationSpec, action: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or not isinstance(value.get("ok"), bool):
        shape = type(value).__name__ if not isinstance(value, dict) else "an object without ok"
        raise DriverError(
            f"the {action!r} action of integration {spec.name!r} returned {shape}",
            where=str(spec.source),
            fix='return a JSON object with a boolean "ok" and an "errors" list '
            "(see examples/README.md, Actions)",
        )
    problem = result_problem(action, value)
    if problem is not None:
        field, what = problem
        raise DriverError(
            f"the {action!r} action of integration {spec.name!r} returned a result that breaks "
            f"the action schema: {field} {what}",
            where=str(spec.source),
            fix=f"change what the action returns at {field} to match the schema printed by "
            f"`acorn actions schema {action}` (examples/README.md, Actions)",
        )
    return value
