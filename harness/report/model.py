"""The readiness verdict: GO only when no blocker or critical check failed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from harness.checks import CheckResult

__all__ = ["Readiness", "Verdict", "decide"]

Verdict = Literal["GO", "NO-GO"]
_GATING = ("blocker", "critical")


def decide(results: list[CheckResult]) -> Verdict:
    """NO-GO on any failed blocker/critical check, or when nothing was judged at all."""
    if not any(r.status == "passed" for r in results):
        return "NO-GO"
    if any(r.status == "failed" and r.severity in _GATING for r in results):
        return "NO-GO"
    return "GO"


@dataclass
class Readiness:
    integration: dict[str, str]
    results: list[CheckResult]
    contracts: dict[str, str]
    harness_version: str
    duration_s: float
    generated_at: str = field(
        default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    scan: dict[str, Any] = field(default_factory=dict)
    selection: str | None = None
    """The ``--select`` expression of a partial run; None when the whole suite ran."""

    @property
    def verdict(self) -> Verdict:
        return decide(self.results)

    def counts(self) -> dict[str, int]:
        out = {"passed": 0, "failed": 0, "skipped": 0}
        for r in self.results:
            out[r.status] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "generated_at": self.generated_at,
            "duration_s": round(self.duration_s, 2),
            "integration": self.integration,
            "harness_version": self.harness_version,
            "contracts": self.contracts,
            "summary": self.counts(),
            "selection": self.selection,
            "checks": [
                {
                    "id": r.id,
                    "title": r.title,
                    "area": r.area,
                    "status": r.status,
                    "severity": r.severity,
                    "requirement": r.requirement,
                    "scenario": r.scenario,
                    "summary": r.summary,
                    "evidence": r.evidence,
                    "why": r.why,
                    "remediation": r.remediation,
                    "metrics": r.metrics,
                }
                for r in self.results
            ],
            "output_scan": self.scan,
        }
