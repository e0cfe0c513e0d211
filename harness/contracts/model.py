"""Typed view of the contract data in ``contracts/``.

The simulator routes, throttles and validates from these objects, and the checks read them to
explain findings, so they are immutable and carry the file they came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "REGIONS",
    "UNPUBLISHED_PLAN",
    "ContractSet",
    "Marketplace",
    "Operation",
    "Parameter",
    "Region",
    "RouteMatch",
    "UsagePlan",
    "find_marketplace",
]

Region = Literal["NA", "EU", "FE"]
REGIONS: tuple[Region, ...] = ("NA", "EU", "FE")


@dataclass(frozen=True)
class Marketplace:
    id: str
    country: str
    name: str
    region: Region
    endpoint: str
    currency: str
    language: str
    domain: str


def find_marketplace(marketplaces: Mapping[str, Marketplace], ref: str) -> Marketplace | None:
    """A marketplace by id (``A1PA6795UKMFR9``) or country code (``de``; ``UK`` means GB, as
    sellers say it); None when ``ref`` names neither."""
    key = ref.strip()
    found = marketplaces.get(key)
    if found is None:
        country = "GB" if key.upper() == "UK" else key.upper()
        found = next((m for m in marketplaces.values() if m.country.upper() == country), None)
    return found


@dataclass(frozen=True)
class UsagePlan:
    """Token-bucket parameters: ``rate`` tokens per second refill a bucket of ``burst``."""

    rate: float
    burst: int
    published: bool = True
    """False when Amazon's model publishes no plan and ACORN applies its fallback."""


UNPUBLISHED_PLAN = UsagePlan(1.0, 1, published=False)
"""Contract ``"usage_plan": null``: Amazon publishes none; one request per second, no burst."""


@dataclass(frozen=True)
class Parameter:
    name: str
    location: Literal["path", "query", "header"]
    required: bool
    schema: Mapping[str, Any]


@dataclass(frozen=True)
class Operation:
    operation_id: str
    api: str
    version: str
    api_title: str
    envelope: Literal["payload", "bare"]
    method: str
    path: str
    usage_plan: UsagePlan
    rate_limit_header: bool
    restricted: bool
    grantless: bool
    parameters: tuple[Parameter, ...]
    request_body: Mapping[str, Any] | None
    request_body_required: bool
    responses: Mapping[str, Mapping[str, Any]]
    errors: tuple[int, ...]
    definitions: Mapping[str, Any] = field(repr=False)
    source: str = ""
    sandbox: tuple[Mapping[str, Any], ...] = field(default=(), repr=False)
    """Static-sandbox cases (``status``, ``parameters``, ``response``...), when imported."""
    bad_request: tuple[str, str] = ("InvalidInput", "Invalid Input")
    """The API's generic 400 ``code`` and message (see :mod:`harness.contracts.bad_request`)."""

    @property
    def key(self) -> str:
        """A name unique across API versions, e.g. ``orders/v0/getOrders``."""
        return f"{self.api}/{self.version}/{self.operation_id}"

    def response_schema(self, status: int | str) -> dict[str, Any] | None:
        """The schema for ``status``, self-contained (its ``definitions`` attached)."""
        schema = self.responses.get(str(status))
        if schema is None:
            return None
        return {**schema, "definitions": dict(self.definitions)}


@dataclass(frozen=True)
class RouteMatch:
    operation: Operation
    path_params: dict[str, str]


_PARAM = re.compile(r"\{([^}/]+)\}")


def _template_regex(path: str) -> re.Pattern[str]:
    pattern = ""
    pos = 0
    for m in _PARAM.finditer(path):
        pattern += re.escape(path[pos : m.start()]) + f"(?P<{m.group(1)}>[^/]+)"
        pos = m.end()
    pattern += re.escape(path[pos:])
    return re.compile(f"^{pattern}/?$")


def _first_segment(path: str) -> str:
    return path.split("/", 2)[1] if path.startswith("/") else path


def _head_may_match(template: str, head: str) -> bool:
    first = _first_segment(template)
    return "{" in first or first == head


class ContractSet:
    """All loaded contracts: marketplaces and operations, with routing by method and path."""

    def __init__(self, marketplaces: Iterable[Marketplace], operations: Iterable[Operation]):
        self.marketplaces: dict[str, Marketplace] = {m.id: m for m in marketplaces}
        self.operations: tuple[Operation, ...] = tuple(operations)
        # Most literal characters first, so /orders/{id}/address beats a looser template.
        ranked = sorted(self.operations, key=lambda op: -len(_PARAM.sub("", op.path)))
        self._routes = [(op, _template_regex(op.path)) for op in ranked]
        self._by_head: dict[tuple[str, str], list[tuple[Operation, re.Pattern[str]]]] = {}

    def _candidates(self, method: str, path: str) -> list[tuple[Operation, re.Pattern[str]]]:
        """The routes of ``method`` whose first path segment can match ``path``'s, in rank
        order: a request tries a handful of templates, not all of them."""
        head = _first_segment(path)
        routes = self._by_head.get((method, head))
        if routes is None:
            routes = [
                (op, regex)
                for op, regex in self._routes
                if op.method == method and _head_may_match(op.path, head)
            ]
            if len(self._by_head) < 1024:  # bounded: clients may send any first segment
                self._by_head[(method, head)] = routes
        return routes

    def match(self, method: str, path: str) -> RouteMatch | None:
        from urllib.parse import unquote

        for op, regex in self._candidates(method.upper(), path):
            m = regex.match(path)
            if m:
                return RouteMatch(op, {k: unquote(v) for k, v in m.groupdict().items()})
        return None

    def allowed_methods(self, path: str) -> list[str]:
        return sorted({op.method for op, regex in self._routes if regex.match(path)})

    def operation(self, operation_id: str) -> Operation:
        """Look an operation up by id (``getOrders``) or key (``orders/v0/getOrders``)."""
        found = [op for op in self.operations if operation_id in (op.operation_id, op.key)]
        if len(found) != 1:
            known = ", ".join(sorted(op.operation_id for op in self.operations))
            raise KeyError(
                f"{operation_id!r} names {len(found)} operations; known operations: {known}"
            )
        return found[0]

    def marketplaces_in(self, region: Region) -> list[Marketplace]:
        return [m for m in self.marketplaces.values() if m.region == region]
