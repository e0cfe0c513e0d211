"""A plain httpx order sync, as a team's own script would be: the same code runs as an ACORN
command integration (arguments on stdin, result on stdout) and standalone against
``acorn serve`` (no stdin), so observe mode can be compared with ``acorn run``.

Flaws, switched on by flags, each the classic mistake one check catches:
--fixed-lifetime  assumes a one-hour token and ignores expires_in (AUTH-01)
--no-backoff      retries a 429 or 5xx at once, with no growing wait (THR-02)
--retry-refused   sends a request Amazon refused with 400 again, unchanged (ERR-01)
"""

from __future__ import annotations

import json
import os
import random
import sys
import time

import httpx

FLAWS = set(sys.argv[1:])
SINCE = "2026-02-20T00:00:00Z"
US = "ATVPDKIKX0DER"


class Client:
    def __init__(self) -> None:
        timeout = float(os.environ.get("ACORN_READ_TIMEOUT") or 5.0)
        self.http = httpx.Client(timeout=timeout)
        self.base = os.environ["ACORN_ENDPOINT_NA"]
        self.token = ""
        self.expires_at = 0.0
        self.errors: list[dict[str, object]] = []

    def refresh(self) -> None:
        answer = self.http.post(
            os.environ["ACORN_LWA_TOKEN_URL"],
            data={
                "grant_type": "refresh_token",
                "refresh_token": os.environ["ACORN_REFRESH_TOKEN"],
                "client_id": os.environ["ACORN_CLIENT_ID"],
                "client_secret": os.environ["ACORN_CLIENT_SECRET"],
            },
        )
        answer.raise_for_status()
        body = answer.json()
        self.token = body["access_token"]
        lifetime = 3600.0 if "--fixed-lifetime" in FLAWS else float(body["expires_in"])
        self.expires_at = time.monotonic() + lifetime - min(60.0, lifetime * 0.1)

    def get(self, path: str, params: dict[str, str]) -> dict[str, object] | None:
        delay = 0.2
        refreshed = refused = False
        for _attempt in range(8):
            if time.monotonic() >= self.expires_at:
                self.refresh()
            try:
                answer = self.http.get(
                    self.base + path, params=params, headers={"x-amz-access-token": self.token}
                )
            except httpx.TransportError:
                status = 0
            else:
                status = answer.status_code
                if status == 200:
                    return answer.json()  # type: ignore[no-any-return]
            if status == 403 and not refreshed:
                refreshed = True
                self.refresh()
                continue
            if status == 429 or status >= 500 or status == 0:
                if "--no-backoff" not in FLAWS:
                    time.sleep(delay * random.uniform(0.8, 1.2))
                    delay *= 2
                continue
            if status == 400 and "--retry-refused" in FLAWS and not refused:
                refused = True
                continue
            break
        self.errors.append({"operation": path, "status": status, "message": "gave up"})
        return None


def sync(args: dict[str, object]) -> dict[str, object]:
    client = Client()
    marketplaces = args.get("marketplace_ids") or [US]
    params = {
        "MarketplaceIds": ",".join(marketplaces),  # type: ignore[arg-type]
        "CreatedAfter": str(args.get("created_after") or SINCE),
    }
    orders: list[dict[str, object]] = []
    while True:
        page = client.get("/orders/v0/orders", params)
        if page is None:
            break
        payload = page["payload"]
        assert isinstance(payload, dict)
        orders += payload.get("Orders", [])
        token = payload.get("NextToken")
        if not token:
            break
        params = {"MarketplaceIds": params["MarketplaceIds"], "NextToken": str(token)}
    for order in orders:
        order_id = str(order["AmazonOrderId"])
        client.get(f"/orders/v0/orders/{order_id}/orderItems", {})
    listed = [{"amazon_order_id": o["AmazonOrderId"]} for o in orders]
    return {"ok": not client.errors, "errors": client.errors, "orders": listed}


if __name__ == "__main__":
    raw = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
    print(json.dumps(sync(json.loads(raw) if raw.strip() else {})))
