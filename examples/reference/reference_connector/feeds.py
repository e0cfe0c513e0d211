"""JSON_LISTINGS_FEED lifecycle: document, upload, feed, poll with a deadline, report, and one
follow-up feed with the rejected messages the seller's product data can correct."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote

import httpx

from .client import SpApiClient
from .errors import CallFailed
from .feed_fixes import Corrections, Schemas, correct
from .regions import region_for
from .results import ErrorEntry, entry, from_call

CONTENT_TYPE = "application/json; charset=UTF-8"  # the same in createFeedDocument and the PUT
TERMINAL = ("DONE", "FATAL", "CANCELLED")


class FeedRunner:
    def __init__(
        self, client: SpApiClient, http: httpx.Client, seller_id: str, errors: list[ErrorEntry]
    ) -> None:
        self._client = client
        self._http = http
        self._seller_id = seller_id
        self._errors = errors

    def run(
        self, marketplace_ids: list[str], messages: list[dict[str, Any]], patience: float
    ) -> dict[str, Any]:
        """Submit ``messages``; wait at most ``patience`` seconds for processing to end."""
        out: dict[str, Any] = {"feed_id": None, "status": None, "accepted": [], "rejected": []}
        region = region_for(marketplace_ids[0])
        document = {"header": {"sellerId": self._seller_id, "version": "2.0"}, "messages": messages}
        try:
            created = self._client.call(
                "createFeedDocument",
                "POST",
                region,
                "/feeds/2021-06-30/documents",
                json_body={"contentType": CONTENT_TYPE},
            ).body
            upload = self._http.put(
                created["url"],
                content=json.dumps(document).encode(),
                headers={"content-type": CONTENT_TYPE},
            )
            if upload.status_code != 200:
                self._errors.append(
                    entry("uploadFeedDocument", "upload refused", upload.status_code)
                )
                return out
            feed = self._client.call(
                "createFeed",
                "POST",
                region,
                "/feeds/2021-06-30/feeds",
                json_body={
                    "feedType": "JSON_LISTINGS_FEED",
                    "marketplaceIds": marketplace_ids,
                    "inputFeedDocumentId": created["feedDocumentId"],
                },
            ).body
            out["feed_id"] = feed_id = str(feed["feedId"])
            status = self._wait(region, feed_id, time.monotonic() + patience, out)
        except CallFailed as exc:
            self._errors.append(from_call(exc))
            return out
        except (httpx.HTTPError, KeyError, TypeError) as exc:
            self._errors.append(entry("submit_feed", f"feed step failed ({type(exc).__name__})"))
            return out
        if status is None:
            return out
        if status != "DONE":
            self._errors.append(entry("getFeed", f"feed {feed_id} ended {status}"))
        return out

    def _wait(self, region: str, feed_id: str, deadline: float, out: dict[str, Any]) -> str | None:
        delay = 0.1
        path = f"/feeds/2021-06-30/feeds/{quote(feed_id, safe='')}"
        while True:
            feed = self._client.call("getFeed", "GET", region, path).body or {}
            status = str(feed.get("processingStatus"))
            out["status"] = status
            if status in TERMINAL:
                if feed.get("resultFeedDocumentId"):
                    self._read_report(region, str(feed["resultFeedDocumentId"]), out)
                return status
            if time.monotonic() + delay > deadline:
                # Amazon's feeds can sit IN_PROGRESS for days: alert instead of waiting for ever.
                self._errors.append(
                    entry(
                        "getFeed",
                        f"ALERT: feed {feed_id} still {status} at the deadline; "
                        "giving up (ask Seller Support to cancel it)",
                    )
                )
                return None
            time.sleep(delay)
            delay = min(delay * 1.5, 2.0)  # within getFeed's 2/s plan

    def _read_report(self, region: str, document_id: str, out: dict[str, Any]) -> None:
        path = f"/feeds/2021-06-30/documents/{quote(document_id, safe='')}"
        doc = self._client.call("getFeedDocument", "GET", region, path).body or {}
        report = self._http.get(doc["url"]).json()
        rejected: dict[str, dict[str, Any]] = {}
        for issue in report.get("issues") or []:
            if issue.get("severity") != "ERROR":
                continue
            sku = str(issue.get("sku", "-"))
            found = rejected.setdefault(
                sku, {"sku": sku, "message_id": issue.get("messageId"), "issues": []}
            )
            found["issues"].append(
                {
                    "code": issue.get("code"),
                    "message": issue.get("message"),
                    "attribute": issue.get("attributeName"),
                }
            )
        out["rejected"] = list(rejected.values())
        out["summary"] = report.get("summary")

    def submit(
        self,
        marketplace_ids: list[str],
        messages: list[dict[str, Any]],
        patience: float,
        products: dict[str, Any],
        schemas: Schemas,
    ) -> dict[str, Any]:
        """Run the feed; correct what its report rejected, re-send only that, report the rest.

        One follow-up feed at most: JSON_LISTINGS_FEED allows 5 feeds per 5 minutes per region,
        the accepted messages are already applied, and an unchanged message would be rejected
        again.
        """
        first = self.run(marketplace_ids, messages, patience)
        result: dict[str, Any] = {"feeds": [first], "resubmitted": [], "still_rejected": []}
        rejected = list(first.get("rejected") or [])
        if first.get("status") != "DONE" or not rejected:
            return result
        try:
            fixes = correct(messages, rejected, products, marketplace_ids, schemas)
        except CallFailed as exc:  # the schema download failed: nothing can be corrected
            self._errors.append(from_call(exc))
            fixes = Corrections(uncorrected=[{**r, "reason": exc.message} for r in rejected])
        still = [_still(r, str(r["reason"])) for r in fixes.uncorrected]
        if fixes.messages:
            follow = self.run(marketplace_ids, fixes.messages, patience)
            result["feeds"].append(follow)
            again = {r.get("message_id"): r for r in follow.get("rejected") or []}
            for new_id, origin in fixes.origin.items():
                if follow.get("status") != "DONE":
                    still.append(_still(origin, f"follow-up feed ended {follow.get('status')}"))
                elif new_id in again:
                    issues = again[new_id].get("issues")
                    still.append(_still({**origin, "issues": issues}, "rejected again"))
                result["resubmitted"].append(
                    {"sku": origin.get("sku"), "message_id": origin.get("message_id")}
                )
        result["still_rejected"] = still
        for found in still:
            self._errors.append(
                entry("feedProcessingReport", f"{found['sku']} still rejected: {found['reason']}")
            )
        return result


def _still(found: dict[str, Any], reason: str) -> dict[str, Any]:
    codes = [str(i.get("code")) for i in found.get("issues") or []][:5]
    return {"sku": found.get("sku"), "message_id": found.get("message_id"), "codes": codes,
            "reason": reason}  # fmt: skip
