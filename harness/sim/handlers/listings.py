"""Listings Items 2021-08-01: per-marketplace listing state, 200 + INVALID, preview mode.

What Amazon does and integrations get wrong (docs/fidelity.md §7, pain points 2.4):
- validation problems are HTTP 200 with ``status: INVALID`` and issues (400 is for malformed
  requests only);
- ``mode=VALIDATION_PREVIEW`` answers VALID / INVALID and changes nothing;
- ``ACCEPTED`` means queued: problems found while processing show up later, only on
  getListingsItem ``includedData=issues`` (here after ``listing_processing_seconds`` of virtual
  time), sometimes with a LISTING_SUPPRESSED enforcement (an EU listing without GPSR data);
- every marketplace has its own schema, so the same attributes can be VALID in the US and
  INVALID in DE.

The validation model lives in ``listing_issues`` and the state changes and rendering in
``listing_items`` (both shared with the Feeds simulator); this module is the HTTP side only.
Their public names stay importable from here.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from harness.sim.handlers.base import Ctx, Handler
from harness.sim.handlers.catalog import catalog
from harness.sim.handlers.listing_issues import (
    GPSR_MARKETPLACES,
    PRODUCT_TYPE_NAME,
    gpsr_issue,
    has_errors,
    listing_issue,
    schedule_processing,
    schema_issues,
)
from harness.sim.handlers.listing_items import apply_offer_fields, asin_for, item_json, patched
from harness.sim.http import Reply
from harness.sim.state import Listing, ListingOffer

__all__ = [
    "GPSR_MARKETPLACES",
    "HANDLERS",
    "apply_offer_fields",
    "gpsr_issue",
    "has_errors",
    "patched",
    "schedule_processing",
    "schema_issues",
]


def _seller_check(ctx: Ctx) -> Reply | None:
    if ctx.params["sellerId"] != ctx.world.state.seller_id:
        # Amazon does not reveal other sellers' listings: the token is not authorized for them.
        return ctx.error(
            403,
            "Unauthorized",
            "Access to requested resource is denied.",
            "",
            rule="LST-OTHER-SELLER",
        )
    return None


def _admitted(ctx: Ctx) -> tuple[list[str], Reply | None]:
    """The request's marketplaces, or the refusal every Listings operation starts with: another
    seller's path, an unknown marketplace or one of another region."""
    refused = _seller_check(ctx)
    if refused:
        return [], refused
    marketplace_ids = ctx.request.csv("marketplaceIds")
    return marketplace_ids, ctx.check_marketplaces(marketplace_ids)


def _submission(ctx: Ctx, status: str, issues: list[dict[str, Any]], **facts: Any) -> Reply:
    body = {
        "sku": ctx.params["sku"],
        "status": status,
        "submissionId": uuid.uuid4().hex,
        "issues": issues,
    }
    return Reply(200, body, facts={"submission_status": status, **facts})


def _note_product_type(ctx: Ctx, product_type: str) -> None:
    """Say when the product type was judged without Amazon's schema for it."""
    if not PRODUCT_TYPE_NAME.fullmatch(product_type):
        ctx.note("LST-PRODUCT-TYPE-NAME")
    elif product_type not in catalog().product_types:
        ctx.note("LST-PRODUCT-TYPE-NO-SCHEMA")


def put_listings_item(ctx: Ctx) -> Reply:
    marketplace_ids, refused = _admitted(ctx)
    if refused:
        return refused
    (marketplace_id,) = marketplace_ids  # the contract allows exactly one (maxItems 1)
    body = ctx.request.json()
    product_type = str(body["productType"]).upper()
    issues = schema_issues(product_type, marketplace_id, body["attributes"], full=True)
    _note_product_type(ctx, product_type)
    preview = ctx.request.first("mode") == "VALIDATION_PREVIEW"
    facts = {"marketplace_id": marketplace_id, "product_type": product_type, "preview": preview}
    if has_errors(issues):
        return _submission(ctx, "INVALID", issues, **facts)
    if preview:
        return _submission(ctx, "VALID", issues, **facts)
    reply = _submission(ctx, "ACCEPTED", [], **facts)
    now = ctx.world.clock.now_datetime()
    with ctx.world.locked():
        listing = ctx.world.state.listings.setdefault(ctx.params["sku"], Listing(ctx.params["sku"]))
        offer = ListingOffer(
            product_type=product_type,
            attributes=copy.deepcopy(body["attributes"]),
            created=now,
            updated=now,
        )
        old = listing.offers.get(marketplace_id)
        if old is not None:
            offer.created, offer.submissions = old.created, old.submissions
        offer.submissions.append(reply.body["submissionId"])
        apply_offer_fields(offer, marketplace_id)
        schedule_processing(ctx.world, offer, marketplace_id)
        listing.offers[marketplace_id] = offer
    return reply


def patch_listings_item(ctx: Ctx) -> Reply:
    marketplace_ids, refused = _admitted(ctx)
    if refused:
        return refused
    body = ctx.request.json()
    product_type = str(body["productType"]).upper()
    issues = []
    for patch in body["patches"]:
        path = patch["path"]
        if not path.startswith("/attributes/") or path.count("/") != 2:
            issues.append(
                listing_issue(
                    "90000900",
                    f"Patch path {path} is not a top-level attribute.",
                    path,
                    "INVALID_ATTRIBUTE",
                )
            )
    changed = {
        p["path"].rsplit("/", 1)[-1]: p.get("value", [])
        for p in body["patches"]
        if p["op"] != "delete"
    }
    if not issues:
        for marketplace_id in marketplace_ids:
            for issue in schema_issues(product_type, marketplace_id, changed, full=False):
                names = set(issue.get("attributeNames") or [])
                if not names or names & set(changed):
                    issues.append(issue)
    facts = {"marketplace_ids": marketplace_ids, "product_type": product_type}
    if has_errors(issues):
        return _submission(ctx, "INVALID", issues, **facts)
    if ctx.request.first("mode") == "VALIDATION_PREVIEW":
        return _submission(ctx, "VALID", issues, preview=True, **facts)
    reply = _submission(ctx, "ACCEPTED", [], **facts)
    now = ctx.world.clock.now_datetime()
    with ctx.world.locked():
        listing = ctx.world.state.listings.setdefault(ctx.params["sku"], Listing(ctx.params["sku"]))
        for marketplace_id in marketplace_ids:
            offer = listing.offers.setdefault(
                marketplace_id, ListingOffer(product_type, {}, created=now)
            )
            offer.attributes = patched(offer.attributes, body["patches"])
            offer.updated = now
            offer.submissions.append(reply.body["submissionId"])
            apply_offer_fields(offer, marketplace_id)
    return reply


def delete_listings_item(ctx: Ctx) -> Reply:
    marketplace_ids, refused = _admitted(ctx)
    if refused:
        return refused
    (marketplace_id,) = marketplace_ids  # the contract allows exactly one (maxItems 1)
    with ctx.world.locked():
        listing = ctx.world.state.listings.get(ctx.params["sku"])
        listed = listing is not None and marketplace_id in listing.offers
        if listing is not None and listed:
            del listing.offers[marketplace_id]
    # Amazon's model declares no 404 here: a delete is accepted for asynchronous processing,
    # whether or not the SKU was listed.
    return _submission(ctx, "ACCEPTED", [], was_listed=listed)


def get_listings_item(ctx: Ctx) -> Reply:
    marketplace_ids, refused = _admitted(ctx)
    if refused:
        return refused
    listing = ctx.world.state.listings.get(ctx.params["sku"])
    if listing is None or not any(m in listing.offers for m in marketplace_ids):
        return ctx.not_found(
            f"SKU {ctx.params['sku']} was not found in the requested marketplaces."
        )
    included = ctx.request.csv("includedData") or ["summaries"]
    with ctx.world.locked():
        item = item_json(ctx, listing, marketplace_ids, included)
    facts = {"issue_count": len(item.get("issues", [])), "marketplace_ids": marketplace_ids}
    return Reply(200, item, facts=facts)


def search_listings_items(ctx: Ctx) -> Reply:
    marketplace_ids, refused = _admitted(ctx)
    if refused:
        return refused
    identifiers = ctx.request.csv("identifiers")
    id_type = ctx.request.first("identifiersType")
    if bool(identifiers) != bool(id_type):
        return ctx.bad_request(
            "identifiers and identifiersType must be given together.",
            rule="LST-IDENTIFIERS-PAIR",
        )
    included = ctx.request.csv("includedData") or ["summaries"]
    wanted = set(identifiers)
    page_size = int(ctx.request.first("pageSize") or 10)
    try:
        start = int(ctx.request.first("pageToken") or 0)
    except ValueError:
        return ctx.foreign_token("Invalid pageToken.")
    severity = ctx.request.first("withIssueSeverity")
    with ctx.world.locked():
        candidates = [
            lst
            for sku, lst in sorted(ctx.world.state.listings.items())
            if any(m in lst.offers for m in marketplace_ids)
            and (
                not wanted
                or (sku if id_type == "SKU" else asin_for(sku) if id_type == "ASIN" else None)
                in wanted
            )
        ]
        items = [item_json(ctx, lst, marketplace_ids, [*included, "issues"]) for lst in candidates]
    if severity:
        items = [i for i in items if any(x.get("severity") == severity for x in i["issues"])]
    if "issues" not in included:
        for item in items:
            item.pop("issues", None)
    page = items[start : start + page_size]
    body: dict[str, Any] = {"numberOfResults": len(items), "items": page}
    if start + page_size < len(items):
        body["pagination"] = {"nextToken": str(start + page_size)}
    return Reply(200, body)


HANDLERS: dict[str, Handler] = {
    "getListingsItem": get_listings_item,
    "putListingsItem": put_listings_item,
    "patchListingsItem": patch_listings_item,
    "deleteListingsItem": delete_listings_item,
    "searchListingsItems": search_listings_items,
}
