"""Rename-only glue: an ACORN action (JSON on stdin) -> amzn-sp-api calls -> JSON on stdout.

Written as the SDK's README shows a user (``SPAPIConfig`` -> ``SPAPIClient`` -> an API class
on ``client.api_client`` -> an operation, ``ApiException`` caught): getOrders page by page
with ``next_token``, getOrderItems and getOrderAddress per order, putListingsItem per
marketplace. It adds no retries, token handling, timeouts or validation of its own; whatever
the SDK raises ends the action as ``{"ok": false, "errors": [...]}`` with the SDK's message.

Pointing the SDK elsewhere is supported by its constructor:
``SPAPIClient(config, oauth_endpoint=..., endpoint=...)``. The SDK has no marketplace ->
region map (``SPAPIConfig(region="NA"|"EU"|"FE")``), so the glue carries the one from
Amazon's marketplace-id table, and one client per region, as the README's example builds one.

The SDK offers no way to send a Restricted Data Token: ``ApiClient.__call_api`` overwrites
``x-amz-access-token`` with the LWA token on every call (spapi/api_client.py:112-117), and
its docs say nothing about RDTs, so the address is read as any other operation is.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from spapi import ApiException, ListingsApi, OrdersV0Api, SPAPIClient, SPAPIConfig
from spapi.auth.lwa_exception import LwaException

# https://developer-docs.amazon.com/sp-api/docs/marketplace-ids
REGION = {
    "A2EUQ1WTGCTBG2": "NA", "ATVPDKIKX0DER": "NA", "A1AM78C64UM0Y8": "NA", "A2Q3Y263D00KWC": "NA",
    "A28R8C7NBKEWEA": "EU", "A1RKKUPIHCS9HS": "EU", "A1F83G8C2ARO7P": "EU", "A13V1IB3VIYZZH": "EU",
    "AMEN7PMS3EDWL": "EU", "A1805IZSGTT6HS": "EU", "A1PA6795UKMFR9": "EU", "APJ6JRA9NG5V4": "EU",
    "A2NODRKZP88ZB9": "EU", "AE08WJ6YKNBMC": "EU", "A1C3SOZRARQ6R3": "EU", "ARBP9OOSHTCHU": "EU",
    "A33AVAJ2PDY3EV": "EU", "A17E79C6D8DWNP": "EU", "A2VIGQ35RCS4UG": "EU", "A21TJRUUN4KGV": "EU",
    "A19VAU5U5O7RUS": "FE", "A39IBJ37TRP1C6": "FE", "A1VC38T7YXB528": "FE",
}  # fmt: skip

_clients: dict[str, SPAPIClient] = {}


def client_for(marketplace_id: str) -> SPAPIClient:
    region = REGION[marketplace_id]
    if region not in _clients:
        config = SPAPIConfig(
            client_id=os.environ["SPAPI_CLIENT_ID"],
            client_secret=os.environ["SPAPI_CLIENT_SECRET"],
            refresh_token=os.environ["SPAPI_REFRESH_TOKEN"],
            region=region,
        )
        _clients[region] = SPAPIClient(
            config,
            oauth_endpoint=os.environ.get("GLUE_LWA_TOKEN_URL"),
            endpoint=os.environ.get(f"GLUE_ENDPOINT_{region}"),
        )
    return _clients[region]


def sync_orders(args: dict[str, Any]) -> dict[str, Any]:
    orders: list[dict[str, Any]] = []
    for marketplace_id in args["marketplace_ids"]:
        api = OrdersV0Api(client_for(marketplace_id).api_client)
        next_token = None
        while True:
            if next_token:
                response = api.get_orders([marketplace_id], next_token=next_token)
            else:
                response = api.get_orders([marketplace_id], created_after=args["created_after"])
            for order in response.payload.orders or []:
                order_id = order.amazon_order_id
                items = api.get_order_items(order_id).payload.order_items or []
                address = api.get_order_address(order_id).payload.shipping_address
                orders.append(
                    {
                        "amazon_order_id": order_id,
                        "marketplace_id": order.marketplace_id or marketplace_id,
                        "order_status": order.order_status,
                        "items": [
                            {"seller_sku": i.seller_sku, "quantity": i.quantity_ordered}
                            for i in items
                        ],
                        "ship_to": {
                            "name": getattr(address, "name", None),
                            "address_line1": getattr(address, "address_line1", None),
                            "city": getattr(address, "city", None),
                            "postal_code": getattr(address, "postal_code", None),
                            "country_code": getattr(address, "country_code", None),
                        },
                    }
                )
            next_token = response.payload.next_token
            if not next_token:
                break
    return {"ok": True, "errors": [], "orders": orders}


def publish_listing(args: dict[str, Any]) -> dict[str, Any]:
    submissions = []
    for marketplace_id in args["marketplace_ids"]:
        api = ListingsApi(client_for(marketplace_id).api_client)
        response = api.put_listings_item(
            os.environ.get("GLUE_SELLER_ID", ""),
            args["sku"],
            [marketplace_id],
            {
                "productType": args["product_type"],
                "requirements": "LISTING",
                "attributes": args["attributes"],
            },
        )
        submissions.append(
            {
                "marketplace_id": marketplace_id,
                "status": response.status,
                "submission_id": response.submission_id,
                "issues": [i.to_dict() for i in response.issues or []],
            }
        )
    return {"ok": True, "errors": [], "submissions": submissions}


ACTIONS = {"sync_orders": sync_orders, "publish_listing": publish_listing}


def _error(exc: Exception) -> dict[str, Any]:
    """The SDK's exception, renamed: its own message, status and request id."""
    if isinstance(exc, ApiException):
        headers = exc.headers or {}
        return {
            "operation": "ApiException",
            "status": exc.status,
            "request_id": headers.get("x-amzn-RequestId"),
            "message": str(exc),
        }
    if isinstance(exc, LwaException):
        return {
            "operation": "AccessTokenCache.get_lwa_access_token",
            "status": None,
            "request_id": None,
            "message": str(exc),
        }
    return {
        "operation": type(exc).__name__,
        "status": None,
        "request_id": None,
        "message": str(exc) or type(exc).__name__,
    }


def main() -> int:
    action = sys.argv[1]
    args = json.load(sys.stdin)
    try:
        result = ACTIONS[action](args)
    except Exception as exc:  # every SDK failure becomes the action's result
        result = {"ok": False, "errors": [_error(exc)]}
    json.dump(result, sys.stdout)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
