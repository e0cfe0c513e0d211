"""Masking readiness.json down to what must not change in a refactor of the checks.

A run's verdicts, statuses, summaries, evidence and metrics are compared; what differs from
one run to the next by nature is masked: ids (run ids, x-amzn-RequestId, feed/report ids,
tokens), wall times and durations (``t=  1.23s``, ``0.41 s``, ``120 ms``), and metrics that
are measured in seconds or rates; RDT and S3 document ids, the seeded seller id; and the
THR checks' counts and quoted exchanges (see _timing_bound). Everything else must be identical
to the golden file.
"""

from __future__ import annotations

import re
from typing import Any

KEPT = ("verdict", "headline", "summary", "selection", "reasons")
CHECK_KEYS = ("id", "scenario", "status", "severity", "summary", "evidence", "metrics")

_PATTERNS = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"\b(Atza|Atzr)\|[A-Za-z0-9_\-|.]+"), r"\1|<token>"),
    (re.compile(r"\bAtz\.sprdt\|[0-9a-f]+"), "Atz.sprdt|<rdt>"),
    (re.compile(r"/items/A[0-9A-Z]{12}/"), "/items/<seller>/"),
    (re.compile(r"\.T[0-9a-f]{12}\b"), ".T<doc>"),
    (re.compile(r"\bt=\s*-?[0-9]+\.[0-9]+s"), "t=<t>"),
    (re.compile(r"-?[0-9]+(?:\.[0-9]+)?(\s?)(s|ms|req/s|/s)\b"), r"<n>\1\2"),
    (re.compile(r"\b[0-9]+\.[0-9]+\b"), "<f>"),
]


def mask_text(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, float):
        return "<f>"
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    return value


def _timing_bound(check: dict[str, Any]) -> dict[str, Any]:
    """A THR check, reduced to what a run repeats: which requests a token bucket refuses
    depends on how fast the integration's threads ran under the machine's load, so the
    counts, the exchanges quoted and the measurements differ from run to run (seen on two
    runs of the same code); the status, the metrics' names and the summary's words do not."""
    return {
        **check,
        "summary": re.sub(r"\b[0-9]+\b", "<i>", check["summary"]),
        "evidence": bool(check["evidence"]),
        "metrics": sorted(check["metrics"]) if isinstance(check["metrics"], dict) else None,
    }


def _racing(check: dict[str, Any]) -> dict[str, Any]:
    """A check whose details depend on a race the integration runs (see ``masked``): its
    status and the names of its metrics."""
    return {
        "id": check["id"],
        "scenario": check["scenario"],
        "status": check["status"],
        "severity": check["severity"],
        # A dict of measurements, or already its names (a THR check's, _timing_bound).
        "metrics": sorted(check["metrics"]) if isinstance(check["metrics"], dict | list) else None,
    }


def masked(readiness: dict[str, Any], racing: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The parts of readiness.json a behaviour-preserving refactor keeps, ids and times masked.

    ``racing``: check ids whose counts and quoted exchanges differ between two runs of the same
    code because the integration races the simulator (naive's immediate retries meet token
    buckets that refill in real time, so how many calls were made, and which were answered
    429 instead of the scenario's fault, vary). Those keep their status only; the reasons line
    of every failed check keeps only its id, severity and status."""
    out = {key: _mask(readiness.get(key)) for key in KEPT}
    out["reasons"] = [str(r).split(":", 1)[0] for r in readiness.get("reasons") or []]
    checks = [{k: _mask(c.get(k)) for k in CHECK_KEYS} for c in readiness.get("checks", [])]
    checks = [_timing_bound(c) if c["id"].startswith("THR-") else c for c in checks]
    checks = [_racing(c) if c["id"] in racing else c for c in checks]
    out["checks"] = sorted(checks, key=lambda c: (c["id"], c["scenario"]))
    return out
