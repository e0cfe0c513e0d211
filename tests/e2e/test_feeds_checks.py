"""INV-01, PRC-01 and FEED-01 proven both ways with purpose-built clients over real HTTP."""

from __future__ import annotations

import time
from typing import Any

from listing_clients import (
    CASE,
    DE,
    FR,
    IT,
    JP,
    TOY,
    US,
    Seller,
    good_attributes,
    observe,
    outcome,
)

from harness.checks import FEED_01, INV_01, PRC_01
from harness.drive.base import ActionOutcome
from harness.sim import SimConfig

PT = TOY["product_type"]
POOL = [DE, FR, IT]


def _stock_world(world: Any) -> tuple[Seller, dict[str, Any]]:
    world.reset(SimConfig(throttling=False))
    seller = Seller(world)
    for mp in POOL:
        assert seller.put("TOY-1", mp, good_attributes(TOY, mp), PT)["status"] == "ACCEPTED"
    core = world.sim.core
    order = core.state.place_order(DE, "DE", "EUR", "TOY-1", 2, core.clock.now_datetime())
    expected = {
        "sku": "TOY-1",
        "quantity": 2,
        "order_mp": DE,
        "within_s": 900.0,
        "order_virtual": order.purchase_date.timestamp(),
        "expected": dict.fromkeys(POOL, TOY["quantity"] - 2),
    }
    return seller, expected


def _stock(quantity: int) -> list[dict[str, Any]]:
    return [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}]


def test_inv_01_passes_when_the_whole_pool_follows_the_order(world: Any) -> None:
    seller, inventory = _stock_world(world)
    for mp in POOL:
        assert seller.patch("TOY-1", mp, PT, "fulfillment_availability", _stock(10)) == 200
    result = INV_01.evaluate(observe(world, [], inventory=inventory))
    assert result.status == "passed", result.summary


def test_inv_01_fails_when_only_the_ordering_marketplace_is_lowered(world: Any) -> None:
    seller, inventory = _stock_world(world)
    seller.patch("TOY-1", DE, PT, "fulfillment_availability", _stock(10))
    result = INV_01.evaluate(observe(world, [], inventory=inventory))
    assert result.status == "failed"
    assert "FR: never updated after the order" in result.summary
    assert "DE:" not in result.summary.split("followed everywhere:")[1]


def _prices() -> list[dict[str, Any]]:
    return [
        {
            "sku": sku,
            "product_type": PT,
            "marketplace_id": mp,
            "currency": cur,
            "amount": 3180 if mp == JP else 21.99,
        }
        for sku in ("TOY-1", "TOY-2")
        for mp, cur in ((US, "USD"), (DE, "EUR"), (FR, "EUR"), (JP, "JPY"))
    ]


def _offer(price: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "marketplace_id": price["marketplace_id"],
            "currency": price["currency"],
            "our_price": [{"schedule": [{"value_with_tax": price["amount"]}]}],
        }
    ]


def test_prc_01_passes_when_patches_are_paced(world: Any) -> None:
    seller = Seller(world)
    for price in _prices():
        time.sleep(0.2)  # patchListingsItem: 5 per second
        status = seller.patch(
            price["sku"], price["marketplace_id"], PT, "purchasable_offer", _offer(price)
        )
        assert status == 200
    result = PRC_01.evaluate(observe(world, [], prices=_prices()))
    assert result.status == "passed", result.summary


def test_prc_01_fails_when_a_burst_is_fired_and_429s_dropped(world: Any) -> None:
    seller = Seller(world)
    statuses = [
        seller.patch(p["sku"], p["marketplace_id"], PT, "purchasable_offer", _offer(p))
        for p in _prices()
    ]
    assert 429 in statuses
    result = PRC_01.evaluate(observe(world, [], prices=_prices()))
    assert result.status == "failed"
    assert f"{statuses.count(429)} of {len(statuses)} patch calls were throttled" in result.summary
    assert "prices left stale" in result.summary


def _messages() -> list[dict[str, Any]]:
    bad = good_attributes(CASE, DE)
    del bad["dsa_responsible_party_address"]
    return [
        {
            "messageId": 1,
            "sku": "CASE-1",
            "operationType": "UPDATE",
            "productType": "LUGGAGE",
            "attributes": good_attributes(CASE, DE),
        },
        {
            "messageId": 2,
            "sku": "CASE-2",
            "operationType": "UPDATE",
            "productType": "LUGGAGE",
            "attributes": bad,
        },
    ]


FEEDS = [{"mode": "report", "rejected_skus": ["CASE-2"]}, {"mode": "stuck", "give_up_after_s": 1.0}]


def _run_feeds(world: Any, *, ready: bool) -> list[Any]:
    world.reset(SimConfig(clock_speed=3600.0, token_lifetime=48 * 3600.0))
    seller = Seller(world)
    feed_id = seller.feed(DE, _messages())
    status = seller.wait_feed(DE, feed_id, 5.0)
    assert status["processingStatus"] == "DONE"
    if ready:
        report = seller.report(DE, status["resultFeedDocumentId"])
        rejected = sorted({i["sku"] for i in report["issues"] if i["severity"] == "ERROR"})
        first = outcome(
            "submit_feed",
            {},
            False,
            feeds=[{"status": "DONE", "rejected": [{"sku": s} for s in rejected]}],
        )
    else:
        first = outcome("submit_feed", {}, True, feeds=[{"status": "DONE", "rejected": []}])
    world.sim.core.config.feed_preset = "stuck"
    stuck_id = seller.feed(DE, _messages()[:1])
    started = time.monotonic()
    stuck = seller.wait_feed(DE, stuck_id, 1.0)
    assert stuck["processingStatus"] == "IN_PROGRESS"
    if ready:
        second = outcome("submit_feed", {}, False, feeds=[{"status": "IN_PROGRESS"}])
        second.duration_s = time.monotonic() - started
    else:  # kept polling: the driver stops the hung action, as it would in a scenario
        second = ActionOutcome("submit_feed", {}, "timeout", None, "no result in 60 s", 60.0)
    return [first, second]


def test_feed_01_passes_when_report_read_and_stuck_feed_given_up(world: Any) -> None:
    result = FEED_01.evaluate(observe(world, _run_feeds(world, ready=True), feeds=FEEDS))
    assert result.status == "passed", result.summary
    assert result.metrics["report_downloads"] == 1


def test_feed_01_fails_when_done_is_taken_for_success(world: Any) -> None:
    result = FEED_01.evaluate(observe(world, _run_feeds(world, ready=False), feeds=FEEDS))
    assert result.status == "failed"
    assert "reported rejected SKUs none, the processing report rejected ['CASE-2']" in (
        result.summary
    )
    assert "feed 2 (stuck): the action timeout after 60.0s" in result.summary
