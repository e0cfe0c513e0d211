"""A one-process-per-action order sync for the command driver, with switchable token habits.

ACORN starts this script once per action (``sync_orders`` arguments as JSON on stdin, the
result as JSON on stdout), so nothing is cached across actions, as with most command-line
glue around an SP-API library. Within the process it caches the LWA access token:

- by default until 70 % of ``expires_in`` has passed, and after an expired-token 403 it drops
  the token, fetches one new token and retries the call once;
- ``--ignore-expires-in``: the classic mistake, the token is kept for a hard-coded hour;
- ``--no-retry``: an expired-token 403 is reported as a failure, never retried.

It reads ACORN's own environment names (ACORN_LWA_TOKEN_URL, ACORN_ENDPOINT_NA, ...).
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any
from urllib.parse import quote

import httpx

ORDERS = "/orders/v0/orders"
EXPIRED = "The access token you provided has expired."


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

    def get(self, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        retried = False
        while True:
            token = self.token()
            response = self.http.get(
                self.base + path, params=params, headers={"x-amz-access-token": token}
            )
            expired = response.status_code == 403 and EXPIRED in response.text
            if expired and self.retry and not retried:
                retried = True
                self.cached = None
                continue
            return response


def sync_orders(client: Client, args: dict[str, Any]) -> dict[str, Any]:
    errors: list[dict[str, Any]] = []
    orders: list[dict[str, Any]] = []

    def failed(operation: str, response: httpx.Response) -> None:
        errors.append(
            {
                "operation": operation,
                "status": response.status_code,
                "request_id": response.headers.get("x-amzn-RequestId"),
                "message": f"HTTP {response.status_code}",
            }
        )

    for marketplace in args["marketplace_ids"]:
        params = {"MarketplaceIds": marketplace, "CreatedAfter": args["created_after"]}
        while True:
            response = client.get(ORDERS, params)
            if response.status_code != 200:
                failed("getOrders", response)
                break
            payload = response.json()["payload"]
            for order in payload.get("Orders", []):
                order_id = order["AmazonOrderId"]
                items = client.get(f"{ORDERS}/{quote(order_id, safe='')}/orderItems")
                if items.status_code != 200:
                    failed("getOrderItems", items)
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
            token = payload.get("NextToken")
            if not token:
                break
            params = {"MarketplaceIds": marketplace, "NextToken": token}
    return {"ok": not errors, "errors": errors, "orders": orders}


def main(argv: list[str]) -> int:
    client = Client(
        honour_expires_in="--ignore-expires-in" not in argv,
        retry_expired="--no-retry" not in argv,
    )
    args = json.loads(sys.stdin.read() or "{}")
    result = sync_orders(client, args)
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
