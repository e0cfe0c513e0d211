"""Drawing the charts checks hand over as data: the throttling timeline, as a PNG.

One lane per operation: the bucket level over wall time (refilling between requests), every
request as a marker at the level it met (green accepted, red cross 429, orange other errors),
the "empty" zone under one token shaded, plan changes as dashed lines. Rendered with
matplotlib's Agg backend, imported only when a chart is drawn, when the report is written
(Allure attachment, attachments/ folder), never while judging; each spec is drawn once, so the
checks that share a scenario share one picture.
"""

from __future__ import annotations

import functools
import io
from typing import Any

from harness.checks.model import Attachment
from harness.checks.timeline import TimelinePoint, TimelineSpec

__all__ = ["content_of", "render_timeline"]

_SAMPLES_PER_GAP = 24


def content_of(attachment: Attachment) -> bytes:
    """The attachment's bytes: its content, or its chart drawn now."""
    if attachment.chart is None:
        return attachment.content
    return render_timeline(attachment.chart)


def _lane_curve(items: tuple[TimelinePoint, ...], end: float) -> tuple[list[float], list[float]]:
    """The bucket level over time: a drop at each accepted request, linear refill between."""
    xs: list[float] = []
    ys: list[float] = []
    for i, e in enumerate(items):
        plan = e.plan
        xs += [e.wall, e.wall]
        ys += [e.bucket_before, e.bucket_after]
        if plan is None:
            continue
        until = items[i + 1].wall if i + 1 < len(items) else end
        for k in range(1, _SAMPLES_PER_GAP + 1):
            t = e.wall + (until - e.wall) * k / _SAMPLES_PER_GAP
            xs.append(t)
            ys.append(min(float(plan.burst), e.bucket_after + plan.rate * (t - e.wall)))
    return xs, ys


def _lane_label(op: str, items: tuple[TimelinePoint, ...]) -> str:
    plans: list[str] = []
    for e in items:
        if e.plan and (not plans or plans[-1] != e.plan.text()):
            plans.append(e.plan.text())
    ok = sum(1 for e in items if 200 <= e.status < 300)
    refused = sum(1 for e in items if e.status == 429)
    other = len(items) - ok - refused
    counts = f"{ok} ok, {refused} x 429" + (f", {other} other" if other else "")
    return f"{op}\n{' -> '.join(plans)}\n{counts}"


@functools.lru_cache(maxsize=8)
def render_timeline(spec: TimelineSpec) -> bytes:
    """PNG bytes of a scenario's timeline."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    start, end, lanes = spec.start, spec.end, spec.lanes
    span = max(end - start, 0.5)
    fig, axes = plt.subplots(
        len(lanes), 1, sharex=True, figsize=(11, 1.25 * len(lanes) + 1.2), squeeze=False
    )
    try:
        for ax, lane in zip(axes[:, 0], lanes, strict=True):
            _draw_lane(ax, lane.operation, lane.points, start, end)
        axes[-1, 0].set_xlim(-0.02 * span, span * 1.02)
        axes[-1, 0].set_xlabel("wall seconds since the scenario started")
        fig.suptitle(
            f"{spec.scenario}: {spec.requests} SP-API requests, {spec.refused} refused with 429, "
            f"over {end - start:.1f}s",
            fontsize=10,
        )
        top = 1 - 0.75 / (1.25 * len(lanes) + 1.2)  # room for the title and the legend
        fig.tight_layout(rect=(0, 0, 1, top))
        fig.legend(
            handles=_legend_handles(),
            loc="upper center",
            bbox_to_anchor=(0.5, top + 0.35 / (1.25 * len(lanes) + 1.2)),
            ncols=5,
            fontsize=7,
            frameon=False,
        )
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=90)
        return buffer.getvalue()
    finally:
        plt.close(fig)


def _legend_handles() -> list[Any]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    return [
        Line2D([], [], color="#3b73b9", label="tokens in the bucket"),
        Patch(color="#fbe3e3", label="under one token: refused"),
        Line2D([], [], color="#2e8b57", marker="|", linestyle="", label="accepted"),
        Line2D([], [], color="#d62728", marker="x", linestyle="", label="429"),
        Line2D([], [], color="#ff8c00", marker="o", linestyle="", label="other error"),
    ]


def _draw_lane(
    ax: Any, op: str, items: tuple[TimelinePoint, ...], start: float, end: float
) -> None:
    xs, ys = _lane_curve(items, end)
    top = max([*ys, 1.0]) * 1.15
    ax.axhspan(0, 1, color="#fbe3e3", zorder=0)
    ax.plot([x - start for x in xs], ys, color="#3b73b9", linewidth=1.1, zorder=2)
    groups = (
        ("accepted", "#2e8b57", "|", [e for e in items if 200 <= e.status < 300]),
        ("429", "#d62728", "x", [e for e in items if e.status == 429]),
        ("other", "#ff8c00", "o", [e for e in items if e.status != 429 and e.status >= 300]),
    )
    for _label, color, marker, group in groups:
        if group:
            ax.scatter(
                [e.wall - start for e in group],
                [e.bucket_before for e in group],
                color=color,
                marker=marker,
                s=36,
                zorder=3,
            )
    previous = None
    for e in items:
        plan = e.plan
        if plan and previous and plan != previous:
            ax.axvline(e.wall - start, color="#555555", linestyle="--", linewidth=1)
            ax.text(e.wall - start, top * 0.92, f" plan -> {plan.text()}", fontsize=7, va="top")
        previous = plan or previous
    ax.set_ylim(0, top)
    ax.set_ylabel(_lane_label(op, items), rotation=0, ha="right", va="center", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(axis="x", alpha=0.3)
