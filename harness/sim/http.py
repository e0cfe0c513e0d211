"""Framework-free request and reply objects passed between the app and the handlers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MAX_JSON_DEPTH", "JsonTooDeep", "Reply", "SimRequest", "parse_json"]

MAX_JSON_DEPTH = 100
"""Deepest JSON body the simulator reads. Amazon's bodies nest under 20 levels; the journal's
masking and the schema explanations recurse, so a deeper body is refused as unparseable
(refusal CONTRACT-JSON-DEPTH, fidelity note JSON-TOO-DEEP) instead of crashing the server."""


class JsonTooDeep(ValueError):
    """A JSON body nested deeper than :data:`MAX_JSON_DEPTH`."""


def _depth(value: Any) -> int:
    """Nesting depth of decoded JSON, without recursion (the value may be deep)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, level)
            if deepest > MAX_JSON_DEPTH:
                return deepest
            items = node.values() if isinstance(node, dict) else node
            stack.extend((item, level + 1) for item in items if isinstance(item, dict | list))
    return deepest


def parse_json(data: bytes | str) -> Any:
    """JSON from a request body; :class:`JsonTooDeep` (a ValueError) when nested deeper than
    :data:`MAX_JSON_DEPTH`, ``json.JSONDecodeError``/``UnicodeDecodeError`` when malformed."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    try:
        value = json.loads(text)
    except RecursionError as exc:  # deeper than the interpreter can parse
        raise JsonTooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from exc
    if _depth(value) > MAX_JSON_DEPTH:
        raise JsonTooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return value


@dataclass
class SimRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    oversize: bool = False
    """The body was over the endpoint's size cap and was not read (answered 413)."""
    scheme: str = "http"
    """https when the request came over TLS: links the simulator hands out keep the scheme."""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def json(self) -> Any:
        return parse_json(self.body)

    def first(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def csv(self, name: str) -> list[str]:
        """An array query parameter, sent comma-separated or as repeated keys."""
        return [v for raw in self.query.get(name, []) for v in raw.split(",") if v]


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON-able; None means an empty body
    headers: dict[str, str] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    beside_payload: dict[str, Any] = field(default_factory=dict)
    """Top-level members next to ``payload`` (FBA Inventory's ``pagination``)."""
    delay: float = 0.0
    """Wall seconds the answer is held back without blocking other requests (slow LWA)."""
