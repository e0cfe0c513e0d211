"""Throttling: usage plans faithful to Amazon's token buckets, on the wall clock.

Plans are Amazon's published ones with every rate multiplied by ten (bursts as published) or
set outright where a scenario needs it; every verdict states the plan it was judged against,
and each scenario attaches a timeline (requests, 429s and bucket level per operation).
Actions run back to back: THR-04 and THR-05 read idle time as the integration's own.

Whatever the client's pace, the scenarios that judge reactions to 429 (THR-02, THR-03, THR-05)
make sure it meets them: other traffic of the same seller and application empties the judged
operation's bucket at chosen requests (a BucketDrain, stated in every verdict), so a client that
sleeps between pages is refused too, and judged instead of skipped.
"""

from __future__ import annotations

import pytest
from markets import CA, SINCE, US

from harness.checks import THR_01, THR_02, THR_03, THR_04, THR_05, Observation
from harness.plugin import AcornSession
from harness.sim import SimConfig
from harness.sim.config import BucketDrain, PlanChange

pytestmark = pytest.mark.acorn_area("Throttling")

# Amazon's rates x10 (getOrderItems and getOrderAddress 5/s, burst 30): a sync of more orders
# than the burst spends it in a moment, then has to pace for a few seconds.
SCALE = 10.0
PRICE_SKU, PRODUCT_TYPE = "ACORN-TOY-03", "TOY_FIGURE"
# Other traffic of the seller empties getOrderItems' bucket for two requests in a row, twice:
# any client meets at least four 429s, however slowly it pages, and one that retries meets a
# repeated refusal (THR-02 judges whether its waits grow). Late in the sync, so a client that
# sends back to back without a rate header pays for few requests after them.
ITEMS_DRAINED = tuple(BucketDrain("getOrderItems", after_requests=n) for n in (24, 25, 30, 31))


@pytest.fixture(scope="module")
def busy_sync(acorn: AcornSession) -> Observation:
    """45 orders: 45 getOrderItems and 45 getOrderAddress calls against bursts of 30."""
    config = SimConfig(rate_scale=SCALE, orders_per_marketplace=45, orders_page_size=10)
    with acorn.scenario("orders-sync-beyond-burst", config, needs=("sync_orders",)) as run:
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
    return acorn.observe(run)


@pytest.fixture(scope="module")
def headerless(acorn: AcornSession) -> Observation:
    """No x-amzn-RateLimit-Limit at all (Amazon's header is best-effort). No Retry-After
    either: Amazon documents none on SP-API 429s, and a client that obeys a header Amazon
    never sends must not be judged on it (facts sheet §4)."""
    config = SimConfig(
        rate_scale=SCALE,
        orders_per_marketplace=36,
        orders_page_size=10,
        missing_rate_header=True,
        bucket_drains=ITEMS_DRAINED,
    )
    with acorn.scenario("rate-header-missing", config, needs=("sync_orders",)) as run:
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
    return acorn.observe(run)


@pytest.fixture(scope="module")
def plan_drop(acorn: AcornSession) -> Observation:
    """Amazon lowers two plans mid-sync (dynamic plans), each to at most half the pace the
    client kept, so the lower plan binds any client from then on, also one already slower than
    the new rate (a client pacing at Amazon's published 0.5/s under this scaled plan would
    otherwise never meet it):

    - getOrders, the operation Amazon is documented to plan dynamically, from 1/s (set here:
      the scaled 0.167/s is already below most clients' page pace) after the 3rd page: the 4th
      page's answer announces the new rate, then the seller's other traffic empties the
      bucket. A client that pages at a fixed interval, whatever the header says, meets a 429
      on the 5th page; one that reads the header waits for it.
    - getOrderItems from 5/s to 2/s after 32 calls, as the seller's other traffic empties the
      bucket; 30 calls follow, more than a client's back-off after the changeover 429 refills,
      so a client that then goes back to its old pace meets the lower plan again.
    """
    config = SimConfig(
        rate_scale=SCALE,
        orders_per_marketplace=62,
        orders_page_size=10,
        usage_plans={"getOrders": (1.0, 20)},
        plan_changes=(
            PlanChange("getOrders", rate=0.5, after_requests=3, below_pace=0.5),
            PlanChange("getOrderItems", rate=2.0, after_requests=32, below_pace=0.5),
        ),
        bucket_drains=(
            BucketDrain("getOrders", after_requests=4),
            BucketDrain("getOrderItems", after_requests=32),
        ),
    )
    with acorn.scenario("dynamic-plan-drop", config, needs=("sync_orders",)) as run:
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
    return acorn.observe(run)


@pytest.fixture(scope="module")
def orders_throttled(acorn: AcornSession) -> Observation:
    """getOrders at 1/s burst 1 without a rate header (its second page finds the bucket
    emptied by other traffic), then price updates right away."""
    config = SimConfig(
        orders_per_marketplace=12,
        orders_page_size=4,
        usage_plans={"getOrders": (1.0, 1)},
        missing_rate_header=frozenset({"getOrders"}),
        bucket_drains=(BucketDrain("getOrders", after_requests=1),),
    )
    with acorn.scenario(
        "orders-throttled-prices-flow", config, needs=("sync_orders", "update_price")
    ) as run:
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
        for marketplace, amount, currency in ((US, "21.50", "USD"), (CA, "27.00", "CAD")):
            run.act(
                "update_price",
                sku=PRICE_SKU,
                product_type=PRODUCT_TYPE,
                marketplace_id=marketplace,
                amount=amount,
                currency=currency,
            )
    return acorn.observe(run)


@pytest.fixture(scope="module")
def small_sync(acorn: AcornSession) -> Observation:
    """Two orders under Amazon's real plans: everything fits in the bursts, nothing should wait."""
    with acorn.scenario("small-sync-throughput", SimConfig(), needs=("sync_orders",)) as run:
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
    return acorn.observe(run)


def test_thr_01_throttling_is_rare(busy_sync: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(THR_01, busy_sync)


def test_thr_02_backs_off_after_429(headerless: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(THR_02, headerless)


def test_thr_03_works_without_rate_header(headerless: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(THR_03, headerless)


def test_thr_03_adapts_to_lowered_plan(plan_drop: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(THR_03, plan_drop)


def test_thr_04_uses_plan_throughput(busy_sync: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(THR_04, busy_sync)


def test_thr_04_small_sync_not_slowed(small_sync: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(THR_04, small_sync)


def test_thr_05_other_operations_keep_flowing(  # type: ignore[no-untyped-def]
    orders_throttled: Observation, acorn_check
) -> None:
    acorn_check(THR_05, orders_throttled)
