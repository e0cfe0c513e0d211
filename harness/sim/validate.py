"""Requests and responses checked against the operation contract.

A request is checked the way Amazon's gateway checks it before any business logic: path
parameters, query parameters (types, enums, array limits such as one marketplace on a listings
PUT), content type, and the JSON body against its schema. Each finding names the exact field
and the JSON Schema rule it broke, so a readiness report can say what to fix.

Speed matters (every simulated call goes through here): each operation's schemas are compiled
once, and the verdict comes from ``jsonschema_rs``; only an invalid value is explained again
with ``jsonschema``, whose errors carry the path and the keyword.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError

from harness.contracts import Operation, Parameter
from harness.sim.http import JsonTooDeep, SimRequest

__all__ = [
    "OperationValidator",
    "Violation",
    "validate_request",
    "validate_response",
    "validator_for",
]

JSON_TYPES = ("application/json",)


@dataclass(frozen=True)
class Violation:
    field: str  # e.g. "query.MarketplaceIds", "body.restrictedResources[0].method"
    rule: str  # the JSON Schema keyword, or "required" / "type" / "content-type" / "json"
    message: str
    status: int = 400

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "rule": self.rule, "message": self.message}


def _uses_refs(node: Any) -> bool:
    if isinstance(node, dict):
        return "$ref" in node or any(_uses_refs(v) for v in node.values())
    if isinstance(node, list):
        return any(_uses_refs(v) for v in node)
    return False


def _location(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _explain(prefix: str, err: ValidationError) -> Violation:
    """One jsonschema error as a field + rule + message a developer can act on."""
    where = prefix + _location(err.absolute_path)
    rule = str(err.validator)
    value = err.validator_value
    if rule == "required" and isinstance(err.instance, dict) and isinstance(value, list):
        missing = [str(name) for name in value if name not in err.instance]
        if missing:
            where = f"{where}.{missing[0]}"
        return Violation(where, "required", f"{where} is required but missing.")
    if rule == "enum" and isinstance(value, list):
        allowed = ", ".join(str(v) for v in value)
        return Violation(where, rule, f"{where}: {_short(err.instance)} is not one of: {allowed}.")
    if rule == "maxItems":
        got = len(err.instance) if isinstance(err.instance, list) else "?"
        return Violation(where, rule, f"{where}: at most {value} item(s) allowed, got {got}.")
    if rule == "minItems":
        got = len(err.instance) if isinstance(err.instance, list) else "?"
        return Violation(where, rule, f"{where}: at least {value} item(s) required, got {got}.")
    if rule == "type":
        return Violation(where, rule, f"{where}: expected {value}, got {_short(err.instance)}.")
    return Violation(where, rule, f"{where}: {err.message}")


class _Schema:
    """One compiled schema: a fast verdict, and a detailed explanation only when invalid."""

    def __init__(self, schema: Mapping[str, Any], definitions: Mapping[str, Any]) -> None:
        full = dict(schema)
        if definitions and _uses_refs(full):
            full["definitions"] = dict(definitions)
        self.schema = full
        self._fast = jsonschema_rs.Draft7Validator(full, validate_formats=False)
        self._slow: Draft7Validator | None = None

    def violations(self, prefix: str, value: Any) -> list[Violation]:
        if self._fast.is_valid(value):
            return []
        if self._slow is None:
            self._slow = Draft7Validator(self.schema)
        errors = sorted(self._slow.iter_errors(value), key=lambda e: list(e.absolute_path))
        found = [_explain(prefix, e) for e in errors]
        # The two engines should agree; if they ever do not, still refuse, and say so.
        return found or [Violation(prefix, "schema", f"{prefix} does not match its schema.")]


def _coerce_scalar(kind: Any, value: str) -> tuple[Any, bool]:
    """Convert one query value to the schema's type; False when it cannot be converted."""
    if kind == "integer":
        try:
            return int(value), True
        except ValueError:
            return value, False
    if kind == "number":
        try:
            return float(value), True
        except ValueError:
            return value, False
    if kind == "boolean":
        if value.lower() in ("true", "false"):
            return value.lower() == "true", True
        return value, False
    return value, True


class OperationValidator:
    """Every schema of one operation, compiled once: parameters, body, responses by status."""

    def __init__(self, op: Operation) -> None:
        self.op = op
        defs = op.definitions
        self._params: list[tuple[Parameter, _Schema]] = [
            (p, _Schema(p.schema, defs)) for p in op.parameters if p.location != "header"
        ]
        self._body = _Schema(op.request_body, defs) if op.request_body is not None else None
        self._responses = {
            status: _Schema(schema, defs) for status, schema in op.responses.items() if schema
        }

    # -- requests ----------------------------------------------------------------------------

    def request(self, request: SimRequest, path_params: Mapping[str, str]) -> list[Violation]:
        """Everything in ``request`` that breaks the contract; unknown query keys are fine."""
        found: list[Violation] = []
        query = request.query
        for param, schema in self._params:
            if param.location == "path":
                found += schema.violations(f"path.{param.name}", path_params.get(param.name, ""))
            elif param.name in query:
                found += self._query(param, schema, query[param.name])
            elif param.required:  # absent (most of an operation's optional filters)
                found += self._query(param, schema, [])
        if self._body is not None:
            found += self._body_violations(request)
        return found

    def _query(self, param: Parameter, schema: _Schema, raw: list[str]) -> list[Violation]:
        where = f"query.{param.name}"
        kind = param.schema.get("type")
        if kind == "array":
            items = param.schema.get("items", {})
            parts = [v for r in raw for v in r.split(",") if v != ""]
            value: Any = []
            for part in parts:
                converted, ok = _coerce_scalar(items.get("type"), part)
                if not ok:
                    return [
                        Violation(where, "type", f"{where}: {part!r} is not {items.get('type')}.")
                    ]
                value.append(converted)
            present = bool(parts)
        else:
            present = bool(raw) and raw[0] != ""
            value, ok = _coerce_scalar(kind, raw[0]) if present else (None, True)
            if not ok:
                return [Violation(where, "type", f"{where}: {raw[0]!r} is not {kind}.")]
        if not present:
            if param.required:
                return [Violation(where, "required", f"Missing required query parameter {where}.")]
            return []
        return schema.violations(where, value)

    def _body_violations(self, request: SimRequest) -> list[Violation]:
        assert self._body is not None
        if not request.body.strip():
            if self.op.request_body_required:
                return [Violation("body", "required", "The request body is missing.")]
            return []
        if request.content_type not in (*JSON_TYPES, ""):
            return [
                Violation(
                    "header.content-type",
                    "content-type",
                    f"Content-Type {request.content_type!r} is not supported; "
                    "send application/json.",
                    status=415,
                )
            ]
        try:
            body = request.json()
        except JsonTooDeep as exc:
            return [Violation("body", "depth", f"The request body cannot be parsed: {exc}.")]
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return [Violation("body", "json", f"The request body is not valid JSON: {exc}.")]
        return self._body.violations("body", body)

    # -- responses ---------------------------------------------------------------------------

    def response(self, status: int, body: Any) -> list[Violation]:
        """How a response breaks the contract (undeclared status, or body off its schema)."""
        declared = self.op.responses.get(str(status))
        if declared is None:
            return [
                Violation(
                    "status",
                    "declared",
                    f"{self.op.operation_id} does not declare HTTP {status} "
                    f"(declared: {', '.join(sorted(self.op.responses))}).",
                )
            ]
        schema = self._responses.get(str(status))
        if schema is None:  # declared without a body (e.g. 204)
            if body not in (None, b""):
                return [Violation("response", "empty", f"HTTP {status} must have no body.")]
            return []
        if body is None:
            return [Violation("response", "required", f"HTTP {status} must have a JSON body.")]
        return schema.violations("response", body)


_CACHE: dict[int, tuple[Operation, OperationValidator]] = {}
_LOCK = threading.Lock()


def validator_for(op: Operation) -> OperationValidator:
    """The compiled validator of ``op`` (built on first use, then shared)."""
    entry = _CACHE.get(id(op))
    if entry is not None and entry[0] is op:
        return entry[1]
    with _LOCK:
        entry = _CACHE.get(id(op))
        if entry is None or entry[0] is not op:
            entry = (op, OperationValidator(op))
            _CACHE[id(op)] = entry
        return entry[1]


def validate_request(
    op: Operation, request: SimRequest, path_params: Mapping[str, str]
) -> list[Violation]:
    """Everything in ``request`` that breaks ``op``'s contract; unknown query keys are fine."""
    return validator_for(op).request(request, path_params)


def validate_response(op: Operation, status: int, body: Any) -> list[Violation]:
    """Everything in a response (``status``, decoded JSON ``body``) that breaks the contract."""
    return validator_for(op).response(status, body)
