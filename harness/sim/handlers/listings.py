"""Listings Items 2021-08-01: per-marketplace listing state, 200 + INVALID, preview mode.

What Amazon does and integrations get wrong (facts sheet 7, pain points 2.4):
- validation problems are HTTP 200 with ``status: INVALID`` and issues (400 is for malformed
  requests only);
- ``mode=VALIDATION_PREVIEW`` answers VALID / INVALID and changes nothing;
- ``ACCEPTED`` means queued: problems found while processing show up later, only on
  getListingsItem ``includedData=issues`` (here after ``listing_processing_seconds`` of virtual
  time), sometimes with a LISTING_SUPPRESSED enforcement (an EU listing without GPSR data);
- every marketplace has its own schema, so the same attributes can be VALID in the US and
  INVALID in DE.
"""

from __future__ import annotations

import copy
import uuid
from typing import TYPE_CHECKING, Any

from harness.sim.handlers.base import Ctx, Handler
from harness.sim.handlers.catalog import catalog
from harness.sim.http import Reply
from harness.sim.state import Listing, ListingOffer, iso

if TYPE_CHECKING:
    from harness.sim.core import SimCore

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

# EU marketplaces where GPSR (EU 2023/988) applies; GB has its own regime.
GPSR_MARKETPLACES = frozenset(
    {"A1PA6795UKMFR9", "A13V1IB3VIYZZH", "APJ6JRA9NG5V4", "A1RKKUPIHCS9HS"}
)


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


def gpsr_issue(marketplace_id: str) -> dict[str, Any]:
    """The asynchronous GPSR finding: the listing is suppressed in that marketplace."""
    return {
        "code": "99300",
        "message": "Product safety information required by the EU General Product Safety "
        "Regulation is missing: provide the manufacturer's contact "
        "('gpsr_manufacturer_reference') and either safety information ('compliance_media') "
        "or the attestation that none is needed ('gpsr_safety_attestation').",
        "severity": "ERROR",
        "attributeNames": [
            "gpsr_manufacturer_reference",
            "gpsr_safety_attestation",
            "compliance_media",
        ],
        "categories": ["MISSING_ATTRIBUTE"],
        "marketplaceIds": [marketplace_id],
        "enforcements": {
            "actions": [{"action": "LISTING_SUPPRESSED"}],
            "exemption": {"status": "NOT_EXEMPT"},
        },
    }


def _gpsr_incomplete(attributes: dict[str, Any]) -> bool:
    """What Amazon's GPSR review flags after ACCEPTED (ACORN's model, facts sheet 9): no
    manufacturer contact, or no attestation that the product needs no further safety
    information while no safety information (compliance_media) is given either."""
    if not attributes.get("gpsr_manufacturer_reference"):
        return True
    attested = any(
        isinstance(v, dict) and v.get("value") is True
        for v in attributes.get("gpsr_safety_attestation") or []
    )
    return not attested and not attributes.get("compliance_media")


def _shape_issues(attributes: dict[str, Any]) -> list[dict[str, Any]]:
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


def schema_issues(
    product_type: str, marketplace_id: str, attributes: dict[str, Any], *, full: bool
) -> list[dict[str, Any]]:
    """Issues from the marketplace's product-type schema (``full``: PUT, all requirements)."""
    shape = _shape_issues(attributes)
    if shape:
        return shape
    types = catalog()
    if product_type not in types.product_types():
        # Beyond ACORN's product types (Amazon has thousands): structural checks only.
        return []
    validator = types.validator(product_type, marketplace_id)
    if validator is None:
        return [
            _issue(
                "4000003",
                f"The product type '{product_type}' is not supported in marketplace "
                f"{marketplace_id}. Look it up with searchDefinitionsProductTypes.",
                "productType",
                "INVALID_ATTRIBUTE",
            )
        ]
    issues = [dict(i) for i in validator.issues(attributes)]
    issues += _language_issues(types.language_tags(product_type, marketplace_id), attributes)
    if not full:
        # PATCH: only what the patched attributes themselves break (requirements not enforced).
        issues = [
            i
            for i in issues
            if not (
                i.get("code") == "90220"
                and not set(i.get("attributeNames") or []) & set(attributes)
            )
        ]
    return issues


def _language_issues(accepted: list[str], attributes: dict[str, Any]) -> list[dict[str, Any]]:
    """Amazon's backend is stricter than the schema's ``anyOf [any string | enum]``: text in a
    language the marketplace does not take is refused (error 100720, models #5010)."""
    if not accepted:
        return []
    issues = []
    for name, values in attributes.items():
        if not isinstance(values, list):
            continue
        wrong = sorted(
            {
                str(v["language_tag"])
                for v in values
                if isinstance(v, dict) and "language_tag" in v and v["language_tag"] not in accepted
            }
        )
        if wrong:
            issue = _issue(
                "100720",
                f"Invalid language data: '{name}' is in {', '.join(wrong)}; this marketplace "
                f"accepts {', '.join(accepted)}.",
                name,
                "INVALID_ATTRIBUTE",
            )
            issues.append(issue)
    return issues


def has_errors(issues: list[dict[str, Any]]) -> bool:
    return any(i.get("severity", "ERROR") == "ERROR" for i in issues)


def apply_offer_fields(offer: ListingOffer, marketplace_id: str) -> None:
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


def _submission(ctx: Ctx, status: str, issues: list[dict[str, Any]], **facts: Any) -> Reply:
    body = {
        "sku": ctx.params["sku"],
        "status": status,
        "submissionId": uuid.uuid4().hex,
        "issues": issues,
    }
    return Reply(200, body, facts={"submission_status": status, **facts})


def schedule_processing(core: SimCore, offer: ListingOffer, marketplace_id: str) -> None:
    """Queue what Amazon's asynchronous processing will find after ACCEPTED."""
    at = core.clock.now() + core.config.listing_processing_seconds
    found: list[dict[str, Any]] = []
    if marketplace_id in GPSR_MARKETPLACES and _gpsr_incomplete(offer.attributes):
        found.append(gpsr_issue(marketplace_id))
    for issue in core.config.post_accept_issues.get(marketplace_id, ()):
        found.append({**copy.deepcopy(issue), "marketplaceIds": [marketplace_id]})
    offer.pending_issues = [(at, issue) for issue in found]
    offer.issues = []
    offer.suppressed = False


def put_listings_item(ctx: Ctx) -> Reply:
    refused = _seller_check(ctx)
    if refused:
        return refused
    (marketplace_id,) = ctx.request.csv("marketplaceIds")
    refused = ctx.check_marketplaces([marketplace_id])
    if refused:
        return refused
    body = ctx.request.json()
    product_type = str(body["productType"]).upper()
    issues = schema_issues(product_type, marketplace_id, body["attributes"], full=True)
    preview = ctx.request.first("mode") == "VALIDATION_PREVIEW"
    facts = {"marketplace_id": marketplace_id, "product_type": product_type, "preview": preview}
    if has_errors(issues):
        return _submission(ctx, "INVALID", issues, **facts)
    if preview:
        return _submission(ctx, "VALID", issues, **facts)
    reply = _submission(ctx, "ACCEPTED", [], **facts)
    now = ctx.core.clock.now_datetime()
    with ctx.core.state.lock:
        listing = ctx.core.state.listings.setdefault(ctx.params["sku"], Listing(ctx.params["sku"]))
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
        schedule_processing(ctx.core, offer, marketplace_id)
        listing.offers[marketplace_id] = offer
    return reply


def patched(attributes: dict[str, Any], patches: list[dict[str, Any]]) -> dict[str, Any]:
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


def patch_listings_item(ctx: Ctx) -> Reply:
    refused = _seller_check(ctx)
    if refused:
        return refused
    marketplace_ids = ctx.request.csv("marketplaceIds")
    refused = ctx.check_marketplaces(marketplace_ids)
    if refused:
        return refused
    body = ctx.request.json()
    product_type = str(body["productType"]).upper()
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
    now = ctx.core.clock.now_datetime()
    with ctx.core.state.lock:
        listing = ctx.core.state.listings.setdefault(ctx.params["sku"], Listing(ctx.params["sku"]))
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
    refused = _seller_check(ctx)
    if refused:
        return refused
    (marketplace_id,) = ctx.request.csv("marketplaceIds")
    refused = ctx.check_marketplaces([marketplace_id])
    if refused:
        return refused
    with ctx.core.state.lock:
        listing = ctx.core.state.listings.get(ctx.params["sku"])
        listed = listing is not None and marketplace_id in listing.offers
        if listing is not None and listed:
            del listing.offers[marketplace_id]
    # Amazon's model declares no 404 here: a delete is accepted for asynchronous processing,
    # whether or not the SKU was listed.
    return _submission(ctx, "ACCEPTED", [], was_listed=listed)


def _asin(sku: str) -> str:
    return "B0" + uuid.uuid5(uuid.NAMESPACE_URL, sku).hex[:8].upper()


def _item_json(
    ctx: Ctx, listing: Listing, marketplace_ids: list[str], included: list[str]
) -> dict[str, Any]:
    now = ctx.core.clock.now()
    offers = {m: o for m, o in listing.offers.items() if m in marketplace_ids}
    for offer in offers.values():
        offer.settle(now)
    item: dict[str, Any] = {"sku": listing.sku}
    if "summaries" in included:
        item["summaries"] = [
            {
                "marketplaceId": m,
                "asin": _asin(listing.sku),
                "productType": o.product_type,
                "conditionType": "new_new",
                "status": []
                if o.suppressed
                else ["BUYABLE", "DISCOVERABLE"]
                if o.quantity
                else ["DISCOVERABLE"],
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
    with ctx.core.state.lock:
        item = _item_json(ctx, listing, marketplace_ids, included)
    facts = {"issue_count": len(item.get("issues", [])), "marketplace_ids": marketplace_ids}
    return Reply(200, item, facts=facts)


def search_listings_items(ctx: Ctx) -> Reply:
    refused = _seller_check(ctx)
    if refused:
        return refused
    marketplace_ids = ctx.request.csv("marketplaceIds")
    refused = ctx.check_marketplaces(marketplace_ids)
    if refused:
        return refused
    identifiers = ctx.request.csv("identifiers")
    id_type = ctx.request.first("identifiersType")
    if bool(identifiers) != bool(id_type):
        return ctx.bad_request("identifiers and identifiersType must be given together.")
    included = ctx.request.csv("includedData") or ["summaries"]
    wanted = set(identifiers)
    page_size = int(ctx.request.first("pageSize") or 10)
    try:
        start = int(ctx.request.first("pageToken") or 0)
    except ValueError:
        return ctx.bad_request("Invalid pageToken.")
    severity = ctx.request.first("withIssueSeverity")
    with ctx.core.state.lock:
        candidates = [
            lst
            for sku, lst in sorted(ctx.core.state.listings.items())
            if any(m in lst.offers for m in marketplace_ids)
            and (
                not wanted
                or (sku if id_type == "SKU" else _asin(sku) if id_type == "ASIN" else None)
                in wanted
            )
        ]
        items = [_item_json(ctx, lst, marketplace_ids, [*included, "issues"]) for lst in candidates]
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
