"""A small SP-API client whose auth behaviour is switchable, to prove checks both ways.

Each :class:`Behaviour` flag turns one good habit into the classic mistake (a hard-coded token
lifetime, no lock around the token cache, retrying invalid_grant, secrets in the URL, an RDT per
call, logging bodies...). Tests run a good and a bad client against the real simulator over
HTTP and judge the resulting journal with the check under test.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

EXPIRED = "The access token you provided has expired."
ORDERS = "/orders/v0/orders"
RDT_PATH = "/tokens/2021-03-01/restrictedDataToken"
ADDRESS = ORDERS + "/{orderId}/address"


@dataclass
class Behaviour:
    honour_expires_in: bool = True  # else: a hard-coded one-hour lifetime
    cache: bool = True  # else: a token request per call
    lock: bool = True  # else: concurrent callers race the cache
    retry_expired_once: bool = True  # refresh + retry once after the expired-token 403
    lwa_attempts: int = 4  # attempts on LWA 5xx
    lwa_backoff: float = 0.12  # base of the exponential backoff (0: none)
    retry_refusals: bool = False  # retry invalid_grant / invalid_client like an outage
    report: bool = True  # say what a person must do (action_required)
    form_in_url: bool = False  # send the LWA form as query parameters
    reuse_rdt: bool = True  # else: one RDT per restricted call
    honour_rdt_expiry: bool = True  # else: keep the first RDT for ever
    log_bodies: bool = False  # write LWA forms and response bodies to the log


class AuthFailure(Exception):
    def __init__(self, message: str, action_required: str | None = None) -> None:
        super().__init__(message)
        self.action_required = action_required


class MiniConnector:
    def __init__(
        self,
        *,
        token_url: str,
        endpoints: dict[str, str],
        client_id: str,
        client_secret: str,
        refresh_token: str,
        behaviour: Behaviour | None = None,
    ) -> None:
        self.b = behaviour or Behaviour()
        self.token_url = token_url
        self.endpoints = endpoints
        self.form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": client_id,
            "client_secret": client_secret,
        }
        self.http = httpx.Client(timeout=5.0, trust_env=False)
        self.log: list[str] = []
        self._lock = threading.Lock()
        self._token: tuple[str, float] | None = None  # value, monotonic refresh-at
        self._rdt: dict[str, tuple[str, float]] = {}  # region -> value, refresh-at

    def close(self) -> None:
        self.http.close()

    # -- LWA -------------------------------------------------------------------------------

    def _refresh_at(self, expires_in: float) -> float:
        lifetime = expires_in if self.b.honour_expires_in else 3600.0
        # 30 % early: the tests' tokens live one second, and a loaded machine adds latency.
        return time.monotonic() + lifetime - (0.3 * lifetime if self.b.honour_expires_in else 0)

    def token(self) -> str:
        if not self.b.lock:
            return self._token_unlocked()
        with self._lock:
            return self._token_unlocked()

    def _token_unlocked(self) -> str:
        cached = self._token
        if self.b.cache and cached is not None and time.monotonic() < cached[1]:
            return cached[0]
        value, expires_in = self._fetch()
        self._token = (value, self._refresh_at(expires_in))
        return value

    def invalidate(self, token: str) -> None:
        with self._lock:
            if self._token is not None and self._token[0] == token:
                self._token = None

    def _fetch(self) -> tuple[str, float]:
        attempt = 0
        while True:
            attempt += 1
            if self.b.form_in_url:
                response = self.http.post(self.token_url, params=self.form)
            else:
                response = self.http.post(self.token_url, data=self.form)
            if response.status_code == 200:
                body = response.json()
                return str(body["access_token"]), float(body["expires_in"])
            error = str(response.json().get("error", ""))
            if self.b.log_bodies:
                self.log.append(f"LWA {response.status_code} {response.text} for {self.form}")
            else:
                self.log.append(f"LWA answered {response.status_code} {error}")
            outage = response.status_code >= 500
            retry = outage or self.b.retry_refusals
            if not retry or attempt >= self.b.lwa_attempts:
                if error == "invalid_grant":
                    raise AuthFailure("re-authorization needed", "reauthorize")
                if error == "invalid_client":
                    raise AuthFailure("rotate client credentials", "rotate_client_credentials")
                raise AuthFailure(f"LWA unavailable ({response.status_code})")
            if self.b.lwa_backoff:
                time.sleep(self.b.lwa_backoff * 2 ** (attempt - 1))

    # -- SP-API ----------------------------------------------------------------------------

    def call(
        self, method: str, path: str, region: str = "NA", *, rdt: bool = False, **kwargs: Any
    ) -> httpx.Response:
        retried = False
        while True:
            token = self._restricted(region) if rdt else self.token()
            response = self.http.request(
                method,
                self.endpoints[region] + path,
                headers={"x-amz-access-token": token, "user-agent": "MiniConnector/1.0"},
                **kwargs,
            )
            expired = response.status_code == 403 and EXPIRED in response.text
            if expired and self.b.retry_expired_once and not retried:
                retried = True
                if rdt:
                    self._rdt.pop(region, None)
                else:
                    self.invalidate(token)
                continue
            if response.status_code >= 300:
                self.log.append(
                    f"{method} {path.split('/')[2]} -> {response.status_code} "
                    f"request_id={response.headers.get('x-amzn-RequestId')}"
                )
            elif self.b.log_bodies:
                self.log.append(f"{method} {path} -> {response.text}")
            return response

    def _restricted(self, region: str) -> str:
        cached = self._rdt.get(region)
        fresh = cached is not None and (
            time.monotonic() < cached[1] or not self.b.honour_rdt_expiry
        )
        if self.b.reuse_rdt and cached is not None and fresh:
            return cached[0]
        body = {"restrictedResources": [{"method": "GET", "path": ADDRESS}]}
        response = self.call("POST", RDT_PATH, region, json=body)
        data = response.json()
        expires_in = float(data["expiresIn"])
        self._rdt[region] = (
            data["restrictedDataToken"],
            time.monotonic() + 0.7 * expires_in,
        )
        return str(data["restrictedDataToken"])

    # -- an action -------------------------------------------------------------------------

    def sync(
        self, regions: dict[str, str], *, addresses: bool = False, concurrency: int = 1
    ) -> dict[str, Any]:
        """getOrders per region (marketplace id per region), optionally each order's address
        with an RDT; ``concurrency`` regions at once. Returns an action result."""
        errors: list[dict[str, Any]] = []
        orders: list[dict[str, Any]] = []

        def one(item: tuple[str, str]) -> None:
            region, marketplace = item
            response = self.call(
                "GET",
                ORDERS,
                region,
                params={"MarketplaceIds": marketplace, "CreatedAfter": "2026-01-01T00:00:00Z"},
            )
            if response.status_code != 200:
                errors.append({"operation": "getOrders", "message": f"HTTP {response.status_code}"})
                return
            for order in response.json()["payload"]["Orders"]:
                orders.append(order)
                if addresses:
                    order_id = quote(order["AmazonOrderId"], safe="")
                    self.call("GET", f"{ORDERS}/{order_id}/address", region, rdt=True)

        try:
            with ThreadPoolExecutor(max_workers=concurrency) as pool:
                list(pool.map(one, regions.items()))
        except AuthFailure as exc:
            entry: dict[str, Any] = {"operation": "lwa", "message": str(exc)}
            if self.b.report and exc.action_required:
                entry["action_required"] = exc.action_required
            if not self.b.report:
                entry["message"] = "sync failed"
            errors.append(entry)
        return {"ok": not errors, "errors": errors, "orders": len(orders)}
