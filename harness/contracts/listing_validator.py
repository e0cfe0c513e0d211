"""Validate listing attributes against one product type schema and return Amazon-style issues.

Two engines, same answers:

- ``"reference"``: python-jsonschema's Draft 2019-09 validator extended with Amazon's keywords.
  It defines ACORN's semantics; slow (a few hundred payloads per second on a 0.5 MB schema).
- ``"fast"`` (default): jsonschema-rs, Draft 2019-09 built explicitly (its ``validator_for`` does
  not know Amazon's ``$schema`` URI), Amazon's meta-schema registered, Amazon's keywords as
  Python callbacks. Tens of thousands of payloads per second; the property tests prove it
  reports the same issues as the reference.

Each validator is compiled once and is cheap to call. ``strict=True`` models Amazon's backend,
which is stricter than the published schema (docs/fidelity.md §8.3, §12 L5): an
``anyOf: [{type: string}, {enum: [...]}]`` accepts only the enum values, so a US
``marketplace_id`` or an ``en_US`` language tag is refused in Germany. Offline validation of a
seller's catalog uses the schema as published (``strict=False``).

``enforced=False`` on :meth:`ListingValidator.issues` is PTD's
``requirementsEnforced=NOT_ENFORCED``: attributes are checked structurally, missing top-level
attributes are not reported (PATCH).
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from harness.contracts.amazon_vocabulary import (
    META_SCHEMA_URI,
    VALIDATING_KEYWORDS,
    python_keywords,
)
from harness.contracts.listing_issues import (
    LIMIT_KEYWORDS,
    Issue,
    SchemaError,
    issues_from_errors,
)
from harness.errors import ContractError

__all__ = ["Engine", "ListingValidator", "attributes_for_marketplace", "check_product_type_schema"]

Engine = Literal["fast", "reference"]
_REQUIRED_SUFFIX = " is a required property"


def attributes_for_marketplace(
    attributes: Mapping[str, Any], marketplace_id: str
) -> dict[str, Any]:
    """The part of a multi-marketplace payload that applies to one marketplace: items whose
    ``marketplace_id`` is that marketplace or absent. Attributes whose items all belong
    elsewhere are dropped, so a payload written for the US only shows up as missing attributes
    in Germany."""
    out: dict[str, Any] = {}
    for name, items in attributes.items():
        if not isinstance(items, list):
            out[name] = items
            continue
        kept = [
            item
            for item in items
            if not isinstance(item, dict)
            or item.get("marketplace_id", marketplace_id) == marketplace_id
        ]
        if kept or not items:  # an empty array stays: it is "not enough values", not missing
            out[name] = kept
    return out


def _strict(schema: Any) -> Any:
    """Replace every ``anyOf [any string | enum]`` by its enum branch (Amazon's backend rule)."""
    if isinstance(schema, list):
        return [_strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _strict(v) for k, v in schema.items()}
    branches = out.get("anyOf")
    if isinstance(branches, list) and len(branches) == 2:
        plain = [b for b in branches if b == {"type": "string"}]
        enums = [b for b in branches if isinstance(b, dict) and "enum" in b]
        if plain and enums:
            del out["anyOf"]
            out.update(enums[0])
    return out


def _meta_validator(meta_schema: Mapping[str, Any]) -> Any:
    import jsonschema_rs

    return jsonschema_rs.Draft201909Validator(dict(meta_schema), validate_formats=False)


def _deepest(error: Any) -> Any:
    """The most specific error under an ``anyOf``/``oneOf`` (draft 2019-09 ``items`` is one)."""
    best = error
    if error.kind.name in ("anyOf", "oneOf"):
        for group in error.kind.as_dict().get("context", []):
            for sub in group:
                candidate = _deepest(sub)
                if len(candidate.instance_path) > len(best.instance_path):
                    best = candidate
    return best


def check_product_type_schema(schema: Any, meta_schema: Mapping[str, Any], *, where: str) -> None:
    """Refuse a schema that is not valid under Amazon's meta-schema (draft 2019-09 + keywords)."""
    if not isinstance(schema, dict):
        raise ContractError(
            "a product type schema must be a JSON object",
            where=where,
            fix="download the schema again (getDefinitionsProductType schema.link)",
        )
    for found in _meta_validator(meta_schema).iter_errors(schema):
        error = _deepest(found)
        pointer = "/" + "/".join(str(p) for p in error.instance_path)
        message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
        raise ContractError(
            f"not a valid JSON Schema for Amazon's meta-schema v1: at {pointer}: {message}",
            where=where,
            fix="repair or re-download the schema; keyword values must follow draft 2019-09 "
            "and Amazon's vocabulary (e.g. maxUtf8ByteLength is a non-negative integer)",
        )


class ListingValidator:
    """A compiled product type schema for one marketplace."""

    def __init__(
        self,
        schema: Mapping[str, Any],
        *,
        meta_schema: Mapping[str, Any],
        marketplace_id: str,
        product_type: str = "",
        engine: Engine = "fast",
        strict: bool = False,
        where: str = "product type schema",
    ) -> None:
        self.product_type = product_type
        self.marketplace_id = marketplace_id
        self.engine: Engine = engine
        self.strict = strict
        check_product_type_schema(schema, meta_schema, where=where)
        compiled_schema = _strict(schema) if strict else copy.deepcopy(dict(schema))
        if engine == "fast":
            self._is_valid, self._errors = self._compile_rust(compiled_schema, meta_schema, where)
        elif engine == "reference":
            self._is_valid, self._errors = self._compile_python(compiled_schema, meta_schema)
        else:
            raise ContractError(
                f"unknown validation engine {engine!r}", fix="use fast or reference"
            )

    # -- compilation ---------------------------------------------------------------------

    @staticmethod
    def _compile_rust(schema: dict[str, Any], meta: Mapping[str, Any], where: str) -> Any:
        import jsonschema_rs

        from harness.contracts.fast_path import compile_fast

        try:
            return compile_fast(schema, meta)
        except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError) as exc:
            raise ContractError(
                f"the schema does not compile: {exc}",
                where=where,
                fix="repair or re-download the schema",
            ) from None

    @staticmethod
    def _compile_python(schema: dict[str, Any], meta: Mapping[str, Any]) -> Any:
        from jsonschema import Draft201909Validator, validators
        from referencing import Registry
        from referencing.jsonschema import DRAFT201909

        cls = validators.extend(Draft201909Validator, python_keywords())  # type: ignore[no-untyped-call]
        registry: Registry[Any] = Registry().with_resource(
            META_SCHEMA_URI, DRAFT201909.create_resource(dict(meta))
        )
        validator = cls(schema, registry=registry)

        def errors(instance: Any) -> Iterator[SchemaError]:
            for e in validator.iter_errors(instance):
                keyword = str(e.validator)
                missing = None
                if keyword == "required" and e.message.endswith(_REQUIRED_SUFFIX):
                    missing = str(ast.literal_eval(e.message[: -len(_REQUIRED_SUFFIX)]))
                yield SchemaError(
                    keyword=keyword,
                    path=tuple(e.absolute_path),
                    instance=e.instance,
                    limit=e.validator_value if keyword in LIMIT_KEYWORDS else None,
                    missing=missing,
                    detail=e.message if keyword in VALIDATING_KEYWORDS else None,
                )

        return validator.is_valid, errors

    # -- use -------------------------------------------------------------------------------

    def is_valid(self, attributes: Any) -> bool:
        """True when the attributes raise no issue (fast: stops at the first error)."""
        return bool(self._is_valid(attributes))

    def errors(self, attributes: Any) -> Iterator[SchemaError]:
        """Every schema error, engine-neutral (for tests and diagnostics)."""
        return iter(self._errors(attributes))

    def issues(self, attributes: Any, *, enforced: bool = True) -> list[Issue]:
        """All issues for these attributes in this marketplace; ``[]`` when valid."""
        if self._is_valid(attributes):
            return []
        found = issues_from_errors(self._errors(attributes), (self.marketplace_id,))
        if not enforced:
            found = [i for i in found if not (i.code == "90220" and i.pointer.count("/") == 1)]
        return found
