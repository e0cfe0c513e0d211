"""Listings: one catalog published to six marketplaces, late issues, shared stock, repricing.

One scenario (virtual clock x600: Amazon's five minutes of listing processing take half a
second) drives the integration through the whole listing life:
1. publish two products (a toy, a suitcase) to US, GB, DE, FR, IT, JP from product data;
2. publish a third whose data lacks the EU manufacturer and responsible person (INVALID in
   DE/FR for anyone: the integration must say so);
3. after processing, ask for each listing's status: Amazon flags an image issue in US and IT
   after ACCEPTED, and suppresses the suitcase in DE, FR and IT (GPSR: no safety information);
4. a buyer orders two toys in DE; DE, FR and IT sell from one EU stock;
5. reprice both products in all six marketplaces at once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from listing_products import (
    INCOMPLETE,
    INCOMPLETE_SKU,
    LISTINGS,
    PRICES,
    TARGETS,
    TOY,
    publish_args,
)
from markets import DE, ES, FR, GB, IT, JP, US
from setups import start

from harness.checks import (
    INV_01,
    LST_01,
    LST_02,
    LST_03,
    LST_04,
    LST_05,
    LST_06,
    PRC_01,
    Observation,
)
from harness.plugin import AcornSession

# About 3 s on the reference: a parallel run (acorn run --jobs) starts the longest first.
pytestmark = pytest.mark.acorn_seconds(3)

NAMES = {US: "US", GB: "GB", DE: "DE", FR: "FR", IT: "IT", ES: "ES", JP: "JP"}
NEW_PRICES = {US: "22.99", GB: "19.99", DE: "21.99", FR: "21.99", IT: "21.49", JP: "3180"}


def _late_issues(core: Any) -> dict[str, dict[str, list[str]]]:
    """What Amazon's processing found after ACCEPTED, by SKU and marketplace (the oracle)."""
    now = core.clock.now()
    found: dict[str, dict[str, list[str]]] = {}
    for sku in LISTINGS:
        listing = core.state.listings.get(sku)
        for mp, offer in listing.offers.items() if listing else []:
            offer.settle(now)
            codes = [str(i["code"]) for i in offer.issues]
            if codes:
                found.setdefault(sku, {})[mp] = codes
    return found


@pytest.fixture(scope="module")
def listing_life(acorn: AcornSession) -> Observation:
    # Rates x4 (bursts as published): the same pacing problem, a quarter of the wall time.
    # The seller's marketplaces that ACORN has product data and schemas for.
    targets = acorn.covered_marketplaces(
        "multi-marketplace-listings",
        TARGETS,
        why="no bundled product-type schema and product data for the listing scenario",
    )
    with start(acorn, "multi-marketplace-listings") as run:
        for sku, product in LISTINGS.items():
            run.act("publish_listing", **publish_args(sku, product, targets))
        run.act("publish_listing", **publish_args(INCOMPLETE_SKU, INCOMPLETE, [DE, FR]))
        run.wait(0.6)  # > 300 virtual seconds: Amazon's asynchronous checks have run
        for sku in LISTINGS if run.in_scope("listing_status") else ():
            run.act("listing_status", sku=sku, marketplace_ids=targets)
        core = acorn.sim.core
        late = _late_issues(core)

        pool = [m for m in core.config.inventory_pools["EU"] if m in targets]
        order = core.state.place_order(
            DE, "DE", "EUR", "ACORN-TOY-03", 2, core.clock.now_datetime()
        )
        order_wall = core.clock.wall_elapsed()
        core.redactor.add(pii=order.buyer.canaries())
        since = (order.purchase_date - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        stock = [{"sku": "ACORN-TOY-03", "product_type": TOY["product_type"],
                  "on_hand": TOY["quantity"], "marketplace_ids": pool}]  # fmt: skip
        # Shared stock needs two marketplaces selling from one pool, the order's among them.
        if run.in_scope("sync_inventory") and DE in pool and len(pool) > 1:
            run.act("sync_inventory", stock=stock, created_after=since)

        prices = [
            {"sku": sku, "product_type": product["product_type"], "marketplace_id": mp,
             "amount": float(NEW_PRICES[mp]) if mp != JP else int(NEW_PRICES[mp]),
             "currency": PRICES[mp][1]}
            for sku, product in LISTINGS.items()
            for mp in targets
        ]  # fmt: skip
        if run.in_scope("reprice"):
            run.act("reprice", prices=prices)
    expected = {
        "marketplace_names": NAMES,
        "listings": {
            sku: {"product_type": p["product_type"], "marketplace_ids": targets}
            for sku, p in LISTINGS.items()
        },
        "currencies": {mp: cur for mp, (_a, cur) in PRICES.items()},
        "late_issues": late,
        "inventory": {
            "sku": "ACORN-TOY-03",
            "quantity": 2,
            "order_mp": DE,
            "order_virtual": order.purchase_date.timestamp(),
            "order_wall": order_wall,
            "within_s": 900.0,
            "expected": dict.fromkeys(pool, TOY["quantity"] - 2),
        },
        "prices": prices,
    }
    return acorn.observe(run, expected=expected)


def test_lst_01_published_everywhere(listing_life: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(LST_01, listing_life)


def test_lst_02_validated_first(listing_life: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(LST_02, listing_life)


def test_lst_03_invalid_is_failure(listing_life: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(LST_03, listing_life)


def test_lst_04_late_issues(listing_life: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(LST_04, listing_life)


def test_lst_05_language(listing_life: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(LST_05, listing_life)


def test_lst_06_currency(listing_life: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(LST_06, listing_life)


def test_inv_01_shared_stock(listing_life: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(INV_01, listing_life)


def test_prc_01_batch_repricing(listing_life: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(PRC_01, listing_life)
