"""Readiness checks as data: id, severity, requirement, and a judgement with evidence.

A check is a pure function of an :class:`Observation` (the journal of a scenario, the
outcomes of the actions, the world the simulator served), so it can be unit-tested on a
synthetic journal and its verdict explained without re-running anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from harness.drive.base import ActionOutcome
from harness.sim.journal import Exchange

if TYPE_CHECKING:
    from harness.checks.chart_spec import TimelineSpec

__all__ = [
    "Attachment",
    "Canaries",
    "Check",
    "CheckResult",
    "Judgement",
    "Observation",
    "Severity",
    "Status",
    "registered_checks",
]

Severity = Literal["blocker", "critical", "normal"]
Status = Literal["passed", "failed", "skipped", "not_applicable", "error", "waived"]
"""``skipped``: in scope but not exercised (not proven, so never GO for a gating check);
``not_applicable``: outside the integration's declared scope; ``error``: the scenario could
not run (a harness or set-up error), which makes the whole run INCOMPLETE; ``waived``: a
failure an accepted risk covers (set by the report layer, harness/report/waivers.py; a check
never judges it)."""


@dataclass(frozen=True)
class Canaries:
    """Values the simulator knows and the integration must never print, by label.

    ``secrets``: "LWA client secret", "refresh token", "access token"...; ``pii``: "buyer
    name", "buyer street address"... Checks report the label and where, never the value.
    """

    secrets: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    pii: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)


@dataclass
class Observation:
    """What one scenario produced, as checks see it (already masked)."""

    scenario: str
    exchanges: list[Exchange]
    outcomes: list[ActionOutcome]
    expected: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    output: dict[str, str] = field(default_factory=dict, repr=False)
    """What the integration itself wrote, by source ("stdout/stderr", "log file")."""
    canaries: Canaries | None = field(default=None, repr=False)
    """Secrets and buyer PII the simulator seeded (in memory only, never reported)."""
    action_windows: list[tuple[float, float]] = field(default_factory=list)
    """(start, end) of each action in simulator wall seconds, aligned with ``outcomes``."""

    def action_of(self, exchange: Exchange) -> int | None:
        """The index (into ``outcomes``) of the action ``exchange`` belongs to, or None.

        The one rule every check uses: an exchange belongs to the last action that had started
        when the simulator journaled it, so an action owns ``[its start, the next start)``.
        Actions run one after another, so traffic after an action ended and before the next
        began (a late retry, a background thread, what a killed process still sent) can only
        be the action that just ended; counting it as "between actions" would let a retry
        storm just past the end escape every per-action bound. None: before the first action,
        or no windows recorded (a synthetic observation; callers treat the scenario as one
        action then)."""
        return self.action_at(exchange.wall)

    def action_at(self, wall: float) -> int | None:
        """:meth:`action_of` for a wall time (e.g. when an answer left the simulator)."""
        found = None
        for index, (start, _end) in enumerate(self.action_windows):
            if start <= wall:
                found = index
        return found

    def action_during(self, exchange: Exchange) -> int | None:
        """:meth:`action_of`, but only while that action was still running (None after it
        returned). For judging what an action *reported*: an exchange answered after the
        action returned is still its traffic, yet its result cannot have reflected it."""
        index = self.action_of(exchange)
        if index is None or exchange.wall > self.action_windows[index][1]:
            return None
        return index

    def in_action(self, exchange: Exchange, index: int, *, during: bool = False) -> bool:
        """Does ``exchange`` belong to action ``index`` (:meth:`action_of`; with ``during``,
        :meth:`action_during`)? Without recorded windows (a synthetic observation) the whole
        scenario is one action, so yes."""
        if not self.action_windows:
            return True
        owner = self.action_during(exchange) if during else self.action_of(exchange)
        return owner == index

    def sp_api(self) -> list[Exchange]:
        return [e for e in self.exchanges if not e.is_lwa]

    def lwa(self) -> list[Exchange]:
        return [e for e in self.exchanges if e.is_lwa]


@dataclass(frozen=True)
class Attachment:
    """A file a check hands to the report (a chart, a matrix): allure attaches it, and the
    report directory keeps a copy, so a QA lead sees the picture next to the verdict.

    A chart is handed over as data (``chart``, ``content`` empty): judging never draws; the
    report renders it when it writes (harness.report.charts.content_of)."""

    name: str
    content: bytes
    mime: str = "text/plain"
    extension: str = "txt"
    chart: TimelineSpec | None = None


@dataclass(frozen=True)
class Judgement:
    passed: bool | None  # None: the scenario gave the check nothing to judge
    summary: str
    evidence: list[str] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)


def _never_pass_on_a_killed_action(judgement: Judgement, observation: Observation) -> Judgement:
    """A pass is not proven when an action of the scenario was killed at its timeout.

    What a killed action would have done next is unknown (retried, reported, hung on), so
    whatever the journal shows up to the kill proves nothing either way; a check that fails
    on what it saw still fails."""
    killed = [o for o in observation.outcomes if o.status == "timeout"]
    if judgement.passed is not True or not killed:
        return judgement
    names = ", ".join(sorted({o.action for o in killed}))
    return replace(
        judgement,
        passed=None,
        summary=f"Not proven: {len(killed)} action(s) ({names}) were killed at the action "
        f"timeout, so what they would have done is unknown. Before the kill: {judgement.summary}",
    )


_REGISTRY: dict[str, Check] = {}


def registered_checks() -> list[Check]:
    """Every check registered so far (:meth:`Check.register`), in registration order; the
    ordered, complete list is harness.checks.catalog.all_checks()."""
    return list(_REGISTRY.values())


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    area: str
    severity: Severity
    requirement: str
    why: str
    remediation: str
    judge: Callable[[Observation], Judgement]
    needs: tuple[str, ...] = ()
    """The actions the check needs before it can be judged at all ("a|b": either will do);
    an integration whose declared scope lacks one gets the check as ``not_applicable``."""
    brief: str = ""
    """The requirement in one line, as the README's check table states it."""

    def register(self) -> Check:
        """Add this check to the suite, once: ALL_CHECKS, NEEDS and the README table are
        derived from the registered checks. A second check with the same id is refused."""
        known = _REGISTRY.get(self.id)
        if known is not None and known is not self:
            raise ValueError(
                f"readiness check {self.id} is registered twice ({known.title!r} and "
                f"{self.title!r}); give the new check an id of its own"
            )
        if not self.needs or not self.brief:
            raise ValueError(
                f"readiness check {self.id} registered without needs or brief; state the "
                "actions it needs and its one-line requirement for the README"
            )
        _REGISTRY[self.id] = self
        return self

    def evaluate(self, observation: Observation) -> CheckResult:
        judgement = _never_pass_on_a_killed_action(self.judge(observation), observation)
        status: Status = (
            "skipped" if judgement.passed is None else "passed" if judgement.passed else "failed"
        )
        return self._result(observation.scenario, status, judgement)

    def unjudged(self, scenario: str, status: Status, summary: str) -> CheckResult:
        """A result for a check its scenario never reached: out of scope, or an error."""
        return self._result(scenario, status, Judgement(None, summary))

    def _result(self, scenario: str, status: Status, judgement: Judgement) -> CheckResult:
        return CheckResult(
            id=self.id,
            title=self.title,
            area=self.area,
            severity=self.severity,
            requirement=self.requirement,
            status=status,
            summary=judgement.summary,
            evidence=judgement.evidence[:25],
            why=self.why,
            remediation=self.remediation if status == "failed" else "",
            scenario=scenario,
            metrics=judgement.metrics,
            attachments=judgement.attachments,
        )


@dataclass(frozen=True)
class CheckResult:
    id: str
    title: str
    area: str
    severity: Severity
    requirement: str
    status: Status
    summary: str
    evidence: list[str]
    why: str
    remediation: str
    scenario: str
    metrics: dict[str, Any]
    attachments: list[Attachment] = field(default_factory=list)
    waiver: dict[str, Any] | None = None
    """The accepted risk of a ``waived`` result (owner, ticket, expiry, reason, approved_by,
    marketplace, text); None otherwise."""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["attachments"] = [a.name for a in self.attachments]
        return out

    def explain(self) -> str:
        """The failure as a QA lead reads it: what happened, evidence, why, fix."""
        lines = [
            f"{self.id} {self.title} [{self.severity}]: {self.status.upper()}",
            f"Requirement: {self.requirement}",
            f"What happened: {self.summary}",
        ]
        if self.evidence:
            lines.append("Evidence (from the simulator journal):")
            lines += [f"  {line}" for line in self.evidence]
        if self.status == "failed":
            lines.append(f"Why it matters in production: {self.why}")
            lines.append(f"How to fix: {self.remediation}")
        return "\n".join(lines)
