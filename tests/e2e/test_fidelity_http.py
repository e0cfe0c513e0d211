"""Never stricter than Amazon, over real HTTP: what no source shows Amazon refusing is accepted
and journaled as a fidelity note; what a source shows Amazon refusing is still refused.

The sources are the ones contracts/README.md cites ("What the simulator refuses, and why").
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from harness.sim import SimConfig, fidelity_notes
from harness.sim.journal import Exchange

pytestmark = pytest.mark.e2e

US = "ATVPDKIKX0DER"
ORDERS = "/orders/v0/orders"
RDT = "/tokens/2021-03-01/restrictedDataToken"
INVENTORY = "/fba/inventory/v1/summaries"
ADDRESS = f"{ORDERS}/{{orderId}}/address"


def rdt_body(path: str, data_elements: list[str] | None = None) -> dict[str, Any]:
    resource: dict[str, Any] = {"method": "GET", "path": path}
    if data_elements is not None:
        resource["dataElements"] = data_elements
    return {"restrictedResources": [resource]}


def codes(exchange: Exchange) -> list[str]:
    return [n.code for n in exchange.fidelity]


@pytest.mark.parametrize(
    "elements",
    [["buyerInfo", "shippingAddress"], ["shippingAddress"]],
    ids=["python-amazon-sp-api-default", "one-element"],
)
def test_rdt_with_data_elements_on_get_order_address(world, elements: list[str]) -> None:
    """python-amazon-sp-api and Amazon's SDKs send dataElements on getOrderAddress by
    default; the model only requires them for getOrder/getOrders/getOrderItems."""
    token = world.access_token()
    created = world.call("POST", RDT, token=token, json=rdt_body(ADDRESS, elements))

    assert created.status_code == 200, created.text
    rdt = created.json()["restrictedDataToken"]
    assert rdt.startswith("Atz.sprdt|")
    # Usable: the RDT covers the path and releases the full address of every order.
    for order in world.orders_in_region("NA")[:3]:
        full = world.get(f"{ORDERS}/{order.amazon_order_id}/address", token=rdt)
        assert full.status_code == 200, full.text
        address = full.json()["payload"]["ShippingAddress"]
        assert address["Name"] == order.buyer.name
        assert address["AddressLine1"] == order.buyer.address_line1
    # ... and only that path.
    first = world.orders_in_region("NA")[0].amazon_order_id
    assert world.get(f"{ORDERS}/{first}/orderItems", token=rdt).status_code == 403
    # The journal says what was accepted without a source.
    journaled = world.exchange_of(created)
    assert codes(journaled) == ["RDT-DATA-ELEMENTS-NOT-TAKEN"]
    assert journaled.refusal is None
    assert "not verified against Amazon: RDT-DATA-ELEMENTS-NOT-TAKEN" in journaled.summary()
    notes = fidelity_notes(world.sim.journal.all())
    assert [(n.code, n.subject, n.count) for n in notes] == [
        ("RDT-DATA-ELEMENTS-NOT-TAKEN", "createRestrictedDataToken for getOrderAddress", 1)
    ]
    assert notes[0].first_request_id == created.headers["x-amzn-RequestId"]
    assert "getOrder/getOrders/getOrderItems" in notes[0].text


def test_notes_are_counted_once_per_code_and_carry_no_pii(world) -> None:
    token = world.access_token()
    order = world.orders_in_region("NA")[0]
    specific = f"{ORDERS}/{order.amazon_order_id}/address"
    for path in (ADDRESS, specific, specific):
        assert world.call("POST", RDT, token=token, json=rdt_body(path, ["shippingAddress"]))
    rdt = world.call("POST", RDT, token=token, json=rdt_body(specific, ["shippingAddress"]))
    assert world.get(specific, token=rdt.json()["restrictedDataToken"]).status_code == 200

    notes = fidelity_notes(world.sim.journal.all())
    assert [(n.code, n.count) for n in notes] == [("RDT-DATA-ELEMENTS-NOT-TAKEN", 4)]
    dumped = json.dumps([n.to_dict() for n in notes]) + json.dumps(
        [e.facts for e in world.sim.journal.all()]
    )
    for pii in (order.buyer.name, order.buyer.address_line1, order.buyer.email):
        assert pii not in dumped
    assert world.creds.client_secret not in dumped


def test_implied_role_still_applies_to_accepted_data_elements(world) -> None:
    """Sourced refusal (facts §2.2/§6): an app without the role gets no address RDT, whatever
    dataElements it sends."""
    world.reset(SimConfig(app_roles=frozenset({"buyerInfo"})))
    token = world.access_token()
    refused = world.call("POST", RDT, token=token, json=rdt_body(ADDRESS, ["buyerInfo"]))

    assert refused.status_code == 400
    assert refused.json()["errors"][0]["message"] == (
        "Application does not have access to one or more requested data elements: [shippingAddress]"
    )
    assert world.exchange_of(refused).refusal == "RDT-ROLE-MISSING"


TAX = ["buyerInfo", "buyerTaxInformation"]


def test_tax_information_without_declared_roles_is_granted_with_a_note(world) -> None:  # type: ignore[no-untyped-def]
    """Only the team knows whether its app holds Tax Invoicing: undeclared, never refused."""
    world.reset(SimConfig())
    created = world.call("POST", RDT, token=world.access_token(), json=rdt_body(ORDERS, TAX))
    assert created.status_code == 200, created.text
    assert codes(world.exchange_of(created)) == ["RDT-ROLES-UNDECLARED"]


def test_declared_roles_refuse_tax_information_the_app_lacks(world) -> None:  # type: ignore[no-untyped-def]
    world.reset(SimConfig(app_roles=frozenset({"buyerInfo", "shippingAddress"})))
    refused = world.call("POST", RDT, token=world.access_token(), json=rdt_body(ORDERS, TAX))
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["message"] == (
        "Application does not have access to one or more requested data elements: "
        "[buyerTaxInformation]"
    )
    assert world.exchange_of(refused).refusal == "RDT-ROLE-MISSING"

    world.reset(SimConfig(app_roles=frozenset({"buyerInfo", "buyerTaxInformation"})))
    granted = world.call("POST", RDT, token=world.access_token(), json=rdt_body(ORDERS, TAX))
    assert granted.status_code == 200, granted.text
    assert codes(world.exchange_of(granted)) == []  # declared: nothing left unverified


def test_unknown_data_element_is_accepted_and_unlocks_nothing_more(world) -> None:
    """The model lists 'possible values include' buyerInfo, shippingAddress,
    buyerTaxInformation, not an enum: another name is accepted with a note."""
    token = world.access_token()
    order = world.orders_in_region("NA")[0]
    created = world.call(
        "POST", RDT, token=token, json=rdt_body(ORDERS + "/{orderId}", ["giftWrapInfo"])
    )
    assert created.status_code == 200, created.text
    assert codes(world.exchange_of(created)) == ["RDT-UNKNOWN-DATA-ELEMENT"]
    rdt = created.json()["restrictedDataToken"]
    answer = world.get(f"{ORDERS}/{order.amazon_order_id}", token=rdt)
    assert answer.status_code == 200
    assert "Name" not in answer.json()["payload"]["ShippingAddress"]  # no element granted


def test_inventory_granularity_id_mismatch_is_accepted_with_a_note(world) -> None:
    token = world.access_token()
    params = {"granularityType": "Marketplace", "granularityId": "US", "marketplaceIds": US}
    answer = world.get(INVENTORY, token=token, params=params)
    assert answer.status_code == 200, answer.text
    assert answer.json()["payload"]["inventorySummaries"]  # marketplaceIds was served
    assert codes(world.exchange_of(answer)) == ["INV-GRANULARITY-ID"]


def test_subscription_to_an_unknown_type_and_destination_is_accepted(world) -> None:
    token = world.access_token()
    made = world.call(
        "POST",
        "/notifications/v1/subscriptions/SOME_FUTURE_NOTIFICATION",
        token=token,
        json={"payloadVersion": "1.0", "destinationId": "never-issued"},
    )
    assert made.status_code == 200, made.text
    assert sorted(codes(world.exchange_of(made))) == [
        "NTF-UNKNOWN-DESTINATION",
        "NTF-UNKNOWN-TYPE",
    ]


def test_pricing_without_identifiers_is_an_empty_answer(world) -> None:
    token = world.access_token()
    answer = world.get(
        "/products/pricing/v0/price", token=token, params={"MarketplaceId": US, "ItemType": "Sku"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["payload"] == []
    assert codes(world.exchange_of(answer)) == ["PRICING-NO-IDENTIFIERS"]


def test_rdt_for_an_operation_that_is_not_restricted_is_accepted(world) -> None:
    token = world.access_token()
    order = world.orders_in_region("NA")[0]
    path = f"{ORDERS}/{order.amazon_order_id}/shipmentConfirmation"
    created = world.call(
        "POST", RDT, token=token, json={"restrictedResources": [{"method": "POST", "path": path}]}
    )
    assert created.status_code == 200, created.text
    assert codes(world.exchange_of(created)) == ["RDT-NOT-RESTRICTED-OPERATION"]


@pytest.mark.parametrize(
    ("resource", "rule", "error"),
    [
        # The tokens model's own 400 sandbox case.
        (
            {"method": "GET", "path": ""},
            "RDT-NO-RESOURCE",
            {
                "code": "InvalidRequest",
                "message": "Request is missing or has invalid parameters",
                "details": "Resource not provided.",
            },
        ),
        (
            {"method": "GET", "path": "/orders/v1/orders/902-1845936-5435065/address"},
            "RDT-NO-OPERATION",
            None,
        ),
    ],
    ids=["empty-path", "no-such-operation"],
)
def test_sourced_rdt_refusals_still_refuse(world, resource, rule, error) -> None:
    token = world.access_token()
    refused = world.call("POST", RDT, token=token, json={"restrictedResources": [resource]})
    assert refused.status_code == 400
    if error is not None:
        assert refused.json() == {"errors": [error]}
    journaled = world.exchange_of(refused)
    assert journaled.refusal == rule
    assert journaled.fidelity == []
    assert fidelity_notes(world.sim.journal.all()) == []


def test_foreign_next_token_is_refused_and_noted(world) -> None:
    token = world.access_token()
    answer = world.get(
        ORDERS, token=token, params={"MarketplaceIds": US, "NextToken": "%%not-ours%%"}
    )
    assert answer.status_code == 400
    journaled = world.exchange_of(answer)
    assert journaled.refusal == "PAGE-TOKEN"
    assert codes(journaled) == ["PAGE-TOKEN-REFUSED"]


def test_lwa_takes_client_credentials_from_http_basic(world) -> None:
    """Login with Amazon documents the Authorization header (base64 of client_id:secret) for
    token requests; generic OAuth2 libraries send client credentials that way by default."""
    creds = world.creds
    form = {"grant_type": "refresh_token", "refresh_token": creds.refresh_token}
    basic = httpx.BasicAuth(creds.client_id, creds.client_secret)
    answer = world.http.post(world.lwa_url, data=form, auth=basic)
    assert answer.status_code == 200, answer.text
    assert answer.json()["access_token"].startswith("Atza|")
    # The header never reaches the journal in clear (nor does its base64 form).
    journaled = world.exchange_of(answer)
    assert journaled.request_headers["authorization"] == "***"
    assert creds.client_secret not in json.dumps(journaled.to_dict())
    # A wrong secret in the header is LWA's invalid_client, a sourced refusal.
    wrong = world.http.post(
        world.lwa_url, data=form, auth=httpx.BasicAuth(creds.client_id, "amzn1.oa2-cs.v1.nope")
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    assert world.exchange_of(wrong).refusal == "LWA-CLIENT"


def test_an_amazon_operation_acorn_does_not_simulate_is_noted(world) -> None:
    """getOrderRegulatedInfo is in Amazon's Orders model but not in ACORN's contracts: the 404
    is ACORN's gap, so the journal says it is not verified."""
    token = world.access_token()
    order = world.orders_in_region("NA")[0]
    answer = world.get(f"{ORDERS}/{order.amazon_order_id}/regulatedInfo", token=token)
    assert answer.status_code == 404
    journaled = world.exchange_of(answer)
    assert journaled.refusal == "ROUTE-UNKNOWN"
    assert codes(journaled) == ["ROUTE-OUTSIDE-CONTRACTS"]
    # Without a valid token the gateway's 403 comes first, and is Amazon's (no note).
    denied = world.get(f"{ORDERS}/{order.amazon_order_id}/regulatedInfo")
    assert denied.status_code == 403
    assert world.exchange_of(denied).fidelity == []


@pytest.mark.parametrize(
    ("report_type", "noted"),
    [
        ("FEE_DISCOUNTS_REPORT", False),
        ("GET_MERCHANT_LISTINGS_ALL_DATA", False),
        ("SOME_NEW_REPORT", True),
    ],
)
def test_report_types_acorn_cannot_judge_are_accepted(world, report_type, noted) -> None:
    """FEE_DISCOUNTS_REPORT is a real (Amazon Business) type without the GET_ prefix; ACORN
    refused it before. A type it does not know is accepted with a note."""
    token = world.access_token()
    body = {"reportType": report_type, "marketplaceIds": [US]}
    created = world.call("POST", "/reports/2021-06-30/reports", token=token, json=body)
    assert created.status_code == 202, created.text
    assert codes(world.exchange_of(created)) == (["RPT-REPORT-TYPE-UNKNOWN"] if noted else [])


def test_destination_without_a_resource_is_accepted_with_a_note(world) -> None:
    grant = {
        "grant_type": "client_credentials",
        "scope": "sellingpartnerapi::notifications",
        "client_id": world.creds.client_id,
        "client_secret": world.creds.client_secret,
    }
    app_token = world.lwa(grant).json()["access_token"]
    body = {"name": "q", "resourceSpecification": {}}
    made = world.call("POST", "/notifications/v1/destinations", token=app_token, json=body)
    assert made.status_code == 200, made.text
    assert codes(world.exchange_of(made)) == ["NTF-NO-RESOURCE"]
    # An ARN that is not an SQS queue's breaks the model's pattern: still refused.
    bad = {"name": "q", "resourceSpecification": {"sqs": {"arn": "arn:aws:sns:us-east-1:1:q"}}}
    refused = world.call("POST", "/notifications/v1/destinations", token=app_token, json=bad)
    assert refused.status_code == 400
    assert world.exchange_of(refused).refusal in {"CONTRACT-SCHEMA", "NTF-SQS-ARN"}


@pytest.mark.parametrize(
    ("scope", "status", "noted"),
    [
        ("sellingpartnerapi::client_credential:rotation", 200, False),
        ("sellingpartnerapi::notifications sellingpartnerapi::migration", 200, False),
        ("sellingpartnerapi::orders", 400, True),
    ],
)
def test_grantless_scopes(world, scope: str, status: int, noted: bool) -> None:
    """The rotation scope (rotateApplicationClientSecret) is Amazon's; a scope ACORN does not
    know is refused as facts §1.4 shows, but noted: ACORN's list may lag Amazon's."""
    form = {
        "grant_type": "client_credentials",
        "scope": scope,
        "client_id": world.creds.client_id,
        "client_secret": world.creds.client_secret,
    }
    answer = world.lwa(form)
    assert answer.status_code == status, answer.text
    assert codes(world.exchange_of(answer)) == (["LWA-SCOPE-UNKNOWN"] if noted else [])
