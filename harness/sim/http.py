"""Framework-free request and reply objects passed between the app and the handlers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Reply", "SimRequest"]


@dataclass
class SimRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

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
