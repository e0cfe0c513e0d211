"""THR-01..05 proven both ways: purpose-built httpx clients against the real simulator.

Each test runs a client that does the right thing and one that makes the mistake the check
exists for, through real HTTP on loopback, and judges the journal the simulator recorded.
Plans are set per test (stated in each), small enough that every client finishes in about a
second; wall-time bounds in the checks are wide enough for a loaded two-core machine.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from throttle_clients import (
    BackingOff,
    FixedSleep,
    GivesUp,
    Greedy,
    Hammering,
    OrdersThenItems,
    Paced,
)

from harness.checks import THR_01, THR_02, THR_03, THR_04, THR_05, CheckResult, Observation
from harness.checks.model import Check
from harness.report.charts import content_of
from harness.sim import SimConfig
from harness.sim.config import BucketDrain, PlanChange

pytestmark = pytest.mark.e2e

US = "ATVPDKIKX0DER"
SINCE = "2026-02-20T00:00:00Z"


def _observe(world, name: str) -> Observation:  # type: ignore[no-untyped-def]
    return Observation(
        scenario=name,
        exchanges=world.sim.journal.all(),
        outcomes=[],
        settings={"usage_plans": world.sim.core.plans.describe()},
    )


def _judge(world, check: Check, config: SimConfig, drive: Callable[..., None]) -> CheckResult:  # type: ignore[no-untyped-def]
    """Reset the world under ``config``, let ``drive(client_args, order_ids)`` run, judge."""
    world.reset(config)
    token = world.access_token()
    order_ids = [o.amazon_order_id for o in world.orders_in_region("NA")]
    drive((world.http, world.base("NA"), token), order_ids)
    return check.evaluate(_observe(world, check.id.lower()))


# -- THR-01: paces within the plan -----------------------------------------------------------

# getOrderItems 20/s burst 5; 25 calls: 20 of them beyond the burst.
PLAN_01 = SimConfig(orders_per_marketplace=13, usage_plans={"getOrderItems": (20.0, 5)})


def test_thr_01_passes_a_client_that_paces_by_its_bucket(world) -> None:  # type: ignore[no-untyped-def]
    result = _judge(
        world, THR_01, PLAN_01, lambda c, ids: Paced(*c, rate=20.0, burst=5).run(ids[:25])
    )
    assert result.status == "passed", result.explain()
    assert result.metrics["throttled"] <= 1
    assert "getOrderItems 20/s burst 5 (set by the scenario" in result.summary
    # The timeline goes with the verdict: one PNG per scenario.
    assert [a.mime for a in result.attachments] == ["image/png"]
    # Judged as data, drawn by the report.
    assert result.attachments[0].chart is not None
    assert content_of(result.attachments[0]).startswith(b"\x89PNG")


def test_thr_01_fails_a_client_that_fires_until_refused(world) -> None:  # type: ignore[no-untyped-def]
    result = _judge(world, THR_01, PLAN_01, lambda c, ids: Greedy(*c).run(ids[:25]))
    assert result.status == "failed", result.explain()
    assert result.metrics["share"] >= 0.10
    assert "429 QuotaExceeded" in result.summary
    assert all("x-amzn-RequestId" in line for line in result.evidence)


# -- THR-02: backs off after a 429 -----------------------------------------------------------

# getOrderItems 10/s burst 2, no pacing in either client: both are throttled.
PLAN_02 = SimConfig(orders_per_marketplace=13, usage_plans={"getOrderItems": (10.0, 2)})


def test_thr_02_passes_exponential_backoff_with_jitter(world) -> None:  # type: ignore[no-untyped-def]
    result = _judge(world, THR_02, PLAN_02, lambda c, ids: BackingOff(*c).run(ids[:8]))
    assert result.status == "passed", result.explain()
    assert result.metrics["throttled"] >= 3


def test_thr_02_fails_immediate_retries(world) -> None:  # type: ignore[no-untyped-def]
    result = _judge(world, THR_02, PLAN_02, lambda c, ids: Hammering(*c).run(ids[:8]))
    assert result.status == "failed", result.explain()
    assert "ms after a 429" in result.summary
    assert any("retry storm" in line for line in result.evidence)


# -- THR-03: adapts to a lowered plan; works without the header ------------------------------

# getOrderItems 20/s burst 5, lowered to 10/s after 10 calls; 20 calls. The drop binds
# whatever the machine's load, as in the readiness scenario: the seller's other traffic
# empties the bucket at the changeover (one 429), and a client slowed below 20/s meets a
# rate of at most half its own pace.
PLAN_03 = SimConfig(
    orders_per_marketplace=10,
    usage_plans={"getOrderItems": (20.0, 5)},
    plan_changes=(PlanChange("getOrderItems", rate=10.0, after_requests=10, below_pace=0.5),),
    bucket_drains=(BucketDrain("getOrderItems", after_requests=10),),
)


def test_thr_03_passes_the_client_that_reads_the_rate_header(world) -> None:  # type: ignore[no-untyped-def]
    result = _judge(
        world, THR_03, PLAN_03, lambda c, ids: Paced(*c, rate=20.0, burst=5).run(ids[:20])
    )
    assert result.status == "passed", result.explain()
    after = result.metrics["getOrderItems_after_drop"]
    assert after["old_rate"] == 20.0
    assert 0 < after["new_rate"] <= 10.0  # lower still when the client ran slower than 20/s


def test_thr_03_fails_the_same_client_when_it_ignores_the_header(world) -> None:  # type: ignore[no-untyped-def]
    """Identical pacing code; only the header is not read: the old rate is kept for ever."""
    result = _judge(
        world,
        THR_03,
        PLAN_03,
        lambda c, ids: Paced(*c, rate=20.0, burst=5, read_header=False).run(ids[:20]),
    )
    assert result.status == "failed", result.explain()
    assert "kept the old pace" in result.summary


HEADERLESS = SimConfig(
    orders_per_marketplace=8, usage_plans={"getOrderItems": (10.0, 2)}, missing_rate_header=True
)


def test_thr_03_passes_a_client_that_works_without_the_header(world) -> None:  # type: ignore[no-untyped-def]
    result = _judge(world, THR_03, HEADERLESS, lambda c, ids: BackingOff(*c).run(ids[:6]))
    assert result.status == "passed", result.explain()
    assert result.metrics["operations_without_header"] == ["getOrderItems"]


def test_thr_03_fails_a_client_that_gives_up_without_the_header(world) -> None:  # type: ignore[no-untyped-def]
    result = _judge(world, THR_03, HEADERLESS, lambda c, ids: GivesUp(*c).run(ids[:6]))
    assert result.status == "failed", result.explain()
    assert result.metrics["abandoned_after_429"] >= 3


# -- THR-04: uses the throughput the plan allows ---------------------------------------------

# getOrderItems 20/s burst 5; 15 calls: the plan allows them in 0.5 s (bound 2 x 0.5 + 1 +
# 15 x 0.03 = 2.45 s). Sleeping 0.2 s before each call takes at least 14 x 0.2 = 2.8 s.
PLAN_04 = SimConfig(orders_per_marketplace=8, usage_plans={"getOrderItems": (20.0, 5)})


def test_thr_04_passes_a_client_that_spends_the_burst(world) -> None:  # type: ignore[no-untyped-def]
    result = _judge(
        world, THR_04, PLAN_04, lambda c, ids: Paced(*c, rate=20.0, burst=5).run(ids[:15])
    )
    assert result.status == "passed", result.explain()
    assert result.metrics["fastest_s"] == 0.5


def test_thr_04_fails_a_client_that_sleeps_between_calls(world) -> None:  # type: ignore[no-untyped-def]
    result = _judge(
        world, THR_04, PLAN_04, lambda c, ids: FixedSleep(c[0], c[1], c[2], pause=0.2).run(ids[:15])
    )
    assert result.status == "failed", result.explain()
    assert result.metrics["span_s"] > result.metrics["bound_s"]
    assert "bound: 2 x 0.5s" in result.summary


# -- THR-05: one operation's throttling does not stall the others ----------------------------

# getOrders 1/s burst 1: the second poll is refused; getOrderItems keeps its default plan.
PLAN_05 = SimConfig(orders_per_marketplace=2, usage_plans={"getOrders": (1.0, 1)})


def test_thr_05_passes_a_client_with_per_operation_backoff(world) -> None:  # type: ignore[no-untyped-def]
    result = _judge(
        world,
        THR_05,
        PLAN_05,
        lambda c, ids: OrdersThenItems(*c, global_pause=None).run(US, SINCE, ids[:6]),
    )
    assert result.status == "passed", result.explain()
    assert result.metrics["throttled_operations"] == ["getOrders"]


def test_thr_05_fails_a_client_with_one_global_pause(world) -> None:  # type: ignore[no-untyped-def]
    result = _judge(
        world,
        THR_05,
        PLAN_05,
        lambda c, ids: OrdersThenItems(*c, global_pause=1.5).run(US, SINCE, ids[:6]),
    )
    assert result.status == "failed", result.explain()
    assert "getOrderItems after getOrders's 429" in result.summary
