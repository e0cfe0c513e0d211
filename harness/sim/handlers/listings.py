"""Listings Items 2021-08-01: per-marketplace listing state, 200 + INVALID, preview mode."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from harness.sim.handlers.base import Ctx, Handler
from harness.sim.http import Reply
from harness.sim.state import Listing, ListingOffer, iso

__all__ = ["HANDLERS"]


def _seller_check(ctx: Ctx) -> Reply | None:
    if ctx.params["sellerId"] != ctx.core.state.seller_id:
        # Amazon does not reveal other sellers' listings: the token is not authorized for them.
        return ctx.error(403, "Unauthorized", "Access to requested resource is denied.", "")
    return None


def _issue(code: str, message: str, attribute: str, category: str) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "severity": "ERROR",
        "attributeNames": [attribute],
        "categories": [category],
    }


def _basic_issues(attributes: dict[str, Any]) -> list[dict[str, Any]]:
    issues = []
    for name, value in attributes.items():
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            issues.append(
                _issue(
                    "90000900",
                    f"The attribute '{name}' must be an array of objects.",
                    name,
                    "INVALID_ATTRIBUTE",
                )
            )
    return issues


def _apply_offer_fields(offer: ListingOffer, marketplace_id: str) -> None:
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


def _submission(ctx: Ctx, status: str, issues: list[dict[str, Any]]) -> Reply:
    body = {
        "sku": ctx.params["sku"],
        "status": status,
        "submissionId": uuid.uuid4().hex,
        "issues": issues,
    }
    return Reply(200, body, facts={"submission_status": status})


def put_listings_item(ctx: Ctx) -> Reply:
    refused = _seller_check(ctx)
    if refused:
        return refused
    (marketplace_id,) = ctx.request.csv("marketplaceIds")
    refused = ctx.check_marketplaces([marketplace_id])
    if refused:
        return refused
    body = ctx.request.json()
    issues = _basic_issues(body["attributes"])
    preview = ctx.request.first("mode") == "VALIDATION_PREVIEW"
    if issues:
        return _submission(ctx, "INVALID", issues)
    if preview:
        return _submission(ctx, "VALID", [])
    reply = _submission(ctx, "ACCEPTED", [])
    now = ctx.core.clock.now_datetime()
    with ctx.core.state.lock:
        listing = ctx.core.state.listings.setdefault(ctx.params["sku"], Listing(ctx.params["sku"]))
        offer = ListingOffer(
            product_type=body["productType"],
            attributes=copy.deepcopy(body["attributes"]),
            created=now,
            updated=now,
        )
        old = listing.offers.get(marketplace_id)
        if old is not None:
            offer.created, offer.submissions = old.created, old.submissions
        offer.submissions.append(reply.body["submissionId"])
        _apply_offer_fields(offer, marketplace_id)
        listing.offers[marketplace_id] = offer
    return reply


def patch_listings_item(ctx: Ctx) -> Reply:
    refused = _seller_check(ctx)
    if refused:
        return refused
    marketplace_ids = ctx.request.csv("marketplaceIds")
    refused = ctx.check_marketplaces(marketplace_ids)
    if refused:
        return refused
    body = ctx.request.json()
    issues = []
    for patch in body["patches"]:
        path = patch["path"]
        if not path.startswith("/attributes/") or path.count("/") != 2:
            issues.append(
                _issue(
                    "90000900",
                    f"Patch path {path} is not a top-level attribute.",
                    path,
                    "INVALID_ATTRIBUTE",
                )
            )
    issues += _basic_issues(
        {
            p["path"].rsplit("/", 1)[-1]: p.get("value", [])
            for p in body["patches"]
            if p["op"] != "delete"
        }
    )
    if issues:
        return _submission(ctx, "INVALID", issues)
    if ctx.request.first("mode") == "VALIDATION_PREVIEW":
        return _submission(ctx, "VALID", [])
    reply = _submission(ctx, "ACCEPTED", [])
    now = ctx.core.clock.now_datetime()
    with ctx.core.state.lock:
        listing = ctx.core.state.listings.setdefault(ctx.params["sku"], Listing(ctx.params["sku"]))
        for marketplace_id in marketplace_ids:
            offer = listing.offers.setdefault(
                marketplace_id, ListingOffer(body["productType"], {}, created=now)
            )
            for patch in body["patches"]:
                name = patch["path"].rsplit("/", 1)[-1]
                if patch["op"] == "delete":
                    offer.attributes.pop(name, None)
                elif patch["op"] == "merge" and name in offer.attributes:
                    offer.attributes[name] = [
                        *offer.attributes[name],
                        *copy.deepcopy(patch["value"]),
                    ]
                else:
                    offer.attributes[name] = copy.deepcopy(patch["value"])
            offer.updated = now
            offer.submissions.append(reply.body["submissionId"])
            _apply_offer_fields(offer, marketplace_id)
    return reply


def delete_listings_item(ctx: Ctx) -> Reply:
    refused = _seller_check(ctx)
    if refused:
        return refused
    (marketplace_id,) = ctx.request.csv("marketplaceIds")
    with ctx.core.state.lock:
        listing = ctx.core.state.listings.get(ctx.params["sku"])
        if listing is None or marketplace_id not in listing.offers:
            return ctx.not_found(f"SKU {ctx.params['sku']} is not listed in {marketplace_id}.")
        del listing.offers[marketplace_id]
    return _submission(ctx, "ACCEPTED", [])


def _item_json(
    ctx: Ctx, listing: Listing, marketplace_ids: list[str], included: list[str]
) -> dict[str, Any]:
    offers = {m: o for m, o in listing.offers.items() if m in marketplace_ids}
    item: dict[str, Any] = {"sku": listing.sku}
    if "summaries" in included:
        item["summaries"] = [
            {
                "marketplaceId": m,
                "asin": "B0" + uuid.uuid5(uuid.NAMESPACE_URL, listing.sku).hex[:8].upper(),
                "productType": o.product_type,
                "conditionType": "new_new",
                "status": ["BUYABLE", "DISCOVERABLE"] if o.quantity else ["DISCOVERABLE"],
                "itemName": _item_name(o),
                "createdDate": iso(o.created or ctx.core.clock.now_datetime()),
                "lastUpdatedDate": iso(o.updated or ctx.core.clock.now_datetime()),
            }
            for m, o in offers.items()
        ]
    if "attributes" in included:
        merged: dict[str, Any] = {}
        for o in offers.values():
            merged.update(copy.deepcopy(o.attributes))
        item["attributes"] = merged
    if "issues" in included:
        item["issues"] = []
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
            {"fulfillmentChannelCode": "DEFAULT", "quantity": o.quantity}
            for o in offers.values()
            if o.quantity is not None
        ]
    return item


def _item_name(offer: ListingOffer) -> str:
    names = offer.attributes.get("item_name", [])
    if names and isinstance(names[0], dict):
        return str(names[0].get("value", ""))
    return ""


def get_listings_item(ctx: Ctx) -> Reply:
    refused = _seller_check(ctx)
    if refused:
        return refused
    marketplace_ids = ctx.request.csv("marketplaceIds")
    refused = ctx.check_marketplaces(marketplace_ids)
    if refused:
        return refused
    listing = ctx.core.state.listings.get(ctx.params["sku"])
    if listing is None or not any(m in listing.offers for m in marketplace_ids):
        return ctx.not_found(
            f"SKU {ctx.params['sku']} was not found in the requested marketplaces."
        )
    included = ctx.request.csv("includedData") or ["summaries"]
    return Reply(200, _item_json(ctx, listing, marketplace_ids, included))


def search_listings_items(ctx: Ctx) -> Reply:
    refused = _seller_check(ctx)
    if refused:
        return refused
    marketplace_ids = ctx.request.csv("marketplaceIds")
    refused = ctx.check_marketplaces(marketplace_ids)
    if refused:
        return refused
    included = ctx.request.csv("includedData") or ["summaries"]
    wanted = set(ctx.request.csv("identifiers"))
    page_size = int(ctx.request.first("pageSize") or 10)
    listings = [
        lst
        for sku, lst in sorted(ctx.core.state.listings.items())
        if any(m in lst.offers for m in marketplace_ids) and (not wanted or sku in wanted)
    ]
    items = [_item_json(ctx, lst, marketplace_ids, included) for lst in listings[:page_size]]
    return Reply(200, {"numberOfResults": len(listings), "items": items})


HANDLERS: dict[str, Handler] = {
    "getListingsItem": get_listings_item,
    "putListingsItem": put_listings_item,
    "patchListingsItem": patch_listings_item,
    "deleteListingsItem": delete_listings_item,
    "searchListingsItems": search_listings_items,
}
