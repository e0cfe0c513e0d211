"""Concise builders for synthetic journals, outcomes and expectations (unit tests only).

Exchanges look like the ones ``harness.sim.core`` records: LWA grants carry the facts
``grant_type``/``issued_token``/``expires_in``; SP-API calls carry a :class:`TokenUse`;
errors use the exact bodies of ``harness.sim.errors``. Request ids are ``rid(seq)`` so a
test can say which exchange a verdict must name.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any

from harness.checks import Observation, expected_orders
from harness.drive.base import ActionOutcome
from harness.sim.errors import ACCESS_DENIED, DETAILS_EXPIRED, sp_error
from harness.sim.journal import Exchange, TokenUse

__all__ = [
    "EU_DE",
    "FE_JP",
    "NA_US",
    "Buyer",
    "Order",
    "access_token",
    "expected_for",
    "expired_403",
    "lwa_grant",
    "observation",
    "rdt_token",
    "rid",
    "ship_to",
    "sp_call",
    "sync_orders",
    "synced",
]

NA_US = "ATVPDKIKX0DER"
EU_DE = "A1PA6795UKMFR9"
FE_JP = "A1VC38T7YXB528"
REGIONS = {NA_US: "NA", EU_DE: "EU", FE_JP: "FE"}

TOKEN_PATH = "/auth/o2/token"
ORDERS_PATH = "/orders/v0/orders"
RDT_PATH = "/tokens/2021-03-01/restrictedDataToken"

# operation id -> (method, path) as the contracts route them; {order} is filled from `order_id`.
_OPERATIONS = {
    "getOrders": ("GET", ORDERS_PATH),
    "getOrder": ("GET", ORDERS_PATH + "/{order}"),
    "getOrderAddress": ("GET", ORDERS_PATH + "/{order}/address"),
    "getOrderItems": ("GET", ORDERS_PATH + "/{order}/orderItems"),
    "createRestrictedDataToken": ("POST", RDT_PATH),
}


def rid(seq: int) -> str:
    """The request id the factory gives the exchange with sequence number ``seq``."""
    return f"rid-{seq:04d}"


def access_token(
    token_id: str = "Atza|aaaa0001",
    *,
    issued_wall: float = 0.0,
    expires_in: int = 3600,
    outcome: str = "ok",
) -> TokenUse:
    return TokenUse(token_id, "access", outcome, issued_wall, expires_in)


def rdt_token(
    token_id: str = "Atz.sprdt|rrrr0001",
    *,
    issued_wall: float = 0.0,
    expires_in: int = 3600,
    outcome: str = "ok",
) -> TokenUse:
    return TokenUse(token_id, "rdt", outcome, issued_wall, expires_in)


def _exchange(
    seq: int,
    wall: float,
    *,
    endpoint: str,
    operation: str | None,
    method: str,
    path: str,
    status: int,
    response_body: Any,
    token: TokenUse | None = None,
    facts: dict[str, Any] | None = None,
    query: dict[str, list[str]] | None = None,
    request_body: Any = None,
) -> Exchange:
    return Exchange(
        seq=seq,
        request_id=rid(seq),
        wall=wall,
        virtual=1_700_000_000.0 + wall,
        endpoint=endpoint,
        operation=operation,
        method=method,
        path=path,
        query=query or {},
        request_headers={"host": "127.0.0.1"},
        request_body=request_body,
        status=status,
        response_headers={"x-amzn-RequestId": rid(seq)},
        response_body=response_body,
        duration_ms=1.0,
        token=token,
        facts=dict(facts or {}),
    )


def lwa_grant(
    seq: int,
    wall: float,
    expires_in: int = 3600,
    *,
    token_id: str | None = None,
    status: int = 200,
) -> Exchange:
    """``POST /auth/o2/token`` with grant_type=refresh_token, as the simulator journals it."""
    issued = token_id or f"Atza|{seq:08x}"
    if status == 200:
        body: Any = {
            "access_token": f"{issued.split('|')[0]}|***",
            "token_type": "bearer",
            "expires_in": expires_in,
            "refresh_token": "***",
        }
        facts = {"grant_type": "refresh_token", "issued_token": issued, "expires_in": expires_in}
    else:
        body = {"error": "invalid_grant", "error_description": "The request has an invalid grant"}
        facts = {"grant_type": "refresh_token"}
    return _exchange(
        seq,
        wall,
        endpoint="LWA",
        operation="lwa:refresh_token",
        method="POST",
        path=TOKEN_PATH,
        status=status,
        response_body=body,
        facts=facts,
        request_body={"grant_type": "refresh_token", "refresh_token": "***"},
    )


def sp_call(
    seq: int,
    wall: float,
    op: str,
    status: int = 200,
    *,
    token: TokenUse | None = None,
    details: str | None = None,
    facts: dict[str, Any] | None = None,
    endpoint: str = "NA",
    order_id: str = "111-0000001-0000001",
    query: dict[str, list[str]] | None = None,
    body: Any = None,
) -> Exchange:
    """One SP-API exchange. ``details`` (with a 4xx status) gives Amazon's 403 envelope."""
    method, template = _OPERATIONS[op]
    path = template.replace("{order}", order_id)
    if status < 400:
        response = body if body is not None else {"payload": {}}
    elif details is not None:
        response = sp_error("Unauthorized", ACCESS_DENIED, details)
    else:
        response = sp_error("InvalidInput", "Invalid Input", None)
    return _exchange(
        seq,
        wall,
        endpoint=endpoint,
        operation=op,
        method=method,
        path=path,
        status=status,
        response_body=response,
        token=token if token is not None else access_token(),
        facts=facts,
        query=query,
    )


def expired_403(seq: int, wall: float, op: str, token: TokenUse, **kwargs: Any) -> Exchange:
    """Amazon's answer to an expired token: 403 with the exact 'has expired' details."""
    return sp_call(
        seq,
        wall,
        op,
        403,
        token=replace(token, outcome="expired"),
        details=DETAILS_EXPIRED,
        **kwargs,
    )


# -- orders, outcomes and expectations -------------------------------------------------------


@dataclass(frozen=True)
class Buyer:
    name: str
    address_line1: str
    city: str = "Springfield"
    postal_code: str = "12345"
    country_code: str = "US"


@dataclass(frozen=True)
class Order:
    amazon_order_id: str
    marketplace_id: str
    buyer: Buyer


def expected_for(orders: list[Order]) -> dict[str, Any]:
    """``Observation.expected`` built by the real ``expected_orders`` over a stand-in core."""
    marketplaces = {mid: SimpleNamespace(region=region) for mid, region in REGIONS.items()}
    core = SimpleNamespace(
        contracts=SimpleNamespace(marketplaces=marketplaces),
        state=SimpleNamespace(
            orders_in=lambda ids: [o for o in orders if o.marketplace_id in ids],
        ),
    )
    return {"orders": expected_orders(core, list(REGIONS))}  # type: ignore[arg-type]


def ship_to(buyer: Buyer, *, with_name: bool = True, with_street: bool = True) -> dict[str, Any]:
    address: dict[str, Any] = {
        "city": buyer.city,
        "postal_code": buyer.postal_code,
        "country_code": buyer.country_code,
    }
    if with_name:
        address["name"] = buyer.name
    if with_street:
        address["address_line1"] = buyer.address_line1
    return address


def synced(order: Order, **ship_to_kwargs: bool) -> dict[str, Any]:
    """One order as a ``sync_orders`` result lists it (examples/README.md)."""
    return {
        "amazon_order_id": order.amazon_order_id,
        "marketplace_id": order.marketplace_id,
        "order_status": "Unshipped",
        "items": [{"seller_sku": "SKU-1", "quantity": 1}],
        "ship_to": ship_to(order.buyer, **ship_to_kwargs),
    }


def sync_orders(
    orders: list[dict[str, Any]],
    *,
    status: str = "ok",
    errors: list[dict[str, Any]] | None = None,
    error: str | None = None,
) -> ActionOutcome:
    return ActionOutcome(
        action="sync_orders",
        args={"marketplace_ids": list(REGIONS), "created_after": "2024-01-01T00:00:00Z"},
        status=status,  # type: ignore[arg-type]
        result={"ok": status == "ok", "errors": errors or [], "orders": orders},
        error=error,
        duration_s=0.5,
    )


def observation(
    *exchanges: Exchange,
    outcomes: list[ActionOutcome] | None = None,
    expected: dict[str, Any] | None = None,
    scenario: str = "unit-scenario",
) -> Observation:
    return Observation(
        scenario=scenario,
        exchanges=list(exchanges),
        outcomes=list(outcomes or []),
        expected=expected or {},
    )
