"""Product Pricing v0 (getPricing, getListingOffers) and 2022-05-01 featured-offer batch.

v0 answers in ``payload``; 2022-05-01 is dated, so its batch answer is bare, and every
sub-request carries its own HTTP status (a batch can be 200 with failed items inside).
Money is a JSON number here, not the decimal string Orders uses.
"""

from __future__ import annotations

from typing import Any

from harness.sim.handlers.base import Ctx, Handler
from harness.sim.http import Reply
from harness.sim.state import Listing

__all__ = ["HANDLERS"]

_CONDITIONS = {"New", "Used", "Collectible", "Refurbished", "Club"}


def _price(ctx: Ctx, marketplace_id: str, sku: str) -> float | None:
    """The seller's current price: a listings price update wins over the seeded one."""
    listing: Listing | None = ctx.world.state.listings.get(sku)
    offer = listing.offers.get(marketplace_id) if listing else None
    if offer is not None and offer.price is not None:
        try:
            return float(offer.price)
        except ValueError:
            pass
    seeded = ctx.world.state.commerce.prices.get((marketplace_id, sku))
    return float(seeded) if seeded is not None else None


def _listed_price(ctx: Ctx, marketplace_id: str, sku: str) -> float | None:
    """The price of a SKU the seller lists; None for a SKU that is not a listing."""
    return _price(ctx, marketplace_id, sku) if sku in ctx.world.state.listings else None


def _marketplace(ctx: Ctx) -> tuple[str, Reply | None]:
    """The query's MarketplaceId, and the refusal when it is unknown or of another region."""
    marketplace_id = ctx.request.first("MarketplaceId") or ""
    return marketplace_id, ctx.check_marketplaces([marketplace_id])


def _currency(ctx: Ctx, marketplace_id: str) -> str:
    return ctx.world.contracts.marketplaces[marketplace_id].currency


def _money(currency: str, amount: float) -> dict[str, Any]:
    return {"CurrencyCode": currency, "Amount": round(amount, 2)}


def _fulfillment(ctx: Ctx, marketplace_id: str, sku: str) -> str:
    return "Amazon" if (marketplace_id, sku) in ctx.world.state.commerce.inventory else "Merchant"


def _price_entry(
    ctx: Ctx, marketplace_id: str, asked: str, sku: str | None, asin: str, by_sku: bool
) -> Any:
    key = {"SellerSKU": asked} if by_sku else {"ASIN": asked}
    amount = _price(ctx, marketplace_id, sku) if sku else None
    if sku is None or amount is None:
        return {"status": "ClientError", **key}
    currency = _currency(ctx, marketplace_id)
    identifiers: dict[str, Any] = {
        "MarketplaceASIN": {"MarketplaceId": marketplace_id, "ASIN": asin}
    }
    if by_sku:
        identifiers["SKUIdentifier"] = {
            "MarketplaceId": marketplace_id,
            "SellerId": ctx.world.state.seller_id,
            "SellerSKU": sku,
        }
    offer = {
        "offerType": "B2C",
        "BuyingPrice": {
            "ListingPrice": _money(currency, amount),
            "LandedPrice": _money(currency, amount),
            "Shipping": _money(currency, 0.0),
        },
        "RegularPrice": _money(currency, amount),
        "FulfillmentChannel": "AMAZON"
        if _fulfillment(ctx, marketplace_id, sku) == "Amazon"
        else "MERCHANT",
        "ItemCondition": "New",
        "ItemSubCondition": "New",
        "SellerSKU": sku,
    }
    return {"status": "Success", **key, "Product": {"Identifiers": identifiers, "Offers": [offer]}}


def get_pricing(ctx: Ctx) -> Reply:
    req = ctx.request
    marketplace_id, refused = _marketplace(ctx)
    if refused:
        return refused
    by_sku = req.first("ItemType") == "Sku"
    wanted = req.csv("Skus" if by_sku else "Asins")
    if not wanted:
        # The model never says Amazon refuses this: answer an empty list, and say so.
        ctx.note("PRICING-NO-IDENTIFIERS")
    entries = []
    for value in wanted:
        sku = value if by_sku else ctx.world.state.commerce.sku_for(value)
        asin = ctx.world.state.commerce.asin(value) if by_sku else value
        if by_sku and value not in ctx.world.state.listings:
            sku = None
        entries.append(_price_entry(ctx, marketplace_id, value, sku, asin, by_sku))
    return Reply(200, entries, facts={"items": len(entries)})


def get_listing_offers(ctx: Ctx) -> Reply:
    req = ctx.request
    marketplace_id, refused = _marketplace(ctx)
    if refused:
        return refused
    sku = ctx.params["SellerSKU"]
    condition = req.first("ItemCondition") or "New"
    amount = _listed_price(ctx, marketplace_id, sku)
    if amount is None:
        return ctx.bad_request(
            f"Invalid SellerSKU {sku} for marketplace {marketplace_id}.", rule="PRC-UNKNOWN-SKU"
        )
    currency = _currency(ctx, marketplace_id)
    fba = _fulfillment(ctx, marketplace_id, sku) == "Amazon"
    competitor = round(amount * 1.04, 2)
    mine = {
        "MyOffer": True,
        "SubCondition": "new",
        "SellerId": ctx.world.state.seller_id,
        "ShippingTime": {"minimumHours": 24, "maximumHours": 48, "availabilityType": "NOW"},
        "ListingPrice": _money(currency, amount),
        "Shipping": _money(currency, 0.0),
        "IsFulfilledByAmazon": fba,
        "IsBuyBoxWinner": amount <= competitor,
        "IsFeaturedMerchant": True,
    }
    other = {
        "MyOffer": False,
        "SubCondition": "new",
        "SellerId": "A2ACORNCOMPETITOR",
        "ShippingTime": {"minimumHours": 48, "maximumHours": 96, "availabilityType": "NOW"},
        "ListingPrice": _money(currency, competitor),
        "Shipping": _money(currency, 0.0),
        "IsFulfilledByAmazon": False,
        "IsBuyBoxWinner": False,
        "IsFeaturedMerchant": True,
    }
    channel = "Amazon" if fba else "Merchant"
    payload = {
        "marketplaceId": marketplace_id,
        "SKU": sku,
        "ItemCondition": condition,
        "status": "Success",
        "Identifier": {
            "MarketplaceId": marketplace_id,
            "SellerSKU": sku,
            "ItemCondition": condition,
        },
        "Summary": {
            "TotalOfferCount": 2,
            "NumberOfOffers": [
                {"condition": "new", "fulfillmentChannel": channel, "OfferCount": 1},
                {"condition": "new", "fulfillmentChannel": "Merchant", "OfferCount": 1},
            ],
            "LowestPrices": [
                {
                    "condition": "new",
                    "fulfillmentChannel": channel,
                    "LandedPrice": _money(currency, amount),
                    "ListingPrice": _money(currency, amount),
                    "Shipping": _money(currency, 0.0),
                }
            ],
            "BuyBoxPrices": [
                {
                    "condition": "New",
                    "LandedPrice": _money(currency, min(amount, competitor)),
                    "ListingPrice": _money(currency, min(amount, competitor)),
                    "Shipping": _money(currency, 0.0),
                }
            ],
        },
        "Offers": [mine, other],
    }
    return Reply(200, payload, facts={"sku": sku})


def _batch_item(ctx: Ctx, item: dict[str, Any]) -> dict[str, Any]:
    marketplace_id, sku = str(item["marketplaceId"]), str(item["sku"])
    request = {"marketplaceId": marketplace_id, "sku": sku}
    headers = {"Content-Type": "application/json"}
    known = ctx.world.contracts.marketplaces.get(marketplace_id)
    amount = _listed_price(ctx, marketplace_id, sku)
    if known is None or known.region != ctx.region or amount is None:
        return {
            "status": {"statusCode": 400, "reasonPhrase": "Bad Request"},
            "headers": headers,
            "request": request,
            "body": {
                "errors": [
                    {
                        "code": "INVALID_SKU",
                        "message": "The requested SKU does not exist for the seller in the "
                        "requested Amazon store.",
                    }
                ]
            },
        }
    currency = known.currency
    expected = round(amount * 0.97, 2)
    offer_id = {
        "marketplaceId": marketplace_id,
        "sellerId": ctx.world.state.seller_id,
        "sku": sku,
        "asin": ctx.world.state.commerce.asin(sku),
        "fulfillmentType": "AFN"
        if (marketplace_id, sku) in ctx.world.state.commerce.inventory
        else "MFN",
    }
    return {
        "status": {"statusCode": 200, "reasonPhrase": "Success"},
        "headers": headers,
        "request": request,
        "body": {
            "offerIdentifier": offer_id,
            "featuredOfferExpectedPriceResults": [
                {
                    "featuredOfferExpectedPrice": {
                        "listingPrice": {"currencyCode": currency, "amount": expected}
                    },
                    "resultStatus": "VALID_FOEP",
                    "currentFeaturedOffer": {
                        "offerIdentifier": offer_id,
                        "condition": "New",
                        "price": {"listingPrice": {"currencyCode": currency, "amount": amount}},
                    },
                }
            ],
        },
    }


def get_featured_offer_expected_price_batch(ctx: Ctx) -> Reply:
    requests = ctx.request.json().get("requests", [])
    if not requests:
        return ctx.bad_request("The batch holds no requests.", rule="PRC-BATCH-SIZE")
    if len(requests) > 40:
        return ctx.bad_request("A batch holds at most 40 requests.", rule="PRC-BATCH-SIZE")
    for item in requests:
        if item.get("uri") != "/products/pricing/2022-05-01/offer/featuredOfferExpectedPrice":
            return ctx.bad_request(
                f"Unsupported uri {item.get('uri')!r} in a batch request.", rule="PRC-BATCH-URI"
            )
    responses = [_batch_item(ctx, item) for item in requests]
    failed = sum(1 for r in responses if r["status"]["statusCode"] != 200)
    return Reply(200, {"responses": responses}, facts={"items": len(responses), "failed": failed})


HANDLERS: dict[str, Handler] = {
    "getPricing": get_pricing,
    "getListingOffers": get_listing_offers,
}
HANDLERS_2022: dict[str, Handler] = {
    "getFeaturedOfferExpectedPriceBatch": get_featured_offer_expected_price_batch,
}
