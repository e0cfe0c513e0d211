"""A one-process-per-action SP-API client for the command driver, with switchable habits.

ACORN starts this script once per action (``python command_client.py ACTION [flags]``; the
arguments as JSON on stdin, the result as JSON on stdout), so nothing is cached across actions,
as with most command-line glue around an SP-API library. It implements ``sync_orders`` (every
getOrders page, then each order's items, page by page) and ``update_price``
(patchListingsItem). Within the process it caches the LWA access token:

- by default until 70 % of ``expires_in`` has passed; after an expired-token 403 it drops the
  token, fetches one new token and retries the call once;
- ``--ignore-expires-in``: the classic mistake, the token is kept for a hard-coded hour;
- ``--no-retry``: an expired-token 403 is reported as a failure, never retried;
- ``--page-sleep=S``: sleeps S seconds between getOrders pages, as some libraries do by
  default, and paces nothing else (it never reads x-amzn-RateLimit-Limit).

After a 429 or a 5xx it backs off exponentially with jitter (at most 6 attempts).
It reads ACORN's own environment names (ACORN_LWA_TOKEN_URL, ACORN_ENDPOINT_NA, ...).
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from typing import Any
from urllib.parse import quote

import httpx

ORDERS = "/orders/v0/orders"
LISTINGS = "/listings/2021-08-01/items"
EXPIRED = "The access token you provided has expired."
MAX_ATTEMPTS = 6


def backoff(attempt: int, base: float = 0.2, cap: float = 4.0) -> float:
    """Exponential backoff with equal jitter: half fixed, half random."""
    step = min(cap, base * 2.0 ** (attempt - 1))
    return step / 2 + random.uniform(0, step / 2)


class Client:
    def __init__(self, *, honour_expires_in: bool, retry_expired: bool) -> None:
        self.honour = honour_expires_in
        self.retry = retry_expired
        self.http = httpx.Client(timeout=10.0, trust_env=False)
        self.base = os.environ["ACORN_ENDPOINT_NA"].rstrip("/")
        self.form = {
            "grant_type": "refresh_token",
            "refresh_token": os.environ["ACORN_REFRESH_TOKEN"],
            "client_id": os.environ["ACORN_CLIENT_ID"],
            "client_secret": os.environ["ACORN_CLIENT_SECRET"],
        }
        self.cached: tuple[str, float] | None = None  # token, monotonic time to renew at

    def token(self) -> str:
        if self.cached is not None and time.monotonic() < self.cached[1]:
            return self.cached[0]
        started = time.monotonic()
        response = self.http.post(os.environ["ACORN_LWA_TOKEN_URL"], data=self.form)
        response.raise_for_status()
        body = response.json()
        lifetime = 0.7 * float(body["expires_in"]) if self.honour else 3600.0
        self.cached = (str(body["access_token"]), started + lifetime)
        return self.cached[0]

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        retried = False
        attempt = 0
        while True:
            attempt += 1
            token = self.token()
            response = self.http.request(
                method, self.base + path, headers={"x-amz-access-token": token}, **kwargs
            )
            expired = response.status_code == 403 and EXPIRED in response.text
            if expired and self.retry and not retried:
                retried = True
                attempt -= 1
                self.cached = None
                continue
            status = response.status_code
            if (status == 429 or status >= 500) and attempt < MAX_ATTEMPTS:
                time.sleep(backoff(attempt))
                continue
            return response


def _error(operation: str, response: httpx.Response) -> dict[str, Any]:
    return {
        "operation": operation,
        "status": response.status_code,
        "request_id": response.headers.get("x-amzn-RequestId"),
        "message": f"HTTP {response.status_code}",
    }


def sync_orders(client: Client, args: dict[str, Any], page_sleep: float) -> dict[str, Any]:
    errors: list[dict[str, Any]] = []
    orders: list[dict[str, Any]] = []
    for marketplace in args["marketplace_ids"]:
        params = {"MarketplaceIds": marketplace, "CreatedAfter": args["created_after"]}
        while True:
            response = client.send("GET", ORDERS, params=params)
            if response.status_code != 200:
                errors.append(_error("getOrders", response))
                break
            payload = response.json()["payload"]
            for order in payload.get("Orders", []):
                order_id = order["AmazonOrderId"]
                items = client.send("GET", f"{ORDERS}/{quote(order_id, safe='')}/orderItems")
                if items.status_code != 200:
                    errors.append(_error("getOrderItems", items))
                    continue
                orders.append(
                    {
                        "amazon_order_id": order_id,
                        "marketplace_id": order.get("MarketplaceId"),
                        "order_status": order.get("OrderStatus"),
                        "items": [
                            {"seller_sku": i.get("SellerSKU"), "quantity": i.get("QuantityOrdered")}
                            for i in items.json()["payload"].get("OrderItems", [])
                        ],
                    }
                )
            next_token = payload.get("NextToken")
            if not next_token:
                break
            time.sleep(page_sleep)
            params = {"MarketplaceIds": marketplace, "NextToken": next_token}
    return {"ok": not errors, "errors": errors, "orders": orders}


def update_price(client: Client, args: dict[str, Any]) -> dict[str, Any]:
    marketplace = args["marketplace_id"]
    offer = {
        "marketplace_id": marketplace,
        "currency": args["currency"],
        "our_price": [{"schedule": [{"value_with_tax": float(args["amount"])}]}],
    }
    body = {
        "productType": args["product_type"],
        "patches": [{"op": "replace", "path": "/attributes/purchasable_offer", "value": [offer]}],
    }
    seller = quote(os.environ["ACORN_SELLER_ID"], safe="")
    response = client.send(
        "PATCH",
        f"{LISTINGS}/{seller}/{quote(args['sku'], safe='')}",
        params={"marketplaceIds": marketplace},
        json=body,
    )
    accepted = response.status_code == 200 and response.json().get("status") == "ACCEPTED"
    errors = [] if accepted else [_error("patchListingsItem", response)]
    return {"ok": accepted, "errors": errors, "updated": [marketplace] if accepted else []}


def main(argv: list[str]) -> int:
    action, flags = argv[0], argv[1:]
    page_sleep = next(
        (float(f.split("=", 1)[1]) for f in flags if f.startswith("--page-sleep=")), 0
    )
    client = Client(
        honour_expires_in="--ignore-expires-in" not in flags,
        retry_expired="--no-retry" not in flags,
    )
    args = json.loads(sys.stdin.read() or "{}")
    if action == "sync_orders":
        result = sync_orders(client, args, page_sleep)
    else:
        result = update_price(client, args)
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
