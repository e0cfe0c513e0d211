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
from listing_products import INCOMPLETE

from harness.checks import FEED_01, INV_01, PRC_01, Observation
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
    """CASE-1 is right; CASE-2 lacks the DSA address the seller's data has (fixable); CASE-3's
    data itself lacks the EU manufacturer and responsible person (not fixable from it)."""
    bad = good_attributes(CASE, DE)
    del bad["dsa_responsible_party_address"]
    incomplete = good_attributes(INCOMPLETE, DE)
    return [
        {"messageId": 1, "sku": "CASE-1", "operationType": "UPDATE", "productType": "LUGGAGE",
         "attributes": good_attributes(CASE, DE)},
        {"messageId": 2, "sku": "CASE-2", "operationType": "UPDATE", "productType": "LUGGAGE",
         "attributes": bad},
        {"messageId": 3, "sku": "CASE-3", "operationType": "UPDATE", "productType": "LUGGAGE",
         "attributes": incomplete},
    ]  # fmt: skip


REPORT = {"mode": "report", "rejected_skus": ["CASE-2", "CASE-3"], "fixable_skus": ["CASE-2"]}
FEEDS = [REPORT, {"mode": "stuck", "give_up_after_s": 1.0}]


def _follow_up(kind: str) -> list[dict[str, Any]]:
    """What each purpose-built client sends after reading the processing report."""
    original = _messages()
    fixed = {**original[1], "attributes": good_attributes(CASE, DE)}  # rebuilt from the data
    chosen = {
        "fixed": [fixed],  # only the corrected message
        "whole": [original[0], fixed, original[2]],  # the whole feed again, corrections included
        "unchanged": [original[1]],  # the rejected message as it was
        "never": [],
    }[kind]
    return [{**m, "messageId": n} for n, m in enumerate(chosen, 1)]


def _wait(seller: Seller, feed_id: str, patience: float) -> dict[str, Any]:
    """Poll getFeed within its plan (2/s, burst 15) until the feed ends or patience runs out."""
    deadline = time.monotonic() + patience
    while True:
        status = seller.feed_status(DE, feed_id)
        if status["processingStatus"] in ("DONE", "FATAL") or time.monotonic() > deadline:
            return status
        time.sleep(0.5)


def _rejected(report: dict[str, Any]) -> set[str]:
    return {i["sku"] for i in report["issues"] if i["severity"] == "ERROR"}


def _feed_action(
    world: Any, seller: Seller, follow_up: str, *, reads_report: bool = True
) -> tuple[ActionOutcome, tuple[float, float]]:
    """One submit_feed as a client would run it, with its window on the simulator's clock."""
    clock = world.sim.core.clock
    started = clock.wall_elapsed()
    status = _wait(seller, seller.feed(DE, _messages()), 5.0)
    assert status["processingStatus"] == "DONE"
    if not reads_report:  # DONE taken for success
        done = outcome("submit_feed", {}, True, feeds=[{"status": "DONE", "rejected": []}])
        return done, (started, clock.wall_elapsed())
    rejected = _rejected(seller.report(DE, status["resultFeedDocumentId"]))
    still = set(rejected)
    resend = _follow_up(follow_up)
    if resend:
        again = _wait(seller, seller.feed(DE, resend), 5.0)
        assert again["processingStatus"] == "DONE"
        rejected_again = _rejected(seller.report(DE, again["resultFeedDocumentId"]))
        still = {s for s in rejected if s not in {m["sku"] for m in resend} or s in rejected_again}
    done = outcome(
        "submit_feed",
        {},
        not still,
        feeds=[{"status": "DONE", "rejected": [{"sku": s} for s in sorted(rejected)]}],
        resubmitted=[{"sku": m["sku"]} for m in resend if m["sku"] in rejected],
        still_rejected=[{"sku": s} for s in sorted(still)],
    )
    return done, (started, clock.wall_elapsed())


def _judge_one(world: Any, follow_up: str) -> Any:
    world.reset(SimConfig(clock_speed=3600.0, token_lifetime=48 * 3600.0))
    done, window = _feed_action(world, Seller(world), follow_up)
    obs = observe(world, [done], feeds=[REPORT])
    obs.action_windows = [window]
    return FEED_01.evaluate(obs)


def _run_feeds(world: Any, *, ready: bool) -> Observation:
    world.reset(SimConfig(clock_speed=3600.0, token_lifetime=48 * 3600.0))
    seller = Seller(world)
    first, window = _feed_action(world, seller, "fixed" if ready else "never", reads_report=ready)
    world.sim.core.config.feed_preset = "stuck"
    started, wall = time.monotonic(), world.sim.core.clock.wall_elapsed()
    stuck_id = seller.feed(DE, _messages()[:1])
    stuck = _wait(seller, stuck_id, 1.0)
    assert stuck["processingStatus"] == "IN_PROGRESS"
    if ready:
        second = outcome("submit_feed", {}, False, feeds=[{"status": "IN_PROGRESS"}])
        second.duration_s = time.monotonic() - started
    else:  # kept polling: the driver stops the hung action, as it would in a scenario
        second = ActionOutcome("submit_feed", {}, "timeout", None, "no result in 60 s", 60.0)
    obs = observe(world, [first, second], feeds=FEEDS)
    obs.action_windows = [window, (wall, world.sim.core.clock.wall_elapsed())]
    return obs


def test_feed_01_passes_when_report_read_fixes_resent_and_stuck_feed_given_up(world: Any) -> None:
    result = FEED_01.evaluate(_run_feeds(world, ready=True))
    assert result.status == "passed", result.summary
    assert result.metrics["report_downloads"] == 2  # the feed's report and the follow-up's
    assert result.metrics["resubmitted"] == 1
    assert result.metrics["still_rejected"] == 1
    assert any("follow-up:" in line and "[createFeed] -> 202" in line for line in result.evidence)


def test_feed_01_fails_when_done_is_taken_for_success(world: Any) -> None:
    result = FEED_01.evaluate(_run_feeds(world, ready=False))
    assert result.status == "failed"
    assert (
        "reported rejected SKUs none, the processing report rejected ['CASE-2', 'CASE-3']"
        in result.summary
    )
    assert "no follow-up feed: the rejected message(s) for CASE-2 could be corrected" in (
        result.summary
    )
    assert "feed 2 (stuck): the action timeout after 60.0s" in result.summary


def test_feed_01_fails_when_fixable_rejections_are_never_resubmitted(world: Any) -> None:
    result = _judge_one(world, "never")
    assert result.status == "failed"
    assert result.summary.count("feed 1 (report)") == 1, result.summary
    assert "no follow-up feed: the rejected message(s) for CASE-2 could be corrected" in (
        result.summary
    )


def test_feed_01_fails_when_the_whole_feed_is_resent(world: Any) -> None:
    result = _judge_one(world, "whole")
    assert result.status == "failed"
    assert "re-sent 1 message(s) Amazon had already accepted (CASE-1 (message 1))" in (
        result.summary
    )
    assert "re-sent rejected message(s) unchanged (CASE-3 (message 3))" in result.summary
    assert "no corrected message" not in result.summary  # CASE-2 itself was corrected
    assert result.metrics["resubmitted"] == 1


def test_feed_01_fails_when_the_rejected_message_is_resent_unchanged(world: Any) -> None:
    result = _judge_one(world, "unchanged")
    assert result.status == "failed"
    assert "re-sent rejected message(s) unchanged (CASE-2 (message 2))" in result.summary
    assert "no corrected message for CASE-2 in the follow-up" in result.summary
    assert result.metrics["resubmitted"] == 0


def test_feed_01_passes_alone_when_only_the_fixed_message_is_resent(world: Any) -> None:
    result = _judge_one(world, "fixed")
    assert result.status == "passed", result.summary
    assert result.metrics["resent_accepted"] == result.metrics["resent_unchanged"] == 0
