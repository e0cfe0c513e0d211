"""Throttling: usage plans faithful to Amazon's token buckets, on the wall clock.

Plans are Amazon's published ones with every rate multiplied by ten (bursts as published) or
set outright where a scenario needs it; every verdict states the plan it was judged against,
and each scenario attaches a timeline (requests, 429s and bucket level per operation).
Actions run back to back: THR-04 and THR-05 read idle time as the integration's own. The
dynamic plan drop (THR-03's second scenario, the longest of the suite) is in
test_throttling_plans.py, so a parallel run can give it a worker of its own.

Whatever the client's pace, the scenarios that judge reactions to 429 (THR-02, THR-03, THR-05)
make sure it meets them: other traffic of the same seller and application empties the judged
operation's bucket at chosen requests (a BucketDrain, stated in every verdict), so a client that
sleeps between pages is refused too, and judged instead of skipped.
"""

from __future__ import annotations

import pytest
from markets import CA, SINCE, US
from setups import start

from harness.checks import THR_01, THR_02, THR_03, THR_04, THR_05, Observation
from harness.plugin import AcornSession

# About 16 s on the reference: a parallel run (acorn run --jobs) starts the longest first.
pytestmark = [pytest.mark.acorn_area("Throttling"), pytest.mark.acorn_seconds(16)]

# Set-ups (scaled plans, bucket drains) are in setups.py: Amazon's rates x10, bursts as
# published, getOrderItems' bucket emptied by other traffic at chosen requests.
PRICE_SKU, PRODUCT_TYPE = "ACORN-TOY-03", "TOY_FIGURE"


@pytest.fixture(scope="module")
def busy_sync(acorn: AcornSession) -> Observation:
    """45 orders: 45 getOrderItems and 45 getOrderAddress calls against bursts of 30."""
    with start(acorn, "orders-sync-beyond-burst") as run:
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
    return acorn.observe(run)


@pytest.fixture(scope="module")
def headerless(acorn: AcornSession) -> Observation:
    """No x-amzn-RateLimit-Limit at all (Amazon's header is best-effort). No Retry-After
    either: Amazon documents none on SP-API 429s, and a client that obeys a header Amazon
    never sends must not be judged on it (facts sheet §4)."""
    with start(acorn, "rate-header-missing") as run:
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
    return acorn.observe(run)


@pytest.fixture(scope="module")
def orders_throttled(acorn: AcornSession) -> Observation:
    """getOrders at 1/s burst 1 without a rate header (its second page finds the bucket
    emptied by other traffic), then price updates right away."""
    with start(acorn, "orders-throttled-prices-flow") as run:
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
    with start(acorn, "small-sync-throughput") as run:
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
    return acorn.observe(run)


def test_thr_01_throttling_is_rare(busy_sync: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(THR_01, busy_sync)


def test_thr_02_backs_off_after_429(headerless: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(THR_02, headerless)


def test_thr_03_works_without_rate_header(headerless: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(THR_03, headerless)


def test_thr_04_uses_plan_throughput(busy_sync: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(THR_04, busy_sync)


def test_thr_04_small_sync_not_slowed(small_sync: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(THR_04, small_sync)


def test_thr_05_other_operations_keep_flowing(  # type: ignore[no-untyped-def]
    orders_throttled: Observation, acorn_check
) -> None:
    acorn_check(THR_05, orders_throttled)
