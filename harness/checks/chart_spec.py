"""What a throttling timeline chart shows, as plain data (no check machinery, no matplotlib).

Kept apart from harness.checks.timeline, which builds it from an observation: the check model
refers to a chart spec, and the builder refers to the check model, so the spec itself must
import neither.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Plan", "TimelineLane", "TimelinePoint", "TimelineSpec"]


@dataclass(frozen=True)
class Plan:
    rate: float
    burst: int

    def text(self) -> str:
        return f"{self.rate:g}/s burst {self.burst}"


@dataclass(frozen=True)
class TimelinePoint:
    """One request as the chart shows it: when, its answer, the bucket before and after."""

    wall: float
    status: int
    bucket_before: float
    bucket_after: float
    plan: Plan | None


@dataclass(frozen=True)
class TimelineLane:
    operation: str
    points: tuple[TimelinePoint, ...]


@dataclass(frozen=True)
class TimelineSpec:
    """Everything the timeline chart shows (hashable: the report renders each spec once)."""

    scenario: str
    start: float  # wall time of the scenario's first exchange
    end: float  # and of its last
    lanes: tuple[TimelineLane, ...]

    @property
    def requests(self) -> int:
        return sum(len(lane.points) for lane in self.lanes)

    @property
    def refused(self) -> int:
        return sum(1 for lane in self.lanes for p in lane.points if p.status == 429)
