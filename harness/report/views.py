"""The views a reviewer reads first: blockers first, and what is blocked in which marketplace.

Checks carry no marketplace field; what they say does. A check is *per marketplace* when its
summary or evidence names marketplaces (a marketplace id, or a country code written as
"in DE" / "DE:", the way the listing and inventory checks phrase each finding); otherwise it
concerns the whole integration and applies to every marketplace in scope. The marketplaces
in scope are the seller's (``marketplaces`` in acorn.toml) or, when none are declared, the
seeded cross-border seller every scenario uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from harness.checks import CheckResult

__all__ = [
    "MarketplaceMatrix",
    "MatrixCell",
    "blockers_first",
    "is_blocking",
    "marketplace_matrix",
    "marketplaces_named",
]

_GATING = ("blocker", "critical")
_SEVERITY_RANK = {"blocker": 0, "critical": 1, "normal": 2}
_STATUS_RANK = {
    "error": 0,
    "failed": 1,
    "skipped": 2,
    "waived": 3,
    "passed": 4,
    "not_applicable": 5,
}
STATES = (
    "error",
    "blocked",
    "not_proven",
    "issues",
    "waived",
    "passed",
    "not_covered",
    "not_applicable",
)
"""Cell states, worst first (a cell shows the worst of its checks)."""
STATE_CODES = {
    "error": "ERR",
    "blocked": "BLOCKED",
    "not_proven": "NOT PROVEN",
    "issues": "ISSUES",
    "waived": "WAIVED",
    "passed": "OK",
    "not_covered": "-",
    "not_applicable": "N/A",
}
STATE_MEANING = {
    "error": "a check could not be judged (the run is INCOMPLETE)",
    "blocked": "a blocker or critical check failed",
    "not_proven": "a blocker or critical check was not exercised (not proven blocks GO)",
    "issues": "only normal-severity checks failed (they do not block GO)",
    "waived": "a failure is accepted as a risk (see Accepted risks)",
    "passed": "every judged check passed",
    "not_covered": "the area's checks exercised other marketplaces, not this one",
    "not_applicable": "outside the integration's declared scope",
}


def is_blocking(result: CheckResult) -> bool:
    """A gating check that failed, was not proven, or could not be judged."""
    return result.severity in _GATING and result.status in ("failed", "skipped", "error")


def blockers_first(results: Iterable[CheckResult]) -> list[CheckResult]:
    """Failed or not-proven blockers, then criticals, then the rest (worst status first).

    The order within a group is the run's order, so the same run always reads the same way."""
    indexed = list(enumerate(results))

    def key(item: tuple[int, CheckResult]) -> tuple[int, int, int, int]:
        index, r = item
        group = _SEVERITY_RANK[r.severity] if is_blocking(r) else 2
        return (group, _STATUS_RANK.get(r.status, 9), _SEVERITY_RANK[r.severity], index)

    return [r for _, r in sorted(indexed, key=key)]


@cache
def _known() -> tuple[dict[str, str], tuple[str, ...]]:
    """Marketplace id -> country code, and the seeded seller's countries in order."""
    from harness.contracts import load_marketplaces
    from harness.sim.state import SEEDED_MARKETPLACES

    by_id = {m.id: m.country for m in load_marketplaces()}
    return by_id, tuple(by_id[m] for m in SEEDED_MARKETPLACES if m in by_id)


@cache
def _pattern() -> re.Pattern[str]:
    by_id, _ = _known()
    ids = "|".join(sorted(by_id, key=len, reverse=True))
    countries = "|".join(sorted(set(by_id.values())))
    # "A1PA6795UKMFR9", "in DE", "DE:" / "(DE:" — an upper-case country code alone (a word
    # such as "IT" in a sentence) is not enough.
    return re.compile(
        rf"(?<![A-Z0-9])(?P<id>{ids})(?![A-Z0-9])"
        rf"|\bin (?P<in>{countries})\b"
        rf"|(?<![A-Za-z0-9_-])(?P<colon>{countries}):"
    )


def marketplaces_named(result: CheckResult) -> list[str]:
    """Country codes of the marketplaces ``result``'s summary or evidence names, in order."""
    by_id, _ = _known()
    found: list[str] = []
    for text in (result.summary, *result.evidence):
        for match in _pattern().finditer(text):
            country = by_id[match["id"]] if match["id"] else match["in"] or match["colon"]
            if country not in found:
                found.append(country)
    return found


def _finding_for(result: CheckResult, country: str) -> str:
    """The first evidence line (or summary clause) naming ``country``: why it is blocked there."""
    by_id, _ = _known()
    ids = [i for i, c in by_id.items() if c == country]
    for text in (*result.evidence, *re.split(r"(?<=[;.])\s+", result.summary)):
        for match in _pattern().finditer(text):
            if match["in"] == country or match["colon"] == country or match["id"] in ids:
                return text.strip()[:240]
    return result.summary[:240]


@dataclass(frozen=True)
class MatrixCell:
    marketplace: str
    area: str
    state: str
    checks: tuple[str, ...]
    """The checks that make the cell's state (all judged checks when it is OK)."""


@dataclass(frozen=True)
class MarketplaceMatrix:
    marketplaces: tuple[str, ...]
    areas: tuple[str, ...]
    cells: dict[tuple[str, str], MatrixCell]
    everywhere: tuple[CheckResult, ...]
    """Blocking checks that name no marketplace: they block every marketplace in scope."""
    where: dict[str, list[tuple[CheckResult, str]]]
    """Marketplace -> blocking checks that name it, with the finding for that marketplace."""
    declared: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "marketplaces": list(self.marketplaces),
            "areas": list(self.areas),
            "declared": self.declared,
            "cells": [
                {
                    "marketplace": c.marketplace,
                    "area": c.area,
                    "state": c.state,
                    "checks": list(c.checks),
                }
                for c in self.cells.values()
            ],
        }


def _state(results: Sequence[CheckResult]) -> tuple[str, tuple[str, ...]]:
    def ids(pred: Any) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.id for r in results if pred(r)))

    for state, pred in (
        ("error", lambda r: r.status == "error"),
        ("blocked", lambda r: r.status == "failed" and r.severity in _GATING),
        ("not_proven", lambda r: r.status == "skipped" and r.severity in _GATING),
        ("issues", lambda r: r.status == "failed"),
        ("waived", lambda r: r.status == "waived"),
        ("passed", lambda r: r.status == "passed"),
        ("not_proven", lambda r: r.status == "skipped"),
    ):
        found = ids(pred)
        if found:
            return state, found
    return "not_applicable", ()


def marketplace_matrix(
    results: Sequence[CheckResult], scope: dict[str, Any] | None = None
) -> MarketplaceMatrix:
    """Marketplace x area: the worst state of the checks that apply there, and which."""
    scope = scope or {}
    declared = list(scope.get("marketplaces") or [])
    _, seeded = _known()
    named = {id(r): marketplaces_named(r) for r in results}
    columns = list(declared or seeded)
    for countries in named.values():
        columns += [c for c in countries if c not in columns]
    areas = tuple(dict.fromkeys(r.area for r in results))
    cells: dict[tuple[str, str], MatrixCell] = {}
    for mp in columns:
        for area in areas:
            here = [
                r for r in results if r.area == area and (not named[id(r)] or mp in named[id(r)])
            ]
            state, ids = _state(here)
            if not here and any(r.area == area and r.status != "not_applicable" for r in results):
                state = "not_covered"
            cells[(mp, area)] = MatrixCell(mp, area, state, ids)
    ordered = blockers_first(results)
    everywhere = tuple(r for r in ordered if is_blocking(r) and not named[id(r)])
    where: dict[str, list[tuple[CheckResult, str]]] = {}
    for r in ordered:
        if is_blocking(r):
            for mp in named[id(r)]:
                where.setdefault(mp, []).append((r, _finding_for(r, mp)))
    return MarketplaceMatrix(
        tuple(columns), areas, cells, everywhere, where, declared=bool(declared)
    )
