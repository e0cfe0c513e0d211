"""The readiness verdict: GO, NO-GO or INCOMPLETE, and the reasons a reviewer reads.

- INCOMPLETE: the run did not finish (interrupted, a scenario errored, a check that should have
  been judged has no result). Never GO, and the exit code is 2: nothing was decided.
- NO-GO: a blocker or critical check failed, or one in scope could not be exercised
  ("not proven is not GO"), or nothing in scope passed at all.
- GO: every in-scope blocker and critical check passed. Checks outside the integration's
  declared scope are ``not_applicable``: they neither block nor count, and the verdict names the
  scope it covers ("GO for orders, listings").
- WAIVED: a failed check an accepted risk covers (harness/report/waivers.py) does not block GO;
  its result stays ``failed`` underneath, so the report shows both what failed and who
  accepted it until when.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from harness.checks import CheckResult
from harness.report.waivers import Waiver, WaiverSet

__all__ = ["STATUSES", "Readiness", "Verdict", "decide", "verdict_reasons"]

Verdict = Literal["GO", "NO-GO", "INCOMPLETE"]
_GATING = ("blocker", "critical")
STATUSES = ("passed", "failed", "waived", "skipped", "not_applicable", "error")


def _never(result: CheckResult) -> bool:
    return False


def decide(
    results: list[CheckResult],
    problems: list[str] | None = None,
    waived: Callable[[CheckResult], bool] = _never,
) -> Verdict:
    """INCOMPLETE on any run problem or errored check; else NO-GO unless every gating check in
    scope passed (or failed under a waiver: ``waived(result)``) and something was judged.
    Per result, not per id: a check judged in two scenarios may be waived in one only."""
    if problems or any(r.status == "error" for r in results):
        return "INCOMPLETE"
    if not any(r.status == "passed" for r in results):
        return "NO-GO"
    if any(
        (r.status == "skipped" or (r.status == "failed" and not waived(r)))
        and r.severity in _GATING
        for r in results
    ):
        return "NO-GO"
    return "GO"


def verdict_reasons(
    results: list[CheckResult],
    problems: list[str] | None = None,
    waived: Callable[[CheckResult], bool] = _never,
) -> list[str]:
    """Why the verdict is not GO, blockers first, each with what would change it."""
    reasons = list(problems or [])
    order = {"blocker": 0, "critical": 1, "normal": 2}
    for r in sorted(results, key=lambda r: order[r.severity]):
        if r.status == "failed" and waived(r):
            continue
        if r.status == "error":
            reasons.append(f"{r.id} ({r.severity}) could not be judged: {r.summary}")
        elif r.status == "failed" and r.severity in _GATING:
            reasons.append(f"{r.id} ({r.severity}) failed: {r.summary}")
        elif r.status == "skipped" and r.severity in _GATING:
            reasons.append(
                f"{r.id} ({r.severity}) was not exercised, so it is not proven: {r.summary}"
            )
    if not any(r.status == "passed" for r in results) and not reasons:
        reasons.append("no check in scope passed: nothing was proven")
    return reasons


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
    scope: dict[str, Any] = field(default_factory=dict)
    """The integration's declared scope (``Scope.to_dict()``) and marketplaces."""
    problems: list[str] = field(default_factory=list)
    """Why the run did not finish (each makes the verdict INCOMPLETE)."""
    fidelity: list[dict[str, Any]] = field(default_factory=list)
    """What the simulator accepted without a source showing Amazon does ("not verified")."""
    waivers: WaiverSet | None = None
    """The accepted risks of this run (``--waivers``); None when none were given."""

    # -- waivers: a failed check an accepted risk covers reads WAIVED in every format --------
    def waiver_of(self, result: CheckResult) -> Waiver | None:
        return self.waivers.waiver_for(result) if self.waivers is not None else None

    def status_of(self, result: CheckResult) -> str:
        """The status every format shows: ``waived`` for a covered failure, else its own."""
        return "waived" if self.waiver_of(result) is not None else result.status

    def waived(self, result: CheckResult) -> bool:
        return self.waiver_of(result) is not None

    def waiver_report(self) -> dict[str, Any] | None:
        """applied / unused / problems (readiness.json ``waivers``), None without waivers."""
        return self.waivers.report(self.results) if self.waivers is not None else None

    # -- end waivers ----------------------------------------------------------------------

    @property
    def verdict(self) -> Verdict:
        return decide(self.results, self.problems, self.waived)

    @property
    def headline(self) -> str:
        """ "GO for orders, listings", "NO-GO", "INCOMPLETE": the verdict with its scope."""
        areas = self.scope.get("areas")
        if self.verdict == "GO" and areas and areas != "every action":
            return f"GO for {areas}"
        return self.verdict

    def reasons(self) -> list[str]:
        return verdict_reasons(self.results, self.problems, self.waived)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUSES, 0)
        for r in self.results:
            out[self.status_of(r)] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "headline": self.headline,
            "reasons": self.reasons(),
            "generated_at": self.generated_at,
            "duration_s": round(self.duration_s, 2),
            "integration": self.integration,
            "scope": self.scope,
            "harness_version": self.harness_version,
            "contracts": self.contracts,
            "summary": self.counts(),
            "selection": self.selection,
            "problems": self.problems,
            "checks": [
                {
                    "id": r.id,
                    "title": r.title,
                    "area": r.area,
                    "status": self.status_of(r),
                    "severity": r.severity,
                    "requirement": r.requirement,
                    "scenario": r.scenario,
                    "summary": r.summary,
                    "evidence": r.evidence,
                    "why": r.why,
                    "remediation": r.remediation,
                    "metrics": r.metrics,
                    **_waiver_field(self.waiver_of(r)),
                }
                for r in self.results
            ],
            "waivers": self.waiver_report(),
            "not_verified_against_amazon": self.fidelity,
            "output_scan": self.scan,
        }


def _waiver_field(waiver: Waiver | None) -> dict[str, Any]:
    """A waived check's ``waiver`` object (owner, ticket, expiry, reason, approved_by)."""
    return {"waiver": {**waiver.to_dict(), "text": waiver.text()}} if waiver else {}
