"""Restricted Data Tokens (Tokens API 2021-03-01), cached per region and resource."""

from __future__ import annotations

import threading
import time
from typing import Any

from .auth import parse_expires_in
from .client import SpApiClient
from .errors import CallFailed
from .timing import ExpiringValue

OPERATION = "createRestrictedDataToken"
PATH = "/tokens/2021-03-01/restrictedDataToken"
# The generic path: one token covers every order's address until it expires.
ORDER_ADDRESS_PATH = "/orders/v0/orders/{orderId}/address"


class RestrictedDataTokenSource:
    """A ``TokenSource`` that hands out an RDT for one restricted resource in one region.

    The token is reused for every call until ``expiresIn`` (minus the usual margin) has
    passed, and fetched again after SP-API reports it expired.
    """

    def __init__(
        self, client: SpApiClient, region: str, resource_path: str, method: str = "GET"
    ) -> None:
        self._client = client
        self._region = region
        self._body = {"restrictedResources": [{"method": method, "path": resource_path}]}
        self._lock = threading.Lock()
        self._cached: ExpiringValue | None = None

    def __repr__(self) -> str:
        return f"RestrictedDataTokenSource(region={self._region!r})"

    def get(self) -> str:
        with self._lock:
            cached = self._cached
            if cached is None or not cached.fresh():
                cached = self._cached = self._fetch()
            return cached.value

    def invalidate(self, token: str) -> None:
        with self._lock:
            if self._cached is not None and self._cached.value == token:
                self._cached = None

    def _fetch(self) -> ExpiringValue:
        started = time.monotonic()
        response = self._client.call(OPERATION, "POST", self._region, PATH, json_body=self._body)
        body: dict[str, Any] = response.body if isinstance(response.body, dict) else {}
        # The documented response is bare; tolerate the 2021 guide's "payload" wrapper too.
        wrapped = body.get("payload")
        payload: dict[str, Any] = wrapped if isinstance(wrapped, dict) else body
        token = payload.get("restrictedDataToken")
        if not isinstance(token, str) or not token:
            raise CallFailed(
                OPERATION, response.status, response.request_id, "no restrictedDataToken returned"
            )
        return ExpiringValue(token, started, parse_expires_in(payload.get("expiresIn")))
