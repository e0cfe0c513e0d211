"""A scenario's throttling timeline, as data the report draws (harness/report/charts.py).

One lane per operation: every request that met a usage-plan bucket, with the bucket level it
met and left and the plan in force. The judges attach it as a chart spec rather than a picture,
so judging stays fast and free of matplotlib; the report renders one PNG per scenario.
"""

from __future__ import annotations

from harness.checks.chart_spec import TimelineLane, TimelinePoint, TimelineSpec
from harness.checks.facts import facts_of
from harness.checks.model import Attachment, Judgement, Observation
from harness.checks.throttle_facts import plan_of, throttle_exchanges

__all__ = ["TimelineLane", "TimelinePoint", "TimelineSpec", "timeline_attachments", "with_timeline"]


def timeline_spec(obs: Observation) -> TimelineSpec | None:
    """The scenario's timeline, or None when nothing met a bucket."""
    calls = throttle_exchanges(obs)
    if not calls:
        return None
    lanes: dict[str, list[TimelinePoint]] = {}
    for e in calls:
        facts = facts_of(e)
        after = facts.bucket_after
        point = TimelinePoint(
            e.wall,
            e.status,
            facts.bucket_before,
            facts.bucket_before if after is None else after,
            plan_of(e),
        )
        lanes.setdefault(e.operation or "?", []).append(point)
    return TimelineSpec(
        obs.scenario,
        min(e.wall for e in obs.exchanges),
        max(e.wall for e in obs.exchanges),
        tuple(TimelineLane(op, tuple(points)) for op, points in lanes.items()),
    )


def timeline_attachments(obs: Observation) -> list[Attachment]:
    """The timeline as a chart attachment (empty list when nothing met a bucket)."""
    spec = timeline_spec(obs)
    if spec is None:
        return []
    return [Attachment(f"timeline-{obs.scenario}", b"", "image/png", "png", chart=spec)]


def with_timeline(obs: Observation, judgement: Judgement) -> Judgement:
    """The judgement with the scenario's timeline attached and the plans in its metrics."""
    return Judgement(
        judgement.passed,
        judgement.summary,
        judgement.evidence,
        {**judgement.metrics, "usage_plans": obs.settings.get("usage_plans", [])},
        [*judgement.attachments, *timeline_attachments(obs)],
    )
