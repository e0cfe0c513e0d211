"""The simulator's usage plans over real HTTP: scaled and set plans, the rate header, refills in
wall time, dynamic drops, application-wide caps, and the per-scenario switches.

Facts from spapi-facts.md section 3: a token bucket per seller, application and operation;
429 QuotaExceeded when empty; x-amzn-RateLimit-Limit (the plan's rate) only on 20x/400/404.
"""

from __future__ import annotations

import time

import pytest

from harness.errors import ConfigError
from harness.sim import SimConfig
from harness.sim.config import BucketDrain, PlanChange

pytestmark = pytest.mark.e2e

US = "ATVPDKIKX0DER"
ORDERS = "/orders/v0/orders"
HEADER = "x-amzn-RateLimit-Limit"
QUOTA_EXCEEDED = {
    "errors": [
        {"code": "QuotaExceeded", "message": "You exceeded your quota for the requested resource."}
    ]
}


def _items_path(world, index: int = 0) -> str:  # type: ignore[no-untyped-def]
    return f"{ORDERS}/{world.orders_in_region('NA')[index].amazon_order_id}/orderItems"


def test_scaled_plan_is_what_the_header_says_and_what_the_bucket_does(world) -> None:  # type: ignore[no-untyped-def]
    # getOrders: Amazon 0.0167/s burst 20; x10 -> 0.167/s (a token every 6 s), burst still 20.
    world.reset(SimConfig(rate_scale=10))
    token = world.access_token()
    params = {"MarketplaceIds": US, "CreatedAfter": "2026-02-20T00:00:00Z"}
    answers = [world.get(ORDERS, token=token, params=params) for _ in range(21)]
    unknown = world.get(f"{ORDERS}/111-0000000-0000000", token=token)

    assert [r.status_code for r in answers] == [200] * 20 + [429]
    assert answers[0].headers[HEADER] == "0.167"
    assert answers[-1].json() == QUOTA_EXCEEDED
    assert HEADER not in answers[-1].headers  # never on 429
    assert "Retry-After" not in answers[-1].headers  # Amazon sends none
    assert unknown.status_code == 404
    assert unknown.headers[HEADER] == "5.0"  # getOrder 0.5/s x10, on a 404 too
    journal = [e for e in world.sim.journal.all() if e.operation == "getOrders"]
    for e in journal[:20]:
        assert e.facts["plan_rate"] == 0.167
        assert e.facts["plan_burst"] == 20
        assert e.facts["bucket_before"] >= 1.0
        assert e.facts["bucket_before"] - e.facts["bucket_after"] == pytest.approx(1.0, abs=2e-3)
    refused = journal[20]
    assert refused.status == 429
    assert refused.facts["bucket_before"] < 1.0
    assert refused.facts["bucket_after"] == refused.facts["bucket_before"]
    assert refused.facts["throttled_by"] == "operation"


def test_refill_is_true_in_wall_time_whatever_the_virtual_clock(world) -> None:  # type: ignore[no-untyped-def]
    # A fast virtual clock (tokens age 720x) must not refill buckets faster: integrations
    # pace with sleep(), and the header promises one request per wall second.
    world.reset(SimConfig(clock_speed=720, usage_plans={"getOrderItems": (1.0, 1)}))
    token = world.access_token()
    path = _items_path(world)

    first = world.get(path, token=token)
    at_once = world.get(path, token=token)
    time.sleep(1.05)
    after_a_token = world.get(path, token=token)

    assert (first.status_code, at_once.status_code, after_a_token.status_code) == (200, 429, 200)
    assert first.headers[HEADER] == "1.0"


def test_fractional_rate_and_burst_of_one(world) -> None:  # type: ignore[no-untyped-def]
    # searchOrders' published 0.0056/s (one request every three minutes), burst 1.
    world.reset(SimConfig(usage_plans={"getOrders": (0.0056, 1)}))
    token = world.access_token()
    params = {"MarketplaceIds": US, "CreatedAfter": "2026-02-20T00:00:00Z"}

    first = world.get(ORDERS, token=token, params=params)
    second = world.get(ORDERS, token=token, params=params)

    assert (first.status_code, second.status_code) == (200, 429)
    assert first.headers[HEADER] == "0.0056"


def test_dynamic_plan_drop_mid_run_is_announced_and_never_refills(world) -> None:  # type: ignore[no-untyped-def]
    drop = PlanChange("getOrderItems", rate=0.2, after_requests=3)
    world.reset(SimConfig(usage_plans={"getOrderItems": (1.0, 4)}, plan_changes=(drop,)))
    token = world.access_token()
    path = _items_path(world)

    answers = [world.get(path, token=token) for _ in range(6)]

    headers = [r.headers.get(HEADER) for r in answers]
    assert headers[:3] == ["1.0"] * 3
    assert headers[3] == "0.2"  # the fourth answer already says the lower rate
    # 4 tokens of burst, 3 spent: one left when the plan dropped (it is kept), then 0.2/s.
    assert [r.status_code for r in answers] == [200, 200, 200, 200, 429, 429]

    # Lowering from the scenario (run.lower_rate) works the same way, at once.
    world.sim.core.change_plan("getOrderItems", 0.1)
    time.sleep(0.05)
    assert world.get(path, token=token).status_code == 429
    facts = world.sim.journal.all()[-1].facts
    assert facts["plan_rate"] == 0.1


def test_missing_header_switch_and_non_standard_retry_after(world) -> None:  # type: ignore[no-untyped-def]
    world.reset(
        SimConfig(
            usage_plans={"getOrderItems": (1.0, 1)},
            missing_rate_header=frozenset({"getOrderItems"}),
            retry_after="0",
        )
    )
    token = world.access_token()
    path = _items_path(world)
    params = {"MarketplaceIds": US, "CreatedAfter": "2026-02-20T00:00:00Z"}

    items = world.get(path, token=token)
    throttled = world.get(path, token=token)
    orders = world.get(ORDERS, token=token, params=params)

    assert items.status_code == 200
    assert HEADER not in items.headers  # switched off for this operation only
    assert orders.headers[HEADER] == "0.0167"
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "0"  # only on 429s
    assert "Retry-After" not in items.headers
    assert "Retry-After" not in orders.headers


def test_application_wide_cap_throttles_before_the_seller_bucket(world) -> None:  # type: ignore[no-untyped-def]
    # Other sellers of the same app have spent most of the app-wide quota: 2 tokens left.
    world.reset(SimConfig(app_caps={"getListingsItem": (0.5, 2)}))
    token = world.access_token()
    seller = world.creds.seller_id
    path = f"/listings/2021-08-01/items/{seller}/ACORN-TOY-03"

    answers = [world.get(path, token=token, params={"marketplaceIds": US}) for _ in range(3)]

    assert [r.status_code for r in answers][2] == 429
    assert all(r.status_code != 429 for r in answers[:2])
    last = world.sim.journal.all()[-1]
    assert last.facts["throttled_by"] == "application"
    assert last.facts["bucket_before"] >= 1.0  # the seller's own bucket still had tokens
    assert last.facts["app_bucket_before"] < 1.0
    assert answers[0].headers[HEADER] == "5.0"  # the header reports the per-seller rate only


def test_published_app_wide_caps_apply_by_default(world) -> None:  # type: ignore[no-untyped-def]
    world.reset(SimConfig())
    plans = {row["operation"]: row for row in world.sim.core.plans.describe()}
    assert plans == {}  # nothing called yet, nothing set
    op = world.sim.core.contracts.operation("patchListingsItem")
    app = world.sim.core.plans.app_plan(op)
    assert app is not None
    assert (app.rate, app.burst) == (500.0, 5)


def test_bucket_drain_refuses_the_chosen_request_whatever_the_pace(world) -> None:  # type: ignore[no-untyped-def]
    """Other traffic of the seller empties getOrderItems' bucket before its third request: a
    client that waited long (a full bucket) is refused there, then served after a refill."""
    world.reset(
        SimConfig(
            usage_plans={"getOrderItems": (10.0, 5)},
            bucket_drains=(BucketDrain("getOrderItems", after_requests=2),),
        )
    )
    token = world.access_token()
    path = _items_path(world)
    statuses = []
    for _ in range(3):
        time.sleep(0.3)  # a slow client: the bucket is full before every request
        statuses.append(world.get(path, token=token).status_code)
    time.sleep(0.15)  # 1.5 tokens at 10/s
    statuses.append(world.get(path, token=token).status_code)

    assert statuses == [200, 200, 429, 200]
    journal = [e for e in world.sim.journal.all() if e.operation == "getOrderItems"]
    assert journal[2].facts["bucket_drained"] == "other traffic of this seller and application"
    assert journal[2].facts["bucket_before"] == 0.0
    assert "bucket_drained" not in journal[3].facts
    plans = {row["operation"]: row for row in world.sim.core.plans.describe()}
    assert plans["getOrderItems"]["drained_after_requests"] == [2]


def test_bucket_drain_names_an_unknown_operation(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match=r"SimConfig\.bucket_drains names 'getOrderz'"):
        world.reset(SimConfig(bucket_drains=(BucketDrain("getOrderz", after_requests=1),)))
    with pytest.raises(ConfigError, match="after_requests is -1"):
        world.reset(SimConfig(bucket_drains=(BucketDrain("getOrders", after_requests=-1),)))
