"""The naive connector's notifications: it works on a good day and makes the classic mistakes.

- every ``subscribe`` creates a new destination and new subscriptions (Amazon answers 409
  Conflict the second time; the naive connector logs it and carries on);
- every message is applied as it comes: a duplicate delivery is applied again, and an older
  ORDER_CHANGE that arrives late overwrites the newer status;
- messages are never deleted, so SQS delivers them again after the visibility timeout and
  they pile up until they expire;
- it keeps polling getOrders "to be safe" although ORDER_CHANGE tells it what changed.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from typing import Any

NOTIFICATIONS_SCOPE = "sellingpartnerapi::notifications"


class NaiveNotifications:
    """Mixed into the naive ``Connector`` (needs ``http``, ``call``, ``log`` and credentials)."""

    def _grantless_token(self) -> str:
        form = {
            "grant_type": "client_credentials",
            "scope": NOTIFICATIONS_SCOPE,
            "client_id": self.client_id,  # type: ignore[attr-defined]
            "client_secret": self.client_secret,  # type: ignore[attr-defined]
        }
        response = self.http.post(self.token_url, data=form)  # type: ignore[attr-defined]
        return str(response.json().get("access_token", ""))

    def _grantless_call(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"x-amz-access-token": self._grantless_token(), "accept": "application/json"}
        url = self.endpoints["NA"] + path  # type: ignore[attr-defined]
        return self.http.request(method, url, headers=headers, json=body)  # type: ignore[attr-defined]

    def subscribe(self, args: dict[str, Any]) -> dict[str, Any]:
        arn = os.environ.get("SQS_QUEUE_ARN", "")
        spec = {"name": "naive", "resourceSpecification": {"sqs": {"arn": arn}}}
        # mistake: a new destination every run, never a look at the existing ones
        answer = self._grantless_call("POST", "/notifications/v1/destinations", spec)
        if answer.status_code == 200:
            self.destination_id = answer.json()["payload"]["destinationId"]
        else:
            self.log(f"createDestination: HTTP {answer.status_code}")  # type: ignore[attr-defined]
        subscriptions: dict[str, str] = {}
        for kind in args["notification_types"]:
            body = {"payloadVersion": "1.0", "destinationId": getattr(self, "destination_id", "")}
            try:
                # mistake: a new subscription every run (409 the second time)
                created = self.call(  # type: ignore[attr-defined]
                    "createSubscription",
                    "POST",
                    "NA",
                    f"/notifications/v1/subscriptions/{kind}",
                    json=body,
                )
                subscriptions[kind] = created.json()["payload"]["subscriptionId"]
            except Exception as exc:
                self.log(str(exc))  # type: ignore[attr-defined]
        return {"ok": True, "errors": [], "subscriptions": subscriptions}

    def process_notifications(self, args: dict[str, Any]) -> dict[str, Any]:
        import boto3

        sqs = boto3.client(
            "sqs",
            endpoint_url=os.environ.get("SQS_ENDPOINT") or None,
            region_name=os.environ.get("AWS_REGION") or "us-east-1",
        )
        url = os.environ.get("SQS_QUEUE_URL", "")
        orders: dict[str, str] = getattr(self, "order_status", {})
        self.order_status = orders
        applied: list[dict[str, Any]] = []
        while True:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            messages = got.get("Messages", [])
            if not messages:
                break
            for message in messages:
                body = json.loads(message["Body"])
                meta = body.get("NotificationMetadata") or body.get("notificationMetadata") or {}
                kind = body.get("NotificationType") or body.get("notificationType") or ""
                payload = body.get("Payload") or body.get("payload") or {}
                change = payload.get("OrderChangeNotification")
                subject, state = "", ""
                if change:
                    kind = "ORDER_CHANGE"
                    subject = change["AmazonOrderId"]
                    state = change["Summary"]["OrderStatus"]
                    orders[subject] = state  # mistake: the last one read wins, old or new
                applied.append(
                    {
                        "notification_id": meta.get("NotificationId") or meta.get("notificationId"),
                        "notification_type": kind,
                        "subject": subject,
                        "state": state,
                        "event_time": body.get("EventTime") or body.get("eventTime"),
                    }
                )
                # mistake: the message is never deleted
        # mistake: polls getOrders anyway, "to be safe"
        since = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        try:
            self.call(
                "getOrders",
                "GET",
                "NA",
                "/orders/v0/orders",  # type: ignore[attr-defined]
                params={"MarketplaceIds": "ATVPDKIKX0DER", "LastUpdatedAfter": since},
            )
        except Exception as exc:
            self.log(str(exc))  # type: ignore[attr-defined]
        return {"ok": True, "errors": [], "applied": applied, "orders": dict(orders)}
