"""Listing checks on synthetic journals: each verdict both ways, and what it names."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from harness.checks import (
    FEED_01,
    INV_01,
    LST_01,
    LST_02,
    LST_03,
    LST_04,
    LST_05,
    LST_06,
    PRC_01,
    Observation,
)
from harness.drive.base import ActionOutcome
from harness.sim.journal import Exchange

US, DE = "ATVPDKIKX0DER", "A1PA6795UKMFR9"
NAMES = {US: "US", DE: "DE"}
MISSING = {
    "code": "90220",
    "message": "'gpsr_safety_attestation' is required but not supplied.",
    "severity": "ERROR",
    "attributeNames": ["gpsr_safety_attestation"],
    "categories": ["MISSING_ATTRIBUTE"],
}


def _call(
    seq: int,
    operation: str,
    sku: str,
    mp: str,
    *,
    status: int = 200,
    reply: Any = None,
    body: Any = None,
    preview: bool = False,
    virtual: float = 0.0,
    facts: dict[str, Any] | None = None,
) -> Exchange:
    method = {"putListingsItem": "PUT", "patchListingsItem": "PATCH"}.get(operation, "GET")
    query = {"marketplaceIds": [mp], **({"mode": ["VALIDATION_PREVIEW"]} if preview else {})}
    return Exchange(
        seq,
        f"rid-{seq}",
        float(seq),
        virtual,
        "EU",
        operation,
        method,
        f"/listings/2021-08-01/items/S1/{sku}",
        query,
        {},
        body,
        status,
        {},
        reply,
        1.0,
        None,
        facts or {},
    )


def _put(seq: int, sku: str, mp: str, status: str, issues: Any = (), **kw: Any) -> Exchange:
    reply = {"sku": sku, "status": status, "submissionId": "x", "issues": list(issues)}
    return _call(seq, "putListingsItem", sku, mp, reply=reply, **kw)


def _obs(exchanges: list[Exchange], outcomes: Any = (), **expected: Any) -> Observation:
    return Observation("unit", exchanges, list(outcomes), {"marketplace_names": NAMES, **expected})


def _outcome(action: str, ok: bool, args: Any = None, **result: Any) -> ActionOutcome:
    return ActionOutcome(action, args or {}, "ok" if ok else "failed", {"ok": ok, **result})


LISTINGS = {"SKU-1": {"product_type": "LUGGAGE", "marketplace_ids": [US, DE]}}


def test_lst_01_matrix_names_the_missing_attribute_per_marketplace() -> None:
    good = _obs(
        [_put(1, "SKU-1", US, "ACCEPTED"), _put(2, "SKU-1", DE, "ACCEPTED")], listings=LISTINGS
    )
    assert LST_01.evaluate(good).status == "passed"
    bad = LST_01.evaluate(
        _obs(
            [_put(1, "SKU-1", US, "ACCEPTED"), _put(2, "SKU-1", DE, "INVALID", [MISSING])],
            listings=LISTINGS,
        )
    )
    assert bad.status == "failed"
    assert "SKU-1 in DE: INVALID: missing gpsr_safety_attestation" in bad.summary
    # One row per product, one short code per marketplace, the full text under the grid.
    matrix = bad.attachments[0].content.decode()
    assert (
        "<dt>SKU-1 (LUGGAGE) — DE: INV</dt><dd>INVALID: missing gpsr_safety_attestation</dd>"
        in (matrix)
    )
    assert "SKU-1 (LUGGAGE) — US" not in matrix  # an accepted cell needs no note
    assert LST_01.evaluate(_obs([])).status == "skipped"


def test_lst_02_preview_before_first_submission() -> None:
    seen = [_put(1, "SKU-1", DE, "VALID", preview=True), _put(2, "SKU-1", DE, "ACCEPTED")]
    assert LST_02.evaluate(_obs(seen)).status == "passed"
    blind = LST_02.evaluate(_obs([_put(1, "SKU-1", DE, "ACCEPTED")]))
    assert blind.status == "failed"
    assert "SKU-1 in DE" in blind.summary


def test_lst_03_invalid_must_be_reported() -> None:
    journal = [_put(1, "SKU-1", DE, "INVALID", [MISSING])]
    told = _outcome("publish_listing", False, {"sku": "SKU-1"}, errors=["90220 gpsr"])
    assert LST_03.evaluate(_obs(journal, [told])).status == "passed"
    quiet = _outcome("publish_listing", False, {"sku": "SKU-1"}, errors=["failed"])
    assert (
        "did not pass on the issues (code or message)"
        in LST_03.evaluate(_obs(journal, [quiet])).summary
    )
    lied = _outcome("publish_listing", True, {"sku": "SKU-1"})
    assert "reported ok for SKU-1" in LST_03.evaluate(_obs(journal, [lied])).summary


def test_lst_03_an_issue_is_passed_on_by_its_code_or_its_message() -> None:
    journal = [_put(1, "SKU-1", DE, "INVALID", [MISSING])]
    by_message = _outcome(
        "publish_listing", False, {"sku": "SKU-1"}, errors=[{"message": MISSING["message"]}]
    )
    assert LST_03.evaluate(_obs(journal, [by_message])).status == "passed"
    exit_message = ActionOutcome(
        "publish_listing", {"sku": "SKU-1"}, "crashed", None, "exit 1; stderr: 90220 in DE"
    )
    assert LST_03.evaluate(_obs(journal, [exit_message])).status == "passed"


def test_lst_03_attributes_invalid_answers_by_action_window() -> None:
    journal = [_put(1, "SKU-1", DE, "INVALID", [MISSING]), _put(5, "SKU-1", US, "ACCEPTED")]
    first = _outcome("publish_listing", True, {"sku": "SKU-1"})  # window 0..2: the INVALID
    second = _outcome("publish_listing", False, {"sku": "SKU-1"}, errors=["90220"])
    obs = _obs(journal, [first, second])
    obs.action_windows = [(0.0, 2.0), (4.0, 6.0)]
    result = LST_03.evaluate(obs)
    assert result.status == "failed"
    assert "reported ok for SKU-1" in result.summary


def test_lst_03_an_invalid_corrected_and_accepted_in_the_same_action_is_not_judged() -> None:
    journal = [_put(1, "SKU-1", DE, "INVALID", [MISSING]), _put(2, "SKU-1", DE, "ACCEPTED")]
    fixed = _outcome("publish_listing", True, {"sku": "SKU-1"})
    result = LST_03.evaluate(_obs(journal, [fixed]))
    assert result.status == "skipped"
    assert "was not exercised" in result.summary
    # Nothing to attribute it to is not a pass either.
    assert LST_03.evaluate(_obs([_put(1, "SKU-1", DE, "INVALID", [MISSING])])).status == "skipped"


def test_lst_05_and_06_skip_what_they_cannot_judge() -> None:
    body = {
        "productType": "NO_SUCH_TYPE",
        "attributes": {
            "item_name": [{"value": "x", "language_tag": "en_US"}],
            "purchasable_offer": [{"currency": "USD"}],
        },
    }
    obs = _obs([_put(1, "SKU-1", DE, "ACCEPTED", body=body)], currencies={US: "USD"})
    language = LST_05.evaluate(obs)
    assert language.status == "skipped"
    assert "NO_SUCH_TYPE in DE" in language.summary
    currency = LST_06.evaluate(obs)
    assert currency.status == "skipped"
    assert "names no currency" in currency.summary


def test_lst_04_needs_the_late_issue_reported() -> None:
    late = {"SKU-1": {DE: ["18448"]}}
    seen = _outcome(
        "listing_status",
        False,
        {"sku": "SKU-1"},
        listings=[{"marketplace_id": DE, "issues": [{"code": "18448"}]}],
    )
    assert LST_04.evaluate(_obs([], [seen], late_issues=late)).status == "passed"
    blind = _outcome("listing_status", True, {"sku": "SKU-1"}, listings=[])
    assert LST_04.evaluate(_obs([], [blind], late_issues=late)).status == "failed"


def test_lst_04_a_late_issue_told_in_plain_words_counts_with_its_marketplace() -> None:
    late = {"SKU-1": {DE: ["18448"]}}
    args = {"sku": "SKU-1", "marketplace_ids": [US, DE]}
    told = ActionOutcome(
        "listing_status", args, "failed", {"ok": False, "errors": [f"{DE}: 18448 GPSR missing"]}
    )
    assert LST_04.evaluate(_obs([], [told], late_issues=late)).status == "passed"
    # The code without the marketplace, when two were asked about, does not say where.
    vague = ActionOutcome("listing_status", args, "failed", {"ok": False, "errors": ["18448"]})
    assert LST_04.evaluate(_obs([], [vague], late_issues=late)).status == "failed"
    only_de = ActionOutcome(
        "listing_status", {"sku": "SKU-1", "marketplace_ids": [DE]}, "failed", {"errors": ["18448"]}
    )
    assert LST_04.evaluate(_obs([], [only_de], late_issues=late)).status == "passed"


def test_lst_05_and_06_language_and_currency() -> None:
    def body(tag: str, currency: str) -> dict[str, Any]:
        return {
            "productType": "LUGGAGE",
            "attributes": {
                "item_name": [{"value": "x", "language_tag": tag}],
                "purchasable_offer": [{"currency": currency}],
            },
        }

    good = _obs(
        [_put(1, "SKU-1", DE, "ACCEPTED", body=body("de_DE", "EUR"))], currencies={DE: "EUR"}
    )
    assert LST_05.evaluate(good).status == "passed"
    assert LST_06.evaluate(good).status == "passed"
    bad = _obs([_put(1, "SKU-1", DE, "INVALID", body=body("en_US", "USD"))], currencies={DE: "EUR"})
    assert "en_US where de_DE, en_GB are accepted" in LST_05.evaluate(bad).summary
    assert "USD instead of EUR" in LST_06.evaluate(bad).summary


def _stock_patch(seq: int, mp: str, quantity: int, virtual: float) -> Exchange:
    body = {
        "patches": [
            {
                "op": "replace",
                "path": "/attributes/fulfillment_availability",
                "value": [{"quantity": quantity}],
            }
        ]
    }
    return _call(
        seq,
        "patchListingsItem",
        "SKU-1",
        mp,
        body=body,
        virtual=virtual,
        reply={"sku": "SKU-1", "status": "ACCEPTED", "submissionId": "x"},
    )


def test_inv_01_every_pool_marketplace_in_time() -> None:
    inv = {
        "sku": "SKU-1",
        "quantity": 2,
        "order_mp": DE,
        "order_virtual": 100.0,
        "within_s": 900.0,
        "expected": {DE: 8, US: 8},
    }
    good = [_stock_patch(1, DE, 8, 200.0), _stock_patch(2, US, 8, 300.0)]
    assert INV_01.evaluate(_obs(good, inventory=inv)).status == "passed"
    slow = [_stock_patch(1, DE, 8, 200.0), _stock_patch(2, US, 8, 2000.0)]
    assert (
        "US: updated 32 min after the order" in INV_01.evaluate(_obs(slow, inventory=inv)).summary
    )
    wrong = [_stock_patch(1, DE, 8, 200.0), _stock_patch(2, US, 10, 300.0)]
    assert "US: set to 10, the pool holds 8" in INV_01.evaluate(_obs(wrong, inventory=inv)).summary


def test_prc_01_throttled_or_stale_fails() -> None:
    price = {"sku": "SKU-1", "marketplace_id": DE, "amount": 9.5, "currency": "EUR"}
    body = {
        "patches": [
            {
                "op": "replace",
                "path": "/attributes/purchasable_offer",
                "value": [
                    {"currency": "EUR", "our_price": [{"schedule": [{"value_with_tax": 9.5}]}]}
                ],
            }
        ]
    }
    ok = _call(
        2,
        "patchListingsItem",
        "SKU-1",
        DE,
        body=body,
        reply={"sku": "SKU-1", "status": "ACCEPTED", "submissionId": "x"},
    )
    assert PRC_01.evaluate(_obs([ok], prices=[price])).status == "passed"
    throttled = _call(1, "patchListingsItem", "SKU-1", DE, status=429, body=body, reply={})
    result = PRC_01.evaluate(_obs([throttled, ok], prices=[price]))
    assert result.status == "failed"
    assert "1 of 2 patch calls were throttled (429)" in result.summary
    assert "1 of 1 prices left stale" in PRC_01.evaluate(_obs([throttled], prices=[price])).summary


def test_feed_01_stuck_feed_must_be_given_up() -> None:
    feeds = [{"mode": "stuck", "give_up_after_s": 2.0}]
    gave_up = ActionOutcome("submit_feed", {}, "failed", {"ok": False, "feeds": [{}]}, None, 2.5)
    assert FEED_01.evaluate(_obs([], [gave_up], feeds=feeds)).status == "passed"
    hung = ActionOutcome("submit_feed", {}, "timeout", None, "timeout", 60.0)
    assert "the action timeout" in FEED_01.evaluate(_obs([], [hung], feeds=feeds)).summary
    fatal_ok = ActionOutcome(
        "submit_feed", {}, "ok", {"ok": True, "feeds": [{"status": "FATAL"}]}, None, 1.0
    )
    result = FEED_01.evaluate(_obs([], [fatal_ok], feeds=[{"mode": "fatal"}]))
    assert "FATAL not reported (ok=True" in result.summary


def test_feed_01_fatal_judged_from_the_wire_not_the_results_status_field() -> None:
    fatal = replace(
        _call(1, "getFeed", "SKU-1", DE, reply={"processingStatus": "FATAL"}),
        facts={"feed_id": "F1", "status": "FATAL"},
    )
    # The result does not echo Amazon's status, but the wire shows FATAL was read.
    failed = ActionOutcome("submit_feed", {}, "failed", {"ok": False, "errors": []}, None, 1.0)
    assert FEED_01.evaluate(_obs([fatal], [failed], feeds=[{"mode": "fatal"}])).status == "passed"
    # Neither on the wire nor in the result: nobody knows the feed failed as a whole.
    blind = FEED_01.evaluate(_obs([], [failed], feeds=[{"mode": "fatal"}]))
    assert blind.status == "failed"
    assert "no getFeed read the FATAL end" in blind.summary
    lied = ActionOutcome("submit_feed", {}, "ok", {"ok": True}, None, 1.0)
    result = FEED_01.evaluate(_obs([fatal], [lied], feeds=[{"mode": "fatal"}]))
    assert "FATAL not reported (ok=True; getFeed answered FATAL)" in result.summary
