"""Amazon's product-type vocabulary (meta-schema v1) for both JSON Schema engines.

Amazon extends draft 2019-09 with keywords no JSON Schema library knows (docs/fidelity.md §8.2). The
validating ones are implemented here once, as plain functions over an instance, and wrapped for
python-jsonschema (the reference: generator functions yielding ``ValidationError``) and for
jsonschema-rs (the fast path: classes whose ``validate`` raises). Both wrappers produce the same
message text, so an issue found by either engine reads the same.

Semantics (Amazon ships validator classes for the first three only, docs/fidelity.md §8.2):

- ``maxUtf8ByteLength`` / ``minUtf8ByteLength``: length of a string in UTF-8 bytes. Japanese
  characters take 3 bytes, so a JP title can be under ``maxLength`` and still too long.
- ``maxUniqueItems``: within an attribute array, items are grouped by the values of the
  ``selectors`` properties (all properties when there are no selectors); no group may hold more
  than N items. ``item_name`` with selectors ``[marketplace_id, language_tag]`` and N=1 allows
  one title per marketplace and language.
- ``minUniqueItems``: at least N distinct selector groups (ACORN's reading; Amazon documents the
  keyword but ships no validator for it).
- ``editable``, ``hidden``, ``enumNames``, ``selectors`` on their own, ``$lifecycle``,
  ``replacedBy``, ``replaces``, ``enumDeprecated``: informational, never fail validation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

__all__ = [
    "INFORMATIONAL_KEYWORDS",
    "META_SCHEMA_URI",
    "VALIDATING_KEYWORDS",
    "VOCABULARY_URI",
    "max_unique_items_error",
    "max_utf8_error",
    "min_unique_items_error",
    "min_utf8_error",
    "python_keywords",
    "rust_keywords",
    "selector_key",
]

META_SCHEMA_URI = (
    "https://schemas.amazon.com/selling-partners/definitions/product-types/meta-schema/v1"
)
VOCABULARY_URI = (
    "https://schemas.amazon.com/selling-partners/definitions/product-types/vocabulary/v1"
)
VALIDATING_KEYWORDS = ("maxUtf8ByteLength", "minUtf8ByteLength", "maxUniqueItems", "minUniqueItems")
INFORMATIONAL_KEYWORDS = (
    "editable",
    "hidden",
    "enumNames",
    "selectors",
    "$lifecycle",
    "replacedBy",
    "replaces",
    "enumDeprecated",
)


def _freeze(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    if isinstance(value, bool):
        return ("bool", value)  # keep True distinct from 1
    return value


def selector_key(item: Any, selectors: Sequence[str] | None) -> Any:
    """The group an attribute item belongs to: its selector values (or the whole item)."""
    if not selectors or not isinstance(item, dict):
        return _freeze(item)
    return tuple(_freeze(item.get(name)) for name in selectors)


def _group_sizes(instance: list[Any], selectors: Sequence[str] | None) -> dict[Any, int]:
    counts: dict[Any, int] = {}
    for item in instance:
        key = selector_key(item, selectors)
        counts[key] = counts.get(key, 0) + 1
    return counts


def max_utf8_error(limit: int, instance: Any) -> str | None:
    if isinstance(instance, str):
        size = len(instance.encode("utf-8"))
        if size > limit:
            return f"is {size} UTF-8 bytes long, more than the {limit} allowed"
    return None


def min_utf8_error(limit: int, instance: Any) -> str | None:
    if isinstance(instance, str):
        size = len(instance.encode("utf-8"))
        if size < limit:
            return f"is {size} UTF-8 bytes long, fewer than the {limit} required"
    return None


def max_unique_items_error(
    limit: int, instance: Any, selectors: Sequence[str] | None
) -> str | None:
    if isinstance(instance, list) and len(instance) > limit:
        worst = max(_group_sizes(instance, selectors).values())
        if worst > limit:
            by = ", ".join(selectors) if selectors else "all properties"
            return f"has {worst} values for the same {by}, more than the {limit} allowed"
    return None


def min_unique_items_error(
    limit: int, instance: Any, selectors: Sequence[str] | None
) -> str | None:
    if isinstance(instance, list):
        groups = len(_group_sizes(instance, selectors)) if instance else 0
        if groups < limit:
            return f"has {groups} distinct values, fewer than the {limit} required"
    return None


# ---------------------------------------------------------------- python-jsonschema (reference)


def python_keywords() -> dict[str, Any]:
    """Keyword functions for ``jsonschema.validators.extend``; the informational ones are no-ops."""
    from jsonschema.exceptions import ValidationError

    def utf8(check: Any) -> Any:
        def keyword(
            validator: Any, value: int, instance: Any, schema: Mapping[str, Any]
        ) -> Iterator[ValidationError]:
            message = check(value, instance)
            if message is not None:
                yield ValidationError(message)

        return keyword

    def unique(check: Any) -> Any:
        def keyword(
            validator: Any, value: int, instance: Any, schema: Mapping[str, Any]
        ) -> Iterator[ValidationError]:
            message = check(value, instance, schema.get("selectors"))
            if message is not None:
                yield ValidationError(message)

        return keyword

    def informational(
        validator: Any, value: Any, instance: Any, schema: Mapping[str, Any]
    ) -> Iterator[ValidationError]:
        return iter(())

    keywords: dict[str, Any] = dict.fromkeys(INFORMATIONAL_KEYWORDS, informational)
    keywords["maxUtf8ByteLength"] = utf8(max_utf8_error)
    keywords["minUtf8ByteLength"] = utf8(min_utf8_error)
    keywords["maxUniqueItems"] = unique(max_unique_items_error)
    keywords["minUniqueItems"] = unique(min_unique_items_error)
    return keywords


# ---------------------------------------------------------------- jsonschema-rs (fast path)


class _MaxUtf8:
    def __init__(self, parent: dict[str, Any], value: int, path: list[str | int]) -> None:
        self.limit = value

    def validate(self, instance: Any) -> None:
        if isinstance(instance, str):
            message = max_utf8_error(self.limit, instance)
            if message is not None:
                raise ValueError(message)


class _MinUtf8:
    def __init__(self, parent: dict[str, Any], value: int, path: list[str | int]) -> None:
        self.limit = value

    def validate(self, instance: Any) -> None:
        message = min_utf8_error(self.limit, instance)
        if message is not None:
            raise ValueError(message)


class _MaxUnique:
    def __init__(self, parent: dict[str, Any], value: int, path: list[str | int]) -> None:
        self.limit = value
        self.selectors = parent.get("selectors")

    def validate(self, instance: Any) -> None:
        # Cheap exit first: most attribute arrays hold one item.
        if isinstance(instance, list) and len(instance) > self.limit:
            message = max_unique_items_error(self.limit, instance, self.selectors)
            if message is not None:
                raise ValueError(message)


class _MinUnique:
    def __init__(self, parent: dict[str, Any], value: int, path: list[str | int]) -> None:
        self.limit = value
        self.selectors = parent.get("selectors")

    def validate(self, instance: Any) -> None:
        if isinstance(instance, list) and (self.limit > 1 or not instance):
            message = min_unique_items_error(self.limit, instance, self.selectors)
            if message is not None:
                raise ValueError(message)


def rust_keywords() -> dict[str, type]:
    """Keyword classes for jsonschema-rs. Informational keywords are left to it: it ignores
    unknown keywords, which is the documented meaning of "informational"."""
    return {
        "maxUtf8ByteLength": _MaxUtf8,
        "minUtf8ByteLength": _MinUtf8,
        "maxUniqueItems": _MaxUnique,
        "minUniqueItems": _MinUnique,
    }
