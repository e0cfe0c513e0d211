"""Throttling under a dynamic plan: Amazon lowers getOrders and getOrderItems mid-sync.

The longest scenario of the suite (about 40 s on the reference: 62 orders paced at the
lowered plans), in a module of its own so `acorn run --jobs N` can run it beside the others;
the rest of the throttling scenarios are in test_throttling.py.
"""

from __future__ import annotations

import pytest
from markets import SINCE, US
from setups import start

from harness.checks import THR_03, Observation
from harness.plugin import AcornSession

# About 40 s on the reference: a parallel run (acorn run --jobs) starts the longest first.
pytestmark = [pytest.mark.acorn_area("Throttling"), pytest.mark.acorn_seconds(40)]


@pytest.fixture(scope="module")
def plan_drop(acorn: AcornSession) -> Observation:
    """Amazon lowers getOrders after three pages and getOrderItems after 32 calls (dynamic
    plans), each to at most half the pace the client kept, as the seller's other traffic
    empties the bucket: the lower plan binds any client from then on (the set-up in
    scenarios/setups.py says why each number is what it is)."""
    with start(acorn, "dynamic-plan-drop") as run:
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
    return acorn.observe(run)


def test_thr_03_adapts_to_lowered_plan(plan_drop: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(THR_03, plan_drop)
