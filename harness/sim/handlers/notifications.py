"""Notifications v1: destinations (grantless) and the seller's subscriptions.

Destinations belong to the application and are managed with a client_credentials token of
scope ``sellingpartnerapi::notifications`` (the pipeline refuses a seller token: docs/fidelity.md
§11); subscriptions need the seller's authorization. A second subscription to the same type, or
a second destination for the same resource, is a 409 conflict. deleteDestination and
deleteSubscriptionById are grantless too and answer a bare ``{}`` (docs/fidelity.md §11).
Publishing into the subscribed queue is :mod:`harness.sim.handlers.notifications_publish`.
"""

from __future__ import annotations

import uuid
from typing import Any

from harness.sim.handlers.base import Ctx, Handler
from harness.sim.http import Reply

__all__ = ["HANDLERS", "NOTIFICATION_TYPES"]

# The types with a payload schema in Amazon's models (schemas/notifications/), by type name.
NOTIFICATION_TYPES = frozenset(
    {
        "ANY_OFFER_CHANGED",
        "B2B_ANY_OFFER_CHANGED",
        "BRANDED_ITEM_CONTENT_CHANGE",
        "DATA_KIOSK_QUERY_PROCESSING_FINISHED",
        "DETAIL_PAGE_TRAFFIC_EVENT",
        "FBA_INVENTORY_AVAILABILITY_CHANGES",
        "FBA_OUTBOUND_SHIPMENT_STATUS",
        "FEE_PROMOTION",
        "FEED_PROCESSING_FINISHED",
        "FULFILLMENT_ORDER_STATUS",
        "ITEM_INVENTORY_EVENT_CHANGE",
        "ITEM_PRODUCT_TYPE_CHANGE",
        "ITEM_SALES_EVENT_CHANGE",
        "LISTINGS_ITEM_ISSUES_CHANGE",
        "LISTINGS_ITEM_MFN_QUANTITY_CHANGE",
        "LISTINGS_ITEM_STATUS_CHANGE",
        "ORDER_CHANGE",
        "PRICING_HEALTH",
        "PRODUCT_TYPE_DEFINITIONS_CHANGE",
        "REPORT_PROCESSING_FINISHED",
        "SHIPMENT_TRACKING_MILESTONE_CHANGED",
        "TRANSACTION_UPDATE",
    }
)


def _conflict(ctx: Ctx, message: str) -> Reply:
    return ctx.error(409, "Conflict", message, "", rule="NTF-CONFLICT")


def create_destination(ctx: Ctx) -> Reply:
    body = ctx.request.json()
    spec = body["resourceSpecification"]
    resource: dict[str, Any]
    if "sqs" in spec:
        resource = {"sqs": {"arn": str(spec["sqs"]["arn"])}}
        if not resource["sqs"]["arn"].startswith("arn:aws:sqs:"):
            return ctx.bad_request(
                "resourceSpecification.sqs.arn must be an SQS queue ARN.",
                rule="NTF-SQS-ARN",
            )
    elif "eventBridge" in spec:
        bridge = spec["eventBridge"]
        resource = {
            "eventBridge": {
                "name": f"aws.partner/sellingpartnerapi.amazon.com/{bridge['accountId']}/"
                f"{uuid.uuid4()}",
                "region": str(bridge["region"]),
                "accountId": str(bridge["accountId"]),
            }
        }
    else:
        # The model only says applications "should use one resource type": not a refusal.
        ctx.note("NTF-NO-RESOURCE")
        resource = {}
    with ctx.world.locked() as state:
        commerce = state.commerce
        for existing in commerce.destinations.values():
            same_sqs = "sqs" in resource and existing["resource"].get("sqs") == resource["sqs"]
            if same_sqs:
                return _conflict(ctx, "A destination with this resource already exists.")
        destination: dict[str, Any] = {
            "name": str(body["name"]),
            "destinationId": str(uuid.uuid4()),
            "resource": resource,
        }
        commerce.destinations[destination["destinationId"]] = destination
    return Reply(200, destination, facts={"destination": destination["destinationId"]})


def get_destinations(ctx: Ctx) -> Reply:
    destinations = list(ctx.world.state.commerce.destinations.values())
    return Reply(200, destinations, facts={"destinations": len(destinations)})


def _notification_type(ctx: Ctx) -> str:
    """The path's notification type; one ACORN does not know is accepted with a note (the
    model's notificationType is a free string and no source shows Amazon refusing one)."""
    kind = ctx.params["notificationType"]
    if kind not in NOTIFICATION_TYPES:
        ctx.note("NTF-UNKNOWN-TYPE")
    return kind


def create_subscription(ctx: Ctx) -> Reply:
    kind = _notification_type(ctx)
    body = ctx.request.json()
    destination_id = str(body["destinationId"])
    with ctx.world.locked() as state:
        commerce = state.commerce
        if destination_id not in commerce.destinations:
            ctx.note("NTF-UNKNOWN-DESTINATION")  # no source shows how Amazon answers this
        if kind in commerce.subscriptions:
            return _conflict(ctx, f"A subscription for {kind} already exists.")
        subscription: dict[str, Any] = {
            "subscriptionId": str(uuid.uuid4()),
            "payloadVersion": str(body["payloadVersion"]),
            "destinationId": destination_id,
        }
        if isinstance(body.get("processingDirective"), dict):
            subscription["processingDirective"] = body["processingDirective"]
        commerce.subscriptions[kind] = subscription
    return Reply(200, subscription, facts={"notification_type": kind})


def get_subscription(ctx: Ctx) -> Reply:
    kind = _notification_type(ctx)
    subscription = ctx.world.state.commerce.subscriptions.get(kind)
    if subscription is None:
        return ctx.not_found(f"No subscription found for {kind}.")
    return Reply(200, subscription, facts={"notification_type": kind})


def delete_destination(ctx: Ctx) -> Reply:
    """Grantless. Subscriptions that still name the destination are kept (how Amazon treats
    them is not documented; they simply receive nothing more)."""
    with ctx.world.locked() as state:
        found = state.commerce.destinations.pop(ctx.params["destinationId"], None)
    if found is None:
        return ctx.not_found("No destination found with this destinationId.")
    return Reply(200, {}, facts={"destination": found["destinationId"]})


def delete_subscription_by_id(ctx: Ctx) -> Reply:
    """Grantless: the application deletes one of its subscriptions by id."""
    kind = _notification_type(ctx)
    with ctx.world.locked() as state:
        commerce = state.commerce
        current = commerce.subscriptions.get(kind)
        if current is None or current["subscriptionId"] != ctx.params["subscriptionId"]:
            return ctx.not_found(f"No subscription of {kind} found with this subscriptionId.")
        del commerce.subscriptions[kind]
    return Reply(200, {}, facts={"notification_type": kind})


HANDLERS: dict[str, Handler] = {
    "createDestination": create_destination,
    "getDestinations": get_destinations,
    "createSubscription": create_subscription,
    "getSubscription": get_subscription,
    "deleteDestination": delete_destination,
    "deleteSubscriptionById": delete_subscription_by_id,
}
