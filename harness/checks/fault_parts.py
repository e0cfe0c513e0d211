"""One check judged over several sub-runs, one per fault kind, each in a fresh world.

A scenario that meets an integration with a 503, then a 500, then a reset lets the first fault
mask the next: an integration that gives up on the 503 never meets the others, and a check
judged on the whole run cannot say which behaviours it saw. The error scenarios therefore run
each fault kind on its own (a fresh simulated world, the integration started anew) and hand
the checks one :class:`Observation` that carries the sub-runs by label
(``settings["fault_parts"]``). A check judges each part on its own and the verdicts combine:

- any part failed: the check fails, naming the fault kinds it failed on;
- else any relevant part was not exercised: the check is not proven (``passed=None``), and
  the evidence names the kinds that were and were not exercised;
- else it passes, naming every kind it passed on.

An observation without parts is judged as it is, so checks keep working on a single run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from harness.checks.model import Judgement, Observation

__all__ = ["PARTS", "combine", "judge_each", "judge_parts", "merge", "parts_of"]

PARTS = "fault_parts"
"""The settings key under which a combined observation carries its sub-runs."""

Judge = Callable[[Observation], Judgement]


def combine(scenario: str, parts: Mapping[str, Observation]) -> Observation:
    """One observation standing for ``parts`` (label -> sub-run), judged part by part.

    Its own exchanges and outcomes are the parts' in order, for whatever reads them whole;
    its action windows are left empty because the parts' clocks each start at zero.
    """
    if not parts:
        raise ValueError("combine() needs at least one part")
    first = next(iter(parts.values()))
    output = {
        f"{label}: {source}": text
        for label, obs in parts.items()
        for source, text in obs.output.items()
    }
    return Observation(
        scenario=scenario,
        exchanges=[e for obs in parts.values() for e in obs.exchanges],
        outcomes=[o for obs in parts.values() for o in obs.outcomes],
        expected=dict(first.expected),
        settings={**first.settings, PARTS: dict(parts)},
        output=output,
        canaries=first.canaries,
    )


def parts_of(obs: Observation) -> dict[str, Observation]:
    """The sub-runs of a combined observation, or the observation itself as the only part."""
    parts = obs.settings.get(PARTS)
    if isinstance(parts, dict) and parts:
        return {str(label): part for label, part in parts.items()}
    return {obs.scenario: obs}


def judge_each(
    obs: Observation, judge: Judge, relevant: Callable[[str], bool] | None = None
) -> dict[str, Judgement]:
    """``judge`` applied to every relevant part, by label (journal order kept)."""
    return {
        label: judge(part)
        for label, part in parts_of(obs).items()
        if relevant is None or relevant(label)
    }


def merge(results: Mapping[str, Judgement], problems: list[str] | None = None) -> Judgement:
    """The parts' verdicts as one: failed if any failed (or ``problems`` holds any), not
    proven if any was not exercised, passed only when every part passed."""
    if len(results) == 1 and not problems:
        return next(iter(results.values()))
    if not results:
        return Judgement(None, "No sub-run was relevant to this check.")
    status = {
        label: "passed" if j.passed else "failed" if j.passed is False else "not exercised"
        for label, j in results.items()
    }
    failed = [label for label, s in status.items() if s == "failed"]
    missing = [label for label, s in status.items() if s == "not exercised"]
    passed = [label for label, s in status.items() if s == "passed"]
    coverage = f"exercised: {', '.join(failed + passed) or 'none'}; not exercised: " + (
        ", ".join(missing) or "none"
    )
    order = failed + missing + passed  # the evidence a reader needs first comes first
    evidence = [f"[{label}] {results[label].summary}" for label in order]
    for label in order:
        evidence += [f"[{label}] {line}" for line in results[label].evidence[:4]]
    metrics: dict[str, Any] = {
        "fault_kinds": status,
        "by_kind": {label: j.metrics for label, j in results.items()},
    }
    attachments = [
        replace(a, name=f"{a.name}-{_slug(label)}")
        for label, j in results.items()
        for a in j.attachments
    ]
    if failed or problems:
        reasons = [f"{label}: {results[label].summary}" for label in failed] + list(problems or [])
        return Judgement(
            False,
            f"Failed on {', '.join(failed) or 'the kinds together'} ({coverage}). "
            + " | ".join(reasons[:4]),
            evidence,
            metrics,
            attachments,
        )
    if missing:
        return Judgement(
            None,
            f"Not proven: {len(missing)} fault kind(s) were not exercised ({coverage}). "
            + " | ".join(f"{label}: {results[label].summary}" for label in missing[:4]),
            evidence,
            metrics,
            attachments,
        )
    return Judgement(
        True,
        f"Passed on each fault kind, each in a fresh world ({coverage}).",
        evidence,
        metrics,
        attachments,
    )


def judge_parts(
    obs: Observation, judge: Judge, relevant: Callable[[str], bool] | None = None
) -> Judgement:
    """``judge`` on every relevant part of ``obs``, the verdicts merged (see :func:`merge`)."""
    return merge(judge_each(obs, judge, relevant))


def _slug(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", label).strip("-") or "part"
