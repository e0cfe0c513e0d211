"""Every fault of a fault plan reaches a real httpx client, over loopback, as that fault.

Transport faults are the ones an in-process mock cannot fake: a read timeout needs a socket
held open, a reset needs a TCP RST, a truncated body needs a connection closed mid-body.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from harness.sim import SimConfig
from harness.sim.faults import FaultPlan, FaultRule

US = "ATVPDKIKX0DER"
ORDERS = "/orders/v0/orders"
LISTINGS = "/listings/2021-08-01/items"
RDT = "/tokens/2021-03-01/restrictedDataToken"
SINCE = "2026-02-20T00:00:00Z"


def with_faults(world: Any, *rules: FaultRule, client_timeout: float = 0.3) -> str:
    world.reset(SimConfig(faults=FaultPlan(rules, seed=3, client_timeout=client_timeout)))
    return str(world.access_token())


def get_orders(world: Any, token: str, timeout: float = 2.0) -> httpx.Response:
    with httpx.Client(timeout=timeout, trust_env=False) as client:
        return client.get(
            world.base("NA") + ORDERS,
            params={"MarketplaceIds": US, "CreatedAfter": SINCE},
            headers={"x-amz-access-token": token},
        )


def last_fault(world: Any) -> dict[str, Any]:
    exchanges = [e for e in world.sim.journal.sp_api() if e.fault is not None]
    assert exchanges, "the journal recorded no fault"
    fault = exchanges[-1].fault
    assert fault is not None
    return fault


def put_listing(world: Any, token: str, sku: str = "ACORN-MUG-01") -> httpx.Response:
    body = {
        "productType": "HOME_BED_AND_BATH",
        "attributes": {"item_name": [{"value": "Stoneware mug", "marketplace_id": US}]},
    }
    return world.call(
        "PUT",
        f"{LISTINGS}/{world.creds.seller_id}/{sku}",
        params={"marketplaceIds": US},
        token=token,
        json=body,
    )


def patch_stock(world: Any, token: str, quantity: int = 3) -> httpx.Response:
    value = [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}]
    body = {
        "productType": "HOME_BED_AND_BATH",
        "patches": [
            {"op": "replace", "path": "/attributes/fulfillment_availability", "value": value}
        ],
    }
    return world.call(
        "PATCH",
        f"{LISTINGS}/{world.creds.seller_id}/ACORN-MUG-01",
        params={"marketplaceIds": US},
        token=token,
        json=body,
    )


# -- transport faults ------------------------------------------------------------------------


def test_timeout_holds_the_connection_past_the_client_read_timeout(world) -> None:
    token = with_faults(world, FaultRule("getOrders", transport="timeout", hold=2.0))
    started = time.monotonic()

    with pytest.raises(httpx.ReadTimeout):
        get_orders(world, token, timeout=0.3)

    assert 0.25 < time.monotonic() - started < 1.5
    assert last_fault(world)["kind"] == "timeout"
    assert world.sim.journal.sp_api()[-1].status == 0  # no status line reached the client


def test_timeout_hold_defaults_to_three_client_timeouts(world) -> None:
    token = with_faults(world, FaultRule("getOrders", transport="timeout"), client_timeout=0.2)

    with pytest.raises(httpx.ReadTimeout):
        get_orders(world, token, timeout=0.3)

    assert last_fault(world)["hold"] == pytest.approx(0.6)


def test_stall_ends_when_the_client_gives_up_and_others_are_served_meanwhile(world) -> None:
    """A stall holds the request far longer than any read timeout, but it is an asyncio wait:
    the client's own timeout ends it, and the next request is answered at once."""
    token = with_faults(world, FaultRule("getOrders", on_calls=(1,), transport="stall"))
    started = time.monotonic()

    with pytest.raises(httpx.ReadTimeout):
        get_orders(world, token, timeout=0.3)
    assert get_orders(world, token).status_code == 200

    assert time.monotonic() - started < 1.5
    stalled = world.sim.journal.sp_api()[0]
    assert stalled.status == 0
    assert stalled.fault == {**stalled.fault, "kind": "stall", "hold": 45.0}


def test_reset_reaches_the_client_as_connection_reset(world) -> None:
    token = with_faults(world, FaultRule("getOrders", transport="reset"))

    with pytest.raises(httpx.ReadError) as raised:
        get_orders(world, token)

    chain = [raised.value, raised.value.__cause__, raised.value.__context__]
    assert any(
        isinstance(e, ConnectionResetError) or "reset" in str(e).lower() for e in chain if e
    ), chain
    assert last_fault(world)["kind"] == "reset"


def test_truncated_body_is_an_incomplete_message(world) -> None:
    token = with_faults(world, FaultRule("getOrders", transport="truncated"))

    with pytest.raises(httpx.RemoteProtocolError, match=r"incomplete|complete message body"):
        get_orders(world, token)

    assert last_fault(world)["kind"] == "truncated"


def test_malformed_json_is_a_complete_answer_that_does_not_parse(world) -> None:
    token = with_faults(world, FaultRule("getOrders", transport="malformed_json"))

    response = get_orders(world, token)

    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.content.startswith(b'{"payload"')
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_dribbled_body_times_out_a_client_with_a_short_read_timeout(world) -> None:
    token = with_faults(world, FaultRule("getOrders", transport="dribble", interval=0.4, chunks=3))

    with pytest.raises(httpx.ReadTimeout):
        get_orders(world, token, timeout=0.15)


def test_dribbled_body_arrives_whole_but_slowly_for_a_patient_client(world) -> None:
    token = with_faults(world, FaultRule("getOrders", transport="dribble", interval=0.15, chunks=4))
    started = time.monotonic()

    response = get_orders(world, token, timeout=1.0)

    assert time.monotonic() - started >= 0.55
    assert response.status_code == 200
    assert response.json()["payload"]["Orders"]


# -- status faults and Amazon's quirks --------------------------------------------------------


def test_nth_call_gets_503_and_the_others_pass(world) -> None:
    token = with_faults(world, FaultRule("getOrders", on_calls=(2,), preset="service_unavailable"))

    statuses = [get_orders(world, token).status_code for _ in range(3)]

    assert statuses == [200, 503, 200]
    exchange = world.sim.journal.operation("getOrders")[1]
    assert exchange.error_code() == "ServiceUnavailable"
    assert exchange.fault is not None
    assert exchange.fault["kind"] == "status"
    assert "fault status" in exchange.summary()


def test_403_with_empty_details(world) -> None:
    token = with_faults(world, FaultRule("getOrders", preset="forbidden_empty_details"))

    response = get_orders(world, token)

    assert response.status_code == 403
    assert response.json() == {
        "errors": [
            {
                "code": "Unauthorized",
                "message": "Access to requested resource is denied.",
                "details": "",
            }
        ]
    }


@pytest.mark.parametrize(
    ("operation", "code"),
    [("getOrders", "InvalidInput"), ("putListingsItem", "BAD_REQUEST"),
     ("createRestrictedDataToken", "InvalidRequest")],
)  # fmt: skip
def test_bad_request_code_differs_per_api(world, operation: str, code: str) -> None:
    token = with_faults(world, FaultRule(operation, preset="bad_request"))
    if operation == "getOrders":
        response = get_orders(world, token)
    elif operation == "putListingsItem":
        response = put_listing(world, token)
    else:
        rdt = {"restrictedResources": [{"method": "GET", "path": ORDERS + "/{orderId}/address"}]}
        response = world.call("POST", RDT, token=token, json=rdt)

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == code


@pytest.mark.parametrize(
    ("preset", "status", "code"),
    [("payload_too_large", 413, "RequestEntityTooLarge"),
     ("unsupported_media_type", 415, "UnsupportedMediaType"),
     ("internal_failure", 500, "InternalFailure"),
     ("service_unavailable", 503, "ServiceUnavailable")],
)  # fmt: skip
def test_status_presets(world, preset: str, status: int, code: str) -> None:
    token = with_faults(world, FaultRule("putListingsItem", preset=preset))

    response = put_listing(world, token)

    assert response.status_code == status
    assert response.json()["errors"][0]["code"] == code
    assert response.headers["x-amzn-RequestId"]
    assert world.sim.core.state.listings["ACORN-MUG-01"].offers == {}  # nothing was written


def test_listing_invalid_is_http_200_and_stores_nothing(world) -> None:
    token = with_faults(world, FaultRule("putListingsItem", preset="listing_invalid"))

    response = put_listing(world, token)

    assert response.status_code == 200
    assert response.json()["status"] == "INVALID"
    assert response.json()["issues"][0]["severity"] == "ERROR"
    assert world.sim.core.state.listings["ACORN-MUG-01"].offers == {}


def test_after_write_fault_applies_the_write_so_a_blind_retry_duplicates_it(world) -> None:
    token = with_faults(
        world,
        FaultRule("patchListingsItem", on_calls=(1,), preset="internal_failure", after_write=True),
    )

    first = patch_stock(world, token)
    second = patch_stock(world, token)  # the blind retry

    assert (first.status_code, second.status_code) == (500, 200)
    offer = world.sim.core.state.listings["ACORN-MUG-01"].offers[US]
    assert len(offer.submissions) == 2  # the duplicate is visible in state
    fault = world.sim.journal.operation("patchListingsItem")[0].fault
    assert fault is not None
    assert fault["write_applied"] is True
    assert fault["handler_status"] == 200


def test_after_write_timeout_applies_the_write_before_holding(world) -> None:
    token = with_faults(
        world, FaultRule("patchListingsItem", transport="timeout", after_write=True, hold=1.0)
    )
    world.http.timeout = httpx.Timeout(0.2)

    with pytest.raises(httpx.ReadTimeout):
        patch_stock(world, token)

    assert len(world.sim.core.state.listings["ACORN-MUG-01"].offers[US].submissions) == 1
    assert last_fault(world)["write_applied"] is True


def test_a_faulted_simulator_keeps_serving_other_requests(world) -> None:
    """A held connection must not block the event loop (others are answered meanwhile)."""
    token = with_faults(world, FaultRule("getOrders", on_calls=(1,), transport="timeout", hold=1.5))
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        get_orders(world, token, timeout=0.3)

    assert get_orders(world, token).status_code == 200
    assert time.monotonic() - started < 1.2
