"""Small purpose-built SP-API clients (httpx) for proving the listing checks both ways."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from harness.checks import Observation
from harness.drive.base import ActionOutcome
from harness.sim.handlers.catalog import catalog

ROOT = Path(__file__).resolve().parents[2]
for extra in (ROOT / "scenarios", ROOT / "examples" / "reference"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from listing_products import CASE, TOY, publish_args  # noqa: E402
from reference_connector.marketplace_listing import build_attributes  # noqa: E402

US, GB, DE, FR, IT, JP = (
    "ATVPDKIKX0DER",
    "A1F83G8C2ARO7P",
    "A1PA6795UKMFR9",
    "A13V1IB3VIYZZH",
    "APJ6JRA9NG5V4",
    "A1VC38T7YXB528",
)
TARGETS = [US, GB, DE, FR, IT, JP]
REGION = {US: "NA", GB: "EU", DE: "EU", FR: "EU", IT: "EU", JP: "FE"}
NAMES = {US: "US", GB: "GB", DE: "DE", FR: "FR", IT: "IT", JP: "JP"}
CURRENCY = {US: "USD", GB: "GBP", DE: "EUR", FR: "EUR", IT: "EUR", JP: "JPY"}

__all__ = [
    "CASE",
    "CURRENCY",
    "DE",
    "FR",
    "GB",
    "IT",
    "JP",
    "NAMES",
    "TARGETS",
    "TOY",
    "US",
    "Seller",
    "good_attributes",
    "observe",
    "outcome",
    "us_attributes",
]


def good_attributes(product: dict[str, Any], mp: str) -> dict[str, Any]:
    """The marketplace's own attributes, built from its schema (what a ready client sends)."""
    found = catalog().get(product["product_type"], mp)
    assert found is not None
    return build_attributes(found.schema, product, mp)


def us_attributes(product: dict[str, Any]) -> dict[str, Any]:
    """The US listing (English, USD): what a naive client copies everywhere."""
    attrs: dict[str, Any] = publish_args("X", product, TARGETS)["attributes"]
    return attrs


def outcome(action: str, args: dict[str, Any], ok: bool, **result: Any) -> ActionOutcome:
    return ActionOutcome(
        action, args, "ok" if ok else "failed", {"ok": ok, "errors": [], **result}, None, 0.1
    )


def observe(world: Any, outcomes: list[ActionOutcome], **expected: Any) -> Observation:
    return Observation(
        "e2e",
        world.sim.journal.all(),
        outcomes,
        expected={"marketplace_names": NAMES, **expected},
    )


class Seller:
    """One seller's SP-API session against the simulator: token, listings, feeds."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.token = world.access_token()
        self.seller = world.creds.seller_id

    def path(self, sku: str) -> str:
        return f"/listings/2021-08-01/items/{quote(self.seller, safe='')}/{quote(sku, safe='')}"

    def put(
        self, sku: str, mp: str, attrs: dict[str, Any], product_type: str, preview: bool = False
    ) -> dict[str, Any]:
        params = {"marketplaceIds": mp, **({"mode": "VALIDATION_PREVIEW"} if preview else {})}
        body = {"productType": product_type, "requirements": "LISTING", "attributes": attrs}
        r = self.world.call(
            "PUT", self.path(sku), region=REGION[mp], token=self.token, params=params, json=body
        )
        assert r.status_code == 200, r.text
        reply: dict[str, Any] = r.json()
        return reply

    def patch(
        self, sku: str, mp: str, product_type: str, attribute: str, value: list[dict[str, Any]]
    ) -> int:
        body = {
            "productType": product_type,
            "patches": [{"op": "replace", "path": f"/attributes/{attribute}", "value": value}],
        }
        r = self.world.call(
            "PATCH",
            self.path(sku),
            region=REGION[mp],
            token=self.token,
            params={"marketplaceIds": mp},
            json=body,
        )
        return int(r.status_code)

    def issues(self, sku: str, mp: str) -> list[dict[str, Any]]:
        r = self.world.call(
            "GET",
            self.path(sku),
            region=REGION[mp],
            token=self.token,
            params={"marketplaceIds": mp, "includedData": "summaries,issues"},
        )
        assert r.status_code == 200, r.text
        found: list[dict[str, Any]] = r.json().get("issues", [])
        return found

    def feed(self, mp: str, messages: list[dict[str, Any]]) -> str:
        region = REGION[mp]
        doc = self.world.call(
            "POST",
            "/feeds/2021-06-30/documents",
            region=region,
            token=self.token,
            json={"contentType": "application/json"},
        ).json()
        document = {"header": {"sellerId": self.seller, "version": "2.0"}, "messages": messages}
        up = self.world.http.put(
            doc["url"], json=document, headers={"content-type": "application/json"}
        )
        assert up.status_code == 200, up.text
        created = self.world.call(
            "POST",
            "/feeds/2021-06-30/feeds",
            region=region,
            token=self.token,
            json={
                "feedType": "JSON_LISTINGS_FEED",
                "marketplaceIds": [mp],
                "inputFeedDocumentId": doc["feedDocumentId"],
            },
        )
        assert created.status_code == 202, created.text
        return str(created.json()["feedId"])

    def feed_status(self, mp: str, feed_id: str) -> dict[str, Any]:
        r = self.world.call(
            "GET", f"/feeds/2021-06-30/feeds/{feed_id}", region=REGION[mp], token=self.token
        )
        assert r.status_code == 200, r.text
        found: dict[str, Any] = r.json()
        return found

    def report(self, mp: str, document_id: str) -> dict[str, Any]:
        r = self.world.call(
            "GET", f"/feeds/2021-06-30/documents/{document_id}", region=REGION[mp], token=self.token
        )
        report: dict[str, Any] = self.world.http.get(r.json()["url"]).json()
        return report

    def wait_feed(self, mp: str, feed_id: str, patience: float) -> dict[str, Any]:
        deadline = time.monotonic() + patience
        while True:
            status = self.feed_status(mp, feed_id)
            if status["processingStatus"] in ("DONE", "FATAL", "CANCELLED"):
                return status
            if time.monotonic() > deadline:
                return status
            time.sleep(0.1)
