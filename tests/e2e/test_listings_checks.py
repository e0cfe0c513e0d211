"""LST-01..06 proven both ways: a ready client and a naive one, real HTTP on loopback."""

from __future__ import annotations

from typing import Any

from listing_clients import (
    CASE,
    DE,
    FR,
    GB,
    JP,
    TARGETS,
    TOY,
    US,
    Seller,
    good_attributes,
    observe,
    outcome,
    us_attributes,
)

from harness.checks import LST_01, LST_02, LST_03, LST_04, LST_05, LST_06
from harness.sim import SimConfig

PT = TOY["product_type"]
LISTINGS = {"TOY-1": {"product_type": PT, "marketplace_ids": TARGETS}}


def _publish(world: Any, *, ready: bool, preview: bool) -> list[dict[str, Any]]:
    world.reset(SimConfig(throttling=False))  # pacing is PRC-01's business, not these checks'
    seller = Seller(world)
    answers = []
    for mp in TARGETS:
        attrs = good_attributes(TOY, mp) if ready else us_attributes(TOY)
        if preview:
            seller.put("TOY-1", mp, attrs, PT, preview=True)
        answers.append(seller.put("TOY-1", mp, attrs, PT))
    return answers


def test_lst_01_passes_when_every_marketplace_gets_its_own_attributes(world: Any) -> None:
    answers = _publish(world, ready=True, preview=False)
    assert {a["status"] for a in answers} == {"ACCEPTED"}
    result = LST_01.evaluate(observe(world, [], listings=LISTINGS))
    assert result.status == "passed", result.summary
    ok = '<td class="ok" title="ACCEPTED">OK</td>'
    assert f"<tr><th>TOY-1 (TOY_FIGURE)</th>{ok}{ok}" in result.attachments[0].content.decode()


def test_lst_01_fails_with_missing_attributes_per_marketplace_for_copied_us_listing(
    world: Any,
) -> None:
    _publish(world, ready=False, preview=False)
    result = LST_01.evaluate(observe(world, [], listings=LISTINGS))
    assert result.status == "failed"
    assert "TOY-1 in DE: INVALID: missing dsa_responsible_party_address, epr_product_packaging" in (
        result.summary
    )
    assert "TOY-1 in GB: INVALID: missing eu_toys_safety_directive_language" in result.summary
    assert "epr_product_packaging" not in result.summary.split("TOY-1 in FR")[1].split(";")[0]
    matrix = result.attachments[0].content.decode()
    # One row per product, one column per marketplace, short codes; the issues listed below.
    row = '<tr><th>TOY-1 (TOY_FIGURE)</th><td class="ok" title="ACCEPTED">OK</td>'
    assert row + '<td class="bad" title="INVALID: missing' in matrix
    assert "<dt>TOY-1 (TOY_FIGURE) — DE: INV</dt><dd>INVALID: missing" in matrix
    assert any("x-amzn-RequestId" in line for line in result.evidence)


def test_lst_02_both_ways(world: Any) -> None:
    _publish(world, ready=True, preview=True)
    assert LST_02.evaluate(observe(world, [])).status == "passed"
    world.reset(SimConfig(throttling=False))
    _publish(world, ready=True, preview=False)
    result = LST_02.evaluate(observe(world, []))
    assert result.status == "failed"
    assert "6 of 6 first submissions went out without validation" in result.summary


def _invalid_in_de(world: Any) -> dict[str, Any]:
    attrs = good_attributes(CASE, DE)
    del attrs["gpsr_manufacturer_reference"]
    answer = Seller(world).put("CASE-1", DE, attrs, "LUGGAGE")
    assert answer["status"] == "INVALID"
    return answer


def test_lst_03_passes_when_invalid_is_reported_with_its_issues(world: Any) -> None:
    answer = _invalid_in_de(world)
    reported = outcome(
        "publish_listing",
        {"sku": "CASE-1"},
        False,
        submissions=[{"marketplace_id": DE, "status": "INVALID", "issues": answer["issues"]}],
    )
    result = LST_03.evaluate(observe(world, [reported]))
    assert result.status == "passed", result.summary


def test_lst_03_fails_when_200_invalid_is_called_success(world: Any) -> None:
    _invalid_in_de(world)
    hidden = outcome("publish_listing", {"sku": "CASE-1"}, True, submissions=[])
    result = LST_03.evaluate(observe(world, [hidden]))
    assert result.status == "failed"
    assert "reported ok for CASE-1 (DE: missing gpsr_manufacturer_reference)" in result.summary


def test_lst_03_judges_meaning_not_the_submissions_field(world: Any) -> None:
    answer = _invalid_in_de(world)
    issue = answer["issues"][0]
    # A client that raises Amazon's message as its error, with no `submissions` list at all.
    plain = outcome("publish_listing", {"sku": "CASE-1"}, False, errors=[issue["message"]])
    assert LST_03.evaluate(observe(world, [plain])).status == "passed"
    # Failing without saying why still hides the issue from the seller.
    silent = outcome("publish_listing", {"sku": "CASE-1"}, False, errors=["listing failed"])
    result = LST_03.evaluate(observe(world, [silent]))
    assert result.status == "failed"
    assert "did not pass on the issues (code or message) for CASE-1" in result.summary


def test_lst_04_both_ways(world: Any) -> None:
    issue = {
        "code": "18448",
        "message": "image",
        "severity": "ERROR",
        "attributeNames": ["main_product_image_locator"],
        "categories": ["INVALID_IMAGE"],
    }
    world.reset(SimConfig(post_accept_issues={US: [issue]}))
    seller = Seller(world)
    assert seller.put("TOY-1", US, good_attributes(TOY, US), PT)["status"] == "ACCEPTED"
    assert seller.issues("TOY-1", US) == []  # still processing: nothing yet
    world.sim.core.clock.advance(301)
    late = {"TOY-1": {US: ["18448"]}}
    found = seller.issues("TOY-1", US)
    assert [i["code"] for i in found] == ["18448"]
    looked = outcome(
        "listing_status",
        {"sku": "TOY-1"},
        False,
        listings=[{"marketplace_id": US, "issues": found}],
    )
    assert LST_04.evaluate(observe(world, [looked], late_issues=late)).status == "passed"
    blind = outcome(
        "listing_status", {"sku": "TOY-1"}, True, listings=[{"marketplace_id": US, "issues": []}]
    )
    result = LST_04.evaluate(observe(world, [blind], late_issues=late))
    assert result.status == "failed"
    assert "TOY-1 in US (issue 18448)" in result.summary
    # The same issue told in plain words, by a client asked about US only, is noticed too.
    words = outcome(
        "listing_status",
        {"sku": "TOY-1", "marketplace_ids": [US]},
        False,
        errors=[f"{found[0]['code']}: {found[0]['message']}"],
    )
    assert LST_04.evaluate(observe(world, [words], late_issues=late)).status == "passed"


def test_lst_05_and_06_both_ways(world: Any) -> None:
    seller = Seller(world)
    for mp in (GB, DE, FR, JP):
        seller.put("TOY-1", mp, good_attributes(TOY, mp), PT)
    currencies = {GB: "GBP", DE: "EUR", FR: "EUR", JP: "JPY"}
    assert LST_05.evaluate(observe(world, [])).status == "passed"
    assert LST_06.evaluate(observe(world, [], currencies=currencies)).status == "passed"
    world.reset(SimConfig())
    seller = Seller(world)
    seller.put("TOY-1", DE, us_attributes(TOY), PT)
    five = LST_05.evaluate(observe(world, []))
    six = LST_06.evaluate(observe(world, [], currencies=currencies))
    assert five.status == "failed"
    assert six.status == "failed"
    assert "TOY-1 in DE: language tag(s) en_US where de_DE, en_GB are accepted" in five.summary
    assert "TOY-1 in DE: USD instead of EUR" in six.summary
    assert FR not in six.summary
