"""What a correct integration should have produced, derived from the simulator's world."""

from __future__ import annotations

from typing import Any

from harness.checks.orders import digest
from harness.sim import SimCore

__all__ = ["expected_orders"]


def expected_orders(core: SimCore, marketplace_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Order id -> marketplace, region and PII digests (never the PII itself)."""
    return {
        order.amazon_order_id: {
            "marketplace_id": order.marketplace_id,
            "region": core.contracts.marketplaces[order.marketplace_id].region,
            "name": digest(order.buyer.name),
            "address_line1": digest(order.buyer.address_line1),
        }
        for order in core.state.orders_in(marketplace_ids)
    }
