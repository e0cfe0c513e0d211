"""Does a contract schema agree with the schema in Amazon's model?

The agreement is one-sided on purpose. A hand-written contract may leave things out: optional
properties it does not simulate, an optional parameter, an ``enum`` or a limit it does not
enforce. What it *does* declare must be Amazon's: every property name exists in the model,
and every ``type``, ``enum``, ``required`` list, ``format``, ``pattern`` and numeric or length
limit it states equals the model's. Properties Amazon requires must be declared and required.
A contract imported from the models (``"complete": true``) must mirror them exactly, so the
comparison is then *exhaustive*: leaving something out is a difference too.

Both sides are ACORN-dialect schemas (see :func:`harness.contracts.swagger.convert_schema`);
``$ref``s are followed in each side's own definitions, each pair of definitions compared once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.contracts.swagger_schema import esc

__all__ = ["LIMITS", "Found", "SchemaComparer"]

Found = tuple[str, str]
"""(JSON pointer in the contract file, what disagrees with Amazon's model)."""

LIMITS = (
    "format",
    "pattern",
    "maxLength",
    "minLength",
    "maximum",
    "minimum",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "multipleOf",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
)


def _types(schema: Mapping[str, Any]) -> set[str] | None:
    declared = schema.get("type")
    if isinstance(declared, str):
        return {declared}
    if isinstance(declared, list):
        return {str(t) for t in declared}
    if "properties" in schema or "additionalProperties" in schema:
        return {"object"}
    if "items" in schema:
        return {"array"}
    return None


def _show(values: Any) -> str:
    return ", ".join(repr(v) for v in sorted(values, key=str))


@dataclass
class SchemaComparer:
    """Compares schemas of one contract file with schemas of one model file."""

    ours_defs: Mapping[str, Any]
    theirs_defs: Mapping[str, Any]
    exhaustive: bool = False
    _seen: set[tuple[int, int]] = field(default_factory=set)

    def _deref(
        self, schema: Mapping[str, Any], defs: Mapping[str, Any], pointer: str | None
    ) -> tuple[Mapping[str, Any], str | None]:
        hops = 0
        while "$ref" in schema and hops < 64:
            name = str(schema["$ref"]).removeprefix("#/definitions/")
            schema = defs.get(name, {})
            pointer = None if pointer is None else f"/definitions/{esc(name)}"
            hops += 1
        return schema, pointer

    def _merged(self, schema: Mapping[str, Any], defs: Mapping[str, Any]) -> Mapping[str, Any]:
        """``allOf`` folded into one object schema (how Amazon composes a few definitions)."""
        if "allOf" not in schema:
            return schema
        out: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        props: dict[str, Any] = dict(out.get("properties", {}))
        required: list[str] = list(out.get("required", []))
        for part in schema["allOf"]:
            sub = self._merged(self._deref(part, defs, None)[0], defs)
            props.update(sub.get("properties", {}))
            required += [r for r in sub.get("required", []) if r not in required]
            for key, value in sub.items():
                if key not in ("properties", "required"):
                    out.setdefault(key, value)
        if props:
            out["properties"] = props
        if required:
            out["required"] = required
        return out

    def compare(
        self, ours: Mapping[str, Any], theirs: Mapping[str, Any], pointer: str
    ) -> list[tuple[str, str]]:
        """``(pointer in the contract file, what disagrees)`` for every difference."""
        o_raw, o_ptr = self._deref(ours, self.ours_defs, pointer)
        t_raw, _ = self._deref(theirs, self.theirs_defs, None)
        ptr = o_ptr or pointer
        key = (id(o_raw), id(t_raw))
        if key in self._seen:
            return []
        self._seen.add(key)
        o = self._merged(o_raw, self.ours_defs)
        t = self._merged(t_raw, self.theirs_defs)
        found: list[tuple[str, str]] = []
        found += self._type(o, t, ptr)
        found += self._enum(o, t, ptr)
        found += self._limits(o, t, ptr)
        found += self._object(o, t, ptr)
        if "items" in o or (self.exhaustive and "items" in t):
            found += self.compare(o.get("items", {}), t.get("items", {}), ptr + "/items")
        for combinator in ("anyOf", "oneOf"):
            if combinator not in o:
                continue
            if len(o[combinator]) != len(t.get(combinator, [])):
                found.append((f"{ptr}/{combinator}", f"uses {combinator}; Amazon's model does not"))
                continue
            for i, (a, b) in enumerate(zip(o[combinator], t[combinator], strict=True)):
                found += self.compare(a, b, f"{ptr}/{combinator}/{i}")
        return found

    def _type(self, o: Mapping[str, Any], t: Mapping[str, Any], ptr: str) -> list[tuple[str, str]]:
        mine, amazon = _types(o), _types(t)
        if "type" in o:
            if amazon is None:
                return [(f"{ptr}/type", f"declares type {o['type']!r}; Amazon's model sets none")]
            if mine != amazon:
                return [(f"{ptr}/type", f"type {o['type']!r}; Amazon's model says {_show(amazon)}")]
        elif self.exhaustive and "type" in t:
            return [(ptr, f"declares no type; Amazon's model says {t['type']!r}")]
        return []

    def _enum(self, o: Mapping[str, Any], t: Mapping[str, Any], ptr: str) -> list[tuple[str, str]]:
        if "enum" not in o:
            if self.exhaustive and "enum" in t:
                return [(ptr, f"has no enum; Amazon's model allows only {_show(t['enum'])}")]
            return []
        if "enum" not in t:
            return [(f"{ptr}/enum", "restricts values to an enum; Amazon's model has none")]
        extra = set(map(str, o["enum"])) - set(map(str, t["enum"]))
        missing = set(map(str, t["enum"])) - set(map(str, o["enum"]))
        parts = []
        if extra:
            parts.append(f"allows {_show(extra)} that Amazon's model does not")
        if missing:
            parts.append(f"lacks {_show(missing)} that Amazon's model allows")
        return [(f"{ptr}/enum", "; ".join(parts))] if parts else []

    def _limits(self, o: Mapping[str, Any], t: Mapping[str, Any], ptr: str) -> list[Found]:
        found = []
        for limit in LIMITS:
            if limit in o:
                if limit not in t:
                    found.append((f"{ptr}/{limit}", f"{limit} {o[limit]!r}; Amazon's has none"))
                elif o[limit] != t[limit]:
                    found.append(
                        (f"{ptr}/{limit}", f"{limit} {o[limit]!r}; Amazon's says {t[limit]!r}")
                    )
            elif self.exhaustive and limit in t:
                found.append((ptr, f"has no {limit}; Amazon's model says {t[limit]!r}"))
        return found

    def _object(self, o: Mapping[str, Any], t: Mapping[str, Any], ptr: str) -> list[Found]:
        found: list[tuple[str, str]] = []
        o_props: Mapping[str, Any] = o.get("properties", {})
        t_props: Mapping[str, Any] = t.get("properties", {})
        if "properties" in o or "required" in o or self.exhaustive:
            o_req, t_req = set(o.get("required", [])), set(t.get("required", []))
            if t_req - o_req:
                found.append(
                    (
                        f"{ptr}/required",
                        f"does not require {_show(t_req - o_req)} that Amazon's model requires",
                    )
                )
            if o_req - t_req:
                found.append(
                    (f"{ptr}/required", f"requires {_show(o_req - t_req)}; Amazon's model does not")
                )
            undeclared = t_req - set(o_props)
            if "properties" in o and undeclared:
                found.append(
                    (
                        f"{ptr}/properties",
                        f"does not declare {_show(undeclared)} that Amazon's model requires",
                    )
                )
        t_extra = t.get("additionalProperties")
        for name, sub in o_props.items():
            sub_ptr = f"{ptr}/properties/{esc(name)}"
            if name in t_props:
                found += self.compare(sub, t_props[name], sub_ptr)
            elif isinstance(t_extra, dict):
                found += self.compare(sub, t_extra, sub_ptr)
            else:
                found.append((sub_ptr, f"property {name!r} is not in Amazon's model"))
        if self.exhaustive:
            for name in sorted(set(t_props) - set(o_props) - set(t.get("required", []))):
                found.append((f"{ptr}/properties", f"does not declare {name!r} (Amazon's does)"))
        if "additionalProperties" in o:
            mine = o["additionalProperties"]
            if isinstance(mine, dict) and isinstance(t_extra, dict):
                found += self.compare(mine, t_extra, ptr + "/additionalProperties")
            elif mine is False and t_extra is not False:
                found.append(
                    (
                        f"{ptr}/additionalProperties",
                        "forbids other properties; Amazon's allows them",
                    )
                )
            elif mine is not False and t_extra is False:
                found.append(
                    (
                        f"{ptr}/additionalProperties",
                        "allows other properties; Amazon's forbids them",
                    )
                )
        elif self.exhaustive and "additionalProperties" in t:
            found.append((ptr, f"has no additionalProperties; Amazon's model says {t_extra!r}"))
        return found
