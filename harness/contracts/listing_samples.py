"""Listing payloads generated from a product type schema, valid or broken in a known way.

The property tests, the speed benchmark and the catalog tests need many realistic payloads,
and each broken one must say which issue it should raise. The generator reads the schema shapes
ACORN's product types use (attribute arrays of objects, ``$defs`` selectors, enums, measures,
nested price arrays, ``contains`` rules and ``allOf`` if/then requirements); it is not a general
JSON Schema instance generator.

``sample_attributes(schema, rng)`` returns attributes valid for that marketplace; each
``MUTATIONS[name](attributes, schema, rng)`` returns broken attributes and the
:class:`Expected` issue (code, attribute, JSON Schema keyword), or ``None`` when the schema has
nothing that mutation can break.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["MUTATIONS", "Expected", "merge_marketplaces", "sample_attributes"]

_WORDS = [
    "steel",
    "travel",
    "quiet",
    "compact",
    "wireless",
    "classic",
    "bright",
    "soft",
    "durable",
    "light",
    "premium",
    "organic",
    "studio",
    "urban",
    "outdoor",
]
_DE = ["Größe", "Qualität", "für", "Kopfhörer", "Reißverschluss", "leicht", "Geräusch"]
_JA = ["ワイヤレス", "ヘッドホン", "高音質", "軽量", "防水", "日本製", "旅行用"]
_FR = ["léger", "qualité", "écouteurs", "sans fil", "fermeture", "élégant"]


@dataclass(frozen=True)
class Expected:
    """The issue a mutation must produce."""

    code: str
    attribute: str
    keyword: str


def _defs(schema: Mapping[str, Any]) -> dict[str, Any]:
    return dict(schema.get("$defs", {}))


def _enum_branch(node: Mapping[str, Any]) -> list[Any]:
    for branch in node.get("anyOf", []):
        if isinstance(branch, dict) and "enum" in branch:
            return list(branch["enum"])
    return list(node.get("enum", []))


class _Gen:
    def __init__(self, schema: Mapping[str, Any], rng: random.Random, optional: float) -> None:
        self.schema = schema
        self.rng = rng
        self.optional = optional
        defs = _defs(schema)
        self.marketplace_id = defs["marketplace_id"]["default"]
        self.language = defs["language_tag"]["default"]

    def text(self, node: Mapping[str, Any]) -> str:
        pattern = node.get("pattern")
        if pattern == "^[0-9]{8,14}$":
            return "".join(self.rng.choice("0123456789") for _ in range(13))
        if pattern and "@" in pattern:
            return f"safety{self.rng.randint(1, 999)}@example.com"
        if pattern and "http" in pattern:
            return f"https://example.com/{self.rng.choice(_WORDS)}/{self.rng.randint(1, 99999)}.jpg"
        if pattern == "^[0-9]{1,3}% .+":
            return f"{self.rng.randint(1, 100)}% {self.rng.choice(_WORDS)}"
        words = _WORDS
        if self.language.startswith("de"):
            words = _WORDS + _DE
        elif self.language.startswith("ja"):
            words = _JA
        elif self.language.startswith("fr"):
            words = _WORDS + _FR
        sep = "" if self.language.startswith("ja") else " "
        out = sep.join(self.rng.choice(words) for _ in range(self.rng.randint(1, 8)))
        max_len = node.get("maxLength", 10_000)
        max_bytes = node.get("maxUtf8ByteLength", 10_000)
        while len(out) > max_len or len(out.encode("utf-8")) > max_bytes:
            out = out[: max(1, len(out) // 2)]
        while len(out) < node.get("minLength", 0):
            out += "x"
        return out

    def value(self, node: Mapping[str, Any], name: str = "") -> Any:
        ref = node.get("$ref")
        if ref == "#/$defs/marketplace_id":
            return self.marketplace_id
        if ref == "#/$defs/language_tag":
            return self.language
        if "const" in node:
            return copy.deepcopy(node["const"])
        if "enum" in node:
            return copy.deepcopy(self.rng.choice(node["enum"]))
        if "anyOf" in node:
            options = _enum_branch(node)
            if options:
                return self.rng.choice(options)
        kind = node.get("type")
        if kind == "object":
            return self.obj(node)
        if kind == "array":
            return self.array(node, name)
        if kind == "string":
            return self.text(node)
        if kind == "boolean":
            return self.rng.choice([True, False])
        if kind in ("integer", "number"):
            low = node.get("minimum", 0)
            high = node.get("maximum", low + 1000)
            if "exclusiveMaximum" in node:
                high = min(high, node["exclusiveMaximum"] - 1)
            high = min(high, low + 1000)
            if kind == "integer":
                return self.rng.randint(int(low), int(high))
            return round(self.rng.uniform(low, high), 2) if high > low else low
        return self.text(node)

    def obj(self, node: Mapping[str, Any]) -> dict[str, Any]:
        required = set(node.get("required", []))
        out: dict[str, Any] = {}
        for prop, sub in node.get("properties", {}).items():
            keep = prop in required or prop in ("marketplace_id", "language_tag")
            if keep or self.rng.random() < self.optional:
                out[prop] = self.value(sub, prop)
        return out

    def array(self, node: Mapping[str, Any], name: str) -> list[Any]:
        count = max(1, node.get("minItems", 1))
        if node.get("maxUniqueItems", 1) > 1 and self.rng.random() < 0.3:
            count = min(node.get("maxUniqueItems", 1), node.get("maxItems", 3), 3)
        items = [self.value(node.get("items", {})) for _ in range(count)]
        if "contains" in node and items:
            _satisfy(items[0], node["contains"], self.rng)
        return items


def _satisfy(item: Any, contains: Mapping[str, Any], rng: random.Random) -> None:
    if not isinstance(item, dict):
        return
    for prop, rule in contains.get("properties", {}).items():
        if "const" in rule:
            item[prop] = rule["const"]
        elif "enum" in rule:
            item[prop] = rng.choice(rule["enum"])


def _rules(schema: Mapping[str, Any]) -> list[tuple[Mapping[str, Any] | None, Mapping[str, Any]]]:
    rules: list[tuple[Mapping[str, Any] | None, Mapping[str, Any]]] = []
    for entry in schema.get("allOf", []):
        if "if" in entry:
            rules.append((entry["if"], entry.get("then", {})))
        else:
            rules.append((None, entry))
    return rules


def sample_attributes(
    schema: Mapping[str, Any], rng: random.Random, *, optional: float = 0.25
) -> dict[str, Any]:
    """Attributes that are valid for the schema's marketplace (``$defs.marketplace_id``)."""
    from jsonschema import Draft201909Validator

    gen = _Gen(schema, rng, optional)
    props = schema.get("properties", {})
    out: dict[str, Any] = {}
    for name in schema.get("required", []):
        out[name] = gen.value(props[name], name)
    for name, sub in props.items():
        if name not in out and rng.random() < optional / 4:
            out[name] = gen.value(sub, name)
    rules = _rules(schema)
    for _ in range(4):  # conditionals can chain (batteries -> lithium)
        changed = False
        for condition, then in rules:
            if condition is not None and not Draft201909Validator(dict(condition)).is_valid(out):
                continue
            for name in then.get("required", []):
                if name not in out:
                    out[name] = gen.value(props[name], name)
                    changed = True
            for name, rule in then.get("properties", {}).items():
                if "contains" in rule and name in out:
                    checker = Draft201909Validator(dict(rule))
                    if not checker.is_valid(out[name]):
                        _satisfy(out[name][0], rule["contains"], rng)
                        changed = True
        if not changed:
            break
    return out


def merge_marketplaces(per_marketplace: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One payload for several marketplaces: each attribute's items concatenated (every item
    carries its ``marketplace_id``), as a multi-marketplace catalog export has them."""
    out: dict[str, Any] = {}
    for attributes in per_marketplace:
        for name, items in attributes.items():
            out.setdefault(name, []).extend(copy.deepcopy(items))
    return out


# ---------------------------------------------------------------- mutations

Mutation = Callable[
    [dict[str, Any], Mapping[str, Any], random.Random], tuple[dict[str, Any], Expected] | None
]


def _item_schema(schema: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    return dict(schema["properties"][name].get("items", {}))


def _drop_required(attrs: dict[str, Any], schema: Mapping[str, Any], rng: random.Random) -> Any:
    name = rng.choice(sorted(schema["required"]))
    out = copy.deepcopy(attrs)
    out.pop(name, None)
    return out, Expected("90220", name, "required")


def _utf8_overflow(attrs: dict[str, Any], schema: Mapping[str, Any], rng: random.Random) -> Any:
    if not attrs.get("item_name"):
        return None
    value = _item_schema(schema, "item_name")["properties"]["value"]
    chars = value["maxUtf8ByteLength"] // 3 + 1
    if chars > value["maxLength"]:
        return None
    out = copy.deepcopy(attrs)
    out["item_name"][0]["value"] = "音" * chars
    return out, Expected("90000900", "item_name", "maxUtf8ByteLength")


def _bad_enum(attrs: dict[str, Any], schema: Mapping[str, Any], rng: random.Random) -> Any:
    if not attrs.get("condition_type"):
        return None
    out = copy.deepcopy(attrs)
    out["condition_type"][0]["value"] = "brand_new"
    return out, Expected("90000900", "condition_type", "enum")


def _wrong_type(attrs: dict[str, Any], schema: Mapping[str, Any], rng: random.Random) -> Any:
    if not attrs.get("brand"):
        return None
    out = copy.deepcopy(attrs)
    out["brand"][0]["value"] = rng.randint(1, 1000)
    return out, Expected("90000900", "brand", "type")


def _extra_property(attrs: dict[str, Any], schema: Mapping[str, Any], rng: random.Random) -> Any:
    present = sorted(n for n in schema["required"] if attrs.get(n))
    if not present:
        return None
    name = rng.choice(present)
    out = copy.deepcopy(attrs)
    out[name][0]["unexpected_field"] = "x"
    return out, Expected("90000900", name, "additionalProperties")


def _duplicate(attrs: dict[str, Any], schema: Mapping[str, Any], rng: random.Random) -> Any:
    if not attrs.get("item_name"):
        return None
    out = copy.deepcopy(attrs)
    out["item_name"].append(copy.deepcopy(out["item_name"][0]))
    return out, Expected("90000900", "item_name", "maxUniqueItems")


def _empty(attrs: dict[str, Any], schema: Mapping[str, Any], rng: random.Random) -> Any:
    if "bullet_point" not in attrs:
        return None
    out = copy.deepcopy(attrs)
    out["bullet_point"] = []
    return out, Expected("99022", "bullet_point", "minItems")


def _battery(attrs: dict[str, Any], schema: Mapping[str, Any], rng: random.Random) -> Any:
    if "battery" not in schema["properties"]:
        return None
    out = copy.deepcopy(attrs)
    out["batteries_included"] = [{"value": True, "marketplace_id": _mid(schema)}]
    out.pop("battery", None)
    return out, Expected("90220", "battery", "required")


def _currency(attrs: dict[str, Any], schema: Mapping[str, Any], rng: random.Random) -> Any:
    if not attrs.get("purchasable_offer"):
        return None
    allowed = _item_schema(schema, "purchasable_offer")["properties"]["currency"]["enum"]
    out = copy.deepcopy(attrs)
    out["purchasable_offer"][0]["currency"] = "USD" if "USD" not in allowed else "EUR"
    return out, Expected("90000900", "purchasable_offer", "enum")


def _compliance(attrs: dict[str, Any], schema: Mapping[str, Any], rng: random.Random) -> Any:
    names = [
        n
        for n in (
            "gpsr_safety_attestation",
            "gpsr_manufacturer_reference",
            "dsa_responsible_party_address",
            "epr_product_packaging",
            "eu_toys_safety_directive_language",
            "cpsia_cautionary_statement",
            "fcc_radio_frequency_emission_compliance",
        )
        if n in schema["required"]
    ]
    if not names:
        return None
    name = rng.choice(names)
    out = copy.deepcopy(attrs)
    out.pop(name, None)
    return out, Expected("90220", name, "required")


def _mid(schema: Mapping[str, Any]) -> str:
    return str(schema["$defs"]["marketplace_id"]["default"])


MUTATIONS: dict[str, Mutation] = {
    "missing_required": _drop_required,
    "utf8_overflow": _utf8_overflow,
    "bad_enum": _bad_enum,
    "wrong_type": _wrong_type,
    "extra_property": _extra_property,
    "duplicate_selector": _duplicate,
    "empty_attribute": _empty,
    "battery_conditional": _battery,
    "wrong_currency": _currency,
    "missing_compliance": _compliance,
}
