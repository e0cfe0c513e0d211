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
    "ReportDocumentRecord",
    "ReportRecord",
    "ReportScheduleRecord",
    "seed_commerce",
]

# SKUs the seeded seller ships through FBA; the others are merchant-fulfilled (no FBA stock).
FBA_SKUS = ("ACORN-MUG-01", "ACORN-TOY-03")

# Report types whose documents hold buyer PII: getReportDocument needs an RDT (docs/fidelity.md §6).
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
    """A requested report; its processing status follows the virtual clock.

    IN_QUEUE until ``starts``, IN_PROGRESS until ``ends``, then ``outcome`` (DONE, CANCELLED
    or FATAL: the 2021-06-30 model has no DONE_NO_DATA; a report without data is cancelled
    automatically). A report cancelled in the queue (``starts`` None) never starts.
    """

    report_id: str
    report_type: str
    marketplace_ids: list[str]
    created: float  # virtual seconds
    created_at: datetime
    data_start: str | None = None
    data_end: str | None = None
    document_id: str | None = None
    starts: float | None = None  # virtual time it goes IN_PROGRESS; None: never starts
    ends: float | None = None  # virtual time it ends
    outcome: str = "DONE"  # DONE | CANCELLED | FATAL
    no_data: bool = False  # CANCELLED because there was no data (for the journal's facts)
    schedule_id: str | None = None  # the report schedule that created it, if any

    def status(self, now: float) -> str:
        if self.starts is not None and now < self.starts:
            return "IN_QUEUE"
        if self.starts is None:
            return "IN_QUEUE" if self.ends is None or now < self.ends else self.outcome
        if self.ends is None or now < self.ends:
            return "IN_PROGRESS"
        return self.outcome

    def key(self) -> tuple[str, tuple[str, ...], str, str]:
        """What makes two requests "the same report": type, marketplaces and period."""
        return (
            self.report_type,
            tuple(sorted(self.marketplace_ids)),
            self.data_start or "",
            self.data_end or "",
        )


@dataclass
class ReportScheduleRecord:
    """A report schedule: it creates a report at ``next_at`` (virtual seconds), then every
    ``period_s``, until cancelled (``cancelled``) or replaced by one for the same type and
    marketplaces."""

    schedule_id: str
    report_type: str
    marketplace_ids: list[str]
    period: str  # Amazon's ISO 8601 period, as sent (PT5M ... P1M)
    period_s: float
    next_at: float
    report_options: dict[str, str] | None = None
    cancelled: bool = False
    created_reports: int = 0


@dataclass(frozen=True)
class ReportDocumentRecord:
    """A report's document: its storage key, and what checks may learn of its content."""

    key: str
    report_id: str
    report_type: str
    gzipped: bool
    rows: int  # data rows, header excluded
    first_column: str  # sha256 of the sorted first-column values (order ids or SKUs, no PII)


@dataclass
class Commerce:
    inventory: dict[tuple[str, str], InventoryRecord] = field(default_factory=dict)
    """(marketplace id, SKU) -> FBA stock."""
    prices: dict[tuple[str, str], str] = field(default_factory=dict)
    """(marketplace id, SKU) -> the seller's listing price (decimal string)."""
    reports: dict[str, ReportRecord] = field(default_factory=dict)
    report_documents: dict[str, ReportDocumentRecord] = field(default_factory=dict)
    report_schedules: dict[str, ReportScheduleRecord] = field(default_factory=dict)
    """Report schedule id -> schedule (cancelled ones stay, marked, so ids are never reused)."""
    """Report document id -> where it is stored and what it holds."""
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
