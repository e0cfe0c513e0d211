"""Reports, FBA Inventory, Pricing, Notifications and the Orders additions over real HTTP,
and CONTRACT-01 judged on the simulator's own journal of a valid and an invalid client."""

from __future__ import annotations

import gzip
from typing import Any

import httpx
import pytest

from harness.checks import CONTRACT_01, Observation
from harness.sim import SimConfig
from harness.sim.commerce import FBA_SKUS

pytestmark = pytest.mark.e2e

US, CA, DE = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1PA6795UKMFR9"
REPORTS = "/reports/2021-06-30"
RDT = "/tokens/2021-03-01/restrictedDataToken"
DENIED = {
    "errors": [
        {
            "code": "Unauthorized",
            "message": "Access to requested resource is denied.",
            "details": "",
        }
    ]
}


def grantless(world: Any) -> str:
    form = {
        "grant_type": "client_credentials",
        "scope": "sellingpartnerapi::notifications",
        "client_id": world.creds.client_id,
        "client_secret": world.creds.client_secret,
    }
    response = world.lwa(form)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def report_document(world: Any, token: str, report_type: str) -> str:
    created = world.call(
        "POST",
        f"{REPORTS}/reports",
        token=token,
        json={"reportType": report_type, "marketplaceIds": [US]},
    )
    assert created.status_code == 202
    assert set(created.json()) == {"reportId"}  # bare: a dated API
    report_id = created.json()["reportId"]
    first = world.get(f"{REPORTS}/reports/{report_id}", token=token).json()
    assert first["processingStatus"] == "IN_QUEUE"
    assert "reportDocumentId" not in first
    world.sim.core.clock.advance(45)
    assert world.get(f"{REPORTS}/reports/{report_id}", token=token).json()["processingStatus"] == (
        "IN_PROGRESS"
    )
    world.sim.core.clock.advance(45)
    done = world.get(f"{REPORTS}/reports/{report_id}", token=token).json()
    assert done["processingStatus"] == "DONE"
    return str(done["reportDocumentId"])


def test_report_lifecycle_and_document_download(world) -> None:
    token = world.access_token()
    document_id = report_document(world, token, "GET_MERCHANT_LISTINGS_ALL_DATA")
    answer = world.get(f"{REPORTS}/documents/{document_id}", token=token)
    assert answer.status_code == 200
    document = answer.json()
    assert document["reportDocumentId"] == document_id
    content = httpx.get(document["url"]).content
    if document.get("compressionAlgorithm") == "GZIP":
        content = gzip.decompress(content)
    assert content.decode().startswith("seller-sku\tmarketplace-id")
    world.sim.core.clock.advance(301)  # the URL lives five minutes
    assert httpx.get(document["url"]).status_code == 403


def test_restricted_report_document_needs_an_rdt(world) -> None:
    token = world.access_token()
    document_id = report_document(world, token, "GET_FLAT_FILE_ORDER_REPORT_DATA_TAX")
    path = f"{REPORTS}/documents/{document_id}"
    refused = world.get(path, token=token)
    assert refused.status_code == 403
    assert refused.json() == DENIED
    rdt = world.call(
        "POST", RDT, token=token, json={"restrictedResources": [{"method": "GET", "path": path}]}
    ).json()["restrictedDataToken"]
    assert world.get(path, token=rdt).status_code == 200
    generic = {"method": "GET", "path": f"{REPORTS}/documents/{{reportDocumentId}}"}
    refused_rdt = world.call("POST", RDT, token=token, json={"restrictedResources": [generic]})
    assert refused_rdt.status_code == 400
    assert refused_rdt.json()["errors"][0]["code"] == "InvalidInput"


def test_inventory_summaries_in_payload_with_pagination_beside_it(world) -> None:
    world.reset(SimConfig(throttling=False))  # burst 2: three calls would be throttled
    token = world.access_token()
    params = {
        "granularityType": "Marketplace",
        "granularityId": US,
        "marketplaceIds": US,
        "details": "true",
    }
    answer = world.get("/fba/inventory/v1/summaries", token=token, params=params)
    assert answer.status_code == 200
    body = answer.json()
    summaries = body["payload"]["inventorySummaries"]
    assert sorted(s["sellerSku"] for s in summaries) == sorted(FBA_SKUS)
    assert all("inventoryDetails" in s for s in summaries)
    assert "pagination" not in body  # one page only
    two = world.get(
        "/fba/inventory/v1/summaries",
        token=token,
        params={**params, "marketplaceIds": f"{US},{CA}"},
    )
    assert two.status_code == 400
    assert two.json()["errors"][0]["code"] == "InvalidInput"
    wrong_region = world.get(
        "/fba/inventory/v1/summaries",
        token=token,
        params={**params, "granularityId": DE, "marketplaceIds": DE},
    )
    assert wrong_region.status_code == 403


def test_pricing_follows_a_listings_price_update(world) -> None:
    token = world.access_token()
    seller = world.creds.seller_id
    patch = world.call(
        "PATCH",
        f"/listings/2021-08-01/items/{seller}/ACORN-TOY-03",
        token=token,
        params={"marketplaceIds": US},
        json={
            "productType": "TOY_FIGURE",
            "patches": [
                {
                    "op": "replace",
                    "path": "/attributes/purchasable_offer",
                    "value": [
                        {
                            "marketplace_id": US,
                            "currency": "USD",
                            "our_price": [{"schedule": [{"value_with_tax": 12.34}]}],
                        }
                    ],
                }
            ],
        },
    )
    assert patch.status_code == 200, patch.text
    pricing = world.get(
        "/products/pricing/v0/price",
        token=token,
        params={"MarketplaceId": US, "ItemType": "Sku", "Skus": "ACORN-TOY-03,NO-SUCH-SKU"},
    ).json()["payload"]
    assert pricing[0]["Product"]["Offers"][0]["BuyingPrice"]["ListingPrice"] == {
        "CurrencyCode": "USD",
        "Amount": 12.34,
    }
    assert pricing[1] == {"status": "ClientError", "SellerSKU": "NO-SUCH-SKU"}
    batch = world.call(
        "POST",
        "/batches/products/pricing/2022-05-01/offer/featuredOfferExpectedPrice",
        token=token,
        json={
            "requests": [
                {
                    "uri": "/products/pricing/2022-05-01/offer/featuredOfferExpectedPrice",
                    "method": "GET",
                    "marketplaceId": US,
                    "sku": sku,
                }
                for sku in ("ACORN-TOY-03", "NO-SUCH-SKU")
            ]
        },
    )
    assert batch.status_code == 200
    responses = batch.json()["responses"]  # bare, each with its own status
    assert [r["status"]["statusCode"] for r in responses] == [200, 400]
    assert responses[1]["body"]["errors"][0]["code"] == "INVALID_SKU"


def test_destinations_are_grantless_and_subscriptions_need_the_seller(world) -> None:
    seller_token, app_token = world.access_token(), grantless(world)
    body = {"name": "q", "resourceSpecification": {"sqs": {"arn": "arn:aws:sqs:us-east-1:1:q"}}}
    assert (
        world.call("POST", "/notifications/v1/destinations", token=seller_token, json=body).json()
        == DENIED
    )
    created = world.call("POST", "/notifications/v1/destinations", token=app_token, json=body)
    assert created.status_code == 200
    destination_id = created.json()["payload"]["destinationId"]
    again = world.call("POST", "/notifications/v1/destinations", token=app_token, json=body)
    assert again.status_code == 409
    listed = world.get("/notifications/v1/destinations", token=app_token).json()["payload"]
    assert [d["destinationId"] for d in listed] == [destination_id]
    subscription = {"payloadVersion": "1.0", "destinationId": destination_id}
    path = "/notifications/v1/subscriptions/ORDER_CHANGE"
    assert world.call("POST", path, token=app_token, json=subscription).status_code == 403
    assert world.get(path, token=seller_token).status_code == 404
    made = world.call("POST", path, token=seller_token, json=subscription)
    assert made.status_code == 200
    assert world.get(path, token=seller_token).json() == made.json()
    assert world.call("POST", path, token=seller_token, json=subscription).status_code == 409


def test_confirm_shipment_is_204_and_recorded(world) -> None:
    token = world.access_token()
    order = world.orders_in_region("NA")[0]
    path = f"/orders/v0/orders/{order.amazon_order_id}/shipmentConfirmation"
    package = {
        "packageReferenceId": "1",
        "carrierCode": "UPS",
        "trackingNumber": "1Z999",
        "shipDate": "2026-03-02T10:00:00Z",
        "orderItems": [{"orderItemId": order.items[0].order_item_id, "quantity": 1}],
    }
    answer = world.call(
        "POST", path, token=token, json={"marketplaceId": US, "packageDetail": package}
    )
    assert answer.status_code == 204, answer.text
    assert answer.content == b""
    confirmations = world.sim.core.state.shipment_confirmations
    assert [c["order_id"] for c in confirmations] == [order.amazon_order_id]
    missing = world.call("POST", path, token=token, json={"marketplaceId": US})
    assert missing.status_code == 400
    assert (
        world.sim.journal.all()[-1].facts["contract_violations"][0]["field"] == "body.packageDetail"
    )


def test_buyer_info_only_with_an_rdt(world) -> None:
    token = world.access_token()
    order = world.orders_in_region("NA")[0]
    path = f"/orders/v0/orders/{order.amazon_order_id}/buyerInfo"
    plain = world.get(path, token=token).json()["payload"]
    assert "BuyerEmail" not in plain
    rdt = world.call(
        "POST", RDT, token=token, json={"restrictedResources": [{"method": "GET", "path": path}]}
    ).json()["restrictedDataToken"]
    assert world.get(path, token=rdt).json()["payload"]["BuyerEmail"] == order.buyer.email


def observe(world: Any) -> Observation:
    return Observation("contract-http", world.sim.journal.all(), [])


def test_contract_01_passes_a_client_that_sends_valid_requests(world) -> None:
    token = world.access_token()
    for params in (
        {"MarketplaceIds": US, "CreatedAfter": "2026-02-01T00:00:00Z"},
        {"MarketplaceIds": US, "CreatedAfter": "2026-02-01T00:00:00Z", "OrderStatuses": "Canceled"},
    ):
        assert world.get("/orders/v0/orders", token=token, params=params).status_code == 200
    result = CONTRACT_01.evaluate(observe(world))
    assert result.status == "passed", result.explain()
    assert result.metrics["requests_checked"] == 2


def test_contract_01_fails_a_client_that_sends_invalid_requests(world) -> None:
    world.reset(SimConfig())
    token = world.access_token()
    seller = world.creds.seller_id
    good = world.get(
        "/orders/v0/orders",
        token=token,
        params={"MarketplaceIds": US, "CreatedAfter": "2026-02-01T00:00:00Z"},
    )
    assert good.status_code == 200
    put = world.call(
        "PUT",
        f"/listings/2021-08-01/items/{seller}/ACORN-MUG-01",
        token=token,
        params={"marketplaceIds": f"{US},{CA}"},
        json={"productType": "LUGGAGE", "requirements": "LISTING", "attributes": {}},
    )
    assert put.status_code == 400
    assert put.json()["errors"][0]["code"] == "BAD_REQUEST"
    british = world.get(
        "/orders/v0/orders",
        token=token,
        params={
            "MarketplaceIds": US,
            "CreatedAfter": "2026-02-01T00:00:00Z",
            "OrderStatuses": "Cancelled",
        },
    )
    assert british.status_code == 400
    result = CONTRACT_01.evaluate(observe(world))
    assert result.status == "failed"
    assert result.metrics == {
        "requests_checked": 3,
        "invalid_requests": 2,
        "violations_by_rule": {"enum": 1, "maxItems": 1},
    }
    evidence = "\n".join(result.evidence)
    assert put.headers["x-amzn-RequestId"] in evidence
    assert british.headers["x-amzn-RequestId"] in evidence
    assert "field query.marketplaceIds broke rule maxItems" in evidence
    assert "field query.OrderStatuses[0] broke rule enum" in evidence
