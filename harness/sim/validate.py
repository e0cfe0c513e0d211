"""Request validation against the operation contract (path, query, body, content type)."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft7Validator

from harness.contracts import Operation, Parameter
from harness.sim.http import SimRequest

__all__ = ["Violation", "validate_request"]


@dataclass(frozen=True)
class Violation:
    field: str  # e.g. "query.MarketplaceIds", "body.restrictedResources[0].method"
    rule: str  # the JSON Schema keyword or "required" / "content-type" / "json"
    message: str
    status: int = 400

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "rule": self.rule, "message": self.message}


@functools.lru_cache(maxsize=4096)
def _validator(schema_json: str) -> Draft7Validator:
    return Draft7Validator(json.loads(schema_json))


def _coerce(param: Parameter, raw: list[str]) -> tuple[Any, str | None]:
    kind = param.schema.get("type")
    if kind == "array":
        return [v for r in raw for v in r.split(",") if v != ""], None
    value = raw[0]
    if kind == "integer":
        try:
            return int(value), None
        except ValueError:
            return value, f"{param.name} must be an integer, got {value!r}"
    if kind == "number":
        try:
            return float(value), None
        except ValueError:
            return value, f"{param.name} must be a number, got {value!r}"
    if kind == "boolean":
        if value.lower() in ("true", "false"):
            return value.lower() == "true", None
        return value, f"{param.name} must be true or false, got {value!r}"
    return value, None


def _location(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _schema_violations(prefix: str, schema: dict[str, Any], value: Any) -> list[Violation]:
    validator = _validator(json.dumps(schema, sort_keys=True))
    found = []
    for err in sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path)):
        where = prefix + _location(err.absolute_path)
        found.append(Violation(where, str(err.validator), f"{where}: {err.message}"))
    return found


def validate_request(
    op: Operation, request: SimRequest, path_params: dict[str, str]
) -> list[Violation]:
    """Everything in ``request`` that breaks ``op``'s contract; unknown query keys are fine."""
    violations: list[Violation] = []
    for param in op.parameters:
        if param.location == "path":
            value: Any = path_params.get(param.name, "")
            violations += _schema_violations(f"path.{param.name}", dict(param.schema), value)
            continue
        if param.location == "header":
            continue
        raw = request.query.get(param.name)
        if not raw:
            if param.required:
                violations.append(
                    Violation(
                        f"query.{param.name}",
                        "required",
                        f"Missing required query parameter {param.name}.",
                    )
                )
            continue
        value, problem = _coerce(param, raw)
        if problem:
            violations.append(Violation(f"query.{param.name}", "type", problem))
            continue
        violations += _schema_violations(f"query.{param.name}", dict(param.schema), value)
    if op.request_body is not None:
        violations += _body_violations(op, request)
    return violations


def _body_violations(op: Operation, request: SimRequest) -> list[Violation]:
    assert op.request_body is not None
    if not request.body.strip():
        if op.request_body_required:
            return [Violation("body", "required", "The request body is missing.")]
        return []
    if request.content_type not in ("application/json", ""):
        return [
            Violation(
                "header.content-type",
                "content-type",
                f"Content-Type {request.content_type!r} is not supported; send application/json.",
                status=415,
            )
        ]
    try:
        body = request.json()
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [Violation("body", "json", f"The request body is not valid JSON: {exc}.")]
    schema = {**op.request_body, "definitions": dict(op.definitions)}
    return _schema_violations("body", schema, body)
