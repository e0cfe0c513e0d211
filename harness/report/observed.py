"""The readiness report from recorded traffic alone (observe mode, ``acorn judge``).

A journal file holds what the wire showed: every exchange, masked, world by world. The
checks that judge the wire are judged on it exactly as ``acorn run`` judges them, each on the
worlds of the scenarios that feed it (a check is never passed on traffic that could not
exercise it: without its scenario's traffic it is not proven). The checks that need an
action's result (what the integration reported, its log, the orders it should have found)
are ``not_applicable``, and the report says so.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from harness.checks import ALL_CHECKS, Check, CheckResult, Observation
from harness.checks.fault_parts import combine
from harness.checks.registry import missing_actions
from harness.drive.setups import Setup, load_setups
from harness.report.model import Readiness
from harness.sim.journal_file import Segment, read_journal

__all__ = ["NEEDS_RESULT", "OBSERVE_NOT_APPLICABLE", "WIRE_CHECKS", "judge_journals"]

OBSERVE_NOT_APPLICABLE = "observe mode: this check needs the action's result"
WIRE_CHECKS = frozenset(
    {
        *("AUTH-01", "AUTH-02", "AUTH-03", "AUTH-04", "AUTH-08"),
        *("CONTRACT-01", "PII-01", "PII-02"),
        *("THR-01", "THR-02", "THR-03", "THR-04", "THR-05"),
        *("ERR-01", "ERR-02", "ERR-03"),
    }
)
"""Checks judged from the journal alone (the exchanges, their timing and the plans)."""
NEEDS_RESULT = {
    "AUTH-05": "whether the action reported invalid_grant",
    "AUTH-06": "whether the action reported invalid_client",
    "AUTH-07": "whether an action without a token reported success",
    "ORD-01": "the orders the sync reported against those the world holds",
    "PII-03": "the integration's own output and log",
    "ERR-04": "whether the failed action reported the request id",
    "ERR-05": "which items the batch's result reported",
    "ERR-06": "the integration's own log of failed exchanges",
    "ERR-07": "whether the action gave up and named the operation",
    "ERR-08": "whether the action reported the refused region",
    "LST-01": "the listings the scenario expected in each marketplace",
    "LST-02": "the listings the scenario expected",
    "LST-03": "whether the action reported the INVALID listing",
    "LST-04": "the late issues the action reported",
    "LST-05": "the listings the scenario expected",
    "LST-06": "the currencies the scenario expected",
    "INV-01": "the stock the scenario expected after an order",
    "PRC-01": "the prices the scenario expected",
    "FEED-01": "what the action reported about each feed",
    "NOT-01": "the queue the scenario's SQS server created",
    "NOT-02": "the notifications the action applied, and those ACORN published",
    "NOT-03": "what the scenario's SQS server held at the end",
    "NOT-04": "the notifications ACORN published into the queue",
    "MON-01": "the alerts ACORN's alert sink received",
    "MON-02": "the alerts ACORN's alert sink received",
}
"""What the other checks read besides the wire (named in their not-applicable verdict)."""
_COMBINED = {"ERR-02"}
"""Checks judged fault kind by fault kind: their worlds are combined, as the suite does."""


def _label(name: str) -> str:
    """The part label the suite gives a sub-run (``transient-failures-503`` -> ``503``)."""
    return name.removeprefix("transient-failures-")


def _observation(segment: Segment) -> Observation:
    return Observation(
        scenario=segment.scenario or "observed traffic",
        exchanges=segment.exchanges,
        outcomes=[],
        settings=dict(segment.settings),
    )


def _feeds(check: Check, segment: Segment, setups: dict[str, Setup]) -> bool:
    setup = setups.get(segment.scenario or "")
    return setup is None or check.id in setup.checks


def _worst(results: list[CheckResult]) -> CheckResult:
    for status in ("failed", "passed"):
        for result in results:
            if result.status == status:
                return result
    return results[0]


def _judge(check: Check, segments: list[Segment], setups: dict[str, Setup]) -> CheckResult:
    if check.id not in WIRE_CHECKS:
        why = NEEDS_RESULT.get(check.id, "the actions' results")
        return check.unjudged(
            "observed traffic", "not_applicable", f"{OBSERVE_NOT_APPLICABLE} ({why})."
        )
    fed = [s for s in segments if _feeds(check, s, setups)]
    if not fed:
        names = [n for n, s in setups.items() if check.id in s.checks]
        return check.unjudged(
            "observed traffic",
            "skipped",
            "Not proven: the journal holds no traffic of a scenario that exercises it. "
            f"Record it with `acorn serve --scenario {names[0] if names else 'NAME'} "
            "--journal FILE`.",
        )
    if check.id in _COMBINED and len(fed) > 1:
        parts = {_label(s.scenario or f"world {i}"): _observation(s) for i, s in enumerate(fed)}
        return check.evaluate(combine("transient-failures", parts))
    return _worst([check.evaluate(_observation(s)) for s in fed])


def judge_journals(paths: Sequence[Path], scope: Sequence[str] | None = None) -> Readiness:
    """A readiness verdict from journal files; ``scope``: the actions the integration
    implements (as ``scope = [...]`` in acorn.toml), the others' checks not applicable."""
    from harness import __version__
    from harness.contracts import load_contracts
    from harness.drive.scope import parse_scope

    started = time.monotonic()
    segments = [segment for path in paths for segment in read_journal(path)]
    setups = load_setups()
    declared = parse_scope(list(scope), commands=(), where="--scope") if scope else None
    results: list[CheckResult] = []
    for check in ALL_CHECKS:
        missing = missing_actions(check.id, declared.actions) if declared else []
        if missing and declared is not None:
            reason = (
                f"out of scope: {check.id} needs {', '.join(missing)}, which the integration "
                f"does not declare (its scope: {declared.describe()})"
            )
            results.append(check.unjudged("observed traffic", "not_applicable", reason))
        else:
            results.append(_judge(check, segments, setups))
    scenarios = sorted({s.scenario or "(no scenario)" for s in segments})
    problems = [] if segments else ["the journal files hold no exchange: nothing was observed"]
    return Readiness(
        integration={
            "name": "observed traffic",
            "version": "unknown",
            "driver": "observe mode",
            "path": ", ".join(str(p) for p in paths),
        },
        results=results,
        contracts={op.api_title: op.version for op in load_contracts().operations},
        harness_version=__version__,
        duration_s=time.monotonic() - started,
        scope={**(declared.to_dict() if declared else {}), "observed_scenarios": scenarios},
        problems=problems,
    )
