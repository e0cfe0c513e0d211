"""Amazon-style listing issues, built from JSON Schema errors of either engine.

Amazon answers a listing submission with ``issues[]`` (docs/fidelity.md §7.3): ``code``,
``message``, ``severity``, ``attributeNames``, ``categories`` and optionally
``marketplaceIds``. The codes ACORN uses are the ones seen in Amazon's models and trackers:

- ``90220`` "'X' is required but not supplied." (MISSING_ATTRIBUTE / MISSING_PRICE / MISSING_IMAGE)
- ``99022`` "... does not have enough values" (too few items)
- ``100720`` invalid language data (a language tag the marketplace does not accept)
- ``90000900`` "The attributes are invalid." for every other schema violation; ACORN appends
  which attribute and value broke which rule, because a bare 90000900 is the pain users report
  (pain-points §2.4).

Errors from python-jsonschema and jsonschema-rs are first reduced to a :class:`SchemaError`
(keyword, instance path, limit, detail) so both engines produce identical issues.
"""

from __future__ import annotations

from collections.abc import Iterable, KeysView, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["CATEGORIES", "LIMIT_KEYWORDS", "Issue", "SchemaError", "issues_from_errors"]

Severity = Literal["ERROR", "WARNING", "INFO"]
CATEGORIES = (
    "INVALID_ATTRIBUTE",
    "MISSING_ATTRIBUTE",
    "INVALID_IMAGE",
    "MISSING_IMAGE",
    "INVALID_PRICE",
    "MISSING_PRICE",
    "DUPLICATE",
    "QUALIFICATION_REQUIRED",
)
_PRICE_ATTRIBUTES = frozenset({"purchasable_offer", "list_price", "uvp_list_price"})
_IMAGE_SUFFIX = "image_locator"


# Amazon's Issue fields, in its order; marketplaceIds only when there are any.
_AMAZON_KEYS = ("code", "message", "severity", "attributeNames", "categories", "marketplaceIds")


@dataclass(frozen=True)
class Issue:
    """One Amazon-style issue. ``keyword`` and ``pointer`` are ACORN's diagnostics (the JSON
    Schema keyword and the JSON pointer into ``attributes``); ``to_dict`` leaves them out."""

    code: str
    message: str
    severity: Severity
    attributeNames: tuple[str, ...]
    categories: tuple[str, ...]
    marketplaceIds: tuple[str, ...] = ()
    keyword: str = field(default="", compare=False)
    pointer: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The issue as Amazon's ``Issue`` object."""
        return {key: self[key] for key in self._keys()}

    def _keys(self) -> tuple[str, ...]:
        return _AMAZON_KEYS if self.marketplaceIds else _AMAZON_KEYS[:-1]

    # Mapping protocol, so ``dict(issue)`` and ``issue["code"]`` read Amazon's object (the
    # simulator and ``acorn validate`` do): a field at a time, never the whole dict per key.
    def keys(self) -> KeysView[str]:
        return dict.fromkeys(self._keys()).keys()

    def __getitem__(self, key: str) -> Any:
        if key not in self._keys():
            raise KeyError(key)
        value = getattr(self, key)
        return list(value) if isinstance(value, tuple) else value

    @property
    def attribute(self) -> str:
        return self.attributeNames[0] if self.attributeNames else ""


@dataclass(frozen=True)
class SchemaError:
    """An engine-neutral validation error."""

    keyword: str
    path: tuple[str | int, ...]
    instance: Any
    limit: Any = None
    missing: str | None = None
    detail: str | None = None  # message of an Amazon keyword (same text in both engines)


# The keywords whose schema value is the bound an issue quotes (SchemaError.limit): one set
# for both engines (jsonschema and jsonschema-rs), so they report the same issues.
LIMIT_KEYWORDS = frozenset(
    {
        "maxLength",
        "minLength",
        "maxItems",
        "minItems",
        "maximum",
        "minimum",
        "exclusiveMaximum",
        "exclusiveMinimum",
        "multipleOf",
    }
)


def _pointer(path: Sequence[str | int]) -> str:
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _dotted(path: Sequence[str | int]) -> str:
    return ".".join(str(p) for p in path if not isinstance(p, int))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe(err: SchemaError) -> str:
    kw, lim, inst = err.keyword, err.limit, err.instance
    if err.detail is not None:
        return err.detail
    if kw == "enum":
        return f"value {_short(inst)} is not one of the allowed values"
    if kw == "const":
        return f"value {_short(inst)} is not the required value {_short(lim)}"
    if kw == "type":
        return f"value {_short(inst)} has the wrong type"
    if kw in ("maxLength", "minLength"):
        size = len(inst) if isinstance(inst, str) else 0
        bound = "at most" if kw == "maxLength" else "at least"
        return f"is {size} characters long; {bound} {lim} allowed"
    if kw in ("maxItems", "minItems"):
        bound = "at most" if kw == "maxItems" else "at least"
        return f"has {len(inst) if isinstance(inst, list) else 0} values; {bound} {lim} allowed"
    if kw in ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "multipleOf"):
        return f"value {_short(inst)} violates {kw} {lim}"
    if kw == "pattern":
        return f"value {_short(inst)} does not have the expected format"
    if kw == "additionalProperties":
        return "has properties the schema does not define"
    if kw == "contains":
        return "has no value that the marketplace requires"
    if kw in ("anyOf", "oneOf"):
        return f"value {_short(inst)} matches none of the allowed forms"
    return f"violates {kw}"


def _categories(attribute: str, missing: bool) -> tuple[str, ...]:
    if attribute in _PRICE_ATTRIBUTES:
        return ("MISSING_PRICE",) if missing else ("INVALID_PRICE",)
    if attribute.endswith(_IMAGE_SUFFIX):
        return ("MISSING_IMAGE",) if missing else ("INVALID_IMAGE",)
    return ("MISSING_ATTRIBUTE",) if missing else ("INVALID_ATTRIBUTE",)


def _issue(err: SchemaError, marketplace_ids: tuple[str, ...]) -> Issue:
    path = err.path
    pointer = _pointer(path)
    if err.keyword == "required" and err.missing is not None:
        full = (*path, err.missing)
        attribute = str(full[0])
        name = _dotted(full)
        return Issue(
            code="90220",
            message=f"'{name}' is required but not supplied.",
            severity="ERROR",
            attributeNames=(attribute,),
            categories=_categories(attribute, missing=True),
            marketplaceIds=marketplace_ids,
            keyword="required",
            pointer=_pointer(full),
        )
    attribute = str(path[0]) if path else ""
    name = _dotted(path) or "attributes"
    if err.keyword in ("minItems", "minUniqueItems"):
        field_name = name.rsplit(".", 1)[-1]
        return Issue(
            code="99022",
            message=f"The field '{field_name}' for the attribute '{name}' does not have enough "
            f"values ({_describe(err)}).",
            severity="ERROR",
            attributeNames=(attribute,) if attribute else (),
            categories=_categories(attribute, missing=False),
            marketplaceIds=marketplace_ids,
            keyword=err.keyword,
            pointer=pointer,
        )
    if path and path[-1] == "language_tag" and err.keyword in ("enum", "anyOf"):
        return Issue(
            code="100720",
            message=f"Invalid language data: '{name}' {_describe(err)} for this marketplace.",
            severity="ERROR",
            attributeNames=(attribute,),
            categories=("INVALID_ATTRIBUTE",),
            marketplaceIds=marketplace_ids,
            keyword=err.keyword,
            pointer=pointer,
        )
    return Issue(
        code="90000900",
        message=f"The attributes are invalid: '{name}' {_describe(err)}.",
        severity="ERROR",
        attributeNames=(attribute,) if attribute else (),
        categories=_categories(attribute, missing=False),
        marketplaceIds=marketplace_ids,
        keyword=err.keyword,
        pointer=pointer,
    )


def issues_from_errors(
    errors: Iterable[SchemaError], marketplace_ids: Sequence[str] = ()
) -> list[Issue]:
    """Issues, one per distinct (code, message, attribute), in a stable order."""
    mids = tuple(marketplace_ids)
    errs = list(errors)
    # An empty array fails minItems and minUniqueItems: report "not enough values" once.
    short = {e.path for e in errs if e.keyword == "minItems"}
    found = sorted(
        (_issue(err, mids) for err in errs
         if not (err.keyword == "minUniqueItems" and err.path in short)),
        key=lambda i: (i.attributeNames, i.code, i.pointer, i.message, i.keyword),
    )  # fmt: skip
    # Sorted first, so the issue kept for a repeated message is the same whatever the engine.
    seen: dict[tuple[str, str, tuple[str, ...]], Issue] = {}
    for issue in found:
        seen.setdefault((issue.code, issue.message, issue.attributeNames), issue)
    return list(seen.values())
