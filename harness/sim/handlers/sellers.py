"""Sellers v1: the marketplaces the seller participates in, per regional endpoint."""

from __future__ import annotations

from typing import Any

from harness.sim.handlers.base import Ctx, Handler
from harness.sim.http import Reply
from harness.sim.state import NON_AMAZON_MARKETPLACES

__all__ = ["HANDLERS"]


def get_marketplace_participations(ctx: Ctx) -> Reply:
    contracts = ctx.world.contracts
    items: list[dict[str, Any]] = []
    for marketplace_id in ctx.world.state.marketplaces:
        mp = contracts.marketplaces[marketplace_id]
        if mp.region != ctx.region:
            continue
        items.append(
            {
                "marketplace": {
                    "id": mp.id,
                    "name": mp.name,
                    "countryCode": mp.country,
                    "defaultCurrencyCode": mp.currency,
                    "defaultLanguageCode": mp.language,
                    "domainName": mp.domain,
                },
                "participation": {"isParticipating": True, "hasSuspendedListings": False},
                "storeName": "ACORN Test Store",
            }
        )
    non_amazon = NON_AMAZON_MARKETPLACES.get(ctx.region)
    if non_amazon:
        home = items[0]["marketplace"] if items else {}
        # Real participations include marketplaces that are not storefronts.
        items.append(
            {
                "marketplace": {
                    "id": non_amazon,
                    "name": "Non-Amazon",
                    "countryCode": home.get("countryCode", "US"),
                    "defaultCurrencyCode": home.get("defaultCurrencyCode", "USD"),
                    "defaultLanguageCode": home.get("defaultLanguageCode", "en_US"),
                    "domainName": "sim1.stores.amazon.com",
                },
                "participation": {"isParticipating": True, "hasSuspendedListings": False},
                "storeName": "ACORN Test Store",
            }
        )
    return Reply(200, items)


HANDLERS: dict[str, Handler] = {"getMarketplaceParticipations": get_marketplace_participations}
