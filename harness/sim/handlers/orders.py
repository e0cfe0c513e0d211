"""Orders v0: order lists and details, with buyer PII only behind a Restricted Data Token."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from harness.sim.handlers.base import Ctx, Handler
from harness.sim.http import Reply
from harness.sim.state import OrderRecord, iso
from harness.sim.validate import Violation

__all__ = ["HANDLERS"]

# Values Amazon's model states only in the parameter descriptions ("Possible values"), so the
# contract (which mirrors the model's schema) cannot carry them; Amazon still refuses others.
_DOCUMENTED_VALUES = {
    "OrderStatuses": frozenset(
        {
            "PendingAvailability",
            "Pending",
            "Unshipped",
            "PartiallyShipped",
            "Shipped",
            "InvoiceUnconfirmed",
            "Canceled",
            "Unfulfillable",
        }
    ),
    "FulfillmentChannels": frozenset({"AFN", "MFN"}),
    "PaymentMethods": frozenset({"COD", "CVS", "Other"}),
}


def _documented_violations(ctx: Ctx) -> list[Violation]:
    """Breaches of the limits the model gives in prose (enum values, 1-100 page size)."""
    found = []
    for name, allowed in _DOCUMENTED_VALUES.items():
        for i, value in enumerate(ctx.request.csv(name)):
            if value not in allowed:
                where = f"query.{name}[{i}]"
                found.append(
                    Violation(
                        where,
                        "enum",
                        f"{where}: {value!r} is not one of: {', '.join(sorted(allowed))}.",
                    )
                )
    try:
        size = int(ctx.request.first("MaxResultsPerPage") or 100)  # the contract checked type
    except ValueError:
        size = 100
    if not 1 <= size <= 100:
        found.append(
            Violation(
                "query.MaxResultsPerPage",
                "maximum" if size > 100 else "minimum",
                f"query.MaxResultsPerPage: must be 1 - 100, got {size}.",
            )
        )
    return found


def _parse_time(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _address(order: OrderRecord, full: bool) -> dict[str, Any]:
    buyer = order.buyer
    # Without an RDT Amazon strips the address down to where, not who.
    address: dict[str, Any] = {
        "City": buyer.city,
        "StateOrRegion": buyer.state_or_region,
        "PostalCode": buyer.postal_code,
        "CountryCode": buyer.country_code,
    }
    if full:
        address = {
            "Name": buyer.name,
            "AddressLine1": buyer.address_line1,
            **address,
            "Phone": buyer.phone,
            "AddressType": "Residential",
        }
    return address


def _order_json(ctx: Ctx, order: OrderRecord) -> dict[str, Any]:
    total = sum(float(i.price) * i.quantity for i in order.items)
    shipped = order.status == "Shipped"
    units = sum(i.quantity for i in order.items)
    data: dict[str, Any] = {
        "AmazonOrderId": order.amazon_order_id,
        "PurchaseDate": iso(order.purchase_date),
        "LastUpdateDate": iso(order.purchase_date + timedelta(minutes=5)),
        "OrderStatus": order.status,
        "FulfillmentChannel": order.fulfillment_channel,
        "SalesChannel": ctx.world.contracts.marketplaces[order.marketplace_id].name,
        "OrderTotal": {"CurrencyCode": order.currency, "Amount": f"{total:.2f}"},
        "NumberOfItemsShipped": units if shipped else 0,
        "NumberOfItemsUnshipped": 0 if shipped else units,
        "PaymentMethod": "Other",
        "PaymentMethodDetails": ["Standard"],
        "MarketplaceId": order.marketplace_id,
        "ShipmentServiceLevelCategory": "Standard",
        "OrderType": "StandardOrder",
        "EarliestShipDate": iso(order.purchase_date + timedelta(days=1)),
        "LatestShipDate": iso(order.purchase_date + timedelta(days=3)),
        "IsBusinessOrder": False,
        "IsPrime": False,
        "IsPremiumOrder": False,
        "IsGlobalExpressEnabled": False,
        "IsReplacementOrder": False,
        "IsSoldByAB": False,
        "IsISPU": False,
        "IsAccessPointOrder": False,
        "ShippingAddress": _address(order, ctx.unlocked("shippingAddress")),
        "BuyerInfo": {},
    }
    if ctx.unlocked("buyerInfo"):
        data["BuyerInfo"] = {"BuyerEmail": order.buyer.email, "BuyerName": order.buyer.name}
    return data


def _pii_fact(ctx: Ctx, element: str | None = None) -> dict[str, str]:
    return {"pii": "full" if ctx.unlocked(element) else "stripped"}


def _encode_cursor(cursor: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode()


def _decode_cursor(token: str) -> dict[str, Any] | None:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def get_orders(ctx: Ctx) -> Reply:
    req = ctx.request
    documented = _documented_violations(ctx)
    if documented:
        reply = ctx.bad_request(documented[0].message, rule="ORD-DOCUMENTED-LIMIT")
        reply.facts["contract_violations"] = [v.to_dict() for v in documented]
        reply.facts["contract"] = "invalid"
        return reply
    marketplace_ids = req.csv("MarketplaceIds")
    refused = ctx.check_marketplaces(marketplace_ids)
    if refused:
        return refused
    next_token = req.first("NextToken")
    if next_token:
        cursor = _decode_cursor(next_token)
        if cursor is None:
            return ctx.foreign_token("Invalid NextToken.")
    else:
        created, updated = req.first("CreatedAfter"), req.first("LastUpdatedAfter")
        if (created is None) == (updated is None):
            return ctx.bad_request(
                "Exactly one of CreatedAfter and LastUpdatedAfter is required.",
                rule="ORD-CREATED-OR-UPDATED",
            )
        after = _parse_time(created or updated or "")
        if after is None:
            return ctx.bad_request(
                "CreatedAfter/LastUpdatedAfter must be an ISO 8601 date-time.",
                rule="ORD-DATE-FORMAT",
            )
        statuses = req.csv("OrderStatuses")
        cursor = {"after": after.timestamp(), "statuses": statuses, "offset": 0}
    page = min(int(req.first("MaxResultsPerPage") or 100), ctx.world.config.orders_page_size)
    matching = [
        o
        for o in ctx.world.state.orders_in(marketplace_ids)
        if o.purchase_date.timestamp() >= cursor["after"]
        and (not cursor["statuses"] or o.status in cursor["statuses"])
    ]
    offset = int(cursor["offset"])
    chunk = matching[offset : offset + page]
    payload: dict[str, Any] = {
        "Orders": [_order_json(ctx, o) for o in chunk],
        "CreatedBefore": iso(ctx.world.clock.now_datetime() - timedelta(minutes=2)),
    }
    if offset + page < len(matching):
        payload["NextToken"] = _encode_cursor({**cursor, "offset": offset + page})
    return Reply(200, payload, facts={**_pii_fact(ctx, "shippingAddress"), "orders": len(chunk)})


def _find(ctx: Ctx) -> OrderRecord | Reply:
    order = ctx.world.state.orders.get(ctx.params["orderId"])
    if order is None:
        return ctx.not_found(f"Order {ctx.params['orderId']} was not found.")
    region = ctx.world.contracts.marketplaces[order.marketplace_id].region
    if region != ctx.region:
        return ctx.error(
            403, "Unauthorized", "Access to requested resource is denied.", "", rule="MKT-REGION"
        )
    return order


def get_order(ctx: Ctx) -> Reply:
    order = _find(ctx)
    if isinstance(order, Reply):
        return order
    return Reply(200, _order_json(ctx, order), facts=_pii_fact(ctx, "shippingAddress"))


def get_order_items(ctx: Ctx) -> Reply:
    order = _find(ctx)
    if isinstance(order, Reply):
        return order
    items = [
        {
            "ASIN": item.asin,
            "SellerSKU": item.seller_sku,
            "OrderItemId": item.order_item_id,
            "Title": item.title,
            "QuantityOrdered": item.quantity,
            "QuantityShipped": item.quantity if order.status == "Shipped" else 0,
            "ItemPrice": {
                "CurrencyCode": order.currency,
                "Amount": f"{float(item.price) * item.quantity:.2f}",
            },
            "IsGift": "false",
            "ConditionId": "New",
            "ConditionSubtypeId": "New",
            "IsTransparency": False,
        }
        for item in order.items
    ]
    return Reply(200, {"OrderItems": items, "AmazonOrderId": order.amazon_order_id})


def get_order_address(ctx: Ctx) -> Reply:
    order = _find(ctx)
    if isinstance(order, Reply):
        return order
    full = ctx.unlocked()
    payload = {"AmazonOrderId": order.amazon_order_id, "ShippingAddress": _address(order, full)}
    return Reply(200, payload, facts={"pii": "full" if full else "stripped"})


def get_order_buyer_info(ctx: Ctx) -> Reply:
    order = _find(ctx)
    if isinstance(order, Reply):
        return order
    payload: dict[str, Any] = {"AmazonOrderId": order.amazon_order_id}
    full = ctx.unlocked()
    if full:
        payload.update(BuyerEmail=order.buyer.email, BuyerName=order.buyer.name)
    return Reply(200, payload, facts={"pii": "full" if full else "stripped"})


def confirm_shipment(ctx: Ctx) -> Reply:
    order = _find(ctx)
    if isinstance(order, Reply):
        return order
    body = ctx.request.json()
    with ctx.world.locked():
        ctx.world.state.shipment_confirmations.append(
            {"order_id": order.amazon_order_id, "package": body.get("packageDetail", {})}
        )
        # Amazon moves a fully confirmed order to Shipped: getOrder shows that the write landed.
        ctx.world.state.orders[order.amazon_order_id] = replace(order, status="Shipped")
    return Reply(204, None)


HANDLERS: dict[str, Handler] = {
    "getOrders": get_orders,
    "getOrder": get_order,
    "getOrderItems": get_order_items,
    "getOrderAddress": get_order_address,
    "getOrderBuyerInfo": get_order_buyer_info,
    "confirmShipment": confirm_shipment,
}
