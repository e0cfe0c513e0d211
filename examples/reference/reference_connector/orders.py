"""sync_orders: Orders v0 with pagination, order items and RDT-protected shipping addresses."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

from .auth import TokenSource
from .client import SpApiClient
from .errors import CallFailed
from .rdt import OPERATION as RDT_OPERATION
from .regions import group_by_region
from .results import ErrorEntry, entry, from_call

ORDERS_PATH = "/orders/v0/orders"
MAX_MARKETPLACES_PER_CALL = 50


def payload_of(body: Any) -> dict[str, Any]:
    """Orders v0 wraps every answer in ``payload``; anything else reads as empty."""
    if isinstance(body, dict) and isinstance(body.get("payload"), dict):
        payload: dict[str, Any] = body["payload"]
        return payload
    return {}


def dicts_in(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def next_token(payload: dict[str, Any]) -> str | None:
    """The page token to send next (None: that was the last page)."""
    token = payload.get("NextToken")
    return token if isinstance(token, str) and token else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class OrdersSync:
    """One run of the ``sync_orders`` action."""

    def __init__(
        self,
        client: SpApiClient,
        address_tokens: Callable[[str], TokenSource],
        errors: list[ErrorEntry],
    ) -> None:
        self._client = client
        self._address_tokens = address_tokens
        self._errors = errors
        self._rdt_failed: set[str] = set()  # regions where no RDT could be obtained this run

    def run(
        self,
        marketplace_ids: list[str],
        created_after: str,
        out: list[dict[str, Any]],
        concurrency: int = 1,
    ) -> None:
        """Regions are listed, then orders detailed, with up to ``concurrency`` calls at once
        (the token caches are shared and single-flight, so parallel calls never race LWA)."""
        groups, unknown = group_by_region(marketplace_ids)
        for marketplace_id in unknown:
            self._errors.append(entry("getOrders", f"unknown marketplace id {marketplace_id!r}"))
        chunks = [
            (region, ids[start : start + MAX_MARKETPLACES_PER_CALL])
            for region, ids in groups.items()
            for start in range(0, len(ids), MAX_MARKETPLACES_PER_CALL)
        ]
        with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
            listed = list(
                pool.map(lambda chunk: self._list_orders(chunk[0], chunk[1], created_after), chunks)
            )
            found = [(region, order) for (region, _), orders in zip(chunks, listed, strict=True)
                     for order in orders]  # fmt: skip
            out.extend(pool.map(lambda item: self._order(item[0], item[1]), found))

    def _list_orders(
        self, region: str, marketplace_ids: list[str], created_after: str
    ) -> list[dict[str, Any]]:
        joined = ",".join(marketplace_ids)
        params = {"MarketplaceIds": joined, "CreatedAfter": created_after}
        orders: list[dict[str, Any]] = []
        while True:
            try:
                response = self._client.call("getOrders", "GET", region, ORDERS_PATH, params=params)
            except CallFailed as exc:
                # Say whose orders are missing: a region's endpoint can be down on its own.
                failure = from_call(exc)
                failure["region"] = region
                failure["marketplace_ids"] = list(marketplace_ids)
                self._errors.append(failure)
                return orders
            payload = payload_of(response.body)
            orders.extend(
                o for o in dicts_in(payload.get("Orders")) if _text(o.get("AmazonOrderId"))
            )
            token = next_token(payload)
            if token is None:
                return orders
            params = {"NextToken": token, "MarketplaceIds": joined}

    def _order(self, region: str, order: dict[str, Any]) -> dict[str, Any]:
        order_id = str(order["AmazonOrderId"])
        return {
            "amazon_order_id": order_id,
            "marketplace_id": _text(order.get("MarketplaceId")),
            "order_status": _text(order.get("OrderStatus")),
            "items": self._items(region, order_id),
            "ship_to": self._ship_to(region, order_id),
        }

    def _items(self, region: str, order_id: str) -> list[dict[str, Any]]:
        path = f"{ORDERS_PATH}/{quote(order_id, safe='')}/orderItems"
        params: dict[str, str] | None = None
        items: list[dict[str, Any]] = []
        while True:
            try:
                response = self._client.call("getOrderItems", "GET", region, path, params=params)
            except CallFailed as exc:
                self._errors.append(from_call(exc))
                return items
            payload = payload_of(response.body)
            for item in dicts_in(payload.get("OrderItems")):
                quantity = item.get("QuantityOrdered")
                items.append(
                    {
                        "seller_sku": _text(item.get("SellerSKU")),
                        "quantity": quantity if isinstance(quantity, int) else None,
                    }
                )
            token = next_token(payload)
            if token is None:
                return items
            params = {"NextToken": token}

    def _ship_to(self, region: str, order_id: str) -> dict[str, Any] | None:
        if region in self._rdt_failed:
            return None
        path = f"{ORDERS_PATH}/{quote(order_id, safe='')}/address"
        try:
            response = self._client.call(
                "getOrderAddress",
                "GET",
                region,
                path,
                token_source=self._address_tokens(region),
            )
        except CallFailed as exc:
            self._errors.append(from_call(exc))
            if exc.operation == RDT_OPERATION:
                self._rdt_failed.add(region)
            return None
        address = payload_of(response.body).get("ShippingAddress")
        if not isinstance(address, dict):
            return None
        return {
            "name": _text(address.get("Name")),
            "address_line1": _text(address.get("AddressLine1")),
            "city": _text(address.get("City")),
            "postal_code": _text(address.get("PostalCode")),
            "country_code": _text(address.get("CountryCode")),
        }
