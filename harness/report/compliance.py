"""Which Amazon Data Protection / Acceptable Use Policy area each check gives evidence for.

A compliance lead reads the report by policy area, not by check id. The mapping and its
wording live in one data file (compliance.toml beside this module) so they are reviewed and
changed in one place; it is checked on load, and an unknown check or area id is an error
naming the file and the id rather than a silently empty section.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from harness.checks import CheckResult
from harness.errors import ConfigError

__all__ = ["COMPLIANCE_FILE", "Area", "ComplianceMap", "area_states", "load_compliance"]

COMPLIANCE_FILE = Path(__file__).with_name("compliance.toml")
_POLICIES = ("DPP", "AUP")
POLICY_NAMES = {"DPP": "Amazon Data Protection Policy", "AUP": "Amazon Acceptable Use Policy"}
_GATING = ("blocker", "critical")
STATE_WORDS = {
    "evidenced": "evidence passed",
    "gaps": "a normal check failed",
    "blocked": "a blocker or critical check failed",
    "not_proven": "not proven (a check was not exercised or could not be judged)",
    "not_applicable": "out of scope",
    "no_evidence": "no ACORN check gives evidence",
}


@dataclass(frozen=True)
class Area:
    id: str
    policy: str
    title: str
    text: str


@dataclass(frozen=True)
class ComplianceMap:
    areas: tuple[Area, ...]
    checks: dict[str, tuple[str, ...]]
    """Check id -> area ids (empty: functional readiness only)."""
    source: Path

    def areas_of(self, check_id: str) -> tuple[str, ...]:
        return self.checks.get(check_id, ())


def _fail(what: str, source: Path, fix: str) -> ConfigError:
    return ConfigError(what, where=str(source), fix=fix)


def load_compliance(
    path: Path | None = None, known_checks: Iterable[str] | None = None
) -> ComplianceMap:
    """Read and check the mapping; ``known_checks`` defaults to the check registry."""
    source = path or COMPLIANCE_FILE
    if path is None and known_checks is None:
        return _default()
    return _load(source, known_checks)


@cache
def _default() -> ComplianceMap:
    return _load(COMPLIANCE_FILE, None)


def _load(source: Path, known_checks: Iterable[str] | None) -> ComplianceMap:
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise _fail(f"cannot read the compliance mapping: {exc}", source, "fix the TOML") from None
    if known_checks is None:
        from harness.checks import ALL_CHECKS

        known_checks = [c.id for c in ALL_CHECKS]
    known = set(known_checks)
    areas_raw = raw.get("areas")
    if not isinstance(areas_raw, dict) or not areas_raw:
        raise _fail("no [areas.<id>] tables", source, "add one table per policy area")
    areas: list[Area] = []
    for area_id, table in areas_raw.items():
        if not isinstance(table, dict):
            raise _fail(f"[areas.{area_id}] is not a table", source, "give policy, title, text")
        values = {k: table.get(k) for k in ("policy", "title", "text")}
        missing = [k for k, v in values.items() if not isinstance(v, str) or not v.strip()]
        if missing:
            raise _fail(
                f"area {area_id!r} lacks {', '.join(missing)}", source, "give policy, title, text"
            )
        if values["policy"] not in _POLICIES:
            raise _fail(
                f"area {area_id!r} has policy {values['policy']!r}",
                source,
                f"use one of {', '.join(_POLICIES)}",
            )
        areas.append(
            Area(area_id, str(values["policy"]), str(values["title"]), str(values["text"]))
        )
    area_ids = {a.id for a in areas}
    checks_raw = raw.get("checks")
    if not isinstance(checks_raw, dict):
        raise _fail("no [checks] table", source, 'map each check id, e.g. "AUTH-01" = ["..."]')
    checks: dict[str, tuple[str, ...]] = {}
    for check_id, listed in checks_raw.items():
        if check_id not in known:
            from harness.errors import suggest

            raise _fail(
                f"check {check_id!r} is not a readiness check",
                source,
                f"{suggest(check_id, known)}remove it, or use a check id of the registry: "
                f"{', '.join(sorted(known))}",
            )
        if not isinstance(listed, list) or not all(isinstance(a, str) for a in listed):
            raise _fail(f"check {check_id!r} maps to {listed!r}", source, "give a list of area ids")
        unknown = [a for a in listed if a not in area_ids]
        if unknown:
            raise _fail(
                f"check {check_id!r} names unknown area(s) {', '.join(unknown)}",
                source,
                f"use area ids of the [areas.*] tables: {', '.join(sorted(area_ids))}",
            )
        checks[check_id] = tuple(listed)
    return ComplianceMap(tuple(areas), checks, source)


def _state(results: Sequence[CheckResult]) -> str:
    if not results:
        return "no_evidence"
    judged = [r for r in results if r.status != "not_applicable"]
    if not judged:
        return "not_applicable"
    if any(r.status == "failed" and r.severity in _GATING for r in judged):
        return "blocked"
    if any(
        r.status == "error" or (r.status == "skipped" and r.severity in _GATING) for r in judged
    ):
        return "not_proven"
    if any(r.status == "failed" for r in judged):
        return "gaps"
    if any(r.status in ("passed", "waived") for r in judged):
        return "evidenced"
    return "not_proven"


def area_states(
    results: Sequence[CheckResult], mapping: ComplianceMap | None = None
) -> list[dict[str, Any]]:
    """Per policy area: its wording, the checks that give evidence and their status, a state."""
    mapping = mapping or load_compliance()
    out = []
    for area in mapping.areas:
        mine = [r for r in results if area.id in mapping.areas_of(r.id)]
        out.append(
            {
                "id": area.id,
                "policy": area.policy,
                "title": area.title,
                "description": area.text,
                "state": _state(mine),
                "checks": [
                    {"id": r.id, "status": r.status, "severity": r.severity, "scenario": r.scenario}
                    for r in mine
                ],
            }
        )
    return out
