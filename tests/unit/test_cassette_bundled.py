"""The cassettes in cassettes/ load, are current and clean, and show what they claim."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cassettes import FORMAT_VERSION, check_api_versions, load, scan_paths
from harness.contracts import load_contracts

BUNDLED = Path(__file__).resolve().parents[2] / "cassettes"
NAMES = ["sandbox-static-orders", "reference-order-sync", "feed-polling"]


@pytest.mark.parametrize("name", NAMES)
def test_a_bundled_cassette_loads_against_the_current_contracts(name: str) -> None:
    cassette = load(BUNDLED / name / "cassette.yaml")
    assert cassette.meta["format"] == FORMAT_VERSION
    assert cassette.meta["scrubbed"] is True
    assert cassette.meta["pseudonymised"] is True
    assert cassette.seller_id == "A0SELLER00001"
    check_api_versions(cassette, load_contracts())
    assert all(i.request.uri.startswith("https://") for i in cassette.interactions)


def test_the_bundled_cassettes_scan_clean() -> None:
    count, findings = scan_paths([BUNDLED])
    assert count >= len(NAMES)
    assert findings == []


def _bodies(name: str, operation: str) -> list[dict[str, object]]:
    cassette = load(BUNDLED / name / "cassette.yaml")
    return [
        json.loads(i.response.body or "{}")
        for i in cassette.interactions
        if i.operation == operation
    ]


def test_feed_polling_shows_the_feed_progress_in_order() -> None:
    states = [b["processingStatus"] for b in _bodies("feed-polling", "getFeed")]
    assert states[-1] == "DONE"
    assert len(states) >= 2
    order = ["IN_QUEUE", "IN_PROGRESS", "DONE"]
    assert states == sorted(states, key=lambda s: order.index(str(s)))


def test_the_static_sandbox_cassette_ends_with_its_no_match_answer() -> None:
    cassette = load(BUNDLED / "sandbox-static-orders" / "cassette.yaml")
    last = cassette.interactions[-1]
    assert last.response.status == 400
    assert json.loads(last.response.body or "") == {
        "errors": [
            {"code": "InvalidInput", "message": "Could not match input arguments", "details": ""}
        ]
    }
    pages = _bodies("sandbox-static-orders", "getOrders")
    assert any("NextToken" in p.get("payload", {}) for p in pages)  # type: ignore[operator]


def test_the_reference_sync_spans_three_regions_and_fetched_addresses_with_an_rdt() -> None:
    cassette = load(BUNDLED / "reference-order-sync" / "cassette.yaml")
    assert {i.endpoint for i in cassette.interactions} == {"LWA", "NA", "EU", "FE"}
    operations = [i.operation for i in cassette.interactions]
    assert "createRestrictedDataToken" in operations
    addresses = [
        json.loads(i.response.body or "{}")
        for i in cassette.interactions
        if i.operation == "getOrderAddress" and i.response.status == 200
    ]
    assert addresses
    assert all(a["payload"]["ShippingAddress"]["Name"] == "[PII]" for a in addresses)
