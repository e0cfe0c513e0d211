"""FBA Inventory v1 getInventorySummaries: FBA stock of one marketplace, paged by nextToken.

A v1 API: data in ``payload``, with ``pagination`` beside it at the top level (docs/fidelity.md
2.1). Only FBA SKUs have summaries; merchant-fulfilled stock lives in Listings.
"""

from __future__ import annotations

from typing import Any

from harness.sim.commerce import InventoryRecord
from harness.sim.handlers.base import Ctx, Handler
from harness.sim.http import Reply
from harness.sim.state import iso

__all__ = ["HANDLERS"]

PAGE_SIZE = 50


def _summary(record: InventoryRecord, details: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "asin": record.asin,
        "fnSku": record.fn_sku,
        "sellerSku": record.sku,
        "condition": "NewItem",
        "lastUpdatedTime": iso(record.updated),
        "productName": record.product_name,
        "totalQuantity": record.total,
    }
    if details:
        data["inventoryDetails"] = {
            "fulfillableQuantity": record.fulfillable,
            "inboundWorkingQuantity": 0,
            "inboundShippedQuantity": record.inbound,
            "inboundReceivingQuantity": 0,
            "reservedQuantity": {
                "totalReservedQuantity": record.reserved,
                "pendingCustomerOrderQuantity": record.reserved,
                "pendingTransshipmentQuantity": 0,
                "fcProcessingQuantity": 0,
            },
            "researchingQuantity": {
                "totalResearchingQuantity": 0,
                "researchingQuantityBreakdown": [],
            },
            "unfulfillableQuantity": {
                "totalUnfulfillableQuantity": record.unfulfillable,
                "customerDamagedQuantity": record.unfulfillable,
                "warehouseDamagedQuantity": 0,
                "distributorDamagedQuantity": 0,
                "carrierDamagedQuantity": 0,
                "defectiveQuantity": 0,
                "expiredQuantity": 0,
            },
        }
    return data


def get_inventory_summaries(ctx: Ctx) -> Reply:
    req = ctx.request
    marketplace_ids = req.csv("marketplaceIds")
    granularity_id = req.first("granularityId") or ""
    if granularity_id not in marketplace_ids:
        # Not documented as refused: serve marketplaceIds (the data's real key) and say so.
        ctx.note("INV-GRANULARITY-ID")
    refused = ctx.check_marketplaces(marketplace_ids)
    if refused:
        return refused
    wanted = set(req.csv("sellerSkus")) | ({req.first("sellerSku")} - {None})
    records = [
        r
        for (mp, sku), r in sorted(ctx.world.state.commerce.inventory.items())
        if mp == marketplace_ids[0] and (not wanted or sku in wanted)
    ]
    offset = 0
    token = req.first("nextToken")
    if token:
        if not token.startswith("inv-") or not token[4:].isdigit():
            return ctx.foreign_token("Invalid nextToken.")
        offset = int(token[4:])
    details = (req.first("details") or "false").lower() == "true"
    page = records[offset : offset + PAGE_SIZE]
    payload = {
        "granularity": {"granularityType": "Marketplace", "granularityId": granularity_id},
        "inventorySummaries": [_summary(r, details) for r in page],
    }
    reply = Reply(200, payload, facts={"summaries": len(page)})
    if offset + PAGE_SIZE < len(records):
        reply.beside_payload["pagination"] = {"nextToken": f"inv-{offset + PAGE_SIZE}"}
    return reply


HANDLERS: dict[str, Handler] = {"getInventorySummaries": get_inventory_summaries}
