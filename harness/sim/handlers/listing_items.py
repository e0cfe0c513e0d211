"""A stored listing under writes and reads: attribute patches, offer fields, item rendering.

Shared by the Listings Items handlers and the Feeds simulator (which applies the same PATCH
semantics to feed messages), and separate from validation so each side stays small: this
module never decides whether a write is allowed, only what it does to the seeded world.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from harness.sim.handlers.base import Ctx
from harness.sim.state import Listing, ListingOffer, iso

__all__ = ["apply_offer_fields", "asin_for", "item_json", "patched"]


def apply_offer_fields(offer: ListingOffer, marketplace_id: str) -> None:
    """Copy quantity, price and currency out of the attributes, where reads and checks look."""
    for entry in offer.attributes.get("fulfillment_availability", []):
        if isinstance(entry, dict) and "quantity" in entry:
            offer.quantity = int(entry["quantity"])
    for entry in offer.attributes.get("purchasable_offer", []):
        if (
            not isinstance(entry, dict)
            or entry.get("marketplace_id", marketplace_id) != marketplace_id
        ):
            continue
        offer.currency = entry.get("currency", offer.currency)
        for price in entry.get("our_price", []):
            for schedule in price.get("schedule", []):
                if "value_with_tax" in schedule:
                    offer.price = str(schedule["value_with_tax"])


def patched(attributes: dict[str, Any], patches: list[dict[str, Any]]) -> dict[str, Any]:
    """The attributes after Amazon's PATCH ops (add/replace, merge, delete), on a copy."""
    out = copy.deepcopy(attributes)
    for patch in patches:
        name = patch["path"].rsplit("/", 1)[-1]
        if patch["op"] == "delete":
            out.pop(name, None)
        elif patch["op"] == "merge" and name in out:
            out[name] = [*out[name], *copy.deepcopy(patch["value"])]
        else:
            out[name] = copy.deepcopy(patch["value"])
    return out


def asin_for(sku: str) -> str:
    """A stable made-up ASIN per SKU, so search by ASIN finds what getListingsItem shows."""
    return "B0" + uuid.uuid5(uuid.NAMESPACE_URL, sku).hex[:8].upper()


def item_json(
    ctx: Ctx, listing: Listing, marketplace_ids: list[str], included: list[str]
) -> dict[str, Any]:
    """The getListingsItem body for ``included`` data, settling due processing results first."""
    now = ctx.world.clock.now()
    offers = {m: o for m, o in listing.offers.items() if m in marketplace_ids}
    for offer in offers.values():
        offer.settle(now)
    item: dict[str, Any] = {"sku": listing.sku}
    if "summaries" in included:
        item["summaries"] = [
            {
                "marketplaceId": m,
                "asin": asin_for(listing.sku),
                "productType": o.product_type,
                "conditionType": "new_new",
                "status": []
                if o.suppressed
                else ["BUYABLE", "DISCOVERABLE"]
                if o.quantity
                else ["DISCOVERABLE"],
                "itemName": _item_name(o),
                "createdDate": iso(o.created or ctx.world.clock.now_datetime()),
                "lastUpdatedDate": iso(o.updated or ctx.world.clock.now_datetime()),
            }
            for m, o in offers.items()
        ]
    if "attributes" in included:
        merged: dict[str, Any] = {}
        for o in offers.values():
            merged.update(copy.deepcopy(o.attributes))
        item["attributes"] = merged
    if "issues" in included:
        item["issues"] = [copy.deepcopy(i) for o in offers.values() for i in o.issues]
    if "offers" in included:
        item["offers"] = [
            {
                "marketplaceId": m,
                "offerType": "B2C",
                "price": {"currencyCode": o.currency, "amount": o.price},
            }
            for m, o in offers.items()
            if o.price is not None and o.currency is not None
        ]
    if "fulfillmentAvailability" in included:
        item["fulfillmentAvailability"] = [
            {"fulfillmentChannelCode": "DEFAULT", "quantity": max(o.quantity, 0)}
            for o in offers.values()
            if o.quantity is not None
        ]
    if "productTypes" in included:
        item["productTypes"] = [
            {"marketplaceId": m, "productType": o.product_type} for m, o in offers.items()
        ]
    return item


def _item_name(offer: ListingOffer) -> str:
    names = offer.attributes.get("item_name", [])
    if names and isinstance(names[0], dict):
        return str(names[0].get("value", ""))
    return ""
