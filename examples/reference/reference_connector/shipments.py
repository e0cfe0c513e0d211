"""confirm_shipment: Orders v0 confirmShipment, never sent twice for one shipment."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .client import SpApiClient
from .errors import CallFailed, OutcomeUnknown
from .orders import ORDERS_PATH, dicts_in, next_token, payload_of
from .regions import UnknownMarketplace, region_for
from .results import ErrorEntry, entry, from_call

OPERATION = "confirmShipment"
MAX_UNKNOWN_OUTCOMES = 2


class ShipmentConfirmer:
    """Confirms one order's shipment with all its items.

    A confirmation whose answer was lost (timeout, reset, 5xx) may already be recorded at
    Amazon: the order is read back (``OrderStatus`` Shipped) before it is sent again, so the
    buyer never gets two shipment notices and the seller's metrics stay right.
    """

    def __init__(self, client: SpApiClient, errors: list[ErrorEntry]) -> None:
        self._client = client
        self._errors = errors

    def confirm(self, order_id: str, marketplace_id: str, package: dict[str, Any]) -> bool:
        try:
            region = region_for(marketplace_id)
        except UnknownMarketplace:
            self._errors.append(entry(OPERATION, f"unknown marketplace id {marketplace_id!r}"))
            return False
        base = f"{ORDERS_PATH}/{quote(order_id, safe='')}"
        try:
            items = self._items(region, base)
        except CallFailed as exc:
            self._errors.append(from_call(exc))
            return False
        body = {
            "marketplaceId": marketplace_id,
            "packageDetail": {**package, "orderItems": items},
        }
        unknown = 0
        while True:
            try:
                self._client.call(
                    OPERATION, "POST", region, f"{base}/shipmentConfirmation", json_body=body
                )
                return True
            except OutcomeUnknown as exc:
                unknown += 1
                shipped = self._shipped(region, base)
                if shipped:
                    return True
                if shipped is None or unknown >= MAX_UNKNOWN_OUTCOMES:
                    self._errors.append(from_call(exc))
                    return False
            except CallFailed as exc:
                self._errors.append(from_call(exc))
                return False

    def _items(self, region: str, base: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        params: dict[str, str] | None = None
        while True:
            response = self._client.call(
                "getOrderItems", "GET", region, f"{base}/orderItems", params=params
            )
            payload = payload_of(response.body)
            for item in dicts_in(payload.get("OrderItems")):
                if item.get("OrderItemId"):
                    items.append(
                        {
                            "orderItemId": str(item["OrderItemId"]),
                            "quantity": int(item.get("QuantityOrdered") or 0),
                        }
                    )
            token = next_token(payload)
            if token is None:
                return items
            params = {"NextToken": token}

    def _shipped(self, region: str, base: str) -> bool | None:
        """Is the order already Shipped (the lost confirmation landed)? None: cannot tell."""
        try:
            response = self._client.call("getOrder", "GET", region, base)
        except CallFailed:
            return None
        return payload_of(response.body).get("OrderStatus") == "Shipped"
