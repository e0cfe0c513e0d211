"""The simulator over real HTTP: LWA, SP-API auth, envelopes, validation, regions, RDT, throttling.

Every expectation comes from the fact sheet (sections 1, 2 and 6 of spapi-facts.md): the exact
bodies and headers Amazon sends, so an integration that works here works against Amazon.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from harness.sim import SimConfig

pytestmark = pytest.mark.e2e

US = "ATVPDKIKX0DER"
CA = "A2EUQ1WTGCTBG2"
DE = "A1PA6795UKMFR9"
GB = "A1F83G8C2ARO7P"

ORDERS = "/orders/v0/orders"
PARTICIPATIONS = "/sellers/v1/marketplaceParticipations"
RDT = "/tokens/2021-03-01/restrictedDataToken"
LISTINGS = "/listings/2021-08-01/items"
# The virtual clock starts 2026-03-02T09:00Z and seeded orders are at most 71 hours old.
CREATED_AFTER = "2026-02-20T00:00:00Z"

DENIED = "Access to requested resource is denied."
DETAILS_MISSING = "Access token is missing in the request header."
DETAILS_INVALID = "The access token you provided is revoked, malformed or invalid."
DETAILS_EXPIRED = "The access token you provided has expired."
QUOTA_EXCEEDED = {
    "errors": [
        {"code": "QuotaExceeded", "message": "You exceeded your quota for the requested resource."}
    ]
}
BAD_REFRESH = {
    "error": "invalid_grant",
    "error_description": "The request has an invalid grant parameter : refresh_token",
}
BAD_CODE = {
    "error": "invalid_grant",
    "error_description": "The request has an invalid grant parameter : code",
}
BAD_CLIENT = {"error": "invalid_client", "error_description": "Client authentication failed"}


def denied(details: str) -> dict[str, Any]:
    return {"errors": [{"code": "Unauthorized", "message": DENIED, "details": details}]}


def orders_params(*marketplaces: str, **extra: str) -> dict[str, str]:
    return {"MarketplaceIds": ",".join(marketplaces), "CreatedAfter": CREATED_AFTER, **extra}


def listing_body(marketplace_id: str = US) -> dict[str, Any]:
    return {
        "productType": "HOME_BED_AND_BATH",
        "attributes": {"item_name": [{"value": "Stoneware mug", "marketplace_id": marketplace_id}]},
    }


def rdt_request(path: str, *data_elements: str, method: str = "GET") -> dict[str, Any]:
    resource: dict[str, Any] = {"method": method, "path": path}
    if data_elements:
        resource["dataElements"] = list(data_elements)
    return {"restrictedResources": [resource]}


def request_id(response: httpx.Response) -> str:
    value = response.headers.get("x-amzn-RequestId")
    assert value, f"{response.request.method} {response.url} -> {response.status_code} lacks it"
    return value


# ---------------------------------------------------------------------------------------------
# LWA: POST /auth/o2/token
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_json", [False, True], ids=["form", "json"])
def test_refresh_grant_issues_an_access_token(world, as_json: bool) -> None:
    response = world.lwa(world.refresh_form(), as_json=as_json)

    assert response.status_code == 200
    body = response.json()
    assert body["access_token"].startswith("Atza|")
    assert body["token_type"] == "bearer"
    assert type(body["expires_in"]) is int
    assert body["expires_in"] == 3600
    assert body["refresh_token"] == world.creds.refresh_token
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    assert response.headers["content-type"].startswith("application/json")
    request_id(response)
    # The token is real: SP-API accepts it.
    assert world.get(PARTICIPATIONS, token=body["access_token"]).status_code == 200


def test_client_credentials_grant_with_notifications_scope(world) -> None:
    form = {
        "grant_type": "client_credentials",
        "scope": "sellingpartnerapi::notifications",
        "client_id": world.creds.client_id,
        "client_secret": world.creds.client_secret,
    }
    response = world.lwa(form)

    assert response.status_code == 200
    body = response.json()
    assert body["access_token"].startswith("Atza|")
    assert body["token_type"] == "bearer"
    assert type(body["expires_in"]) is int
    assert "refresh_token" not in body


def test_client_credentials_grant_with_a_disallowed_scope(world) -> None:
    form = {
        "grant_type": "client_credentials",
        "scope": "sellingpartnerapi::orders",
        "client_id": world.creds.client_id,
        "client_secret": world.creds.client_secret,
    }
    response = world.lwa(form)

    assert response.status_code == 400
    assert response.json() == {
        "error": "unauthorized_client",
        "error_description": "Not authorized for requested operation",
    }


LWA_ERRORS = [
    pytest.param({"client_secret": "amzn1.oa2-cs.v1.wrong"}, 401, BAD_CLIENT, id="wrong-secret"),
    pytest.param({"client_id": "amzn1.application-oa2-client.x"}, 401, BAD_CLIENT, id="wrong-id"),
    pytest.param({"refresh_token": "Atzr|not-a-real-token"}, 400, BAD_REFRESH, id="bad-refresh"),
    pytest.param(
        {"refresh_token": ""},
        400,
        {
            "error": "invalid_request",
            "error_description": "The request is missing a required parameter : refresh_token",
        },
        id="missing-refresh",
    ),
    pytest.param(
        {"grant_type": "password"},
        400,
        {
            "error": "unsupported_grant_type",
            "error_description": (
                "The authorization grant type is not supported by the authorization server"
            ),
        },
        id="unknown-grant",
    ),
]


@pytest.mark.parametrize("as_json", [False, True], ids=["form", "json"])
@pytest.mark.parametrize(("overrides", "status", "expected"), LWA_ERRORS)
def test_lwa_errors_are_flat_oauth_bodies(world, overrides, status, expected, as_json) -> None:
    form = world.refresh_form(**overrides)
    if overrides.get("refresh_token") == "":
        del form["refresh_token"]

    response = world.lwa(form, as_json=as_json)

    assert response.status_code == status
    assert response.json() == expected
    assert response.headers["content-type"].startswith("application/json")
    request_id(response)


def test_revoked_refresh_token_is_an_invalid_grant(world) -> None:
    assert world.lwa(world.refresh_form()).status_code == 200
    world.sim.core.revoke_refresh_token()

    response = world.lwa(world.refresh_form())

    assert response.status_code == 400
    assert response.json() == BAD_REFRESH


def test_reset_gives_back_a_working_refresh_token(world) -> None:
    world.sim.core.revoke_refresh_token()
    world.reset()

    response = world.lwa(world.refresh_form())

    assert response.status_code == 200, response.text


def test_rotated_client_secret(world) -> None:
    old_secret = world.creds.client_secret
    new_secret = world.sim.core.rotate_client_secret()
    assert new_secret != old_secret

    old = world.lwa(world.refresh_form(client_secret=old_secret))
    new = world.lwa(world.refresh_form(client_secret=new_secret))

    assert old.status_code == 401
    assert old.json() == BAD_CLIENT
    # Rotation does not invalidate the refresh token (facts 1.6).
    assert new.status_code == 200
    assert new.json()["access_token"].startswith("Atza|")


def test_lwa_refuses_get(world) -> None:
    response = world.http.get(world.lwa_url, params=world.refresh_form())

    assert 400 <= response.status_code < 500
    body = response.json()
    assert "error" in body
    assert "errors" not in body
    assert "access_token" not in body
    request_id(response)


def code_form(world, code: str) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "https://example.com/callback",
        "client_id": world.creds.client_id,
        "client_secret": world.creds.client_secret,
    }


def test_authorization_code_within_five_minutes_and_only_once(world) -> None:
    code = world.sim.core.issue_oauth_code()
    world.sim.core.clock.advance(290)

    first = world.lwa(code_form(world, code))
    second = world.lwa(code_form(world, code))

    assert first.status_code == 200
    body = first.json()
    assert body["access_token"].startswith("Atza|")
    assert body["refresh_token"] == world.creds.refresh_token
    assert body["token_type"] == "bearer"
    assert second.status_code == 400
    assert second.json() == BAD_CODE


def test_authorization_code_expires_after_five_minutes(world) -> None:
    code = world.sim.core.issue_oauth_code()
    world.sim.core.clock.advance(301)

    response = world.lwa(code_form(world, code), as_json=True)

    assert response.status_code == 400
    assert response.json() == BAD_CODE


# ---------------------------------------------------------------------------------------------
# SP-API authentication
# ---------------------------------------------------------------------------------------------


def test_missing_access_token(world) -> None:
    response = world.get(ORDERS, params=orders_params(US))

    assert response.status_code == 403
    assert response.json() == denied(DETAILS_MISSING)
    assert "x-amzn-RateLimit-Limit" not in response.headers
    request_id(response)


@pytest.mark.parametrize(
    "garbage", ["garbage", "Atza|IwEBIAmadeUpButWellFormedLooking", "Bearer x"]
)
def test_garbage_access_token(world, garbage: str) -> None:
    response = world.get(ORDERS, params=orders_params(US), token=garbage)

    assert response.status_code == 403
    assert response.json() == denied(DETAILS_INVALID)
    assert "x-amzn-RateLimit-Limit" not in response.headers


def test_access_token_expires_after_an_hour_of_virtual_time(world) -> None:
    token = world.access_token()
    world.sim.core.clock.advance(3590)
    assert world.get(PARTICIPATIONS, token=token).status_code == 200

    world.sim.core.clock.advance(10)
    response = world.get(PARTICIPATIONS, token=token)

    assert response.status_code == 403
    assert response.json() == denied(DETAILS_EXPIRED)
    assert "x-amzn-RateLimit-Limit" not in response.headers
    # A fresh token works again.
    assert world.get(PARTICIPATIONS, token=world.access_token()).status_code == 200


def test_sigv4_and_security_token_headers_are_tolerated(world) -> None:
    headers = {
        "Authorization": (
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260302/us-east-1/execute-api/"
            "aws4_request, SignedHeaders=host;x-amz-access-token;x-amz-date, Signature=deadbeef"
        ),
        "x-amz-security-token": "FwoGZXIvYXdzEXAMPLESESSIONTOKEN",
        "x-amz-date": "20260302T090000Z",
        "user-agent": "AcornTest/1.0 (Language=Python/3.11)",
    }
    response = world.get(
        ORDERS, params=orders_params(US), token=world.access_token(), headers=headers
    )

    assert response.status_code == 200, response.text


def test_every_response_carries_a_unique_request_id(world) -> None:
    token = world.access_token()
    responses = [
        world.lwa(world.refresh_form()),  # LWA 200
        world.lwa(world.refresh_form(client_secret="nope")),  # LWA 401
        world.lwa(world.refresh_form(grant_type="password")),  # LWA 400
        world.http.post(world.lwa_url.replace("/auth/o2/token", "/nowhere")),  # LWA 404
        world.get(ORDERS, params=orders_params(US), token=token),  # 200
        world.get(ORDERS, params={"CreatedAfter": CREATED_AFTER}, token=token),  # 400
        world.get(ORDERS, params=orders_params(US)),  # 403
        world.get(f"{ORDERS}/000-0000000-0000000", token=token),  # 404 (routed)
        world.get("/no/such/api", token=token),  # 404 (unrouted)
        world.call(
            "PUT",
            f"{LISTINGS}/{world.creds.seller_id}/ACORN-MUG-01",
            params={"marketplaceIds": US},
            token=token,
            content=b"productType=X",
            headers={"content-type": "text/plain"},
        ),  # 415
    ]
    responses += [world.get(PARTICIPATIONS, token=token) for _ in range(16)]  # ... 429
    statuses = {r.status_code for r in responses}
    assert {200, 400, 401, 403, 404, 415, 429} <= statuses

    ids = [request_id(r) for r in responses]

    assert len(set(ids)) == len(ids)
    for value in ids:
        uuid.UUID(value)


def test_rate_limit_header_on_200_400_404_only(world) -> None:
    token = world.access_token()

    ok = world.get(ORDERS, params=orders_params(US), token=token)
    bad = world.get(ORDERS, params={"CreatedAfter": CREATED_AFTER}, token=token)
    missing = world.get(f"{ORDERS}/000-0000000-0000000", token=token)
    forbidden = world.get(ORDERS, params=orders_params(US), token="garbage")

    assert (ok.status_code, bad.status_code, missing.status_code) == (200, 400, 404)
    assert ok.headers["x-amzn-RateLimit-Limit"] == "0.0167"
    assert bad.headers["x-amzn-RateLimit-Limit"] == "0.0167"
    assert missing.headers["x-amzn-RateLimit-Limit"] == "0.5"
    assert forbidden.status_code == 403
    assert "x-amzn-RateLimit-Limit" not in forbidden.headers


# ---------------------------------------------------------------------------------------------
# Envelopes
# ---------------------------------------------------------------------------------------------


def test_v0_and_v1_responses_are_wrapped_in_payload(world) -> None:
    token = world.access_token()
    orders = world.get(ORDERS, params=orders_params(US), token=token)
    order_id = orders.json()["payload"]["Orders"][0]["AmazonOrderId"]
    order = world.get(f"{ORDERS}/{order_id}", token=token)
    participations = world.get(PARTICIPATIONS, token=token)

    for response in (orders, order, participations):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        assert set(response.json()) == {"payload"}
    assert order.json()["payload"]["AmazonOrderId"] == order_id
    assert isinstance(participations.json()["payload"], list)


def test_dated_api_responses_are_bare(world) -> None:
    token = world.access_token()
    sku_path = f"{LISTINGS}/{world.creds.seller_id}/ACORN-MUG-01"

    rdt = world.call("POST", RDT, token=token, json=rdt_request(f"{ORDERS}/{{orderId}}/address"))
    put = world.call(
        "PUT", sku_path, params={"marketplaceIds": US}, token=token, json=listing_body()
    )
    got = world.get(sku_path, params={"marketplaceIds": US}, token=token)

    assert rdt.status_code == 200
    assert set(rdt.json()) == {"restrictedDataToken", "expiresIn"}
    assert put.status_code == 200
    assert put.json()["sku"] == "ACORN-MUG-01"
    assert put.json()["status"] == "ACCEPTED"
    assert "payload" not in put.json()
    assert got.status_code == 200
    assert got.json()["sku"] == "ACORN-MUG-01"
    assert "payload" not in got.json()


def test_errors_use_the_errors_envelope(world) -> None:
    token = world.access_token()
    responses = [
        world.get(ORDERS, params={"CreatedAfter": CREATED_AFTER}, token=token),
        world.get(f"{ORDERS}/000-0000000-0000000", token=token),
        world.get(ORDERS, params=orders_params(US)),
    ]
    for response in responses:
        body = response.json()
        assert set(body) == {"errors"}, body
        assert len(body["errors"]) == 1
        error = body["errors"][0]
        assert set(error) == {"code", "message", "details"}
        assert all(isinstance(v, str) for v in error.values())


# ---------------------------------------------------------------------------------------------
# Request validation
# ---------------------------------------------------------------------------------------------


def test_unknown_query_keys_are_tolerated(world) -> None:
    token = world.access_token()

    orders = world.get(
        ORDERS, params=orders_params(US, FutureFilter="x", utm_source="acorn"), token=token
    )
    participations = world.get(PARTICIPATIONS, params={"whatever": "1"}, token=token)

    assert orders.status_code == 200, orders.text
    assert participations.status_code == 200, participations.text


def test_get_orders_without_marketplace_ids(world) -> None:
    response = world.get(ORDERS, params={"CreatedAfter": CREATED_AFTER}, token=world.access_token())

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "InvalidInput"
    assert "MarketplaceIds" in error["message"]


def test_put_listings_item_takes_one_marketplace(world) -> None:
    sku = "ACORN-LAMP-02"
    response = world.call(
        "PUT",
        f"{LISTINGS}/{world.creds.seller_id}/{sku}",
        params={"marketplaceIds": f"{US},{CA}"},
        token=world.access_token(),
        json=listing_body(),
    )

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "BAD_REQUEST"
    assert "marketplaceIds" in error["message"]
    assert world.sim.core.state.listings[sku].offers == {}


def test_put_listings_item_with_a_text_body_is_415(world) -> None:
    sku = "ACORN-LAMP-02"
    response = world.call(
        "PUT",
        f"{LISTINGS}/{world.creds.seller_id}/{sku}",
        params={"marketplaceIds": US},
        token=world.access_token(),
        content=json.dumps(listing_body()).encode(),
        headers={"content-type": "text/plain"},
    )

    assert response.status_code == 415
    assert set(response.json()["errors"][0]) == {"code", "message", "details"}
    assert world.sim.core.state.listings[sku].offers == {}


@pytest.mark.parametrize(
    "sku",
    [
        pytest.param("ACORN MUG 01", id="space"),
        pytest.param("ACORN/MUG/01", id="slash"),
        pytest.param("SALE%41-MUG", id="percent"),
    ],
)
def test_url_encoded_sku_round_trips(world, sku: str) -> None:
    response = world.call(
        "PUT",
        f"{LISTINGS}/{world.creds.seller_id}/{quote(sku, safe='')}",
        params={"marketplaceIds": US},
        token=world.access_token(),
        json=listing_body(),
    )

    assert response.status_code == 200, response.text
    assert response.json()["sku"] == sku
    assert US in world.sim.core.state.listings[sku].offers


# ---------------------------------------------------------------------------------------------
# Regions
# ---------------------------------------------------------------------------------------------


def test_marketplace_of_another_region_is_refused(world) -> None:
    token = world.access_token()

    na = world.get(ORDERS, params=orders_params(DE), token=token, region="NA")
    eu = world.get(ORDERS, params=orders_params(DE), token=token, region="EU")

    assert na.status_code == 403
    assert na.json() == denied("")
    assert "x-amzn-RateLimit-Limit" not in na.headers
    assert eu.status_code == 200
    orders = eu.json()["payload"]["Orders"]
    expected = {
        o.amazon_order_id for o in world.sim.core.state.orders.values() if o.marketplace_id == DE
    }
    assert {o["AmazonOrderId"] for o in orders} == expected
    assert {o["MarketplaceId"] for o in orders} == {DE}


@pytest.mark.parametrize("region", ["NA", "EU", "FE"])
def test_participations_list_only_the_regions_marketplaces(world, region: str) -> None:
    contracts = world.sim.core.contracts.marketplaces
    seeded = {m for m in world.sim.core.state.marketplaces if contracts[m].region == region}
    assert seeded

    response = world.get(PARTICIPATIONS, token=world.access_token(), region=region)

    assert response.status_code == 200
    items = response.json()["payload"]
    ids = [item["marketplace"]["id"] for item in items]
    assert len(ids) == len(set(ids))
    assert {i for i in ids if i in contracts} == seeded
    non_amazon = [i for i in ids if i not in contracts]
    if region in ("NA", "EU"):
        assert len(non_amazon) == 1
    for item in items:
        if item["marketplace"]["id"] in contracts:
            mp = contracts[item["marketplace"]["id"]]
            assert item["marketplace"]["countryCode"] == mp.country
            assert item["marketplace"]["defaultCurrencyCode"] == mp.currency
        assert item["participation"] == {"isParticipating": True, "hasSuspendedListings": False}
    if region == "EU":
        countries = {i["marketplace"]["countryCode"] for i in items if i["marketplace"]["id"] == GB}
        assert countries == {"GB"}


# ---------------------------------------------------------------------------------------------
# Pagination
# ---------------------------------------------------------------------------------------------


def test_next_token_pages_through_every_order_once(world) -> None:
    world.reset(SimConfig(orders_page_size=2, orders_per_marketplace=5))
    token = world.access_token()
    expected = sorted(
        o.amazon_order_id
        for o in world.sim.core.state.orders.values()
        if o.marketplace_id in (US, CA)
    )
    assert len(expected) == 10

    seen: list[str] = []
    pages = 0
    params = orders_params(US, CA)
    while True:
        response = world.get(ORDERS, params=params, token=token)
        assert response.status_code == 200, response.text
        payload = response.json()["payload"]
        assert len(payload["Orders"]) <= 2
        seen += [o["AmazonOrderId"] for o in payload["Orders"]]
        pages += 1
        assert pages <= 10, "NextToken never ends"
        if "NextToken" not in payload:
            break
        params = {"MarketplaceIds": f"{US},{CA}", "NextToken": payload["NextToken"]}

    assert pages == 5
    assert sorted(seen) == expected
    assert len(seen) == len(set(seen))


# ---------------------------------------------------------------------------------------------
# Restricted Data Tokens
# ---------------------------------------------------------------------------------------------


def test_rdt_unlocks_the_address_of_every_order(world) -> None:
    token = world.access_token()
    orders = world.orders_in_region("NA")
    assert len(orders) >= 2
    first = orders[0]

    plain = world.get(f"{ORDERS}/{first.amazon_order_id}/address", token=token)
    assert plain.status_code == 200
    address = plain.json()["payload"]["ShippingAddress"]
    assert "Name" not in address
    assert "AddressLine1" not in address
    assert address["City"] == first.buyer.city
    assert first.buyer.name not in plain.text

    created = world.call(
        "POST", RDT, token=token, json=rdt_request(f"{ORDERS}/{{orderId}}/address")
    )
    assert created.status_code == 200
    body = created.json()
    assert set(body) == {"restrictedDataToken", "expiresIn"}
    assert body["restrictedDataToken"].startswith("Atz.sprdt|")
    assert type(body["expiresIn"]) is int
    rdt = body["restrictedDataToken"]

    for order in orders:
        response = world.get(f"{ORDERS}/{order.amazon_order_id}/address", token=rdt)
        assert response.status_code == 200, response.text
        full = response.json()["payload"]["ShippingAddress"]
        assert full["Name"] == order.buyer.name
        assert full["AddressLine1"] == order.buyer.address_line1

    other_path = world.get(f"{ORDERS}/{first.amazon_order_id}/orderItems", token=rdt)
    assert other_path.status_code == 403
    assert other_path.json() == denied("")


def test_rdt_for_a_data_element_without_the_role(world) -> None:
    world.reset(SimConfig(app_roles=frozenset({"shippingAddress"})))
    token = world.access_token()

    refused = world.call("POST", RDT, token=token, json=rdt_request(ORDERS, "buyerInfo"))
    allowed = world.call("POST", RDT, token=token, json=rdt_request(ORDERS, "shippingAddress"))

    assert refused.status_code == 400
    assert refused.json() == {
        "errors": [
            {
                "code": "InvalidInput",
                "message": (
                    "Application does not have access to one or more requested data elements: "
                    "[buyerInfo]"
                ),
                "details": "",
            }
        ]
    }
    assert allowed.status_code == 200
    assert allowed.json()["restrictedDataToken"].startswith("Atz.sprdt|")


# ---------------------------------------------------------------------------------------------
# Virtual clock and throttling
# ---------------------------------------------------------------------------------------------


def test_fast_clock_shortens_the_announced_lifetime(world) -> None:
    world.reset(SimConfig(clock_speed=3600))
    response = world.lwa(world.refresh_form())
    assert response.status_code == 200
    assert response.json()["expires_in"] == 1
    token = response.json()["access_token"]
    assert world.get(PARTICIPATIONS, token=token).status_code == 200

    time.sleep(1.1)
    expired = world.get(PARTICIPATIONS, token=token)

    assert expired.status_code == 403
    assert expired.json() == denied(DETAILS_EXPIRED)


def test_burst_exhaustion_gives_quota_exceeded(world) -> None:
    op = world.sim.core.contracts.operation("getMarketplaceParticipations")
    assert (op.usage_plan.burst, op.usage_plan.rate) == (15, 0.016)
    token = world.access_token()

    allowed = [world.get(PARTICIPATIONS, token=token) for _ in range(15)]
    throttled = world.get(PARTICIPATIONS, token=token)

    assert [r.status_code for r in allowed] == [200] * 15
    assert throttled.status_code == 429
    assert throttled.json() == QUOTA_EXCEEDED
    assert "x-amzn-RateLimit-Limit" not in throttled.headers
    request_id(throttled)


# ---------------------------------------------------------------------------------------------
# Journal
# ---------------------------------------------------------------------------------------------


def test_journal_records_every_exchange_without_secrets(world) -> None:
    creds = world.creds
    na_order = world.orders_in_region("NA")[0]
    responses: list[httpx.Response] = []

    def keep(response: httpx.Response) -> httpx.Response:
        responses.append(response)
        return response

    token_a = keep(world.lwa(world.refresh_form())).json()["access_token"]
    token_b = keep(world.lwa(world.refresh_form(), as_json=True)).json()["access_token"]
    # An integration that leaks its secrets into a header must not make the journal leak them.
    keep(
        world.get(
            ORDERS,
            params=orders_params(US),
            token=token_a,
            headers={"x-debug": f"{creds.client_secret} {creds.refresh_token} {token_b}"},
        )
    )
    address_rdt = keep(
        world.call("POST", RDT, token=token_a, json=rdt_request(f"{ORDERS}/{{orderId}}/address"))
    ).json()["restrictedDataToken"]
    address = keep(world.get(f"{ORDERS}/{na_order.amazon_order_id}/address", token=address_rdt))
    orders_rdt = keep(
        world.call(
            "POST", RDT, token=token_b, json=rdt_request(ORDERS, "buyerInfo", "shippingAddress")
        )
    ).json()["restrictedDataToken"]
    orders = keep(world.get(ORDERS, params=orders_params(US), token=orders_rdt))
    keep(world.get(PARTICIPATIONS))
    keep(world.lwa(world.refresh_form(client_secret="amzn1.oa2-cs.v1.wrong")))

    # The traffic really carried PII, so a clean journal means it was masked.
    assert address.json()["payload"]["ShippingAddress"]["Name"] == na_order.buyer.name
    assert orders.json()["payload"]["Orders"][0]["BuyerInfo"]["BuyerEmail"]

    exchanges = world.sim.journal.all()
    assert len(exchanges) == len(responses)
    assert [e.operation for e in exchanges[:-1]] == [
        "lwa:refresh_token",
        "lwa:refresh_token",
        "getOrders",
        "createRestrictedDataToken",
        "getOrderAddress",
        "createRestrictedDataToken",
        "getOrders",
        "getMarketplaceParticipations",
    ]
    assert exchanges[-1].operation is not None
    assert exchanges[-1].operation.startswith("lwa:")
    for exchange, response in zip(exchanges, responses, strict=True):
        assert exchange.request_id == response.headers["x-amzn-RequestId"]
        assert exchange.status == response.status_code
        assert exchange.path == response.request.url.path
    assert exchanges[4].token is not None
    assert exchanges[4].token.kind == "rdt"
    assert exchanges[4].response_body["payload"]["ShippingAddress"]["City"] == na_order.buyer.city

    dumped = json.dumps([e.to_dict() for e in exchanges], default=str)
    secrets = {
        "client secret": creds.client_secret,
        "refresh token": creds.refresh_token,
        "access token A": token_a,
        "access token B": token_b,
        "address RDT": address_rdt,
        "orders RDT": orders_rdt,
    }
    for what, value in secrets.items():
        assert value not in dumped, f"the journal leaks the {what}"
    canaries = world.sim.core.state.pii_canaries()
    assert canaries
    leaked = [c for c in canaries if c in dumped]
    assert leaked == [], f"the journal leaks {len(leaked)} buyer PII values"


@pytest.mark.parametrize("leak", ["token-in-path", "pii-in-violation"])
def test_journal_masks_secrets_wherever_the_integration_puts_them(world, leak: str) -> None:
    token = world.access_token()
    canary = world.sim.core.state.pii_canaries()[0]
    if leak == "token-in-path":
        # A client that templated its token into the URL by mistake.
        secret = token
        response = world.get(f"{PARTICIPATIONS}/{token}", token=token)
    else:
        # A client that sent buyer data where the contract wants an object.
        secret = canary
        response = world.call(
            "PUT",
            f"{LISTINGS}/{world.creds.seller_id}/ACORN-MUG-01",
            params={"marketplaceIds": US},
            token=token,
            json={"productType": "HOME_BED_AND_BATH", "attributes": canary},
        )
    assert 400 <= response.status_code < 500

    dumped = json.dumps([e.to_dict() for e in world.sim.journal.all()], default=str)

    assert secret not in dumped


def test_keep_alive_requests_are_answered_promptly(world) -> None:
    token = world.access_token()
    url = world.base("NA") + PARTICIPATIONS
    durations = []
    with httpx.Client(timeout=5.0, trust_env=False) as keep_alive:
        assert keep_alive.get(url, headers={"x-amz-access-token": token}).status_code == 200
        for _ in range(6):
            started = time.perf_counter()
            response = keep_alive.get(url, headers={"x-amz-access-token": token})
            durations.append(time.perf_counter() - started)
            assert response.status_code == 200

    # Loopback answers take about a millisecond; load only makes single calls slower, so the
    # fastest of six stays far below the 40 ms delayed-ACK floor unless that floor exists.
    assert min(durations) < 0.02, f"fastest keep-alive response took {min(durations):.3f} s"


def test_refused_token_requests_are_journaled_under_their_grant(world) -> None:
    """Checks count failed refresh attempts (retry storms), so refusals keep their grant."""
    refused = world.lwa(world.refresh_form(client_secret="amzn1.oa2-cs.v1.wrong"))
    assert refused.status_code == 401
    unknown = world.lwa({"grant_type": "password", "client_id": "x", "client_secret": "y"})
    assert unknown.status_code == 400
    operations = [e.operation for e in world.sim.journal.lwa()]
    assert operations == ["lwa:refresh_token", "lwa:password"]
