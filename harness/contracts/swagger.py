"""Read Amazon's published SP-API models (Swagger 2.0, ``amzn/selling-partner-api-models``).

The importer turns them into ACORN contracts and the diff compares the bundled contracts with
them, so both need the same reading: parameters with path-level ones merged in, schemas in
ACORN's JSON Schema dialect with every ``$ref`` checked, the usage plan parsed out of the
description table, and the ``x-amzn-api-sandbox`` static cases. A checkout that does not look
like Amazon's layout, or a model with a broken reference, is refused with the file and the JSON
pointer, because a half-read model would silently hide drift.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.contracts.model import UsagePlan
from harness.contracts.swagger_cases import SandboxCase, sandbox_cases
from harness.contracts.swagger_json import JsonInputError, loads_bounded
from harness.contracts.swagger_schema import convert_schema, esc, param_schema, parse_usage_plan
from harness.errors import ContractError

__all__ = [
    "ModelFile",
    "ModelOperation",
    "ModelParameter",
    "ModelSet",
    "SandboxCase",
    "read_models",
]

METHODS = ("get", "put", "post", "delete", "patch")
_VERSION_SEGMENT = re.compile(r"^(v\d+|\d{4}-\d{2}-\d{2})$")
# Folder slugs whose API name in ACORN contracts is shorter than Amazon's folder name.
_API_ALIASES = {"product-type-definitions": "definitions"}


@dataclass(frozen=True)
class ModelParameter:
    name: str
    location: str  # path, query, header or body
    required: bool
    schema: Mapping[str, Any]


@dataclass(frozen=True)
class ModelOperation:
    operation_id: str
    method: str  # upper case
    path: str
    file: ModelFile = field(repr=False)
    pointer: str
    description: str
    parameters: tuple[ModelParameter, ...]
    responses: Mapping[str, Mapping[str, Any] | None]
    """Status -> ACORN schema of the body, or None when Amazon declares no body."""
    usage_plan: UsagePlan | None
    sandbox: tuple[SandboxCase, ...]
    dynamic_sandbox: bool
    sandbox_only: bool

    @property
    def route(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def body_parameter(self) -> ModelParameter | None:
        return next((p for p in self.parameters if p.location == "body"), None)

    @property
    def envelope(self) -> str | None:
        """``payload`` when the success body wraps its data in ``payload``; None without a body.

        Mostly per API (v0/v1 wrap, dated APIs do not), but not always: Product Pricing v0's
        batch operations and FBA Inventory's sandbox-only ones answer bare inside wrapping APIs.
        """
        for status, schema in self.responses.items():
            if not status.startswith("2") or not schema:
                continue
            ref = str(schema.get("$ref", "")).removeprefix("#/definitions/")
            target = self.file.definitions.get(ref, schema) if ref else schema
            return "payload" if "payload" in target.get("properties", {}) else "bare"
        return None

    def where(self) -> str:
        return f"{self.file.path}#{self.pointer}"


@dataclass
class ModelFile:
    """One model file; ``api`` gains the file's name when a folder holds several APIs."""

    path: Path
    relpath: str  # e.g. "models/orders-api-model/ordersV0.json"
    api: str
    version: str
    title: str
    definitions: Mapping[str, Any] = field(repr=False)
    operations: tuple[ModelOperation, ...] = field(default=(), repr=False)

    @property
    def name(self) -> str:
        """ACORN's name for the contract file made from this model."""
        return f"{self.api}-{self.version}"


@dataclass(frozen=True)
class ModelSet:
    root: Path
    files: tuple[ModelFile, ...]

    @property
    def operations(self) -> Iterator[ModelOperation]:
        for f in self.files:
            yield from f.operations

    def by_route(self) -> dict[tuple[str, str], ModelOperation]:
        return {op.route: op for op in self.operations}

    def static_cases(self) -> int:
        return sum(len(op.sandbox) for op in self.operations)


# -- files -------------------------------------------------------------------------------------


def _read(path: Path) -> Any:
    try:
        return loads_bounded(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ContractError(f"cannot read the model ({exc.strerror})", where=str(path)) from None
    except JsonInputError as exc:
        raise ContractError(f"the model {exc.message}", where=str(path), fix=exc.fix) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        detail = (
            f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
            if isinstance(exc, json.JSONDecodeError)
            else str(exc)
        )
        raise ContractError(
            f"not valid JSON at {detail}",
            where=str(path),
            fix="restore the file from Amazon's repository",
        ) from None


def _resolve_parameter(
    raw: Any, data: Mapping[str, Any], where: str, pointer: str
) -> tuple[Mapping[str, Any], str]:
    if isinstance(raw, dict) and "$ref" in raw:
        ref = raw["$ref"]
        name = ref.removeprefix("#/parameters/") if isinstance(ref, str) else ""
        shared = data.get("parameters", {})
        if not isinstance(ref, str) or not ref.startswith("#/parameters/") or name not in shared:
            raise ContractError(
                f"field {pointer}/$ref: $ref {ref!r} names no parameter in this model",
                where=where,
                fix="add the parameter to the model's top-level 'parameters' or correct the "
                "reference",
            )
        return shared[name], f"/parameters/{esc(name)}"
    if not isinstance(raw, dict) or "name" not in raw or "in" not in raw:
        raise ContractError(
            f"field {pointer}: a parameter needs 'name' and 'in'",
            where=where,
            fix="correct the model at that position",
        )
    return raw, pointer


def _parameters(
    item: Mapping[str, Any],
    op: Mapping[str, Any],
    data: Mapping[str, Any],
    where: str,
    path_ptr: str,
    op_ptr: str,
) -> tuple[ModelParameter, ...]:
    merged: dict[tuple[str, str], ModelParameter] = {}
    definitions = data.get("definitions", {})
    sources = [(item.get("parameters", []), path_ptr), (op.get("parameters", []), op_ptr)]
    for raws, base in sources:
        for i, raw in enumerate(raws):
            param, ptr = _resolve_parameter(raw, data, where, f"{base}/parameters/{i}")
            location = param["in"]
            if location == "body":
                raw_schema = param.get("schema", {})
                schema = convert_schema(raw_schema, definitions, where, ptr + "/schema")
            else:
                schema = param_schema(param, definitions, where, ptr)
            required = bool(param.get("required", location == "path"))
            merged[(param["name"], location)] = ModelParameter(
                param["name"], location, required, schema
            )
    return tuple(merged.values())


def _api_slug(relpath: Path) -> str:
    folder = relpath.parent.name
    for suffix in ("-api-model", "-model"):
        folder = folder.removesuffix(suffix)
    return _API_ALIASES.get(folder, folder)


def _read_file(path: Path, relpath: Path) -> ModelFile:
    where = str(path)
    data = _read(path)
    if not isinstance(data, dict) or data.get("swagger") != "2.0":
        raise ContractError(
            'field /swagger: expected "2.0"; this is not one of Amazon\'s Swagger 2.0 models',
            where=where,
            fix="point ACORN at a checkout of amzn/selling-partner-api-models",
        )
    paths = data.get("paths")
    definitions = data.get("definitions", {})
    if not isinstance(paths, dict) or not isinstance(definitions, dict):
        raise ContractError(
            "field /paths: expected an object of paths (and /definitions an object)",
            where=where,
            fix="restore the file from Amazon's repository",
        )
    converted = {
        name: convert_schema(schema, definitions, where, f"/definitions/{esc(name)}")
        for name, schema in definitions.items()
    }
    holder: list[ModelOperation] = []
    info = data.get("info", {})
    versions: Counter[str] = Counter()
    for path_key in paths:
        version = next((s for s in path_key.split("/") if _VERSION_SEGMENT.match(s)), None)
        if version:
            versions[version] += 1
    version = versions.most_common(1)[0][0] if versions else str(info.get("version", "v0"))
    model = ModelFile(
        path=path,
        relpath=relpath.as_posix(),
        api=_api_slug(relpath),
        version=version,
        title=str(info.get("title", relpath.stem)),
        definitions=converted,
    )
    for path_key, item in paths.items():
        path_ptr = f"/paths/{esc(path_key)}"
        if not isinstance(item, dict):
            raise ContractError(
                f"field {path_ptr}: expected an object of operations",
                where=where,
                fix="restore the file from Amazon's repository",
            )
        path_dynamic = isinstance(item.get("x-amzn-api-sandbox"), dict)
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            holder.append(
                _operation(model, data, item, op, path_key, method, path_ptr, path_dynamic)
            )
    model.operations = tuple(holder)
    return model


def _operation(
    model: ModelFile,
    data: Mapping[str, Any],
    item: Mapping[str, Any],
    op: Any,
    path_key: str,
    method: str,
    path_ptr: str,
    path_dynamic: bool,
) -> ModelOperation:
    where = str(model.path)
    op_ptr = f"{path_ptr}/{method}"
    if not isinstance(op, dict) or not isinstance(op.get("responses"), dict):
        raise ContractError(
            f"field {op_ptr}/responses: expected an object of responses",
            where=where,
            fix="restore the file from Amazon's repository",
        )
    definitions = data.get("definitions", {})
    responses: dict[str, Mapping[str, Any] | None] = {}
    cases: list[SandboxCase] = []
    dynamic = path_dynamic or isinstance(op.get("x-amzn-api-sandbox"), dict)
    for status, response in op["responses"].items():
        ptr = f"{op_ptr}/responses/{status}"
        if not isinstance(response, dict):
            raise ContractError(
                f"field {ptr}: expected a response object",
                where=where,
                fix="restore the file from Amazon's repository",
            )
        schema = response.get("schema")
        responses[str(status)] = (
            None if schema is None else convert_schema(schema, definitions, where, ptr + "/schema")
        )
        found, flagged = sandbox_cases(response, str(status), where, ptr)
        cases += found
        dynamic = dynamic or flagged
    description = str(op.get("description", ""))
    return ModelOperation(
        operation_id=str(op.get("operationId", f"{method}{path_key}")),
        method=method.upper(),
        path=path_key,
        file=model,
        pointer=op_ptr,
        description=description,
        parameters=_parameters(item, op, data, where, path_ptr, op_ptr),
        responses=responses,
        usage_plan=parse_usage_plan(description),
        sandbox=tuple(cases),
        dynamic_sandbox=dynamic,
        sandbox_only=bool(op.get("x-amzn-api-sandbox-only") or item.get("x-amzn-api-sandbox-only")),
    )


def _models_folder(root: Path) -> Path:
    if not root.is_dir():
        raise ContractError(
            f"the models folder {root} does not exist",
            fix="clone https://github.com/amzn/selling-partner-api-models and pass its path "
            "(or set ACORN_MODELS_DIR)",
        )
    # Amazon's layout: models/<api>-model/<file>.json; the checkout root or models/ itself.
    candidate = root / "models" if (root / "models").is_dir() else root
    if candidate.name == "models" and any(candidate.glob("*/*.json")):
        return candidate
    raise ContractError(
        f"{root} does not look like Amazon's models checkout: no models/<api>-model/*.json files",
        where=str(root),
        fix="pass the root of a checkout of amzn/selling-partner-api-models (the folder that "
        "holds models/), or its models/ folder",
    )


def read_models(directory: Path | str) -> ModelSet:
    """Every Swagger model under ``directory`` (a checkout root or its ``models/`` folder)."""
    root = Path(directory)
    folder = _models_folder(root)
    paths = sorted(folder.glob("*/*.json"))
    files = [_read_file(path, path.relative_to(folder.parent)) for path in paths]
    names = Counter(f.name for f in files)
    for f in files:
        if names[f.name] > 1:  # e.g. external-fulfillment holds inventory, returns, shipments
            stem = re.sub(r"[_-]?(v\d+|\d{4}-\d{2}-\d{2})$", "", Path(f.relpath).stem, flags=re.I)
            f.api = re.sub(r"(?<!^)(?=[A-Z])", "-", stem).lower()
    return ModelSet(root=root, files=tuple(files))
