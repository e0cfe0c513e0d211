"""Publishing SP-API notifications into the subscribed SQS queue, as Amazon does.

A notification is published only when the seller has a subscription of its type (the
subscription names the destination, the destination the queue's ARN). Payloads follow
Amazon's notification schemas (schemas/notifications/*.json in the SP-API models; a unit test
validates every payload built here against them). SQS standard queues deliver at least once
and in no guaranteed order: :meth:`Publisher.publish` takes ``copies`` (the same message
delivered again, same notificationId) and the scenario chooses the order it publishes in (an
older ORDER_CHANGE after a newer one). Sources: docs/fidelity.md §11.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from harness.sim.credentials import Credentials
    from harness.sim.sqs import SqsEndpoint
    from harness.sim.world import World

__all__ = ["Published", "Publisher"]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class Published:
    """What ACORN put into the queue (the checks' reference for what could be applied)."""

    notification_id: str
    notification_type: str
    subject: str  # the order id, SKU, feed id or report id the notification is about
    event_time: str
    state: str  # the order status / listing status / processing status it announces
    copies: int
    payload: dict[str, Any] = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "notification_id": self.notification_id,
            "notification_type": self.notification_type,
            "subject": self.subject,
            "event_time": self.event_time,
            "state": self.state,
            "copies": self.copies,
        }


class Simulated(Protocol):
    """What a publisher reads of the simulator (a ``SimCore`` is one): the world as of now and
    the application's credentials. A protocol, so the handlers never import the core."""

    credentials: Credentials

    def world(self) -> World: ...


class Publisher:
    """Builds and sends notifications for one simulated world."""

    def __init__(self, sim: Simulated, sqs: SqsEndpoint) -> None:
        self._sim = sim
        self.sqs = sqs
        self.published: list[Published] = []
        self.skipped: list[str] = []
        """Types a notification was asked for but the seller has no subscription to."""

    @property
    def world(self) -> World:
        """The world as of now: a ``reset`` after this publisher was made is seen."""
        return self._sim.world()

    # -- the envelope ---------------------------------------------------------------------
    def _subscription(self, kind: str) -> tuple[dict[str, Any], str] | None:
        commerce = self.world.state.commerce
        subscription = commerce.subscriptions.get(kind)
        if subscription is None:
            return None
        destination = commerce.destinations.get(str(subscription.get("destinationId")))
        arn = ((destination or {}).get("resource") or {}).get("sqs", {}).get("arn")
        url = self.sqs.queue_url(str(arn)) if arn else None
        return (subscription, url) if url else None

    def _send(
        self,
        kind: str,
        subject: str,
        state: str,
        event: datetime,
        body: dict[str, Any],
        *,
        copies: int,
        pascal: bool,
    ) -> Published | None:
        found = self._subscription(kind)
        if found is None:
            self.skipped.append(kind)
            return None
        subscription, url = found
        notification_id = str(uuid.uuid4())
        meta = {
            "ApplicationId": self._sim.credentials.application_id,
            "SubscriptionId": str(subscription["subscriptionId"]),
            "PublishTime": _iso(self.world.clock.now_datetime()),
            "NotificationId": notification_id,
        }
        envelope = {
            "NotificationVersion": "1.0",
            "NotificationType": body.pop("_type", kind),
            "PayloadVersion": str(subscription.get("payloadVersion", "1.0")),
            "EventTime": _iso(event),
            "Payload": body,
            "NotificationMetadata": meta,
        }
        if not pascal:  # feed and report notifications use camelCase envelope keys
            envelope = {k[0].lower() + k[1:]: v for k, v in envelope.items()}
            envelope["notificationMetadata"] = {k[0].lower() + k[1:]: v for k, v in meta.items()}
        text = json.dumps(envelope)
        for _ in range(copies):
            self.sqs.send(url, text)
        record = Published(notification_id, kind, subject, _iso(event), state, copies, envelope)
        self.published.append(record)
        return record

    # -- the notification types -----------------------------------------------------------
    def order_change(
        self,
        order_id: str,
        status: str,
        *,
        minutes_ago: float = 0.0,
        copies: int = 1,
        apply: bool = True,
    ) -> Published | None:
        """The order's status changed to ``status`` ``minutes_ago`` (virtual) minutes ago.

        ``apply``: the simulator's order takes the status too (False for a stale event that
        arrives late: the world already moved on)."""
        world = self.world
        state = world.state
        order = state.orders[order_id]
        if apply:
            with world.locked():
                state.orders[order_id] = order = replace(order, status=status)
        event = world.clock.now_datetime() - timedelta(minutes=minutes_ago)
        shipped = status == "Shipped"
        items = [
            {
                "OrderItemId": item.order_item_id,
                "SellerSKU": item.seller_sku,
                "SupplySourceId": None,
                "OrderItemStatus": "Shipped" if shipped else "Unshipped",
                "Quantity": item.quantity,
                "QuantityShipped": item.quantity if shipped else 0,
            }
            for item in order.items
        ]
        body = {
            "OrderChangeNotification": {
                "NotificationLevel": "OrderLevel",
                "SellerId": state.seller_id,
                "AmazonOrderId": order_id,
                "OrderChangeType": "OrderStatusChange",
                "OrderChangeTrigger": {"TimeOfOrderChange": _iso(event), "ChangeReason": status},
                "Summary": {
                    "MarketplaceId": order.marketplace_id,
                    "OrderStatus": status,
                    "PurchaseDate": _iso(order.purchase_date),
                    "DestinationPostalCode": None,  # kept out: buyer data needs an RDT
                    "FulfillmentType": "AFN" if order.fulfillment_channel == "AFN" else "MFN",
                    "OrderType": "StandardOrder",
                    "OrderItems": items,
                },
            }
        }
        return self._send("ORDER_CHANGE", order_id, status, event, body, copies=copies, pascal=True)

    def listing_status(
        self, sku: str, marketplace_id: str, statuses: list[str], *, copies: int = 1
    ) -> Published | None:
        state = self.world.state
        body = {
            # The schema spells the type LISTINGS_ITEM_STATUS_CHANGED (subscriptions: ..._CHANGE).
            "_type": "LISTINGS_ITEM_STATUS_CHANGED",
            "SellerId": state.seller_id,
            "MarketplaceId": marketplace_id,
            "Asin": state.commerce.asin(sku) or "B0ACORN000",
            "Sku": sku,
            "Status": statuses,
        }
        return self._send(
            "LISTINGS_ITEM_STATUS_CHANGE",
            sku,
            ",".join(statuses) or "NONE",
            self.world.clock.now_datetime(),
            body,
            copies=copies,
            pascal=True,
        )

    def listing_issues(
        self,
        sku: str,
        marketplace_id: str,
        severities: list[str],
        *,
        suppressed: bool = False,
        copies: int = 1,
    ) -> Published | None:
        state = self.world.state
        body: dict[str, Any] = {
            "_type": "LISTINGS_ITEM_ISSUES_CHANGE",
            "SellerId": state.seller_id,
            "MarketplaceId": marketplace_id,
            "Asin": state.commerce.asin(sku) or "B0ACORN000",
            "Sku": sku,
            "Severities": severities,
            "EnforcementActions": ["SEARCH_SUPPRESSED"] if suppressed else [],
        }
        return self._send(
            "LISTINGS_ITEM_ISSUES_CHANGE",
            sku,
            ",".join(severities) or "NONE",
            self.world.clock.now_datetime(),
            body,
            copies=copies,
            pascal=True,
        )

    def _processing(
        self,
        kind: str,
        key: str,
        ident: str,
        type_key: str,
        type_value: str,
        status: str,
        document_key: str,
        copies: int,
    ) -> Published | None:
        inner = {
            "sellerId": self.world.state.seller_id,
            "accountId": self.world.state.seller_id,
            key: ident,
            type_key: type_value,
            "processingStatus": status,
        }
        if status == "DONE":
            inner[document_key] = f"amzn1.tortuga.4.na.{uuid.uuid4()}"
        name = kind.lower().title().replace("_", "")
        body = {name[0].lower() + name[1:] + "Notification": inner}
        return self._send(
            kind,
            ident,
            status,
            self.world.clock.now_datetime(),
            body,
            copies=copies,
            pascal=False,
        )

    def feed_finished(
        self,
        feed_id: str,
        feed_type: str = "JSON_LISTINGS_FEED",
        status: str = "DONE",
        *,
        copies: int = 1,
    ) -> Published | None:
        return self._processing(
            "FEED_PROCESSING_FINISHED",
            "feedId",
            feed_id,
            "feedType",
            feed_type,
            status,
            "resultFeedDocumentId",
            copies,
        )

    def report_finished(
        self,
        report_id: str,
        report_type: str = "GET_MERCHANT_LISTINGS_ALL_DATA",
        status: str = "DONE",
        *,
        copies: int = 1,
    ) -> Published | None:
        return self._processing(
            "REPORT_PROCESSING_FINISHED",
            "reportId",
            report_id,
            "reportType",
            report_type,
            status,
            "reportDocumentId",
            copies,
        )

    def summary(self) -> list[dict[str, Any]]:
        return [p.to_dict() for p in self.published]
