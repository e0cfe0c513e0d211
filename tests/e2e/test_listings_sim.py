"""The simulator's Listings, Product Type Definitions and Feeds behaviour over real HTTP."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from jsonschema import Draft7Validator
from listing_clients import CASE, DE, FR, US, Seller, good_attributes

from harness.sim import SimConfig

PTD = "/definitions/2020-09-01/productTypes"
OPS = (
    "getDefinitionsProductType",
    "searchDefinitionsProductTypes",
    "putListingsItem",
    "patchListingsItem",
    "deleteListingsItem",
    "getListingsItem",
    "searchListingsItems",
    "createFeedDocument",
    "createFeed",
    "getFeed",
    "getFeeds",
    "cancelFeed",
    "getFeedDocument",
)


def _conforms(world: Any) -> None:
    """Every answer of these operations matches the response schema in our contracts."""
    contracts = world.sim.core.contracts
    checked = 0
    for e in world.sim.journal.all():
        if e.operation not in OPS:
            continue
        schema = contracts.operation(e.operation).response_schema(e.status)
        if schema is None:
            assert e.response_body is None, (e.operation, e.status)
            continue
        errors = list(Draft7Validator(schema).iter_errors(e.response_body))
        assert not errors, (e.operation, e.status, errors[0].message)
        checked += 1
    assert checked


def test_ptd_one_marketplace_per_call_with_checksummed_expiring_links(world: Any) -> None:
    seller = Seller(world)
    r = world.get(
        f"{PTD}/LUGGAGE", region="EU", token=seller.token, params={"marketplaceIds": f"{DE},{FR}"}
    )
    assert r.status_code == 200
    body = r.json()
    assert body["marketplaceIds"] == [DE]  # the first one only, as Amazon does
    assert body["locale"] == "de_DE"
    link = body["schema"]["link"]["resource"]
    assert "X-Amz-Expires=604800" in link
    download = world.http.get(link)
    assert download.status_code == 200
    md5 = base64.b64encode(hashlib.md5(download.content).digest()).decode()
    assert md5 == body["schema"]["checksum"]
    schema = json.loads(download.content)
    assert schema["$defs"]["marketplace_id"]["default"] == DE
    assert world.http.get(body["metaSchema"]["link"]["resource"]).status_code == 200
    assert world.http.get(link.replace("X-Amz-Signature=", "X-Amz-Signature=0")).status_code == 403
    search = world.get(
        PTD, region="EU", token=seller.token, params={"marketplaceIds": DE, "keywords": "luggage"}
    )
    assert [p["name"] for p in search.json()["productTypes"]] == ["LUGGAGE"]
    both = world.get(
        PTD,
        region="EU",
        token=seller.token,
        params={"marketplaceIds": DE, "keywords": "x", "itemName": "y"},
    )
    assert both.status_code == 400
    world.sim.core.clock.advance(7 * 24 * 3600 + 1)
    expired = world.http.get(link)
    assert expired.status_code == 403
    assert b"Request has expired" in expired.content
    _conforms(world)


def test_listings_invalid_is_200_preview_applies_nothing_issues_arrive_later(world: Any) -> None:
    issue = {
        "code": "18448",
        "message": "image",
        "severity": "ERROR",
        "attributeNames": ["main_product_image_locator"],
        "categories": ["INVALID_IMAGE"],
        "enforcements": {
            "actions": [{"action": "LISTING_SUPPRESSED"}],
            "exemption": {"status": "NOT_EXEMPT"},
        },
    }
    world.reset(SimConfig(post_accept_issues={DE: [issue]}))
    seller = Seller(world)
    attrs = good_attributes(CASE, DE)
    attrs["gpsr_safety_attestation"] = [{"value": True, "marketplace_id": DE}]
    invalid = seller.put("CASE-1", DE, {k: v for k, v in attrs.items() if k != "brand"}, "LUGGAGE")
    assert invalid["status"] == "INVALID"
    assert [(i["code"], i["attributeNames"]) for i in invalid["issues"]] == [("90220", ["brand"])]
    assert seller.put("CASE-1", DE, attrs, "LUGGAGE", preview=True)["status"] == "VALID"
    path = seller.path("CASE-1")
    assert (
        world.get(path, region="EU", token=seller.token, params={"marketplaceIds": DE}).status_code
        == 404
    )
    two = world.call(
        "PUT",
        path,
        region="EU",
        token=seller.token,
        params={"marketplaceIds": f"{DE},{FR}"},
        json={"productType": "LUGGAGE", "attributes": attrs},
    )
    assert two.status_code == 400  # PUT takes exactly one marketplace
    assert seller.put("CASE-1", DE, attrs, "LUGGAGE")["status"] == "ACCEPTED"
    assert seller.issues("CASE-1", DE) == []
    world.sim.core.clock.advance(world.sim.core.config.listing_processing_seconds)
    assert [i["code"] for i in seller.issues("CASE-1", DE)] == ["18448"]
    item = world.get(
        path,
        region="EU",
        token=seller.token,
        params={"marketplaceIds": DE, "includedData": "summaries,offers"},
    ).json()
    assert item["summaries"][0]["status"] == []  # suppressed
    assert item["offers"][0]["price"] == {"currencyCode": "EUR", "amount": "23.99"}
    found = world.get(
        f"/listings/2021-08-01/items/{seller.seller}",
        region="EU",
        token=seller.token,
        params={"marketplaceIds": DE, "withIssueSeverity": "ERROR"},
    ).json()
    assert [i["sku"] for i in found["items"]] == ["CASE-1"]
    _conforms(world)


def test_eu_listing_without_gpsr_safety_information_is_suppressed_after_accepted(
    world: Any,
) -> None:
    seller = Seller(world)
    attrs = good_attributes(CASE, DE)
    assert attrs["gpsr_safety_attestation"][0]["value"] is False
    assert "compliance_media" not in attrs
    assert seller.put("CASE-1", DE, attrs, "LUGGAGE")["status"] == "ACCEPTED"
    assert seller.put("CASE-1", US, good_attributes(CASE, US), "LUGGAGE")["status"] == "ACCEPTED"
    world.sim.core.clock.advance(world.sim.core.config.listing_processing_seconds)
    (issue,) = seller.issues("CASE-1", DE)
    assert issue["code"] == "99300"
    assert issue["enforcements"]["actions"] == [{"action": "LISTING_SUPPRESSED"}]
    assert seller.issues("CASE-1", US) == []  # GPSR is EU law
    _conforms(world)


def test_delete_takes_one_marketplace_of_its_region(world: Any) -> None:
    seller = Seller(world)
    attrs = good_attributes(CASE, DE)
    assert seller.put("CASE-1", DE, attrs, "LUGGAGE")["status"] == "ACCEPTED"
    path = seller.path("CASE-1")
    wrong_region = world.call(
        "DELETE", path, region="NA", token=seller.token, params={"marketplaceIds": DE}
    )
    assert wrong_region.status_code == 403
    deleted = world.call(
        "DELETE", path, region="EU", token=seller.token, params={"marketplaceIds": DE}
    )
    assert deleted.json()["status"] == "ACCEPTED"
    gone = world.get(path, region="EU", token=seller.token, params={"marketplaceIds": DE})
    assert gone.status_code == 404
    _conforms(world)


def test_feed_upload_needs_the_same_content_type_and_a_fresh_url(world: Any) -> None:
    seller = Seller(world)
    doc = world.call(
        "POST",
        "/feeds/2021-06-30/documents",
        region="EU",
        token=seller.token,
        json={"contentType": "application/json; charset=UTF-8"},
    )
    assert doc.status_code == 201
    url = doc.json()["url"]
    wrong = world.http.put(url, content=b"{}", headers={"content-type": "text/plain"})
    assert wrong.status_code == 403
    assert b"SignatureDoesNotMatch" in wrong.content
    right = world.http.put(
        url, content=b"{}", headers={"content-type": "application/json; charset=UTF-8"}
    )
    assert right.status_code == 200
    world.sim.core.clock.advance(301)
    late = world.http.put(
        url, content=b"{}", headers={"content-type": "application/json; charset=UTF-8"}
    )
    assert late.status_code == 403
    _conforms(world)


def test_feed_lifecycle_on_the_virtual_clock_with_stuck_and_fatal_presets(world: Any) -> None:
    seller = Seller(world)
    clock = world.sim.core.clock
    message = {
        "messageId": 1,
        "sku": "CASE-1",
        "operationType": "UPDATE",
        "productType": "LUGGAGE",
        "attributes": good_attributes(CASE, DE),
    }
    feed_id = seller.feed(DE, [message])
    assert seller.feed_status(DE, feed_id)["processingStatus"] == "IN_QUEUE"
    clock.advance(121)
    assert seller.feed_status(DE, feed_id)["processingStatus"] == "IN_PROGRESS"
    cancel = world.call(
        "DELETE", f"/feeds/2021-06-30/feeds/{feed_id}", region="EU", token=seller.token
    )
    assert cancel.status_code == 400  # only IN_QUEUE feeds can be cancelled
    clock.advance(900)
    done = seller.feed_status(DE, feed_id)
    assert done["processingStatus"] == "DONE"
    report = seller.report(DE, done["resultFeedDocumentId"])
    assert report["summary"]["messagesAccepted"] == 1
    assert seller.issues("CASE-1", DE) == []  # the listing exists now
    queued = seller.feed(DE, [message])
    ok = world.call("DELETE", f"/feeds/2021-06-30/feeds/{queued}", region="EU", token=seller.token)
    assert ok.status_code == 200
    assert seller.feed_status(DE, queued)["processingStatus"] == "CANCELLED"
    world.sim.core.config.feed_preset = "stuck"
    stuck = seller.feed(DE, [message])
    clock.advance(48 * 3600)
    seller.token = world.access_token()  # two days passed: a new access token
    assert seller.feed_status(DE, stuck)["processingStatus"] == "IN_PROGRESS"
    world.sim.core.config.feed_preset = "fatal"
    fatal = seller.feed(DE, [message])
    clock.advance(1100)
    status = seller.feed_status(DE, fatal)
    assert status["processingStatus"] == "FATAL"
    assert seller.report(DE, status["resultFeedDocumentId"])["issues"][0]["severity"] == "ERROR"
    feeds = world.get(
        "/feeds/2021-06-30/feeds",
        region="EU",
        token=seller.token,
        params={"feedTypes": "JSON_LISTINGS_FEED"},
    )
    assert len(feeds.json()["feeds"]) == 4
    assert world.get("/feeds/2021-06-30/feeds", region="EU", token=seller.token).status_code == 400
    assert US not in json.dumps(feeds.json())
    _conforms(world)
