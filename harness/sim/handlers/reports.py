"""Reports 2021-06-30: request a report, poll its status, download its document.

Facts sheet section 11: createReport answers 202 ``{reportId}`` (bare: a dated API); the report
moves IN_QUEUE -> IN_PROGRESS -> DONE on the virtual clock; getReportDocument gives a presigned
URL valid five minutes, ``compressionAlgorithm`` only when the document is GZIP. Documents of
restricted report types hold buyer PII, so they need a Restricted Data Token (section 6).
"""

from __future__ import annotations

import gzip
from typing import Any

from harness.sim.commerce import RESTRICTED_REPORT_TYPES, ReportRecord
from harness.sim.handlers.base import Ctx, Handler
from harness.sim.handlers.documents import URL_TTL, new_document, presigned_url
from harness.sim.http import Reply
from harness.sim.state import iso

__all__ = ["HANDLERS"]

_GZIP_THRESHOLD = 512  # larger documents are compressed, so integrations must handle both
_INVALID = "Invalid input"
# Report types outside the GET_/SC_ families (Amazon Business; listed in public SDK enums).
_UNPREFIXED_TYPES = frozenset({"FEE_DISCOUNTS_REPORT", "RFQD_BULK_DOWNLOAD"})


def _bad(ctx: Ctx, details: str, rule: str) -> Reply:
    return ctx.error(400, "400", _INVALID, details, rule=rule)


def create_report(ctx: Ctx) -> Reply:
    body = ctx.request.json()
    marketplace_ids = [str(m) for m in body["marketplaceIds"]]
    refused = ctx.check_marketplaces(marketplace_ids)
    if refused:
        return refused
    report_type = str(body["reportType"])
    if not report_type.startswith(("GET_", "SC_")) and report_type not in _UNPREFIXED_TYPES:
        # Amazon refuses unknown types (its sandbox case), but ACORN has no list of them.
        ctx.note("RPT-REPORT-TYPE-UNKNOWN")
    commerce = ctx.core.state.commerce
    with ctx.core.state.lock:
        report_id = str(50000 + len(commerce.reports) + 1) + "019000"
        commerce.reports[report_id] = ReportRecord(
            report_id=report_id,
            report_type=report_type,
            marketplace_ids=marketplace_ids,
            created=ctx.core.clock.now(),
            created_at=ctx.core.clock.now_datetime(),
            data_start=body.get("dataStartTime"),
            data_end=body.get("dataEndTime"),
        )
    return Reply(202, {"reportId": report_id}, facts={"report_type": report_type})


def _content(ctx: Ctx, report: ReportRecord) -> bytes:
    state = ctx.core.state
    if report.report_type in RESTRICTED_REPORT_TYPES:
        lines = ["amazon-order-id\tbuyer-name\tship-address-1\tship-city"]
        for order in state.orders_in(report.marketplace_ids):
            buyer = order.buyer
            lines.append(
                f"{order.amazon_order_id}\t{buyer.name}\t{buyer.address_line1}\t{buyer.city}"
            )
    else:
        lines = ["seller-sku\tmarketplace-id\tprice\tquantity"]
        for marketplace_id in report.marketplace_ids:
            for (mp, sku), price in sorted(state.commerce.prices.items()):
                if mp != marketplace_id:
                    continue
                stock = state.commerce.inventory.get((mp, sku))
                lines.append(f"{sku}\t{mp}\t{price}\t{stock.fulfillable if stock else 0}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _report_json(ctx: Ctx, report: ReportRecord) -> dict[str, Any]:
    now = ctx.core.clock.now()
    status = report.status(now)
    data: dict[str, Any] = {
        "reportId": report.report_id,
        "reportType": report.report_type,
        "marketplaceIds": report.marketplace_ids,
        "createdTime": iso(report.created_at),
        "processingStatus": status,
    }
    if report.data_start:
        data["dataStartTime"] = report.data_start
    if report.data_end:
        data["dataEndTime"] = report.data_end
    if status != "IN_QUEUE":
        data["processingStartTime"] = iso(report.created_at)
    if status == "DONE":
        if report.document_id is None:
            content = _content(ctx, report)
            gzipped = len(content) > _GZIP_THRESHOLD
            doc = new_document(
                ctx.core,
                kind="report",
                content_type="text/tab-separated-values; charset=UTF-8",
                content=gzip.compress(content, mtime=0) if gzipped else content,
            )
            with ctx.core.state.lock:
                report.document_id = doc.document_id
                ctx.core.state.commerce.report_documents[doc.document_id] = (
                    doc.key,
                    report.report_type,
                    gzipped,
                )
        data["processingEndTime"] = iso(report.created_at)
        data["reportDocumentId"] = report.document_id
    return data


def get_report(ctx: Ctx) -> Reply:
    report = ctx.core.state.commerce.reports.get(ctx.params["reportId"])
    if report is None:
        return _bad(ctx, "Invalid input", "RPT-UNKNOWN-REPORT")
    data = _report_json(ctx, report)
    return Reply(200, data, facts={"processing_status": data["processingStatus"]})


def get_report_document(ctx: Ctx) -> Reply:
    state = ctx.core.state
    entry = state.commerce.report_documents.get(ctx.params["reportDocumentId"])
    if entry is None:
        return _bad(ctx, "Invalid input", "RPT-UNKNOWN-DOCUMENT")
    key, report_type, gzipped = entry
    restricted = report_type in RESTRICTED_REPORT_TYPES
    if restricted and not ctx.unlocked():
        # A restricted report's document is refused to a plain LWA token.
        return ctx.error(
            403,
            "Unauthorized",
            "Access to requested resource is denied.",
            "",
            rule="RPT-RESTRICTED-NO-RDT",
        )
    doc = state.documents[key]
    host = ctx.request.headers.get("host", "127.0.0.1")
    data: dict[str, Any] = {
        "reportDocumentId": doc.document_id,
        "url": presigned_url(ctx.core, host, doc, "GET", URL_TTL, scheme=ctx.request.scheme),
    }
    if gzipped:
        data["compressionAlgorithm"] = "GZIP"
    return Reply(200, data, facts={"restricted_report": restricted, "gzip": gzipped})


HANDLERS: dict[str, Handler] = {
    "createReport": create_report,
    "getReport": get_report,
    "getReportDocument": get_report_document,
}
