"""Check.evaluate's own rules, whatever the check: a killed action never proves a pass."""

from __future__ import annotations

import pytest

from harness.checks import Check, Judgement, Observation
from harness.drive.base import ActionOutcome


def _check(passed: bool | None) -> Check:
    return Check(
        id="X-01",
        title="t",
        area="A",
        severity="blocker",
        requirement="r",
        why="w",
        remediation="fix",
        judge=lambda _obs: Judgement(passed, "what the journal showed."),
    )


def _observation(*statuses: str) -> Observation:
    outcomes = [
        ActionOutcome(action="sync_orders", args={}, status=s)  # type: ignore[arg-type]
        for s in statuses
    ]
    return Observation(scenario="s", exchanges=[], outcomes=outcomes)


def test_a_pass_on_a_scenario_with_a_killed_action_is_not_proven() -> None:
    result = _check(True).evaluate(_observation("ok", "timeout"))

    assert result.status == "skipped"
    assert result.summary.startswith("Not proven: 1 action(s) (sync_orders) were killed")
    assert result.summary.endswith("Before the kill: what the journal showed.")


@pytest.mark.parametrize(("passed", "status"), [(False, "failed"), (None, "skipped")])
def test_a_fail_or_an_unproven_check_keeps_its_status(passed: bool | None, status: str) -> None:
    result = _check(passed).evaluate(_observation("timeout"))

    assert result.status == status
    assert result.summary == "what the journal showed."


def test_a_pass_without_a_killed_action_stays_a_pass() -> None:
    assert _check(True).evaluate(_observation("ok", "failed", "crashed")).status == "passed"
