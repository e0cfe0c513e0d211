"""Listing actions beyond one PUT: per-marketplace publishing, issue polling, stock, prices."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from .client import SpApiClient
from .errors import CallFailed
from .feeds import FeedRunner
from .listings import ListingsWriter, listing_path
from .marketplace_listing import SchemaCache, SchemaUnavailable, build_attributes, missing_required
from .orders import dicts_in, next_token, payload_of
from .regions import UnknownMarketplace, region_for
from .results import (
    ArgumentError,
    ErrorEntry,
    entry,
    from_call,
    require_object,
    require_str,
    require_str_list,
)

Runner = Callable[[str, dict[str, Any], Callable[[list[ErrorEntry]], None]], dict[str, Any]]


class ListingActions:
    """Mixed into ``Connector``: needs ``_client``, ``_http``, ``_settings`` and ``_run``."""

    _client: SpApiClient
    _http: httpx.Client
    _run: Runner
    _schemas: SchemaCache | None = None

    def _seller(self) -> str:
        return str(self._settings.seller_id)  # type: ignore[attr-defined]

    def _schema_cache(self) -> SchemaCache:
        if self._schemas is None:
            self._schemas = SchemaCache(self._client, self._http, self._seller())
        return self._schemas

    def publish_product(self, args: dict[str, Any]) -> dict[str, Any]:
        """Publish one product to every marketplace, each with that marketplace's attributes."""
        submissions: list[dict[str, Any]] = []

        def body(errors: list[ErrorEntry]) -> None:
            sku = require_str(args, "sku")
            product_type = require_str(args, "product_type")
            product = require_object(args, "product")
            writer = ListingsWriter(self._client, self._seller(), errors)
            for marketplace_id in require_str_list(args, "marketplace_ids"):
                try:
                    region = region_for(marketplace_id)
                    schema = self._schema_cache().get(product_type, marketplace_id, region)
                    attrs = build_attributes(schema, product, marketplace_id)
                except (SchemaUnavailable, UnknownMarketplace) as exc:
                    errors.append(entry("getDefinitionsProductType", str(exc)))
                    continue
                except CallFailed as exc:
                    errors.append(from_call(exc))
                    continue
                missing = missing_required(schema, attrs)
                if missing:
                    # Offline validation: the seller's data cannot satisfy this marketplace.
                    errors.append(
                        entry(
                            "putListingsItem",
                            f"{sku} in {marketplace_id}: product data lacks required "
                            f"attribute(s) {', '.join(missing)}; not submitted",
                        )
                    )
                request = {
                    "productType": product_type,
                    "requirements": "LISTING",
                    "attributes": attrs,
                }
                preview = writer.submit(
                    "putListingsItem", "PUT", sku, marketplace_id, request, preview=True
                )
                if preview is None or preview["status"] != "VALID":
                    if preview is not None:
                        submissions.append(preview)
                    continue
                submission = writer.submit("putListingsItem", "PUT", sku, marketplace_id, request)
                if submission is not None:
                    submissions.append(submission)

        return self._run("publish_listing", {"submissions": submissions}, body)

    def listing_status(self, args: dict[str, Any]) -> dict[str, Any]:
        """Issues Amazon found after ACCEPTED, per marketplace (getListingsItem issues)."""
        listings: list[dict[str, Any]] = []

        def body(errors: list[ErrorEntry]) -> None:
            sku = require_str(args, "sku")
            self._marketplaces = require_str_list(args, "marketplace_ids")  # for alerts
            for marketplace_id in require_str_list(args, "marketplace_ids"):
                try:
                    response = self._client.call(
                        "getListingsItem",
                        "GET",
                        region_for(marketplace_id),
                        listing_path(self._seller(), sku),
                        params={
                            "marketplaceIds": marketplace_id,
                            "includedData": "summaries,issues",
                        },
                    )
                except CallFailed as exc:
                    errors.append(from_call(exc))
                    continue
                item = response.body if isinstance(response.body, dict) else {}
                issues = [i for i in item.get("issues") or [] if isinstance(i, dict)]
                summary: dict[str, Any] = next(iter(item.get("summaries") or []), {})
                listings.append(
                    {
                        "marketplace_id": marketplace_id,
                        "status": summary.get("status", []),
                        "issues": issues,
                    }
                )
                for issue in issues:
                    if issue.get("severity") == "ERROR":
                        errors.append(
                            entry(
                                "getListingsItem",
                                f"{sku} in {marketplace_id}: {issue.get('code')} "
                                f"{issue.get('message', '')}",
                                response.status,
                            )
                        )

        return self._run("listing_status", {"listings": listings}, body)

    def sync_inventory(self, args: dict[str, Any]) -> dict[str, Any]:
        """Stock shared by several marketplaces: sold units anywhere lower it everywhere."""
        updated: list[dict[str, Any]] = []

        def body(errors: list[ErrorEntry]) -> None:
            created_after = require_str(args, "created_after")
            for stock in args.get("stock") or []:
                sku, pool = str(stock["sku"]), [str(m) for m in stock["marketplace_ids"]]
                sold = self._units_sold(sku, pool, created_after)
                quantity = max(int(stock["on_hand"]) - sold, 0)
                request = {
                    "productType": str(stock["product_type"]),
                    "patches": [
                        {
                            "op": "replace",
                            "path": "/attributes/fulfillment_availability",
                            "value": [
                                {"fulfillment_channel_code": "DEFAULT", "quantity": quantity}
                            ],
                        }
                    ],
                }
                writer = ListingsWriter(self._client, self._seller(), errors)
                for marketplace_id in pool:
                    done = writer.submit("patchListingsItem", "PATCH", sku, marketplace_id, request)
                    if writer.succeeded(done):
                        updated.append(
                            {"sku": sku, "marketplace_id": marketplace_id, "quantity": quantity}
                        )

        return self._run("sync_inventory", {"updated": updated}, body)

    def _units_sold(self, sku: str, pool: list[str], created_after: str) -> int:
        by_region: dict[str, list[str]] = {}
        for marketplace_id in pool:
            by_region.setdefault(region_for(marketplace_id), []).append(marketplace_id)
        sold = 0
        for region, ids in by_region.items():
            params: dict[str, str] = {
                "MarketplaceIds": ",".join(ids),
                "CreatedAfter": created_after,
            }
            while True:
                page = (
                    self._client.call(
                        "getOrders", "GET", region, "/orders/v0/orders", params=params
                    ).body
                    or {}
                )
                payload = page.get("payload") or {}
                for order in payload.get("Orders") or []:
                    if order.get("OrderStatus") == "Canceled":
                        continue
                    path = f"/orders/v0/orders/{quote(str(order['AmazonOrderId']), safe='')}"
                    sold += self._quantity_of(sku, region, path + "/orderItems")
                token = payload.get("NextToken")
                if not token:
                    break
                params = {"MarketplaceIds": ",".join(ids), "NextToken": str(token)}
        return sold

    def _quantity_of(self, sku: str, region: str, items_path: str) -> int:
        """Units of ``sku`` in one order, over every page of its items (big orders page too)."""
        quantity = 0
        params: dict[str, str] | None = None
        while True:
            body = self._client.call("getOrderItems", "GET", region, items_path, params=params).body
            payload = payload_of(body)
            for item in dicts_in(payload.get("OrderItems")):
                if item.get("SellerSKU") == sku:
                    quantity += int(item.get("QuantityOrdered") or 0)
            token = next_token(payload)
            if token is None:
                return quantity
            params = {"NextToken": token}

    def reprice(self, args: dict[str, Any]) -> dict[str, Any]:
        """Many prices across marketplaces, paced to the patch usage plan by the client."""
        updated: list[dict[str, Any]] = []

        def body(errors: list[ErrorEntry]) -> None:
            writer = ListingsWriter(self._client, self._seller(), errors)
            for price in args.get("prices") or []:
                sku, marketplace_id = str(price["sku"]), str(price["marketplace_id"])
                offer = {
                    "marketplace_id": marketplace_id,
                    "currency": price["currency"],
                    "our_price": [{"schedule": [{"value_with_tax": price["amount"]}]}],
                }
                request = {
                    "productType": str(price["product_type"]),
                    "patches": [
                        {"op": "replace", "path": "/attributes/purchasable_offer", "value": [offer]}
                    ],
                }
                done = writer.submit("patchListingsItem", "PATCH", sku, marketplace_id, request)
                if writer.succeeded(done):
                    updated.append({"sku": sku, "marketplace_id": marketplace_id})

        return self._run("reprice", {"updated": updated}, body)

    def submit_feed(self, args: dict[str, Any]) -> dict[str, Any]:
        """A JSON_LISTINGS_FEED through its whole lifecycle, giving up on a stuck feed, then one
        follow-up feed with the rejected messages ``products`` (sku -> product data) corrects."""
        result: dict[str, Any] = {"feeds": []}

        def body(errors: list[ErrorEntry]) -> None:
            # The marketplaces an alert about this feed names (see alerts.py).
            self._marketplaces = require_str_list(args, "marketplace_ids")
            runner = FeedRunner(self._client, self._http, self._seller(), errors)
            patience = float(args.get("give_up_after_s", 60))
            products = args.get("products") or {}
            if not isinstance(products, dict):
                raise ArgumentError("'products' must be a JSON object (sku -> product data)")

            def schemas(product_type: str, marketplace_id: str) -> dict[str, Any]:
                try:
                    region = region_for(marketplace_id)
                except UnknownMarketplace as exc:
                    raise SchemaUnavailable(str(exc)) from None
                return self._schema_cache().get(product_type, marketplace_id, region)

            result.update(
                runner.submit(
                    require_str_list(args, "marketplace_ids"),
                    list(args.get("messages") or []),
                    patience,
                    products,
                    schemas,
                )
            )

        return self._run("submit_feed", result, body)
