"""Notifications: subscribe once, then read the SQS queue instead of polling.

- ``subscribe`` is idempotent: an existing destination for our queue and an existing
  subscription of each type are reused, never created again (a second one is a 409 anyway).
  Destinations are application-wide and take a grantless token (client_credentials, scope
  ``sellingpartnerapi::notifications``); subscriptions take the seller's token.
- ``process_notifications`` reads the queue until it is empty (or a time bound passes), applies
  each notification once (SQS delivers at least once: dedupe by notificationId), ignores an
  ORDER_CHANGE older than the state it already has (SQS does not keep order), and deletes
  every message it has dealt with, so nothing is redelivered or left to expire.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from .auth import LwaTokenProvider
from .client import SpApiClient
from .errors import CallFailed
from .results import ErrorEntry, entry, from_call, require_str_list

Runner = Callable[[str, dict[str, Any], Callable[[list[ErrorEntry]], None]], dict[str, Any]]
NOTIFICATIONS_SCOPE = "sellingpartnerapi::notifications"
REGION = "NA"  # destinations and subscriptions are per region; the seller's home region


def grantless_tokens(http: httpx.Client, settings: Any, log: Any) -> LwaTokenProvider:
    """An LWA token cache for client_credentials with the notifications scope."""
    provider = LwaTokenProvider(
        http,
        token_url=settings.token_url,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        refresh_token="",
        log=log,
    )
    provider._form = {  # same cache and retry rules, another grant
        "grant_type": "client_credentials",
        "scope": NOTIFICATIONS_SCOPE,
        "client_id": settings.client_id,
        "client_secret": settings.client_secret,
    }
    return provider


def _state_file() -> Path:
    queue = os.environ.get("SQS_QUEUE_URL", "")
    digest = hashlib.sha256(queue.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"reference-connector-notifications-{digest}.json"


def payload_of(body: Any) -> Any:
    """Notifications v1 wraps answers in ``payload`` (an object, or a list of destinations)."""
    return body.get("payload") if isinstance(body, dict) else None


def _sqs() -> Any:
    import boto3

    return boto3.client(
        "sqs",
        endpoint_url=os.environ.get("SQS_ENDPOINT") or None,
        region_name=os.environ.get("AWS_REGION") or "us-east-1",
    )


def _meta(body: dict[str, Any]) -> dict[str, Any]:
    found = body.get("NotificationMetadata") or body.get("notificationMetadata") or {}
    return found if isinstance(found, dict) else {}


def _field(body: dict[str, Any], name: str) -> Any:
    return body.get(name) or body.get(name[0].lower() + name[1:])


def describe(body: dict[str, Any]) -> tuple[str, str, str]:
    """(type, subject, state) of a notification: what it is about and what it announces."""
    kind = str(_field(body, "NotificationType") or "")
    payload = _field(body, "Payload") or {}
    if "OrderChangeNotification" in payload:
        inner = payload["OrderChangeNotification"]
        return "ORDER_CHANGE", inner["AmazonOrderId"], inner["Summary"]["OrderStatus"]
    if kind.startswith("LISTINGS_ITEM_STATUS"):
        return "LISTINGS_ITEM_STATUS_CHANGE", payload["Sku"], ",".join(payload["Status"])
    if kind == "LISTINGS_ITEM_ISSUES_CHANGE":
        return kind, payload["Sku"], ",".join(payload["Severities"]) or "NONE"
    for key, ident in (
        ("feedProcessingFinishedNotification", "feedId"),
        ("reportProcessingFinishedNotification", "reportId"),
    ):
        if key in payload:
            inner = payload[key]
            return kind, inner[ident], inner["processingStatus"]
    return kind, "", ""


class NotificationActions:
    """Mixed into ``Connector``: needs ``_client``, ``_http``, ``_settings``, ``_log``, ``_run``."""

    _client: SpApiClient
    _run: Runner
    _grantless: LwaTokenProvider | None = None

    def _notification_state(self) -> dict[str, Any]:
        """notificationIds seen and order states, kept in a file beside the queue's name so a
        command-driver run (one process per action) remembers them as well."""
        state = getattr(self, "_ntf", None)
        if state is None:
            state = {"seen": set(), "orders": {}}
            path = _state_file()
            if path.is_file():
                saved = json.loads(path.read_text())
                state = {"seen": set(saved["seen"]), "orders": saved["orders"]}
            self._ntf = state
        return state

    def _save_state(self) -> None:
        state = self._notification_state()
        data = {"seen": sorted(state["seen"]), "orders": state["orders"]}
        _state_file().write_text(json.dumps(data))

    def _grantless_tokens(self) -> LwaTokenProvider:
        if self._grantless is None:
            self._grantless = grantless_tokens(
                self._http,  # type: ignore[attr-defined]
                self._settings,  # type: ignore[attr-defined]
                self._log,  # type: ignore[attr-defined]
            )
        return self._grantless

    def _destination(self, arn: str) -> tuple[str, bool]:
        """The id of our queue's destination, and whether it was created now."""
        grantless = self._grantless_tokens()
        listed = self._client.call(
            "getDestinations",
            "GET",
            REGION,
            "/notifications/v1/destinations",
            token_source=grantless,
        )
        for destination in payload_of(listed.body) or []:
            if (destination.get("resource") or {}).get("sqs", {}).get("arn") == arn:
                return str(destination["destinationId"]), False
        created = self._client.call(
            "createDestination",
            "POST",
            REGION,
            "/notifications/v1/destinations",
            json_body={"name": "acorn-reference", "resourceSpecification": {"sqs": {"arn": arn}}},
            token_source=grantless,
        )
        return str(payload_of(created.body)["destinationId"]), True

    def _subscription(self, kind: str, destination_id: str) -> tuple[str, bool]:
        path = f"/notifications/v1/subscriptions/{kind}"
        try:
            found = self._client.call("getSubscription", "GET", REGION, path)
            existing = payload_of(found.body) or {}
            if existing.get("destinationId") == destination_id:
                return str(existing["subscriptionId"]), False
        except CallFailed as exc:
            if exc.status != 404:
                raise
        created = self._client.call(
            "createSubscription",
            "POST",
            REGION,
            path,
            json_body={"payloadVersion": "1.0", "destinationId": destination_id},
        )
        return str(payload_of(created.body)["subscriptionId"]), True

    def subscribe(self, args: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {"destination_id": None, "subscriptions": {}, "created": []}

        def body(errors: list[ErrorEntry]) -> None:
            kinds = require_str_list(args, "notification_types")
            arn = os.environ.get("SQS_QUEUE_ARN", "")
            if not arn:
                errors.append(entry("subscribe", "SQS_QUEUE_ARN is not set"))
                return
            try:
                destination_id, new = self._destination(arn)
            except CallFailed as exc:
                errors.append(from_call(exc))
                return
            result["destination_id"] = destination_id
            if new:
                result["created"].append("destination")
            for kind in kinds:
                try:
                    subscription_id, new = self._subscription(kind, destination_id)
                except CallFailed as exc:
                    errors.append(from_call(exc))
                    continue
                result["subscriptions"][kind] = subscription_id
                if new:
                    result["created"].append(kind)

        return self._run("subscribe", result, body)

    def _apply(self, body: dict[str, Any], applied: list[Any], ignored: list[Any]) -> None:
        state = self._notification_state()
        notification_id = str(
            _meta(body).get("NotificationId") or _meta(body).get("notificationId") or ""
        )
        kind, subject, status = describe(body)
        event_time = str(_field(body, "EventTime") or "")
        if notification_id in state["seen"]:
            ignored.append({"notification_id": notification_id, "reason": "duplicate"})
            return
        state["seen"].add(notification_id)
        if kind == "ORDER_CHANGE":
            known = state["orders"].get(subject)
            if known is not None and known[0] > event_time:  # ISO 8601 UTC sorts as text
                ignored.append({"notification_id": notification_id, "reason": "older"})
                return
            state["orders"][subject] = [event_time, status]
        applied.append(
            {
                "notification_id": notification_id,
                "notification_type": kind,
                "subject": subject,
                "state": status,
                "event_time": event_time,
            }
        )

    def process_notifications(self, args: dict[str, Any]) -> dict[str, Any]:
        applied: list[dict[str, Any]] = []
        ignored: list[dict[str, Any]] = []
        result: dict[str, Any] = {"applied": applied, "ignored": ignored, "deleted": 0}

        def body(errors: list[ErrorEntry]) -> None:
            url = os.environ.get("SQS_QUEUE_URL", "")
            bound = float(args.get("max_wait_s", 5.0))
            deadline = time.monotonic() + bound
            sqs = _sqs()
            while time.monotonic() < deadline:
                got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
                messages = got.get("Messages", [])
                if not messages:
                    break
                for message in messages:
                    try:
                        parsed = json.loads(message["Body"])
                        self._apply(parsed, applied, ignored)
                    except (ValueError, KeyError, TypeError) as exc:
                        # Not ours to fix by retrying: record it and let the DLQ policy act.
                        errors.append(
                            entry(
                                "process_notifications",
                                f"unreadable notification ({type(exc).__name__})",
                            )
                        )
                        continue
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                    result["deleted"] += 1
            result["orders"] = {k: v[1] for k, v in self._notification_state()["orders"].items()}
            self._save_state()

        return self._run("process_notifications", result, body)
