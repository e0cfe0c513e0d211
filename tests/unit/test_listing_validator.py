"""Listing validator: generated valid payloads pass, each mutation raises the right issue, and the
jsonschema-rs fast path reports exactly what the python-jsonschema reference reports."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.contracts import Issue, attributes_for_marketplace, load_product_types
from harness.contracts.amazon_vocabulary import (
    max_unique_items_error,
    max_utf8_error,
    min_unique_items_error,
    selector_key,
)
from harness.contracts.listing_samples import MUTATIONS, merge_marketplaces, sample_attributes
from harness.contracts.product_types import ProductTypeCatalog

CATALOG: ProductTypeCatalog = load_product_types()
PAIRS = [(pt, m.country) for pt in CATALOG.product_types for m in CATALOG.marketplaces_for(pt)]
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def _schema(pt: str, country: str) -> dict[str, Any]:
    return CATALOG.schema(pt, country).schema


def _valid(pt: str, country: str, seed: int = 0) -> dict[str, Any]:
    return sample_attributes(_schema(pt, country), random.Random(seed))


def _both(pt: str, country: str, attrs: Any, *, strict: bool = False) -> list[Issue]:
    fast = CATALOG.validator(pt, country, strict=strict).issues(attrs)
    reference = CATALOG.validator(pt, country, engine="reference", strict=strict).issues(attrs)
    assert fast == reference
    assert [i.to_dict() for i in fast] == [i.to_dict() for i in reference]
    assert [(i.keyword, i.pointer) for i in fast] == [(i.keyword, i.pointer) for i in reference]
    return fast


@SETTINGS
@given(pair=st.sampled_from(PAIRS), seed=st.integers(0, 2**32 - 1))
def test_generated_valid_payloads_pass_both_engines(pair: tuple[str, str], seed: int) -> None:
    pt, country = pair
    attrs = _valid(pt, country, seed)
    assert _both(pt, country, attrs) == []
    assert _both(pt, country, attrs, strict=True) == []
    assert CATALOG.validator(pt, country).is_valid(attrs)


@SETTINGS
@given(
    pair=st.sampled_from(PAIRS),
    seed=st.integers(0, 2**32 - 1),
    mutation=st.sampled_from(sorted(MUTATIONS)),
)
def test_each_mutation_is_caught_with_the_right_issue(
    pair: tuple[str, str], seed: int, mutation: str
) -> None:
    pt, country = pair
    rng = random.Random(seed)
    schema = _schema(pt, country)
    attrs = sample_attributes(schema, rng)
    result = MUTATIONS[mutation](attrs, schema, rng)
    if result is None:
        return
    broken, expected = result
    _both(pt, country, broken, strict=True)
    issues = _both(pt, country, broken)
    assert not CATALOG.validator(pt, country).is_valid(broken)
    matching = [
        i
        for i in issues
        if i.code == expected.code
        and i.attributeNames == (expected.attribute,)
        and i.keyword == expected.keyword
    ]
    assert matching, (expected, [i.to_dict() for i in issues])
    mp = CATALOG.marketplace(country).id
    for issue in issues:
        assert issue.severity == "ERROR"
        assert issue.marketplaceIds == (mp,)
        assert issue.categories
        missing = issue.code == "90220"
        assert any(c.startswith("MISSING") for c in issue.categories) == missing


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
@pytest.mark.parametrize("country", ["DE", "US"])
def test_every_mutation_kind_applies_and_is_caught(mutation: str, country: str) -> None:
    """Each kind at least once, whatever hypothesis happens to draw."""
    schema = _schema("HEADPHONES", country)
    rng = random.Random(5)
    result = MUTATIONS[mutation](sample_attributes(schema, rng), schema, rng)
    assert result is not None
    broken, expected = result
    issues = _both("HEADPHONES", country, broken)
    assert (expected.code, (expected.attribute,), expected.keyword) in {
        (i.code, i.attributeNames, i.keyword) for i in issues
    }


@settings(max_examples=25, deadline=None, derandomize=True)
@given(pair=st.sampled_from(PAIRS), seed=st.integers(0, 2**32 - 1))
def test_all_mutations_at_once_agree_between_engines(pair: tuple[str, str], seed: int) -> None:
    pt, country = pair
    rng = random.Random(seed)
    schema = _schema(pt, country)
    attrs = sample_attributes(schema, rng)
    for mutation in MUTATIONS.values():
        result = mutation(attrs, schema, rng)
        if result is not None:
            attrs = result[0]
    assert len(_both(pt, country, attrs)) >= 3


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False)
    | st.text(max_size=400),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3)
    ),
    max_leaves=6,
)  # fmt: skip


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, dict):
        return [path] + [p for k, v in node.items() for p in _leaves(v, (*path, k))]
    if isinstance(node, list):
        return [path] + [p for i, v in enumerate(node) for p in _leaves(v, (*path, i))]
    return [path]


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    pair=st.sampled_from(PAIRS),
    seed=st.integers(0, 2**32 - 1),
    edits=st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(["set", "del"]), JSON),
                   min_size=1, max_size=4),
)  # fmt: skip
def test_fast_path_equals_reference_on_arbitrary_edits(
    pair: tuple[str, str], seed: int, edits: list[tuple[int, str, Any]]
) -> None:
    """Any value anywhere replaced or removed: both engines report exactly the same issues."""
    pt, country = pair
    attrs = _valid(pt, country, seed % 50)
    for pick, op, value in edits:
        paths = _leaves(attrs)
        path = paths[pick % len(paths)]
        if not path:
            attrs = value if op == "set" else {}
            continue
        parent = attrs
        for key in path[:-1]:
            parent = parent[key]
        if op == "del":
            del parent[path[-1]]
        else:
            parent[path[-1]] = value
        if not isinstance(attrs, dict):
            break
    _both(pt, country, attrs)
    _both(pt, country, attrs, strict=True)


def test_japanese_title_fits_in_germany_but_not_in_japan() -> None:
    title = "高音質ワイヤレスヘッドホン" * 8  # 104 characters, 312 UTF-8 bytes
    de = _valid("HEADPHONES", "DE")
    de["item_name"][0]["value"] = title
    assert _both("HEADPHONES", "DE", de) == []
    jp = _valid("HEADPHONES", "JP")
    jp["item_name"][0]["value"] = title
    (issue,) = _both("HEADPHONES", "JP", jp)
    assert issue.code == "90000900"
    assert issue.attributeNames == ("item_name",)
    assert "312 UTF-8 bytes" in issue.message
    assert "300" in issue.message


def test_selectors_group_items_for_max_unique_items() -> None:
    attrs = _valid("LUGGAGE", "DE")
    base = {"value": "leicht", "language_tag": "de_DE", "marketplace_id": "A1PA6795UKMFR9"}
    attrs["bullet_point"] = [dict(base, value=f"Punkt {i}") for i in range(5)]
    attrs["bullet_point"] += [dict(base, value="English", language_tag="en_GB")]
    assert _both("LUGGAGE", "DE", attrs) == []  # 5 German + 1 English bullet
    attrs["bullet_point"].append(dict(base, value="Punkt 6"))
    (issue,) = _both("LUGGAGE", "DE", attrs)
    assert issue.keyword == "maxUniqueItems"
    assert "6 values for the same marketplace_id, language_tag" in issue.message
    # A second title in another language is allowed, a second German one is not.
    attrs = _valid("LUGGAGE", "DE")
    attrs["item_name"].append(dict(attrs["item_name"][0], language_tag="en_GB"))
    assert _both("LUGGAGE", "DE", attrs) == []


def test_strict_mode_refuses_us_selectors_in_germany() -> None:
    attrs = _valid("SHIRT", "DE")
    attrs["item_name"][0]["language_tag"] = "en_US"
    assert _both("SHIRT", "DE", attrs) == []  # the published schema takes any string
    (issue,) = _both("SHIRT", "DE", attrs, strict=True)
    assert issue.code == "100720"
    assert issue.attributeNames == ("item_name",)
    attrs = _valid("SHIRT", "DE")
    attrs["brand"][0]["marketplace_id"] = "ATVPDKIKX0DER"
    (issue,) = _both("SHIRT", "DE", attrs, strict=True)
    assert (issue.code, issue.keyword) == ("90000900", "enum")
    assert "marketplace_id" in issue.message


def test_battery_conditionals_chain() -> None:
    attrs = _valid("HEADPHONES", "GB")
    mid = "A1F83G8C2ARO7P"
    for name in ("battery", "lithium_battery", "number_of_lithium_ion_cells", "num_batteries"):
        attrs.pop(name, None)
    attrs["batteries_required"] = [{"value": True, "marketplace_id": mid}]
    attrs["batteries_included"] = [{"value": True, "marketplace_id": mid}]
    missing = {i.attribute for i in _both("HEADPHONES", "GB", attrs) if i.code == "90220"}
    assert missing == {"battery", "num_batteries"}
    attrs["battery"] = [{"cell_composition": [{"value": "lithium_ion"}], "marketplace_id": mid}]
    attrs["num_batteries"] = [{"value": 1, "type": "built_in", "marketplace_id": mid}]
    missing = {i.attribute for i in _both("HEADPHONES", "GB", attrs) if i.code == "90220"}
    assert missing == {"lithium_battery", "number_of_lithium_ion_cells"}


def test_dangerous_goods_need_hazmat_data() -> None:
    attrs = _valid("LUGGAGE", "FR")
    attrs.pop("hazmat", None)
    attrs.pop("safety_data_sheet_url", None)
    attrs["supplier_declared_dg_hz_regulation"] = [
        {"value": "transportation", "marketplace_id": "A13V1IB3VIYZZH"}
    ]
    missing = {i.attribute for i in _both("LUGGAGE", "FR", attrs)}
    assert missing == {"hazmat", "safety_data_sheet_url"}


def test_toy_safety_rules_in_the_eu() -> None:
    attrs = _valid("TOY_FIGURE", "DE", seed=3)
    mid = "A1PA6795UKMFR9"
    attrs["eu_toys_safety_directive_language"] = [{"value": "en_GB", "marketplace_id": mid}]
    attrs["manufacturer_minimum_age"] = [{"value": 24, "unit": "months", "marketplace_id": mid}]
    attrs.pop("eu_toys_safety_directive_age_warning", None)
    found = {(i.attribute, i.keyword) for i in _both("TOY_FIGURE", "DE", attrs)}
    assert found == {
        ("eu_toys_safety_directive_language", "contains"),  # no German warning
        ("eu_toys_safety_directive_age_warning", "required"),  # under 36 months
    }


def test_uk_needs_a_ukca_or_ce_marking() -> None:
    attrs = _valid("HEADPHONES", "GB")
    mid = "A1F83G8C2ARO7P"
    attrs["regulatory_compliance_certification"] = [
        {"regulation_type": "fcc", "value": "FCC-1", "marketplace_id": mid}
    ]
    (issue,) = _both("HEADPHONES", "GB", attrs)
    assert (issue.attribute, issue.keyword) == ("regulatory_compliance_certification", "contains")
    attrs.pop("regulatory_compliance_certification")
    (issue,) = _both("HEADPHONES", "GB", attrs)
    assert (issue.code, issue.attribute) == ("90220", "regulatory_compliance_certification")
    assert _both("HEADPHONES", "DE", _valid("HEADPHONES", "DE")) == []


def test_us_attributes_copied_to_germany_miss_eu_compliance() -> None:
    us = _valid("HEADPHONES", "US")
    issues = _both("HEADPHONES", "DE", attributes_for_marketplace(us, "A1PA6795UKMFR9"))
    missing = {i.attribute for i in issues if i.code == "90220"}
    assert {"gpsr_manufacturer_reference", "epr_product_packaging", "item_name"} <= missing


def test_issue_shapes_and_categories() -> None:
    attrs = _valid("SHIRT", "IT")
    del attrs["purchasable_offer"]
    del attrs["main_product_image_locator"]
    attrs["bullet_point"] = []
    by_attr = {i.attribute: i for i in _both("SHIRT", "IT", attrs)}
    assert by_attr["purchasable_offer"].categories == ("MISSING_PRICE",)
    assert by_attr["main_product_image_locator"].categories == ("MISSING_IMAGE",)
    assert by_attr["bullet_point"].code == "99022"
    offer = by_attr["purchasable_offer"].to_dict()
    assert offer == {
        "code": "90220",
        "message": "'purchasable_offer' is required but not supplied.",
        "severity": "ERROR",
        "attributeNames": ["purchasable_offer"],
        "categories": ["MISSING_PRICE"],
        "marketplaceIds": ["APJ6JRA9NG5V4"],
    }
    assert dict(by_attr["purchasable_offer"]) == offer


def test_not_enforced_skips_missing_top_level_attributes_only() -> None:
    validator = CATALOG.validator("LUGGAGE", "ES")
    patch = {"item_name": [{"value": 5, "language_tag": "es_ES"}]}
    issues = validator.issues(patch, enforced=False)
    assert [(i.code, i.keyword) for i in issues] == [("90000900", "type")]
    assert len(validator.issues(patch)) > 5


def test_non_object_attributes() -> None:
    (issue,) = _both("LUGGAGE", "US", ["not", "an", "object"])
    assert (issue.code, issue.keyword) == ("90000900", "type")


def test_marketplace_filter_and_merge() -> None:
    de = _valid("LUGGAGE", "DE")
    fr = _valid("LUGGAGE", "FR")
    merged = merge_marketplaces([de, fr])
    assert _both("LUGGAGE", "DE", attributes_for_marketplace(merged, "A1PA6795UKMFR9")) == []
    assert _both("LUGGAGE", "FR", attributes_for_marketplace(merged, "A13V1IB3VIYZZH")) == []
    shared = {"brand": [{"value": "Acme", "language_tag": "de_DE"}]}
    assert attributes_for_marketplace(shared, "A13V1IB3VIYZZH") == shared
    assert attributes_for_marketplace({"x": [{"marketplace_id": "OTHER"}]}, "A") == {}


def test_vocabulary_semantics() -> None:
    assert max_utf8_error(3, "äb") is None
    assert max_utf8_error(3, "äää") == "is 6 UTF-8 bytes long, more than the 3 allowed"
    assert max_utf8_error(3, 12345) is None
    items = [{"marketplace_id": "A", "value": 1}, {"marketplace_id": "A", "value": 2}]
    assert max_unique_items_error(1, items, ["marketplace_id"]) is not None
    assert max_unique_items_error(1, items, ["marketplace_id", "value"]) is None
    assert max_unique_items_error(1, items, None) is None  # whole items differ
    assert max_unique_items_error(1, [items[0], copy.deepcopy(items[0])], None) is not None
    assert min_unique_items_error(2, items, ["marketplace_id"]) is not None
    assert min_unique_items_error(2, items, ["value"]) is None
    assert selector_key({"v": True}, ["v"]) != selector_key({"v": 1}, ["v"])


@pytest.mark.parametrize("country", ["US", "JP"])
def test_prices_follow_the_marketplace_currency(country: str) -> None:
    attrs = _valid("LUGGAGE", country)
    offer = attrs["purchasable_offer"][0]
    assert offer["currency"] == CATALOG.marketplace(country).currency
    offer["our_price"][0]["schedule"][0]["value_with_tax"] = 19.99
    found = _both("LUGGAGE", country, attrs)
    # Yen prices are whole numbers; dollars take cents.
    assert bool(found) == (country == "JP")
    if found:
        assert found[0].categories == ("INVALID_PRICE",)
