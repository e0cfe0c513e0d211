"""Rename-only glue: an ACORN action (JSON on stdin) -> python-amazon-sp-api calls -> JSON.

Written as the library's docs show a user (docs/utils/load_all_pages.rst, docs/utils/retry.rst,
docs/pii.rst, docs/env_variables.rst): credentials from LWA_APP_ID / LWA_CLIENT_SECRET /
SP_API_REFRESH_TOKEN, ``@throttle_retry() @load_all_pages()`` around get_orders,
``RestrictedResources`` for the buyer's address, ``put_listings_item`` for a listing. It adds
no retries, token handling, timeouts or validation of its own; whatever the library raises ends
the action as ``{"ok": false, "errors": [...]}`` with the library's own message.

The only non-documented part is where the library sends its requests. Its SP-API hosts are
baked into ``Marketplaces`` (``https://sellingpartnerapi-{na,eu,fe}.amazon.com``, or the
sandbox with AWS_ENV=SANDBOX) and its LWA URL is the class attribute
``AccessTokenClient.host = "api.amazon.com"``; neither has an env var or documented argument.
The least invasive route uses what the constructor accepts: ``auth_token_client_class`` (a
subclass with another scheme/host/path) and the client's public ``endpoint`` attribute, set
to the URL of the region the library itself chose for the marketplace.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any
from urllib.parse import urlsplit

from sp_api.api import ListingsItems, Orders
from sp_api.auth import AccessTokenClient
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import Marketplaces, SellingApiException
from sp_api.util import load_all_pages, throttle_retry

_REGION_OF_HOST = {"na": "GLUE_ENDPOINT_NA", "eu": "GLUE_ENDPOINT_EU", "fe": "GLUE_ENDPOINT_FE"}


def _lwa_client_class() -> type[AccessTokenClient]:
    url = os.environ.get("GLUE_LWA_TOKEN_URL")
    if not url:
        return AccessTokenClient
    parts = urlsplit(url)

    class LwaAt(AccessTokenClient):
        scheme = f"{parts.scheme}://"
        host = parts.netloc
        path = parts.path

    return LwaAt


def _marketplace(marketplace_id: str) -> Marketplaces:
    return next(m for m in Marketplaces if m.marketplace_id == marketplace_id)


def _client(cls: Any, marketplace_id: str) -> Any:
    client = cls(
        marketplace=_marketplace(marketplace_id), auth_token_client_class=_lwa_client_class()
    )
    # The library picked the region from the marketplace (sellingpartnerapi-<region>...);
    # only the host is renamed to the one this run provides.
    region = client.endpoint.split("sellingpartnerapi-")[-1].split(".")[0]
    override = os.environ.get(_REGION_OF_HOST.get(region, ""), "")
    if override:
        client.endpoint = override.rstrip("/")
    return client


@throttle_retry()
@load_all_pages()
def load_all_orders(client: Any, **kwargs: Any) -> Any:
    """docs/utils/load_all_pages.rst, with the client of the marketplace being synced."""
    return client.get_orders(**kwargs)


@throttle_retry()
def order_items(client: Any, order_id: str) -> Any:
    """docs/utils/retry.rst: retry the call when a throttled exception was thrown."""
    return client.get_order_items(order_id)


def sync_orders(args: dict[str, Any]) -> dict[str, Any]:
    orders: list[dict[str, Any]] = []
    for marketplace_id in args["marketplace_ids"]:
        client = _client(Orders, marketplace_id)
        for page in load_all_orders(
            client,
            CreatedAfter=args["created_after"],
            MarketplaceIds=[marketplace_id],
            RestrictedResources=["buyerInfo", "shippingAddress"],
        ):
            for order in page.payload.get("Orders", []):
                items = order_items(client, order["AmazonOrderId"]).payload.get("OrderItems", [])
                address = order.get("ShippingAddress") or {}
                orders.append(
                    {
                        "amazon_order_id": order["AmazonOrderId"],
                        "marketplace_id": order.get("MarketplaceId", marketplace_id),
                        "order_status": order.get("OrderStatus"),
                        "items": [
                            {"seller_sku": i.get("SellerSKU"), "quantity": i.get("QuantityOrdered")}
                            for i in items
                        ],
                        "ship_to": {
                            "name": address.get("Name"),
                            "address_line1": address.get("AddressLine1"),
                            "city": address.get("City"),
                            "postal_code": address.get("PostalCode"),
                            "country_code": address.get("CountryCode"),
                        },
                    }
                )
    return {"ok": True, "errors": [], "orders": orders}


def publish_listing(args: dict[str, Any]) -> dict[str, Any]:
    submissions = []
    for marketplace_id in args["marketplace_ids"]:
        client = _client(ListingsItems, marketplace_id)
        response = client.put_listings_item(
            sellerId=os.environ.get("GLUE_SELLER_ID", ""),
            sku=args["sku"],
            marketplaceIds=[marketplace_id],
            body={
                "productType": args["product_type"],
                "requirements": "LISTING",
                "attributes": args["attributes"],
            },
        )
        payload = response.payload
        submissions.append(
            {
                "marketplace_id": marketplace_id,
                "status": payload.get("status"),
                "submission_id": payload.get("submissionId"),
                "issues": payload.get("issues", []),
            }
        )
    return {"ok": True, "errors": [], "submissions": submissions}


ACTIONS = {"sync_orders": sync_orders, "publish_listing": publish_listing}


def _error(exc: Exception) -> dict[str, Any]:
    """The library's exception, renamed: its own message, status and request id."""
    if isinstance(exc, SellingApiException):
        headers = exc.headers or {}
        return {
            "operation": type(exc).__name__,
            "status": exc.code,
            "request_id": headers.get("x-amzn-RequestId"),
            "message": str(getattr(exc, "message", "") or exc.error),
        }
    if isinstance(exc, AuthorizationError):
        return {
            "operation": "AccessTokenClient.get_auth",
            "status": exc.status_code,
            "request_id": None,
            "message": f"{exc.error_code}: {exc.message}",
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
    except Exception as exc:
        result = {"ok": False, "errors": [_error(exc)]}
    json.dump(result, sys.stdout)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
