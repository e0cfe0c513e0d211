"""A scenario's throttling timeline as a picture a QA lead reads at a glance.

One lane per operation: the bucket level over wall time (refilling between requests), every
request as a marker at the level it met (green accepted, red cross 429, orange other errors),
the "empty" zone under one token shaded, plan changes as dashed lines. Rendered with
matplotlib's Agg backend, imported only when a chart is drawn, and cached per scenario so the
checks that share a scenario share one picture.
"""

from __future__ import annotations

import io
from typing import Any

from harness.checks.model import Attachment, Judgement, Observation
from harness.checks.throttle_facts import plan_of, throttle_exchanges
from harness.sim.journal import Exchange

__all__ = ["render_timeline", "timeline_attachments", "with_timeline"]

_CACHE: dict[tuple[str, int, str], Attachment] = {}
_CACHE_SIZE = 8
_SAMPLES_PER_GAP = 24


def _lane_curve(items: list[Exchange], end: float) -> tuple[list[float], list[float]]:
    """The bucket level over time: a drop at each accepted request, linear refill between."""
    xs: list[float] = []
    ys: list[float] = []
    for i, e in enumerate(items):
        plan = plan_of(e)
        before = float(e.facts.get("bucket_before", 0.0))
        after = float(e.facts.get("bucket_after", before))
        xs += [e.wall, e.wall]
        ys += [before, after]
        if plan is None:
            continue
        until = items[i + 1].wall if i + 1 < len(items) else end
        for k in range(1, _SAMPLES_PER_GAP + 1):
            t = e.wall + (until - e.wall) * k / _SAMPLES_PER_GAP
            xs.append(t)
            ys.append(min(float(plan.burst), after + plan.rate * (t - e.wall)))
    return xs, ys


def _lane_label(op: str, items: list[Exchange]) -> str:
    plans: list[str] = []
    for e in items:
        plan = plan_of(e)
        if plan and (not plans or plans[-1] != plan.text()):
            plans.append(plan.text())
    ok = sum(1 for e in items if 200 <= e.status < 300)
    refused = sum(1 for e in items if e.status == 429)
    other = len(items) - ok - refused
    counts = f"{ok} ok, {refused} x 429" + (f", {other} other" if other else "")
    return f"{op}\n{' -> '.join(plans)}\n{counts}"


def render_timeline(obs: Observation) -> bytes | None:
    """PNG bytes of the scenario's timeline, or None when nothing met a bucket."""
    calls = throttle_exchanges(obs)
    if not calls:
        return None
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    lanes: dict[str, list[Exchange]] = {}
    for e in calls:
        lanes.setdefault(e.operation or "?", []).append(e)
    start = min(e.wall for e in obs.exchanges)
    end = max(e.wall for e in obs.exchanges)
    span = max(end - start, 0.5)
    refused_total = sum(1 for e in calls if e.status == 429)
    fig, axes = plt.subplots(
        len(lanes), 1, sharex=True, figsize=(11, 1.25 * len(lanes) + 1.2), squeeze=False
    )
    try:
        for ax, (op, items) in zip(axes[:, 0], lanes.items(), strict=True):
            _draw_lane(ax, op, items, start, end)
        axes[-1, 0].set_xlim(-0.02 * span, span * 1.02)
        axes[-1, 0].set_xlabel("wall seconds since the scenario started")
        fig.suptitle(
            f"{obs.scenario}: {len(calls)} SP-API requests, {refused_total} refused with 429, "
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


def _draw_lane(ax: Any, op: str, items: list[Exchange], start: float, end: float) -> None:
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
                [float(e.facts.get("bucket_before", 0.0)) for e in group],
                color=color,
                marker=marker,
                s=36,
                zorder=3,
            )
    previous = None
    for e in items:
        plan = plan_of(e)
        if plan and previous and plan != previous:
            ax.axvline(e.wall - start, color="#555555", linestyle="--", linewidth=1)
            ax.text(e.wall - start, top * 0.92, f" plan -> {plan.text()}", fontsize=7, va="top")
        previous = plan or previous
    ax.set_ylim(0, top)
    ax.set_ylabel(_lane_label(op, items), rotation=0, ha="right", va="center", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(axis="x", alpha=0.3)


def timeline_attachments(obs: Observation) -> list[Attachment]:
    """The timeline as an attachment (empty list when nothing was throttled-tracked)."""
    if not obs.exchanges:
        return []
    key = (obs.scenario, len(obs.exchanges), obs.exchanges[-1].request_id)
    cached = _CACHE.get(key)
    if cached is None:
        png = render_timeline(obs)
        if png is None:
            return []
        cached = Attachment(f"timeline-{obs.scenario}", png, "image/png", "png")
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = cached
    return [cached]


def with_timeline(obs: Observation, judgement: Judgement) -> Judgement:
    """The judgement with the scenario's timeline attached and the plans in its metrics."""
    return Judgement(
        judgement.passed,
        judgement.summary,
        judgement.evidence,
        {**judgement.metrics, "usage_plans": obs.settings.get("usage_plans", [])},
        [*judgement.attachments, *timeline_attachments(obs)],
    )
