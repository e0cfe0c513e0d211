"""The seeded seller's FBA stock, offer prices, reports and notification set-up.

Kept apart from :mod:`harness.sim.state` (orders, listings, feeds) so each API's world can
change on its own; :class:`SellerState` holds one :class:`Commerce` per simulated world.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "FBA_SKUS",
    "RESTRICTED_REPORT_TYPES",
    "Commerce",
    "InventoryRecord",
    "ReportRecord",
    "seed_commerce",
]

# SKUs the seeded seller ships through FBA; the others are merchant-fulfilled (no FBA stock).
FBA_SKUS = ("ACORN-MUG-01", "ACORN-TOY-03")

# Report types whose documents hold buyer PII: getReportDocument needs an RDT (facts sheet 6).
RESTRICTED_REPORT_TYPES = frozenset(
    {
        "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_INVOICING",
        "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_TAX",
        "GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING",
        "GET_FLAT_FILE_ORDER_REPORT_DATA_SHIPPING",
        "GET_FLAT_FILE_ORDER_REPORT_DATA_INVOICING",
        "GET_FLAT_FILE_ORDER_REPORT_DATA_TAX",
        "GET_FLAT_FILE_ORDERS_RECONCILIATION_DATA_TAX",
        "GET_FLAT_FILE_ORDERS_RECONCILIATION_DATA_INVOICING",
        "GET_FLAT_FILE_ORDERS_RECONCILIATION_DATA_SHIPPING",
        "GET_ORDER_REPORT_DATA_INVOICING",
        "GET_ORDER_REPORT_DATA_TAX",
        "GET_ORDER_REPORT_DATA_SHIPPING",
        "GET_EASYSHIP_DOCUMENTS",
        "GET_GST_MTR_B2B_CUSTOM",
        "GET_VAT_TRANSACTION_DATA",
        "SC_VAT_TAX_REPORT",
    }
)


@dataclass
class InventoryRecord:
    """FBA stock of one SKU in one marketplace."""

    sku: str
    asin: str
    fn_sku: str
    product_name: str
    fulfillable: int
    inbound: int
    reserved: int
    unfulfillable: int
    updated: datetime

    @property
    def total(self) -> int:
        return self.fulfillable + self.inbound + self.reserved + self.unfulfillable


@dataclass
class ReportRecord:
    """A requested report; its processing status follows the virtual clock."""

    report_id: str
    report_type: str
    marketplace_ids: list[str]
    created: float  # virtual seconds
    created_at: datetime
    data_start: str | None = None
    data_end: str | None = None
    document_id: str | None = None

    queued_for: float = 30.0
    """Virtual seconds in IN_QUEUE, then as long again IN_PROGRESS, then DONE."""

    def status(self, now: float) -> str:
        age = now - self.created
        if age < self.queued_for:
            return "IN_QUEUE"
        if age < 2 * self.queued_for:
            return "IN_PROGRESS"
        return "DONE"


@dataclass
class Commerce:
    inventory: dict[tuple[str, str], InventoryRecord] = field(default_factory=dict)
    """(marketplace id, SKU) -> FBA stock."""
    prices: dict[tuple[str, str], str] = field(default_factory=dict)
    """(marketplace id, SKU) -> the seller's listing price (decimal string)."""
    reports: dict[str, ReportRecord] = field(default_factory=dict)
    report_documents: dict[str, tuple[str, str, bool]] = field(default_factory=dict)
    """Report document id -> (document key, report type, gzipped)."""
    destinations: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Destination id -> the Destination object (application-wide, grantless)."""
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Notification type -> the Subscription object."""
    catalogue: dict[str, tuple[str, str]] = field(default_factory=dict)
    """SKU -> (ASIN, title) of the seeded products."""

    def asin(self, sku: str) -> str:
        return self.catalogue.get(sku, ("", ""))[0]

    def sku_for(self, asin: str) -> str | None:
        return next((sku for sku, (a, _t) in self.catalogue.items() if a == asin), None)


def _digits(text: str, n: int) -> int:
    value: int = int(hashlib.sha256(text.encode()).hexdigest(), 16) % (10**n)
    return value


def seed_commerce(
    marketplaces: tuple[str, ...], skus: list[tuple[str, str, str]], now: datetime
) -> Commerce:
    """Stock and prices derived from the names alone, so every world starts the same."""
    commerce = Commerce(catalogue={sku: (asin, title) for sku, asin, title in skus})
    for marketplace_id in marketplaces:
        for sku, asin, title in skus:
            price = 8 + _digits(marketplace_id + sku, 2) % 70
            commerce.prices[(marketplace_id, sku)] = f"{price}.99"
            if sku not in FBA_SKUS:
                continue
            commerce.inventory[(marketplace_id, sku)] = InventoryRecord(
                sku=sku,
                asin=asin,
                fn_sku=f"X00{_digits(sku, 7):07d}",
                product_name=title,
                fulfillable=5 + _digits(marketplace_id + sku + "f", 2) % 40,
                inbound=_digits(marketplace_id + sku + "i", 1),
                reserved=_digits(marketplace_id + sku + "r", 1) % 3,
                unfulfillable=_digits(marketplace_id + sku + "u", 1) % 2,
                updated=now,
            )
    return commerce
