"""One rule for which action an exchange belongs to (Observation.action_of), at its edges.

Every check asks the observation; these pin the rule down: an action owns its traffic from its
start until the next action starts, so a retry just after an action returned is still its own
(counted against its bounds), while what its result could have reported is limited to what was
answered before it returned (action_during).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from journal_factory import lwa_grant, observation, sp_call

from harness.checks import AUTH_05, AUTH_07
from harness.drive.base import ActionOutcome

WINDOWS = [(1.0, 2.0), (3.0, 4.0)]


def _at(wall: float) -> object:
    return sp_call(1, wall, "getOrders")


@pytest.mark.parametrize(
    ("wall", "owner", "during"),
    [
        (0.5, None, None),  # before the first action started
        (1.0, 0, 0),  # the first instant of action 1
        (2.0, 0, 0),  # the instant action 1 returned
        (2.5, 0, None),  # after action 1 returned, before action 2: a late retry of action 1
        (3.0, 1, 1),  # action 2 starts: from here on, its traffic
        (9.0, 1, None),  # after the last action returned
    ],
)
def test_action_of_at_the_edges(wall: float, owner: int | None, during: int | None) -> None:
    obs = observation()
    obs.action_windows = list(WINDOWS)
    e = _at(wall)
    assert obs.action_of(e) == owner  # type: ignore[arg-type]
    assert obs.action_during(e) == during  # type: ignore[arg-type]


def test_without_windows_no_action_owns_an_exchange_but_the_scenario_is_one_action() -> None:
    obs = observation()
    e = _at(5.0)
    assert obs.action_of(e) is None  # type: ignore[arg-type]
    assert obs.in_action(e, 0)  # type: ignore[arg-type]
    assert obs.in_action(e, 0, during=True)  # type: ignore[arg-type]


def _refused(seq: int, wall: float, error: str, status: int) -> object:
    return replace(lwa_grant(seq, wall, status=status), response_body={"error": error})


def _failed(message: str) -> ActionOutcome:
    errors = [{"operation": "lwa", "status": 400, "request_id": None, "message": message}]
    return ActionOutcome("sync_orders", {}, "failed", {"ok": False, "errors": errors})


def test_auth05_late_refusals_count_against_the_action_that_owns_them() -> None:
    """Two refusals while the action ran, two more just after it returned (before the next
    started): the action asked LWA four times for a final answer."""
    refusals = [
        _refused(n, wall, "invalid_grant", 400) for n, wall in enumerate((1.1, 1.2, 2.5, 2.6))
    ]
    obs = observation(*refusals, outcomes=[_failed("invalid_grant"), _failed("x")])  # type: ignore[arg-type]
    obs.action_windows = list(WINDOWS)
    result = AUTH_05.evaluate(obs)
    assert result.status == "failed"
    assert "asked LWA 4 times" in result.summary


def test_auth07_a_late_retry_of_an_outage_counts_for_the_action_that_owns_it() -> None:
    """AUTH-07 bounds failed token requests per action: attempts just after the action
    returned still belong to it (before, they formed a group of their own)."""
    outage = [
        replace(lwa_grant(n, 1.1 + n * 0.25, status=503), response_body={"error": "x"})
        for n in range(8)
    ]
    obs = observation(*outage, outcomes=[_failed("LWA unavailable"), _failed("x")])  # type: ignore[arg-type]
    obs.action_windows = list(WINDOWS)
    assert [obs.action_of(e) for e in outage] == [0] * 8  # type: ignore[arg-type]
    result = AUTH_07.evaluate(obs)
    assert result.status == "failed"
    assert "failed token requests in one action" in result.summary
