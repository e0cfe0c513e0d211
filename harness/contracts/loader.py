"""Load ``contracts/`` and refuse malformed files with the file, the field and the expectation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from harness.contracts.bad_request import bad_request_for
from harness.contracts.model import (
    UNPUBLISHED_PLAN,
    ContractSet,
    Marketplace,
    Operation,
    Parameter,
    UsagePlan,
)
from harness.contracts.swagger_json import JsonInputError, loads_bounded
from harness.errors import ContractError

__all__ = ["default_contracts_dir", "load_contracts", "load_marketplaces"]

_API_FILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["api", "version", "title", "envelope", "operations"],
    "properties": {
        "api": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"},
        "version": {"type": "string", "minLength": 1},
        "title": {"type": "string"},
        "envelope": {"enum": ["payload", "bare"]},
        "bad_request": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            "additionalProperties": False,
        },
        "definitions": {"type": "object", "additionalProperties": {"type": "object"}},
        "model": {
            "type": "object",
            "required": ["file"],
            "properties": {"file": {"type": "string"}, "complete": {"type": "boolean"}},
            "additionalProperties": False,
        },
        "operations": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {"$ref": "#/$defs/operation"},
        },
    },
    "additionalProperties": False,
    "$defs": {
        "operation": {
            "type": "object",
            "required": ["method", "path", "usage_plan", "responses", "errors"],
            "properties": {
                "method": {"enum": ["GET", "POST", "PUT", "PATCH", "DELETE"]},
                "path": {"type": "string", "pattern": "^/"},
                "usage_plan": {
                    "type": ["object", "null"],
                    "required": ["rate", "burst"],
                    "properties": {
                        "rate": {"type": "number", "exclusiveMinimum": 0},
                        "burst": {"type": "integer", "minimum": 1},
                    },
                    "additionalProperties": False,
                },
                "envelope": {"enum": ["payload", "bare"]},
                "rate_limit_header": {"type": "boolean"},
                "restricted": {"type": "boolean"},
                "grantless": {"type": "boolean"},
                "description": {"type": "string"},
                "parameters": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name", "in", "schema"],
                        "properties": {
                            "name": {"type": "string", "minLength": 1},
                            "in": {"enum": ["path", "query", "header"]},
                            "required": {"type": "boolean"},
                            "schema": {"type": "object"},
                            "description": {"type": "string"},
                        },
                        "additionalProperties": False,
                    },
                },
                "request_body": {
                    "oneOf": [
                        {"type": "null"},
                        {
                            "type": "object",
                            "required": ["schema"],
                            "properties": {
                                "required": {"type": "boolean"},
                                "schema": {"type": "object"},
                            },
                            "additionalProperties": False,
                        },
                    ]
                },
                "responses": {
                    "type": "object",
                    "minProperties": 1,
                    "propertyNames": {"pattern": "^[1-5][0-9][0-9]$"},
                    "additionalProperties": {"type": "object"},
                },
                "errors": {
                    "type": "array",
                    "items": {"type": "integer", "minimum": 400, "maximum": 599},
                },
                "sandbox": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["status", "parameters"],
                        "properties": {
                            "status": {"type": "integer", "minimum": 100, "maximum": 599},
                            "parameters": {
                                "type": "object",
                                "additionalProperties": {
                                    "type": "object",
                                    "properties": {"value": {}},
                                    "additionalProperties": False,
                                },
                            },
                            "response": {},
                            "response_headers": {
                                "type": "object",
                                "additionalProperties": {"type": "string"},
                            },
                        },
                        "additionalProperties": False,
                    },
                },
            },
            "additionalProperties": False,
        }
    },
}

_MARKETPLACES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["marketplaces"],
    "properties": {
        "$comment": {"type": "string"},
        "marketplaces": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": [
                    "id",
                    "country",
                    "name",
                    "region",
                    "endpoint",
                    "currency",
                    "language",
                    "domain",
                ],
                "properties": {
                    "id": {"type": "string", "pattern": "^[A-Z0-9]{10,16}$"},
                    "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
                    "name": {"type": "string"},
                    "region": {"enum": ["NA", "EU", "FE"]},
                    "endpoint": {"type": "string", "pattern": "^https://"},
                    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                    "language": {"type": "string", "pattern": "^[a-z]{2}_[A-Z]{2}$"},
                    "domain": {"type": "string"},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}


def default_contracts_dir() -> Path:
    """``ACORN_CONTRACTS_DIR`` if set, else ``contracts/`` beside the ``harness`` package."""
    import os

    from harness.paths import bundled

    override = os.environ.get("ACORN_CONTRACTS_DIR")
    return Path(override) if override else bundled("contracts")


def _pointer(error: ValidationError) -> str:
    return "/" + "/".join(str(p) for p in error.absolute_path)


def _expectation(error: ValidationError) -> str:
    if error.validator == "required":
        return str(error.message)
    if error.validator == "additionalProperties":
        schema = error.schema if isinstance(error.schema, dict) else {}
        allowed = ", ".join(sorted(schema.get("properties", {})))
        return f"{error.message} (allowed: {allowed})"
    return f"expected {error.validator} {error.validator_value!r}, got {error.instance!r}"


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContractError(f"cannot read the file ({exc.strerror})", where=str(path)) from None
    except UnicodeDecodeError as exc:
        raise ContractError(
            f"not UTF-8 text (byte {exc.start})", where=str(path), fix="save the file as UTF-8"
        ) from None
    try:
        return loads_bounded(text)
    except JsonInputError as exc:
        raise ContractError(f"the file {exc.message}", where=str(path), fix=exc.fix) from None
    except json.JSONDecodeError as exc:
        raise ContractError(
            f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            where=str(path),
            fix="correct the JSON syntax at that position",
        ) from None


def _check(path: Path, data: Any, schema: dict[str, Any]) -> None:
    errors = sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: e.path)
    if errors:
        err = min(errors, key=lambda e: len(e.absolute_path))
        raise ContractError(
            f"field {_pointer(err)}: {_expectation(err)}",
            where=str(path),
            fix="edit that field to match the contract format described in contracts/README.md",
        )


def _refs(node: Any, pointer: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.append((pointer + "/$ref", value))
            else:
                found.extend(_refs(value, f"{pointer}/{key}"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(_refs(value, f"{pointer}/{i}"))
    return found


def _check_refs(path: Path, data: dict[str, Any]) -> None:
    definitions = data.get("definitions", {})
    for where, ref in _refs(data):
        if not ref.startswith("#/definitions/"):
            raise ContractError(
                f"field {where}: $ref {ref!r} must point into this file's definitions",
                where=str(path),
                fix="use a reference of the form '#/definitions/Name'",
            )
        name = ref.removeprefix("#/definitions/")
        if name not in definitions:
            known = ", ".join(sorted(definitions)) or "none"
            raise ContractError(
                f"field {where}: $ref {ref!r} names an unknown schema (known: {known})",
                where=str(path),
                fix=f"add a definition named {name!r} or correct the reference",
            )


_DRAFT7 = "http://json-schema.org/draft-07/schema#"


def _schemas(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every schema in an API file, with its JSON pointer."""
    found = [
        (f"/definitions/{name}", schema) for name, schema in data.get("definitions", {}).items()
    ]
    for op_id, op in data["operations"].items():
        base = f"/operations/{op_id}"
        for i, param in enumerate(op.get("parameters", [])):
            found.append((f"{base}/parameters/{i}/schema", param["schema"]))
        if op.get("request_body"):
            found.append((f"{base}/request_body/schema", op["request_body"]["schema"]))
        for status, schema in op["responses"].items():
            found.append((f"{base}/responses/{status}", schema))
    return found


def _check_schemas(path: Path, data: dict[str, Any]) -> None:
    """Refuse a schema the validators could not compile, before the simulator meets it."""
    for pointer, schema in _schemas(data):
        try:
            jsonschema_rs.meta.validate({**schema, "$schema": _DRAFT7})
        except jsonschema_rs.ValidationError as exc:
            where = pointer + "".join(f"/{part}" for part in exc.instance_path)
            raise ContractError(
                f"field {where}: not a valid JSON Schema: {exc.message}",
                where=str(path),
                fix="use JSON Schema draft 7 keywords with valid values there "
                "(see contracts/README.md)",
            ) from None


def _usage_plan(raw: dict[str, Any] | None) -> UsagePlan:
    """``null`` means Amazon publishes no plan: the fallback is marked ``published=False``."""
    if raw is None:
        return UNPUBLISHED_PLAN
    return UsagePlan(float(raw["rate"]), raw["burst"])


def _load_api_file(path: Path) -> list[Operation]:
    data = _read_json(path)
    _check(path, data, _API_FILE_SCHEMA)
    _check_refs(path, data)
    _check_schemas(path, data)
    definitions = data.get("definitions", {})
    bad_request = bad_request_for(data["api"], data["version"], data.get("bad_request"))
    ops = []
    for op_id, raw in data["operations"].items():
        body = raw.get("request_body")
        ops.append(
            Operation(
                operation_id=op_id,
                api=data["api"],
                version=data["version"],
                api_title=data["title"],
                envelope=raw.get("envelope", data["envelope"]),
                method=raw["method"],
                path=raw["path"],
                usage_plan=_usage_plan(raw["usage_plan"]),
                rate_limit_header=raw.get("rate_limit_header", True),
                restricted=raw.get("restricted", False),
                grantless=raw.get("grantless", False),
                parameters=tuple(
                    Parameter(p["name"], p["in"], p.get("required", False), p["schema"])
                    for p in raw.get("parameters", [])
                ),
                request_body=body["schema"] if body else None,
                request_body_required=bool(body and body.get("required", True)),
                responses=raw["responses"],
                errors=tuple(raw["errors"]),
                definitions=definitions,
                source=str(path),
                sandbox=tuple(raw.get("sandbox", ())),
                bad_request=bad_request,
            )
        )
    return ops


def _contracts_root(directory: Path | str | None) -> Path:
    root = Path(directory) if directory is not None else default_contracts_dir()
    if not root.is_dir():
        raise ContractError(
            f"the contracts folder {root} does not exist",
            fix="point ACORN at a folder holding marketplaces.json and apis/*.json",
        )
    return root


def load_marketplaces(directory: Path | str | None = None) -> list[Marketplace]:
    """The marketplaces of ``directory``'s marketplaces.json, checked against its schema."""
    mp_path = _contracts_root(directory) / "marketplaces.json"
    mp_data = _read_json(mp_path)
    _check(mp_path, mp_data, _MARKETPLACES_SCHEMA)
    return [Marketplace(**m) for m in mp_data["marketplaces"]]


def load_contracts(directory: Path | str | None = None) -> ContractSet:
    """Load marketplaces and every ``apis/*.json`` contract under ``directory``."""
    root = _contracts_root(directory)
    marketplaces = load_marketplaces(root)
    operations: list[Operation] = []
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    api_files = sorted((root / "apis").glob("*.json"))
    if not api_files:
        raise ContractError(
            f"no API contracts found in {root / 'apis'}",
            fix="add at least one apis/<api>-<version>.json file",
        )
    for path in api_files:
        for op in _load_api_file(path):
            route = (op.method, op.path)
            if route in seen:
                first_id, first_file = seen[route]
                raise ContractError(
                    f"field /operations/{op.operation_id}: {op.method} {op.path} repeats "
                    f"operation {first_id} declared in {first_file}",
                    where=str(path),
                    fix="declare each method and path once",
                )
            seen[route] = (op.operation_id, str(path))
            operations.append(op)
    return ContractSet(marketplaces, operations)
