"""What a simulated report holds, and its document behind a presigned URL.

Three shapes, chosen by report type: a restricted order report (buyer name and address: the
reason its document needs a Restricted Data Token, docs/fidelity.md §6), a plain order report (no
buyer data) and, for every other type, a listings/inventory report (SKU, marketplace, price,
quantity). Order reports hold the orders whose purchase date lies in the requested period, so a
period without orders yields no data, which Amazon answers with an automatic CANCELLED (the
2021-06-30 model's processingStatus description).

Documents over 512 bytes are GZIP-compressed (``compressionAlgorithm: GZIP``), smaller ones are
served plain, so an integration meets both forms (the model: "If the report document contents
have been compressed ... you must decompress the report when you download").
"""

from __future__ import annotations

import gzip
import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from harness.sim.commerce import RESTRICTED_REPORT_TYPES, ReportDocumentRecord, ReportRecord
from harness.sim.handlers.documents import new_document

if TYPE_CHECKING:
    from harness.sim.state import OrderRecord
    from harness.sim.world import World

__all__ = ["GZIP_THRESHOLD", "data_lines", "parse_time", "publish_document"]

GZIP_THRESHOLD = 512
CONTENT_TYPE = "text/tab-separated-values; charset=UTF-8"


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 date or date-time (``Z`` or an offset; naive means UTC), else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _in_period(order: OrderRecord, report: ReportRecord) -> bool:
    start, end = parse_time(report.data_start), parse_time(report.data_end)
    if start is not None and order.purchase_date < start:
        return False
    return not (end is not None and order.purchase_date > end)


def data_lines(world: World, report: ReportRecord) -> list[str]:
    """The report's lines, header first (what the document will hold)."""
    state = world.state
    if report.report_type in RESTRICTED_REPORT_TYPES:
        lines = ["amazon-order-id\tbuyer-name\tship-address-1\tship-city"]
        for order in state.orders_in(report.marketplace_ids):
            if _in_period(order, report):
                buyer = order.buyer
                lines.append(
                    f"{order.amazon_order_id}\t{buyer.name}\t{buyer.address_line1}\t{buyer.city}"
                )
        return lines
    if "ORDER" in report.report_type:
        lines = ["amazon-order-id\tpurchase-date\torder-status\tsku\tquantity"]
        for order in state.orders_in(report.marketplace_ids):
            if not _in_period(order, report):
                continue
            for item in order.items:
                lines.append(
                    f"{order.amazon_order_id}\t{order.purchase_date.isoformat()}\t"
                    f"{order.status}\t{item.seller_sku}\t{item.quantity}"
                )
        return lines
    lines = ["seller-sku\tmarketplace-id\tprice\tquantity"]
    for marketplace_id in report.marketplace_ids:
        for (mp, sku), price in sorted(state.commerce.prices.items()):
            if mp != marketplace_id:
                continue
            stock = state.commerce.inventory.get((mp, sku))
            lines.append(f"{sku}\t{mp}\t{price}\t{stock.fulfillable if stock else 0}")
    return lines


def first_column_digest(values: list[str]) -> str:
    """A digest of the first-column values (order ids or SKUs), sorted: what a parsed
    result's rows can be compared with without the journal holding the document."""
    return hashlib.sha256("\n".join(sorted(values)).encode()).hexdigest()[:16]


def publish_document(world: World, report: ReportRecord) -> ReportDocumentRecord:
    """Write the DONE report's document (GZIP when large) and remember what it holds."""
    lines = data_lines(world, report)
    content = ("\n".join(lines) + "\n").encode("utf-8")
    gzipped = len(content) > GZIP_THRESHOLD
    doc = new_document(
        world,
        kind="report",
        content_type=CONTENT_TYPE,
        content=gzip.compress(content, mtime=0) if gzipped else content,
    )
    record = ReportDocumentRecord(
        key=doc.key,
        report_id=report.report_id,
        report_type=report.report_type,
        gzipped=gzipped,
        rows=len(lines) - 1,
        first_column=first_column_digest([line.split("\t", 1)[0] for line in lines[1:]]),
    )
    with world.locked():
        report.document_id = doc.document_id
        world.state.commerce.report_documents[doc.document_id] = record
    return record
