"""Swagger 2.0 pieces in ACORN's dialect: schemas (refs checked) and usage-plan tables.

Shared by the model reader and the diff so both read a schema the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness.contracts.model import UsagePlan
from harness.errors import ContractError

__all__ = ["convert_schema", "esc", "param_schema", "parse_usage_plan"]

# Keywords that mean the same in Swagger 2.0 schemas and JSON Schema; everything else
# (description, example, x-*, readOnly, discriminator, xml) documents, it does not constrain.
_SCHEMA_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "format",
        "pattern",
        "maxLength",
        "minLength",
        "maximum",
        "minimum",
        "multipleOf",
        "maxItems",
        "minItems",
        "uniqueItems",
        "maxProperties",
        "minProperties",
        "required",
    }
)
_PARAM_SCHEMA_KEYWORDS = _SCHEMA_KEYWORDS - {"required", "maxProperties", "minProperties"}
# -- usage plans ---------------------------------------------------------------------------


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse_usage_plan(description: str) -> UsagePlan | None:
    """The default plan from the ``Rate (requests per second) | Burst`` table, if any.

    Two layouts exist: a single data row, or a ``Plan type`` column whose ``Default`` row holds
    the numbers (other rows say ``Variable``).
    """
    lines = description.splitlines()
    for i, line in enumerate(lines):
        if "Rate (requests per second)" not in line or "Burst" not in line:
            continue
        header = _cells(line)
        rate_col = next(j for j, c in enumerate(header) if "Rate" in c)
        burst_col = next(j for j, c in enumerate(header) if "Burst" in c)
        for row in lines[i + 2 :]:
            if not row.strip().startswith("|"):
                break
            cells = _cells(row)
            try:
                rate = float(cells[rate_col])
                burst = int(float(cells[burst_col]))
            except (ValueError, IndexError):
                continue
            if rate > 0 and burst > 0:
                return UsagePlan(rate, burst)
    return None


# -- schemas -------------------------------------------------------------------------------


def _check_ref(ref: Any, definitions: Mapping[str, Any], where: str, pointer: str) -> str:
    if not isinstance(ref, str) or not ref.startswith("#/definitions/"):
        raise ContractError(
            f"field {pointer}: $ref {ref!r} is not a reference into this model's definitions",
            where=where,
            fix="use '#/definitions/Name'; ACORN reads single-file Swagger 2.0 models",
        )
    name = ref.removeprefix("#/definitions/")
    if "/" in name or name not in definitions:
        raise ContractError(
            f"field {pointer}: $ref {ref!r} names no definition in this model",
            where=where,
            fix=f"add a definition named {name!r} to the model or correct the reference "
            "(is the models checkout complete?)",
        )
    return ref


def convert_schema(
    node: Any, definitions: Mapping[str, Any], where: str, pointer: str
) -> dict[str, Any]:
    """A Swagger 2.0 schema in ACORN's dialect: constraint keywords only, refs checked.

    ``exclusiveMaximum: true`` (Swagger) becomes ``exclusiveMaximum: <maximum>`` (JSON Schema).
    """
    if not isinstance(node, dict):
        raise ContractError(
            f"field {pointer}: expected a schema object, got {type(node).__name__}",
            where=where,
            fix="correct the model at that position",
        )
    if "$ref" in node:
        return {"$ref": _check_ref(node["$ref"], definitions, where, pointer + "/$ref")}
    out: dict[str, Any] = {k: v for k, v in node.items() if k in _SCHEMA_KEYWORDS}
    if out.get("type") == "file":
        del out["type"]
    for bound in ("maximum", "minimum"):
        exclusive = "exclusive" + bound.capitalize()
        if node.get(exclusive) is True and bound in out:
            out[exclusive] = out.pop(bound)
    if "properties" in node:
        props = node["properties"]
        if not isinstance(props, dict):
            raise ContractError(
                f"field {pointer}/properties: expected an object",
                where=where,
                fix="correct the model at that position",
            )
        out["properties"] = {
            name: convert_schema(sub, definitions, where, f"{pointer}/properties/{esc(name)}")
            for name, sub in props.items()
        }
    if "items" in node:
        out["items"] = convert_schema(node["items"], definitions, where, pointer + "/items")
    extra = node.get("additionalProperties")
    if isinstance(extra, bool):
        out["additionalProperties"] = extra
    elif extra is not None:
        out["additionalProperties"] = convert_schema(
            extra, definitions, where, pointer + "/additionalProperties"
        )
    for combinator in ("allOf", "anyOf", "oneOf"):
        if combinator in node:
            out[combinator] = [
                convert_schema(sub, definitions, where, f"{pointer}/{combinator}/{i}")
                for i, sub in enumerate(node[combinator])
            ]
    return out


def esc(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def param_schema(
    raw: Mapping[str, Any], definitions: Mapping[str, Any], where: str, pointer: str
) -> dict[str, Any]:
    schema: dict[str, Any] = {k: v for k, v in raw.items() if k in _PARAM_SCHEMA_KEYWORDS}
    for bound in ("maximum", "minimum"):
        exclusive = "exclusive" + bound.capitalize()
        if raw.get(exclusive) is True and bound in schema:
            schema[exclusive] = schema.pop(bound)
    if "items" in raw:
        schema["items"] = param_schema(raw["items"], definitions, where, pointer + "/items")
    return schema
