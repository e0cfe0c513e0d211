"""Feeds: a JSON_LISTINGS_FEED with bad messages, then a stuck feed, then a FATAL one.

The first feed's processing report rejects two UPDATE messages carrying the US listing in DE.
One of them (ACORN-CASE-07) the seller's product data, handed over as ``products``, can
correct: a ready integration re-sends just that message, rebuilt for DE, in one follow-up
feed. The other (ACORN-CASE-06) lacks the EU manufacturer and responsible person in the data
itself: it must be reported as still rejected, not re-sent as it was.

The virtual clock runs x3600: a feed's two minutes in queue and fifteen of processing take a
quarter of a wall second, and the stuck feed's endless IN_PROGRESS (48 hours in pain points
2.5) is reached at once; the integration is given 2 wall seconds before it must give up.
"""

from __future__ import annotations

import pytest
from listing_products import CASE, INCOMPLETE, TARGETS, publish_args
from markets import DE
from setups import start

from harness.checks import FEED_01, Observation
from harness.plugin import AcornSession

# About 4 s on the reference: a parallel run (acorn run --jobs) starts the longest first.
pytestmark = pytest.mark.acorn_seconds(4)

GIVE_UP_AFTER_S = 2.0


FIXABLE, UNFIXABLE = "ACORN-CASE-07", "ACORN-CASE-06"
PRODUCTS = {FIXABLE: CASE, UNFIXABLE: INCOMPLETE}


def _messages() -> list[dict[str, object]]:
    de_attrs = publish_args("X", CASE, TARGETS)["attributes"]
    incomplete = publish_args("X", INCOMPLETE, TARGETS)["attributes"]
    price = [{"marketplace_id": DE, "currency": "EUR",
              "our_price": [{"schedule": [{"value_with_tax": 19.99}]}]}]  # fmt: skip
    stock = [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}]
    return [
        {"messageId": 1, "sku": "ACORN-CASE-05", "operationType": "PATCH",
         "productType": "LUGGAGE",
         "patches": [{"op": "replace", "path": "/attributes/purchasable_offer", "value": price}]},
        {"messageId": 2, "sku": "ACORN-CASE-05", "operationType": "PATCH",
         "productType": "LUGGAGE",
         "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
                      "value": stock}]},
        # A full UPDATE with US attributes: INVALID in DE (missing GPSR/EPR, wrong language).
        {"messageId": 3, "sku": FIXABLE, "operationType": "UPDATE",
         "productType": "LUGGAGE", "attributes": de_attrs},
        # The same mistake, but the product data lacks GPSR/DSA too: not fixable from it.
        {"messageId": 4, "sku": UNFIXABLE, "operationType": "UPDATE",
         "productType": "LUGGAGE", "attributes": incomplete},
    ]  # fmt: skip


@pytest.fixture(scope="module")
def feed_lifecycle(acorn: AcornSession) -> Observation:
    with start(acorn, "feed-lifecycle") as run:
        core = acorn.sim.core
        run.act("submit_feed", marketplace_ids=[DE], messages=_messages(), products=PRODUCTS,
                give_up_after_s=GIVE_UP_AFTER_S)  # fmt: skip
        core.config.feed_preset = "stuck"
        run.act("submit_feed", marketplace_ids=[DE], messages=_messages()[:1],
                give_up_after_s=GIVE_UP_AFTER_S)  # fmt: skip
        core.config.feed_preset = "fatal"
        run.act("submit_feed", marketplace_ids=[DE], messages=_messages()[:1],
                give_up_after_s=GIVE_UP_AFTER_S)  # fmt: skip
    expected = {
        "feeds": [
            {"mode": "report", "rejected_skus": [UNFIXABLE, FIXABLE], "fixable_skus": [FIXABLE]},
            {"mode": "stuck", "give_up_after_s": GIVE_UP_AFTER_S},
            {"mode": "fatal"},
        ]
    }
    return acorn.observe(run, expected=expected)


def test_feed_01_lifecycle(feed_lifecycle: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(FEED_01, feed_lifecycle)
