"""The ``Connector``: the four ACORN actions on top of the SP-API client."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from .alerts import Alerter
from .auth import LwaTokenProvider, TokenSource
from .client import SpApiClient
from .config import Settings
from .errors import AuthError
from .listing_actions import ListingActions
from .listings import ListingsWriter
from .log import FailureLog
from .notifications import NotificationActions
from .orders import OrdersSync
from .rdt import ORDER_ADDRESS_PATH, RestrictedDataTokenSource
from .reports import InFlight, ReportFetcher, ReportRequest
from .results import (
    ArgumentError,
    ErrorEntry,
    entry,
    from_auth,
    require_amount,
    require_int,
    require_object,
    require_str,
    require_str_list,
)
from .shipments import ShipmentConfirmer

TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def _timeout() -> httpx.Timeout:
    """30 s reads, or SPAPI_READ_TIMEOUT seconds (a test harness shortens it)."""
    raw = os.environ.get("SPAPI_READ_TIMEOUT", "").strip()
    try:
        seconds = float(raw) if raw else 0.0
    except ValueError:
        seconds = 0.0
    return httpx.Timeout(seconds, connect=10.0) if seconds > 0 else TIMEOUT


def _finish(result: dict[str, Any], errors: list[ErrorEntry]) -> dict[str, Any]:
    result["ok"] = not errors
    result["errors"] = errors
    return result


class Connector(ListingActions, NotificationActions):
    """SP-API connector configured from the environment (see ``config.Settings``).

    One instance keeps its LWA token and Restricted Data Tokens across actions.
    """

    def __init__(self, report_state: Path | None = None) -> None:
        self._settings = Settings.from_env()
        self._log = FailureLog(self._settings.log_file)
        self._http = httpx.Client(timeout=_timeout(), follow_redirects=False)
        self._lwa = LwaTokenProvider(
            self._http,
            token_url=self._settings.token_url,
            client_id=self._settings.client_id,
            client_secret=self._settings.client_secret,
            refresh_token=self._settings.refresh_token,
            log=self._log,
        )
        self._client = SpApiClient(self._http, self._settings.endpoints, self._lwa, self._log)
        self._alerts = Alerter(self._http, self._log)
        self._marketplaces: list[str] = []  # the current action's, named in its alerts
        self._address_rdt: dict[str, RestrictedDataTokenSource] = {}
        self._rdt_lock = threading.Lock()
        # Reports still processing, resumed by the next request for them (a file when each
        # action is a process of its own).
        self._reports_in_flight = InFlight(report_state)

    def __repr__(self) -> str:
        return f"Connector({self._settings!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Connector:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _address_tokens(self, region: str) -> TokenSource:
        with self._rdt_lock:  # parallel order details must share one source per region
            source = self._address_rdt.get(region)
            if source is None:
                source = RestrictedDataTokenSource(self._client, region, ORDER_ADDRESS_PATH)
                self._address_rdt[region] = source
            return source

    def _run(
        self,
        action: str,
        result: dict[str, Any],
        body: Callable[[list[ErrorEntry]], None],
    ) -> dict[str, Any]:
        errors: list[ErrorEntry] = []
        try:
            body(errors)
        except ArgumentError as exc:
            errors.append(entry(action, f"invalid arguments: {exc}"))
        except AuthError as exc:
            # No token, no calls: stop here instead of hammering LWA once per request.
            errors.append(from_auth(exc))
        self._alerts.incidents(action, errors, self._marketplaces)
        return _finish(result, errors)

    def sync_orders(self, args: dict[str, Any]) -> dict[str, Any]:
        orders: list[dict[str, Any]] = []

        def body(errors: list[ErrorEntry]) -> None:
            marketplace_ids = require_str_list(args, "marketplace_ids")
            self._marketplaces = list(marketplace_ids)
            created_after = require_str(args, "created_after")
            concurrency = require_int(args, "concurrency", 1) if "concurrency" in args else 1
            OrdersSync(self._client, self._address_tokens, errors).run(
                marketplace_ids, created_after, orders, concurrency
            )

        return self._run("sync_orders", {"orders": orders}, body)

    def publish_listing(self, args: dict[str, Any]) -> dict[str, Any]:
        if isinstance(args.get("product"), dict):
            # Product data given: build and validate each marketplace's own attributes.
            return self.publish_product(args)
        submissions: list[dict[str, Any]] = []

        def body(errors: list[ErrorEntry]) -> None:
            sku = require_str(args, "sku")
            request = {
                "productType": require_str(args, "product_type"),
                "requirements": "LISTING",
                "attributes": require_object(args, "attributes"),
            }
            writer = ListingsWriter(self._client, self._settings.seller_id, errors)
            for marketplace_id in require_str_list(args, "marketplace_ids"):
                submission = writer.submit("putListingsItem", "PUT", sku, marketplace_id, request)
                if submission is not None:
                    submissions.append(submission)

        return self._run("publish_listing", {"submissions": submissions}, body)

    def update_inventory(self, args: dict[str, Any]) -> dict[str, Any]:
        updated: list[str] = []

        def body(errors: list[ErrorEntry]) -> None:
            sku = require_str(args, "sku")
            product_type = require_str(args, "product_type")
            quantity = require_int(args, "quantity")
            marketplace_ids = require_str_list(args, "marketplace_ids")
            request = {
                "productType": product_type,
                "patches": [
                    {
                        "op": "replace",
                        "path": "/attributes/fulfillment_availability",
                        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
                    }
                ],
            }
            writer = ListingsWriter(self._client, self._settings.seller_id, errors)
            for marketplace_id in marketplace_ids:
                submission = writer.submit(
                    "patchListingsItem", "PATCH", sku, marketplace_id, request
                )
                if writer.succeeded(submission):
                    updated.append(marketplace_id)

        return self._run("update_inventory", {"updated": updated}, body)

    def update_price(self, args: dict[str, Any]) -> dict[str, Any]:
        updated: list[str] = []

        def body(errors: list[ErrorEntry]) -> None:
            sku = require_str(args, "sku")
            product_type = require_str(args, "product_type")
            marketplace_id = require_str(args, "marketplace_id")
            amount = require_amount(args, "amount")
            currency = require_str(args, "currency")
            offer = {
                "marketplace_id": marketplace_id,
                "currency": currency,
                "our_price": [{"schedule": [{"value_with_tax": amount}]}],
            }
            request = {
                "productType": product_type,
                "patches": [
                    {"op": "replace", "path": "/attributes/purchasable_offer", "value": [offer]}
                ],
            }
            writer = ListingsWriter(self._client, self._settings.seller_id, errors)
            submission = writer.submit("patchListingsItem", "PATCH", sku, marketplace_id, request)
            if writer.succeeded(submission):
                updated.append(marketplace_id)

        return self._run("update_price", {"updated": updated}, body)

    def confirm_shipment(self, args: dict[str, Any]) -> dict[str, Any]:
        confirmed: list[str] = []

        def body(errors: list[ErrorEntry]) -> None:
            order_id = require_str(args, "amazon_order_id")
            package = {
                "packageReferenceId": require_str(args, "package_reference_id"),
                "carrierCode": require_str(args, "carrier_code"),
                "trackingNumber": require_str(args, "tracking_number"),
                "shipDate": require_str(args, "ship_date"),
            }
            marketplace_id = require_str(args, "marketplace_id")
            if ShipmentConfirmer(self._client, errors).confirm(order_id, marketplace_id, package):
                confirmed.append(order_id)

        return self._run("confirm_shipment", {"confirmed": confirmed}, body)

    def fetch_report(self, args: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {"report_id": None, "status": None, "rows": []}

        def body(errors: list[ErrorEntry]) -> None:
            request = ReportRequest(
                report_type=require_str(args, "report_type"),
                marketplace_ids=require_str_list(args, "marketplace_ids"),
                start=require_str(args, "data_start_time") if "data_start_time" in args else None,
                end=require_str(args, "data_end_time") if "data_end_time" in args else None,
            )
            patience = args.get("give_up_after_s", 60.0)
            if not isinstance(patience, int | float) or patience <= 0:
                raise ArgumentError("'give_up_after_s' must be a positive number of seconds")
            fetcher = ReportFetcher(self._client, self._http, self._reports_in_flight, errors)
            result.update(fetcher.fetch(request, patience))

        return self._run("fetch_report", result, body)
