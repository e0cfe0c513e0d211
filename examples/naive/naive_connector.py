"""A naive SP-API connector: it works on a good day and makes the classic mistakes.

Deliberate mistakes (each one is what an ACORN readiness check should catch):

- the access token is cached for a hard-coded 3600 seconds, whatever ``expires_in`` says;
- a 403 (expired token included) is noted in the log and skipped: no refresh, no retry;
- no Restricted Data Token: getOrderAddress is called with the LWA access token, and whatever
  address comes back (PII stripped) is returned;
- no backoff: 429 and 5xx are retried immediately, up to 10 times, in a tight loop;
- "maybe it was a glitch": a request refused with 400/404/413/415 is sent again, unchanged,
  up to 3 times (Amazon refuses it every time);
- every LWA refusal (invalid_grant, invalid_client included) is retried at once, 10 times, and
  then the whole token form, client secret and refresh token included, is written to the log;
- listings calls fetch a new access token every time (no cache on that code path);
- with ``concurrency`` > 1 regions are synced in threads that share an unlocked token cache,
  so they all ask LWA for a token at once;
- listings: the US attributes (English, USD, no EU compliance data) are copied to every
  marketplace, and a 200 with status INVALID counts as success; repricing fires every patch
  back to back;
- failures are swallowed: every result says ``ok: true`` with an empty ``errors`` list;
- reports and notifications: see naive_reports.py and naive_notifications.py;
- alerts (when ALERT_WEBHOOK_URL is set): one per failed request, a storm, and a refused
  token request is alerted with the whole token form, secrets included;
- a price update asks for ``includedData=issues,offers`` (``offers`` is valid on
  getListingsItem, not on patchListingsItem), so Amazon refuses it with a 400.

What it gets right (so that only the checks above fail): configuration, headers, grouping
marketplaces by region, pagination, URL-encoded SKUs, request bodies.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
from naive_notifications import NaiveNotifications
from naive_reports import NaiveReports

USER_AGENT = "AcornNaiveConnector/0.1 (Language=Python/3.11)"
TOKEN_LIFETIME = 3600  # mistake: "tokens last an hour", expires_in is never read
MAX_RETRIES = 10  # mistake: retried immediately, no backoff
REFUSED_RETRIES = 3  # mistake: invalid requests are retried too

NA = ("ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8", "A2Q3Y263D00KWC")
FE = ("A19VAU5U5O7RUS", "A39IBJ37TRP1C6", "A1VC38T7YXB528")
EU = (
    "A28R8C7NBKEWEA", "A1RKKUPIHCS9HS", "A1F83G8C2ARO7P", "A13V1IB3VIYZZH", "AMEN7PMS3EDWL",
    "A1805IZSGTT6HS", "A1PA6795UKMFR9", "APJ6JRA9NG5V4", "A2NODRKZP88ZB9", "AE08WJ6YKNBMC",
    "A1C3SOZRARQ6R3", "ARBP9OOSHTCHU", "A33AVAJ2PDY3EV", "A17E79C6D8DWNP", "A2VIGQ35RCS4UG",
    "A21TJRUUN4KGV",
)  # fmt: skip
REGION = {**dict.fromkeys(NA, "NA"), **dict.fromkeys(EU, "EU"), **dict.fromkeys(FE, "FE")}
DEFAULT_ENDPOINTS = {
    "NA": "https://sellingpartnerapi-na.amazon.com",
    "EU": "https://sellingpartnerapi-eu.amazon.com",
    "FE": "https://sellingpartnerapi-fe.amazon.com",
}


class CallFailed(Exception):
    pass


class NoToken(Exception):
    pass


def _env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name) or default
    if not value:
        raise RuntimeError(f"environment variable {name} is not set")
    return value


def _payload(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    payload = body.get("payload") if isinstance(body, dict) else None
    return payload if isinstance(payload, dict) else {}


class Connector(NaiveNotifications, NaiveReports):
    def __init__(self) -> None:
        self.token_url = _env("SPAPI_LWA_TOKEN_URL", "https://api.amazon.com/auth/o2/token")
        self.endpoints = {
            region: _env(f"SPAPI_ENDPOINT_{region}", default).rstrip("/")
            for region, default in DEFAULT_ENDPOINTS.items()
        }
        self.client_id = _env("LWA_CLIENT_ID")
        self.client_secret = _env("LWA_CLIENT_SECRET")
        self.refresh_token = _env("SPAPI_REFRESH_TOKEN")
        self.seller_id = _env("SPAPI_SELLER_ID")
        self.log_file = os.environ.get("CONNECTOR_LOG_FILE")
        self.http = httpx.Client(timeout=30.0)
        self.token: str | None = None
        self.token_time = 0.0
        self.alert_url = os.environ.get("ALERT_WEBHOOK_URL")

    def close(self) -> None:
        self.http.close()

    # -- plumbing ------------------------------------------------------------------------

    def log(self, message: str) -> None:
        line = f"naive_connector: {message}"
        print(line, file=sys.stderr)
        if self.log_file:
            with open(self.log_file, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")

    def alert(self, text: str) -> None:
        """mistake: called for every failed request (an alert storm)."""
        if self.alert_url:
            with contextlib.suppress(httpx.HTTPError):
                self.http.post(self.alert_url, json={"text": text})

    def send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send a request; on 429/5xx just send it again straight away (no backoff)."""
        response = self.http.request(method, url, **kwargs)
        retries = 0
        while (
            response.status_code == 429 or response.status_code >= 500
        ) and retries < MAX_RETRIES:
            self.alert(f"SP-API error {response.status_code} on {method} {url}")
            response = self.http.request(method, url, **kwargs)
            retries += 1
        return response

    def access_token(self) -> str:
        if self.token is None or time.time() - self.token_time > TOKEN_LIFETIME:
            form = {
                "grant_type": "refresh_token",
                "refresh_token": self.refresh_token,
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            }
            try:
                # mistake: every refusal is treated as a glitch and retried at once, even
                # invalid_grant and invalid_client, which no retry can fix.
                for _ in range(MAX_RETRIES):
                    response = self.send("POST", self.token_url, data=form)
                    if response.status_code == 200:
                        break
                    # mistake: the token form (client secret, refresh token) goes in the alert
                    self.alert(f"LWA said {response.status_code} {response.text} to {form}")
                if response.status_code != 200:
                    # mistake: the whole form (client secret, refresh token) goes to the log.
                    self.log(f"LWA said {response.status_code} {response.text} to {form}")
                    raise NoToken(f"LWA token request failed with HTTP {response.status_code}")
                self.token = str(response.json()["access_token"])
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                raise NoToken(f"LWA token request failed: {type(exc).__name__}") from None
            self.token_time = time.time()
        return self.token

    def call(
        self, operation: str, method: str, region: str, path: str, **kwargs: Any
    ) -> httpx.Response:
        headers = {
            "x-amz-access-token": self.access_token(),
            "x-amz-date": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
            "user-agent": USER_AGENT,
            "accept": "application/json",
        }
        try:
            url = self.endpoints[region] + path
            response = self.send(method, url, headers=headers, **kwargs)
            refused = 0
            while response.status_code in (400, 404, 413, 415) and refused < REFUSED_RETRIES:
                # mistake: the same invalid request again, unchanged
                response = self.send(method, url, headers=headers, **kwargs)
                refused += 1
        except httpx.HTTPError as exc:
            raise CallFailed(f"{operation}: {type(exc).__name__}") from None
        if response.status_code >= 300:
            request_id = response.headers.get("x-amzn-RequestId", "-")
            raise CallFailed(f"{operation}: HTTP {response.status_code} request_id={request_id}")
        return response

    def listing_path(self, sku: str) -> str:
        return f"/listings/2021-08-01/items/{quote(self.seller_id, safe='')}/{quote(sku, safe='')}"

    # -- actions -------------------------------------------------------------------------

    def sync_orders(self, args: dict[str, Any]) -> dict[str, Any]:
        groups: dict[str, list[str]] = {}
        for marketplace_id in args["marketplace_ids"]:
            groups.setdefault(REGION.get(marketplace_id, "NA"), []).append(marketplace_id)
        orders: list[dict[str, Any]] = []
        if args.get("concurrency", 1) > 1:
            # mistake: regions run in parallel threads sharing an unlocked token cache, so each
            # thread that finds no token fetches its own.
            with ThreadPoolExecutor(max_workers=args["concurrency"]) as pool:
                for found in pool.map(lambda g: self.sync_region(g, args), groups.items()):
                    orders.extend(found)
        else:
            for group in groups.items():
                orders.extend(self.sync_region(group, args))
        return {"ok": True, "errors": [], "orders": orders}

    def sync_region(
        self, group: tuple[str, list[str]], args: dict[str, Any]
    ) -> list[dict[str, Any]]:
        region, ids = group
        orders: list[dict[str, Any]] = []
        params = {"MarketplaceIds": ",".join(ids), "CreatedAfter": args["created_after"]}
        try:
            while True:
                try:
                    page = _payload(
                        self.call("getOrders", "GET", region, "/orders/v0/orders", params=params)
                    )
                except CallFailed as exc:
                    self.log(str(exc))  # mistake: noted, then forgotten
                    break
                for order in page.get("Orders", []):
                    orders.append(self.order(region, order))
                if not page.get("NextToken"):
                    break
                params = {"NextToken": page["NextToken"], "MarketplaceIds": ",".join(ids)}
        except NoToken as exc:
            self.log(str(exc))
        return orders

    def order(self, region: str, order: dict[str, Any]) -> dict[str, Any]:
        order_id = order["AmazonOrderId"]
        base = f"/orders/v0/orders/{quote(order_id, safe='')}"
        items: list[dict[str, Any]] = []
        params: dict[str, str] = {}
        while True:
            try:
                page = _payload(
                    self.call("getOrderItems", "GET", region, base + "/orderItems", params=params)
                )
            except CallFailed as exc:
                self.log(str(exc))
                break
            for item in page.get("OrderItems", []):
                items.append(
                    {"seller_sku": item.get("SellerSKU"), "quantity": item.get("QuantityOrdered")}
                )
            if not page.get("NextToken"):
                break
            params = {"NextToken": page["NextToken"]}
        ship_to = None
        try:
            # mistake: the address is a restricted resource; this sends the plain LWA token.
            address = _payload(self.call("getOrderAddress", "GET", region, base + "/address"))
            shipping = address.get("ShippingAddress") or {}
            ship_to = {
                "name": shipping.get("Name"),
                "address_line1": shipping.get("AddressLine1"),
                "city": shipping.get("City"),
                "postal_code": shipping.get("PostalCode"),
                "country_code": shipping.get("CountryCode"),
            }
        except CallFailed as exc:
            self.log(str(exc))
        return {
            "amazon_order_id": order_id,
            "marketplace_id": order.get("MarketplaceId"),
            "order_status": order.get("OrderStatus"),
            "items": items,
            "ship_to": ship_to,
        }

    def submit(
        self,
        operation: str,
        method: str,
        sku: str,
        marketplace_id: str,
        body: dict[str, Any],
        included: str = "issues",
    ) -> dict[str, Any] | None:
        self.token = None  # mistake: the listings code (a copied quickstart) never caches
        try:
            response = self.call(
                operation,
                method,
                REGION.get(marketplace_id, "NA"),
                self.listing_path(sku),
                params={"marketplaceIds": marketplace_id, "includedData": included},
                json=body,
            )
        except CallFailed as exc:
            self.log(str(exc))
            return None
        reply = response.json()
        return {
            "marketplace_id": marketplace_id,
            "status": reply.get("status"),
            "submission_id": reply.get("submissionId"),
            "issues": reply.get("issues", []),
        }

    def publish_listing(self, args: dict[str, Any]) -> dict[str, Any]:
        body = {
            "productType": args["product_type"],
            "requirements": "LISTING",
            "attributes": args["attributes"],
        }
        submissions = []
        try:
            for marketplace_id in args["marketplace_ids"]:
                submission = self.submit(
                    "putListingsItem", "PUT", args["sku"], marketplace_id, body
                )
                if submission is not None:
                    submissions.append(submission)
        except NoToken as exc:
            self.log(str(exc))
        # mistake: a 200 with status INVALID is still reported as ok
        return {"ok": True, "errors": [], "submissions": submissions}

    def update_inventory(self, args: dict[str, Any]) -> dict[str, Any]:
        value = [{"fulfillment_channel_code": "DEFAULT", "quantity": args["quantity"]}]
        body = {
            "productType": args["product_type"],
            "patches": [
                {"op": "replace", "path": "/attributes/fulfillment_availability", "value": value}
            ],
        }
        updated = []
        try:
            for marketplace_id in args["marketplace_ids"]:
                if self.submit("patchListingsItem", "PATCH", args["sku"], marketplace_id, body):
                    updated.append(marketplace_id)
        except NoToken as exc:
            self.log(str(exc))
        return {"ok": True, "errors": [], "updated": updated}

    def update_price(self, args: dict[str, Any]) -> dict[str, Any]:
        marketplace_id = args["marketplace_id"]
        offer = {
            "marketplace_id": marketplace_id,
            "currency": args["currency"],
            "our_price": [{"schedule": [{"value_with_tax": args["amount"]}]}],
        }
        body = {
            "productType": args["product_type"],
            "patches": [
                {"op": "replace", "path": "/attributes/purchasable_offer", "value": [offer]}
            ],
        }
        try:
            # mistake: "offers" copied from getListingsItem; PATCH only takes identifiers/issues
            submission = self.submit(
                "patchListingsItem", "PATCH", args["sku"], marketplace_id, body, "issues,offers"
            )
        except NoToken as exc:
            self.log(str(exc))
            submission = None
        return {"ok": True, "errors": [], "updated": [marketplace_id] if submission else []}

    def reprice(self, args: dict[str, Any]) -> dict[str, Any]:
        # mistake: every price patched back to back (no pacing); 429s retried at once, then
        # dropped, and the batch still reports ok
        updated = []
        for price in args["prices"]:
            done = self.update_price(
                {
                    "sku": price["sku"],
                    "product_type": price["product_type"],
                    "marketplace_id": price["marketplace_id"],
                    "amount": price["amount"],
                    "currency": price["currency"],
                }
            )
            updated += [{"sku": price["sku"], "marketplace_id": m} for m in done["updated"]]
        return {"ok": True, "errors": [], "updated": updated}

    def confirm_shipment(self, args: dict[str, Any]) -> dict[str, Any]:
        # mistake: a 5xx after Amazon recorded the confirmation is retried at once (send's
        # loop), so the shipment is confirmed twice; and the result says ok whatever happened
        order_id = args["amazon_order_id"]
        base = f"/orders/v0/orders/{quote(order_id, safe='')}"
        region = REGION.get(args["marketplace_id"], "NA")
        try:
            page = _payload(self.call("getOrderItems", "GET", region, base + "/orderItems"))
            items = [
                {"orderItemId": i["OrderItemId"], "quantity": i["QuantityOrdered"]}
                for i in page.get("OrderItems", [])
            ]
            package = {
                "packageReferenceId": args["package_reference_id"],
                "carrierCode": args["carrier_code"],
                "trackingNumber": args["tracking_number"],
                "shipDate": args["ship_date"],
                "orderItems": items,
            }
            body = {"marketplaceId": args["marketplace_id"], "packageDetail": package}
            self.call("confirmShipment", "POST", region, base + "/shipmentConfirmation", json=body)
        except (CallFailed, NoToken) as exc:
            self.log(str(exc))
        return {"ok": True, "errors": [], "confirmed": [order_id]}
