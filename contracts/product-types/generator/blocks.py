"""Attribute building blocks: Amazon's attribute shape and the value schemas inside it.

Every attribute of a product type schema has the same outer shape (an array of objects unique
per ``selectors``, with ``minUniqueItems``/``maxUniqueItems``); building it in one place keeps
the hundreds of attributes consistent and the catalogue modules short.
"""

from __future__ import annotations

from typing import Any


def _selector_props(langs: bool) -> dict[str, Any]:
    props: dict[str, Any] = {"marketplace_id": {"$ref": "#/$defs/marketplace_id"}}
    if langs:
        props["language_tag"] = {"$ref": "#/$defs/language_tag"}
    return props


def attribute(
    title: str,
    description: str,
    value: dict[str, Any] | None,
    *,
    localized: bool = False,
    max_unique: int = 1,
    extra: dict[str, Any] | None = None,
    required: list[str] | None = None,
    examples: list[Any] | None = None,
    selectors: list[str] | None = None,
) -> dict[str, Any]:
    """One attribute: an array of objects, unique per ``selectors``."""
    props: dict[str, Any] = {}
    if value is not None:
        props["value"] = value
    props.update(extra or {})
    props.update(_selector_props(localized))
    if required is None:
        required = (["value"] if value is not None else []) + (
            ["language_tag"] if localized else []
        )
    sel = selectors or (["marketplace_id", "language_tag"] if localized else ["marketplace_id"])
    return {
        "title": title,
        "description": description,
        "examples": examples or [],
        "type": "array",
        "minItems": 1,
        "minUniqueItems": 1,
        "maxUniqueItems": max_unique,
        "selectors": sel,
        "items": {
            "type": "object",
            "required": required,
            "properties": props,
            "additionalProperties": False,
        },
    }


def text(max_len: int, max_bytes: int, *, min_len: int = 1, title: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {
        "title": title or "Value",
        "type": "string",
        "minLength": min_len,
        "maxLength": max_len,
        "maxUtf8ByteLength": max_bytes,
    }
    return schema


def enum(values: list[Any], names: list[str] | None = None, *, title: str = "") -> dict[str, Any]:
    kind = "boolean" if all(isinstance(v, bool) for v in values) else "string"
    return {
        "title": title or "Value",
        "type": kind,
        "enum": values,
        "enumNames": names or [str(v).replace("_", " ").title() for v in values],
    }


def boolean(title: str = "") -> dict[str, Any]:
    return enum([False, True], ["No", "Yes"], title=title)


def number(
    minimum: float = 0, maximum: float | None = None, *, integer: bool = False
) -> dict[str, Any]:
    schema: dict[str, Any] = {"title": "Value", "type": "integer" if integer else "number"}
    schema["minimum"] = minimum
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def measure(title: str, units: list[str], description: str) -> dict[str, Any]:
    return attribute(
        title,
        description,
        number(0, 100000),
        extra={"unit": enum(units, title="Unit")},
        required=["value", "unit"],
    )


def nested_value(schema: dict[str, Any], title: str) -> dict[str, Any]:
    """A sub-attribute that is itself an array of ``{value}`` objects (Amazon nests like this)."""
    return {
        "title": title,
        "type": "array",
        "minItems": 1,
        "maxItems": 1,
        "items": {
            "type": "object",
            "required": ["value"],
            "properties": {"value": schema},
            "additionalProperties": False,
        },
    }


def contains_value(name: str, values: list[Any]) -> dict[str, Any]:
    """``if`` fragment: attribute ``name`` has an item whose value is one of ``values``."""
    return {
        "required": [name],
        "properties": {
            name: {"contains": {"required": ["value"], "properties": {"value": {"enum": values}}}}
        },
    }
