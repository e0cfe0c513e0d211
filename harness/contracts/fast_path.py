"""jsonschema-rs fast path: the same verdicts as the reference, an order of magnitude sooner.

Two costs dominate a naive jsonschema-rs validator on a 0.5 MB product type schema, and this
module removes both without changing any verdict (the parity property tests prove it):

1. **Root-level ``required``**. jsonschema-rs converts the failing instance to Python for every
   error; for a missing top-level attribute that instance is the whole payload, so each
   missing attribute costs a full payload conversion. Root ``required`` lists, unconditional
   ``allOf`` requirements and the ``required`` of ``if/then/else`` blocks are therefore taken
   out of the compiled schema and checked in Python (a set lookup per name; each ``if`` is a
   small compiled validator).
2. **Python callbacks** for Amazon's keywords run for every attribute array and every string.
   Each is guarded so Rust decides natively whether the callback can fail at all:
   ``maxUniqueItems: N`` can only fail on arrays longer than N (``if maxItems N else ...``);
   ``maxUtf8ByteLength: B`` cannot fail on strings of at most B/4 characters (4 bytes per
   character at most), nor at all when B >= 4 x ``maxLength``; ``minUniqueItems`` of 0 or 1
   beside ``minItems >= 1`` is redundant (the issue mapping reports the empty array once, as
   ``minItems``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.contracts.amazon_vocabulary import (
    META_SCHEMA_URI,
    VALIDATING_KEYWORDS,
    VOCABULARY_URI,
    rust_keywords,
)
from harness.contracts.listing_issues import LIMIT_KEYWORDS, SchemaError

__all__ = ["FastPlan", "compile_fast", "plan_fast"]

_CUSTOM = frozenset(VALIDATING_KEYWORDS)
_DATA_KINDS = LIMIT_KEYWORDS | _CUSTOM | {"required"}


@dataclass
class FastPlan:
    """The rewritten schema plus the requirements moved out of it."""

    schema: dict[str, Any]
    required: list[str] = field(default_factory=list)
    # (if-schema, required when it holds, required when it does not)
    conditionals: list[tuple[dict[str, Any], list[str], list[str]]] = field(default_factory=list)


def _guard(node: dict[str, Any]) -> None:
    """Rewrite Amazon keywords of one schema node so Rust skips callbacks that cannot fail."""
    guards: list[dict[str, Any]] = []
    if "maxUniqueItems" in node:
        limit = node.pop("maxUniqueItems")
        inner: dict[str, Any] = {"maxUniqueItems": limit}
        if "selectors" in node:
            inner["selectors"] = node["selectors"]
        guards.append({"if": {"maxItems": limit}, "else": inner})
    if "minUniqueItems" in node:
        limit = node["minUniqueItems"]
        if (
            not isinstance(limit, int)
            or limit <= 0
            or (limit == 1 and node.get("minItems", 0) >= 1)
        ):
            del node["minUniqueItems"]
    if "maxUtf8ByteLength" in node:
        limit = node.pop("maxUtf8ByteLength")
        max_len = node.get("maxLength")
        if not (isinstance(max_len, int) and isinstance(limit, int) and limit >= 4 * max_len):
            guards.append({"if": {"maxLength": limit // 4}, "else": {"maxUtf8ByteLength": limit}})
    if guards:
        node["allOf"] = [*node.get("allOf", []), *guards]


_DATA = frozenset({"enum", "const", "examples", "default", "enumNames", "selectors", "required"})
_SCHEMA_MAPS = frozenset(
    {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
)


def _walk(node: Any) -> Any:
    """A copy of a schema node with every subschema guarded (data values left alone)."""
    if isinstance(node, list):
        return [_walk(n) for n in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DATA:
            out[key] = value
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _walk(sub) for name, sub in value.items()}
        else:
            out[key] = _walk(value)
    _guard(out)
    return out


def plan_fast(schema: Mapping[str, Any]) -> FastPlan:
    """Split root requirements out of the schema and guard Amazon's keywords."""
    root = copy.deepcopy(dict(schema))
    plan = FastPlan(schema={})
    plan.required = list(root.pop("required", []))
    kept: list[Any] = []
    for original in root.pop("allOf", []):
        if not isinstance(original, dict):
            kept.append(original)
            continue
        entry = dict(original)
        if "if" in entry:
            then = dict(entry.get("then", {}))
            other = dict(entry.get("else", {}))
            plan.conditionals.append(
                (entry["if"], list(then.pop("required", [])), list(other.pop("required", [])))
            )
            rebuilt: dict[str, Any] = {"if": entry["if"]}
            if then:
                rebuilt["then"] = then
            if other:
                rebuilt["else"] = other
            rest = {k: v for k, v in entry.items() if k not in ("if", "then", "else")}
            rebuilt.update(rest)
            if then or other or rest:
                kept.append(rebuilt)
        else:
            plan.required += list(entry.pop("required", []))
            if entry:
                kept.append(entry)
    if kept:
        root["allOf"] = kept
    plan.schema = _walk(root)
    return plan


def _rust(schema: dict[str, Any], meta: Mapping[str, Any]) -> Any:
    import jsonschema_rs

    return jsonschema_rs.Draft201909Validator(
        schema,
        registry=jsonschema_rs.Registry([(META_SCHEMA_URI, dict(meta))]),
        keywords=rust_keywords(),
        vocabularies=[VOCABULARY_URI],
        validate_formats=False,
    )


def compile_fast(
    schema: Mapping[str, Any], meta: Mapping[str, Any]
) -> tuple[Callable[[Any], bool], Callable[[Any], Iterator[SchemaError]]]:
    """``(is_valid, errors)`` for the schema; raises jsonschema-rs errors on a bad schema."""
    plan = plan_fast(schema)
    main = _rust(plan.schema, meta)
    defs = plan.schema.get("$defs", {})
    conditions = [
        (_rust({"$defs": defs, **_walk(condition)}, meta), then, other)
        for condition, then, other in plan.conditionals
    ]
    required = plan.required

    def missing(instance: Any) -> list[str]:
        if not isinstance(instance, dict):
            return []
        names = [n for n in required if n not in instance]
        for check, then, other in conditions:
            for name in then if check.is_valid(instance) else other:
                if name not in instance:
                    names.append(name)
        return names

    def is_valid(instance: Any) -> bool:
        return not missing(instance) and bool(main.is_valid(instance))

    def errors(instance: Any) -> Iterator[SchemaError]:
        for name in missing(instance):
            yield SchemaError(keyword="required", path=(), instance=None, missing=name)
        for e in main.iter_errors(instance):
            kind = e.kind
            name = kind.name
            data = kind.as_dict() if name in _DATA_KINDS else {}
            yield SchemaError(
                keyword=name,
                path=tuple(e.instance_path),
                instance=e.instance,
                limit=data.get("limit"),
                missing=data.get("property") if name == "required" else None,
                detail=data.get("message") if name in _CUSTOM else None,
            )

    return is_valid, errors
