"""Feeds 2021-06-30 with JSON_LISTINGS_FEED, on the virtual clock (docs/fidelity.md §10).

createFeedDocument (201) -> PUT the document to its presigned URL (Content-Type must match)
-> createFeed (202) -> IN_QUEUE -> IN_PROGRESS -> DONE | FATAL, read through getFeed. A DONE
feed has a processing report (getFeedDocument -> presigned download) with per-message issues;
valid messages are applied to the listings like putListingsItem / patchListingsItem would.
Presets (``SimConfig.feed_preset``): ``stuck`` keeps feeds IN_PROGRESS for ever (the 48-hour
stalls of pain points 2.5); ``fatal`` ends them FATAL with a report saying so.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from harness.sim.handlers.base import Ctx, Handler
from harness.sim.handlers.documents import URL_TTL, new_document, presigned_url
from harness.sim.handlers.listings import (
    apply_offer_fields,
    has_errors,
    patched,
    schedule_processing,
    schema_issues,
)
from harness.sim.http import Reply
from harness.sim.state import Document, FeedRecord, Listing, ListingOffer, iso

__all__ = ["HANDLERS", "process_feed"]

LEGACY_FEED_TYPES = (
    "POST_PRODUCT_DATA",
    "POST_INVENTORY_AVAILABILITY_DATA",
    "POST_PRODUCT_PRICING_DATA",
)


def _document_url(ctx: Ctx, doc: Document, method: str) -> str:
    """A presigned URL for ``doc`` on the host and scheme the client called."""
    host = ctx.request.headers.get("host", "")
    return presigned_url(ctx.world, host, doc, method, URL_TTL, scheme=ctx.request.scheme)


def create_feed_document(ctx: Ctx) -> Reply:
    content_type = str(ctx.request.json()["contentType"])
    doc = new_document(ctx.world, kind="feed", content_type=content_type)
    url = _document_url(ctx, doc, "PUT")
    return Reply(
        201,
        {"feedDocumentId": doc.document_id, "url": url},
        facts={"document": doc.document_id, "content_type": content_type},
    )


def _doc_by_id(ctx: Ctx, document_id: str) -> Any:
    return next(
        (d for d in ctx.world.state.documents.values() if d.document_id == document_id), None
    )


def create_feed(ctx: Ctx) -> Reply:
    body = ctx.request.json()
    refused = ctx.check_marketplaces(list(body["marketplaceIds"]))
    if refused:
        return refused
    doc = _doc_by_id(ctx, body["inputFeedDocumentId"])
    if doc is None or doc.kind != "feed":
        return ctx.bad_request(
            f"Invalid inputFeedDocumentId {body['inputFeedDocumentId']!r}.",
            rule="FEED-UNKNOWN-DOCUMENT",
        )
    config = ctx.world.config
    now = ctx.world.clock.now()
    feed_id = str(50_000_000_000 + len(ctx.world.state.feeds) + 1)
    feed = FeedRecord(
        feed_id=feed_id,
        feed_type=str(body["feedType"]),
        marketplace_ids=list(body["marketplaceIds"]),
        input_document_id=doc.document_id,
        created=now,
        starts=now + config.feed_queue_seconds,
        ends=None
        if config.feed_preset == "stuck"
        else now + config.feed_queue_seconds + config.feed_processing_seconds,
        outcome="FATAL" if config.feed_preset == "fatal" else "DONE",
    )
    with ctx.world.locked():
        ctx.world.state.feeds[feed_id] = feed
    facts = {"feed_id": feed_id, "feed_type": feed.feed_type, "document": doc.document_id}
    return Reply(202, {"feedId": feed_id}, facts=facts)


def _report(
    ctx: Ctx, feed: FeedRecord, issues: list[dict[str, Any]], summary: dict[str, Any]
) -> None:
    report = {
        "header": {"sellerId": ctx.world.state.seller_id, "version": "2.0", "feedId": feed.feed_id},
        "issues": issues,
        "summary": summary,
    }
    doc = new_document(
        ctx.world,
        kind="report",
        content_type="application/json",
        content=json.dumps(report, ensure_ascii=False).encode(),
    )
    feed.result_document_id = doc.document_id


def _fatal(ctx: Ctx, feed: FeedRecord, message: str) -> None:
    feed.outcome = "FATAL"
    issue = {"code": "4000010", "severity": "ERROR", "message": message}
    summary = {"errors": 1, "warnings": 0, "messagesProcessed": 0, "messagesAccepted": 0,
               "messagesInvalid": 0}  # fmt: skip
    _report(ctx, feed, [issue], summary)


def _apply_message(ctx: Ctx, feed: FeedRecord, message: dict[str, Any]) -> list[dict[str, Any]]:
    """Issues for one message; applies it to every feed marketplace when it has none."""
    sku = str(message.get("sku", ""))
    op = str(message.get("operationType", ""))
    product_type = str(message.get("productType", "")).upper()
    found: list[dict[str, Any]] = []
    if op in ("UPDATE", "PARTIAL_UPDATE"):
        attributes = message.get("attributes") or {}
        for marketplace_id in feed.marketplace_ids:
            found += schema_issues(product_type, marketplace_id, attributes, full=op == "UPDATE")
    elif op == "PATCH":
        patches = message.get("patches") or []
        changed = {
            str(p.get("path", "")).rsplit("/", 1)[-1]: p.get("value", [])
            for p in patches
            if p.get("op") != "delete"
        }
        for marketplace_id in feed.marketplace_ids:
            found += schema_issues(product_type, marketplace_id, changed, full=False)
    elif op != "DELETE":
        found.append({"code": "4000001", "severity": "ERROR",
                      "message": f"Unknown operationType {op!r}."})  # fmt: skip
    unique = {json.dumps(i, sort_keys=True): i for i in found}
    found = list(unique.values())
    if has_errors(found):
        return found
    now = ctx.world.clock.now_datetime()
    with ctx.world.locked():
        listing = ctx.world.state.listings.setdefault(sku, Listing(sku))
        for marketplace_id in feed.marketplace_ids:
            if op == "DELETE":
                listing.offers.pop(marketplace_id, None)
                continue
            offer = listing.offers.get(marketplace_id) or ListingOffer(
                product_type, {}, created=now
            )
            if op == "UPDATE":
                offer.attributes = copy.deepcopy(message.get("attributes") or {})
            elif op == "PARTIAL_UPDATE":
                offer.attributes.update(copy.deepcopy(message.get("attributes") or {}))
            else:
                offer.attributes = patched(offer.attributes, message.get("patches") or [])
            offer.updated = now
            offer.submissions.append(f"feed-{feed.feed_id}")
            apply_offer_fields(offer, marketplace_id)
            if op == "UPDATE":
                schedule_processing(ctx.world, offer, marketplace_id)
            listing.offers[marketplace_id] = offer
    return found


def process_feed(ctx: Ctx, feed: FeedRecord) -> None:
    """Run a finished feed once: apply its valid messages, write its processing report."""
    if feed.applied or feed.status(ctx.world.clock.now()) not in ("DONE", "FATAL"):
        return
    feed.applied = True
    doc = _doc_by_id(ctx, feed.input_document_id)
    if feed.outcome == "FATAL":
        _fatal(ctx, feed, "The feed could not be processed because of an internal error. "
                          "Submit the feed again.")  # fmt: skip
        return
    if feed.feed_type in LEGACY_FEED_TYPES or feed.feed_type != "JSON_LISTINGS_FEED":
        _fatal(ctx, feed, f"Feed type {feed.feed_type} is not supported for listings since "
                          "2025-07-31; use JSON_LISTINGS_FEED.")  # fmt: skip
        return
    try:
        document = json.loads((doc.content or b"").decode("utf-8"))
        messages = document["messages"]
        assert isinstance(messages, list)
    except (ValueError, KeyError, TypeError, AssertionError, AttributeError):
        _fatal(ctx, feed, "The feed document is empty or is not a JSON_LISTINGS_FEED document.")
        return
    issues: list[dict[str, Any]] = []
    invalid = 0
    for message in messages:
        if not isinstance(message, dict):
            continue
        found = _apply_message(ctx, feed, message)
        invalid += has_errors(found)
        for issue in found:
            entry = {
                "messageId": int(message.get("messageId", 0)) or 1,
                "sku": str(message.get("sku", "")) or "-",
                "code": str(issue.get("code", "")),
                "severity": issue.get("severity", "ERROR"),
                "message": str(issue.get("message", "")),
            }
            names = issue.get("attributeNames") or []
            if names:
                entry["attributeName"] = str(names[0])
            issues.append(entry)
    summary = {
        "errors": sum(1 for i in issues if i["severity"] == "ERROR"),
        "warnings": sum(1 for i in issues if i["severity"] == "WARNING"),
        "messagesProcessed": len(messages),
        "messagesAccepted": len(messages) - invalid,
        "messagesInvalid": invalid,
    }
    _report(ctx, feed, issues, summary)


def _feed_json(ctx: Ctx, feed: FeedRecord) -> dict[str, Any]:
    process_feed(ctx, feed)
    now = ctx.world.clock.now()
    status = feed.status(now)
    out: dict[str, Any] = {
        "feedId": feed.feed_id,
        "feedType": feed.feed_type,
        "marketplaceIds": feed.marketplace_ids,
        "createdTime": iso(feed.created),
        "processingStatus": status,
    }
    if feed.starts is not None and now >= feed.starts and not feed.cancelled:
        out["processingStartTime"] = iso(feed.starts)
    if status in ("DONE", "FATAL") and feed.ends is not None:
        out["processingEndTime"] = iso(feed.ends)
        if feed.result_document_id:
            out["resultFeedDocumentId"] = feed.result_document_id
    return out


def _outcome_facts(ctx: Ctx, feed: FeedRecord) -> dict[str, Any]:
    """What the processing report said, per message, for checks to judge against.

    The report itself is journalled only as its size (it travels as bytes), so the getFeed
    exchange that first sees a finished feed carries the messages it rejected: a check can
    then tell which messages a follow-up feed should have corrected.
    """
    doc = _doc_by_id(ctx, feed.result_document_id or "")
    if doc is None or not doc.content:
        return {}
    try:
        report = json.loads(doc.content.decode("utf-8"))
    except ValueError:
        return {}
    rejected = {
        (int(i.get("messageId", 0)), str(i.get("sku", "")))
        for i in report.get("issues") or []
        if i.get("severity") == "ERROR" and "messageId" in i
    }
    summary = report.get("summary") or {}
    return {
        "messages": summary.get("messagesProcessed"),
        "rejected": [{"messageId": m, "sku": s} for m, s in sorted(rejected)],
    }


def get_feed(ctx: Ctx) -> Reply:
    feed = ctx.world.state.feeds.get(ctx.params["feedId"])
    if feed is None:
        return ctx.not_found(f"Feed {ctx.params['feedId']} was not found.")
    body = _feed_json(ctx, feed)
    facts: dict[str, Any] = {"feed_id": feed.feed_id, "status": body["processingStatus"]}
    if body["processingStatus"] == "DONE":
        facts.update(_outcome_facts(ctx, feed))
    return Reply(200, body, facts=facts)


def get_feeds(ctx: Ctx) -> Reply:
    token = ctx.request.first("nextToken")
    types = ctx.request.csv("feedTypes")
    if not types and not token:
        return ctx.bad_request(
            "feedTypes is required when nextToken is not given.", rule="FEED-TYPES-OR-TOKEN"
        )
    statuses = set(ctx.request.csv("processingStatuses"))
    marketplaces = set(ctx.request.csv("marketplaceIds"))
    page_size = int(ctx.request.first("pageSize") or 10)
    start = int(token) if token and token.isdigit() else 0
    feeds = [
        _feed_json(ctx, f)
        for f in sorted(ctx.world.state.feeds.values(), key=lambda f: -f.created)
        if (not types or f.feed_type in types)
        and (not marketplaces or marketplaces & set(f.marketplace_ids))
    ]
    feeds = [f for f in feeds if not statuses or f["processingStatus"] in statuses]
    body: dict[str, Any] = {"feeds": feeds[start : start + page_size]}
    if start + page_size < len(feeds):
        body["nextToken"] = str(start + page_size)
    return Reply(200, body)


def cancel_feed(ctx: Ctx) -> Reply:
    feed = ctx.world.state.feeds.get(ctx.params["feedId"])
    if feed is None:
        return ctx.not_found(f"Feed {ctx.params['feedId']} was not found.")
    status = feed.status(ctx.world.clock.now())
    if status != "IN_QUEUE":
        # Only IN_QUEUE feeds can be cancelled; a stuck IN_PROGRESS feed needs Seller Support.
        return ctx.bad_request(
            f"Feed {feed.feed_id} is {status} and cannot be cancelled.",
            rule="FEED-CANCEL-NOT-QUEUED",
        )
    feed.cancelled = True
    return Reply(200, None, facts={"feed_id": feed.feed_id})


def get_feed_document(ctx: Ctx) -> Reply:
    doc = _doc_by_id(ctx, ctx.params["feedDocumentId"])
    if doc is None or doc.kind not in ("feed", "report"):
        return ctx.not_found(f"Feed document {ctx.params['feedDocumentId']} was not found.")
    url = _document_url(ctx, doc, "GET")
    return Reply(200, {"feedDocumentId": doc.document_id, "url": url}, facts={"kind": doc.kind})


HANDLERS: dict[str, Handler] = {
    "createFeedDocument": create_feed_document,
    "createFeed": create_feed,
    "getFeed": get_feed,
    "getFeeds": get_feeds,
    "cancelFeed": cancel_feed,
    "getFeedDocument": get_feed_document,
}
