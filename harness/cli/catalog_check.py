"""Validate catalog lines (JSON Lines of listing payloads) per marketplace; runs in any process.

``check_chunk`` is a plain function over ``(line number, text)`` pairs so ``acorn validate``
can run it inline or hand chunks to worker processes; each process loads the product types
once and compiles each (product type, marketplace) validator once.

A line's problems never stop the run: a line that is not JSON, a payload without attributes, an
unknown product type or a schema that does not compile become :class:`Problem` records naming
the line and the fix, and every other line is still validated.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from harness.contracts import attributes_for_marketplace, load_product_types
from harness.contracts.product_types import ProductTypeCatalog
from harness.contracts.swagger_json import JsonInputError, loads_bounded
from harness.errors import ContractError

__all__ = [
    "MAX_LINE_CHARS",
    "ChunkResult",
    "Job",
    "ListingResult",
    "Problem",
    "check_chunk",
]


@dataclass(frozen=True)
class Job:
    """What every chunk is checked against (picklable for worker processes)."""

    marketplace_ids: tuple[str, ...]
    product_type: str | None = None
    strict: bool = False
    root: str | None = None


@dataclass(frozen=True)
class ListingResult:
    line: int
    sku: str
    product_type: str
    marketplace_id: str
    issues: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Problem:
    """Input that could not be validated, with the reason and the fix."""

    message: str
    line: int | None = None
    sku: str | None = None
    product_type: str | None = None
    marketplace_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class ChunkResult:
    results: list[ListingResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    lines: int = 0
    skipped: int = 0


MAX_LINE_CHARS = 10_000_000
"""Longest line read; ``acorn validate`` reads no more than this (plus one) of any line."""
MAX_DEPTH = 64
"""Deepest nesting of a payload line (a real listing payload nests under ten levels)."""

_CATALOGS: dict[str | None, ProductTypeCatalog] = {}
_BROKEN: dict[tuple[str, str, bool], str] = {}


def _catalog(root: str | None) -> ProductTypeCatalog:
    if root not in _CATALOGS:
        _CATALOGS[root] = load_product_types(root)
    return _CATALOGS[root]


def _sku(payload: dict[str, Any], line: int) -> str:
    sku = payload.get("sku")
    return str(sku) if sku not in (None, "") else f"line-{line}"


def _check_line(job: Job, line: int, text: str, out: ChunkResult) -> None:
    if len(text) > MAX_LINE_CHARS:
        out.problems.append(
            Problem(
                f"line {line} is over {MAX_LINE_CHARS // 1_000_000} MB and was not read; fix: "
                "one listing payload per line (real payloads are a few KB; this line may be "
                "several lines joined or a corrupted export)",
                line=line,
            )
        )
        return
    try:
        payload = loads_bounded(text, MAX_DEPTH)
    except JsonInputError as exc:
        out.problems.append(Problem(f"line {line} {exc.message}; fix: {exc.fix}", line=line))
        return
    except json.JSONDecodeError as exc:
        out.problems.append(
            Problem(
                f"line {line} is not JSON ({exc.msg} at column {exc.colno}); "
                "fix: write one JSON object per line",
                line=line,
            )
        )
        return
    if not isinstance(payload, dict) or not isinstance(payload.get("attributes"), dict):
        out.problems.append(
            Problem(
                f"line {line} has no 'attributes' object; fix: each line is a listing payload "
                '{"sku": ..., "productType": ..., "attributes": {...}}',
                line=line,
            )
        )
        return
    sku = _sku(payload, line)
    product_type = payload.get("productType") or job.product_type
    if job.product_type and product_type != job.product_type:
        out.skipped += 1
        return
    if not isinstance(product_type, str):
        out.problems.append(
            Problem(
                f'line {line} (sku {sku}) names no productType; fix: add "productType" or '
                "pass --product-type",
                line=line,
                sku=sku,
            )
        )
        return
    catalog = _catalog(job.root)
    if product_type not in catalog.product_types:
        out.problems.append(
            Problem(
                f"line {line} (sku {sku}): unknown product type {product_type!r}; fix: use one "
                f"of {', '.join(catalog.product_types)} or pull its schemas with "
                "`acorn product-types pull`",
                line=line,
                sku=sku,
                product_type=product_type,
            )
        )
        return
    wanted = job.marketplace_ids
    listed = payload.get("marketplaceIds")
    if isinstance(listed, list) and listed:
        wanted = tuple(m for m in wanted if m in listed)
    attributes = payload["attributes"]
    for mid in wanted:
        key = (product_type, mid, job.strict)
        if key in _BROKEN:
            continue
        try:
            validator = catalog.validator(product_type, mid, strict=job.strict)
        except ContractError as exc:
            _BROKEN[key] = str(exc)
            out.problems.append(
                Problem(
                    f"{product_type} in {mid} not checked: {exc}",
                    product_type=product_type,
                    marketplace_id=mid,
                )
            )
            continue
        try:
            issues = validator.issues(attributes_for_marketplace(attributes, mid))
        except RecursionError:  # a validator keyword recursing over a pathological value
            out.problems.append(
                Problem(
                    f"line {line} (sku {sku}) is too deeply nested to validate for {mid}; fix: "
                    "flatten the attribute values",
                    line=line,
                    sku=sku,
                    product_type=product_type,
                    marketplace_id=mid,
                )
            )
            continue
        out.results.append(
            ListingResult(line, sku, product_type, mid, tuple(i.to_dict() for i in issues))
        )


def check_chunk(job: Job, lines: Iterable[tuple[int, str]]) -> ChunkResult:
    """Validate numbered catalog lines; blank lines are ignored."""
    out = ChunkResult()
    for number, text in lines:
        if not text.strip():
            continue
        out.lines += 1
        _check_line(job, number, text, out)
    return out
