"""Product type definitions: reproducible data, Amazon's shape, per-marketplace rules, loading."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from harness.contracts import load_contracts, load_product_types
from harness.contracts.amazon_vocabulary import META_SCHEMA_URI
from harness.contracts.listing_validator import ListingValidator
from harness.contracts.product_types import ProductTypeCatalog
from harness.errors import ContractError
from harness.paths import bundled

ROOT = bundled("contracts") / "product-types"
COUNTRIES = ("US", "GB", "DE", "FR", "IT", "ES", "JP")
EU = ("DE", "FR", "IT", "ES")


@pytest.fixture(scope="module")
def catalog() -> ProductTypeCatalog:
    return load_product_types()


def _schema(catalog: ProductTypeCatalog, pt: str, country: str) -> dict[str, Any]:
    return catalog.schema(pt, country).schema


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("acorn_pt_generate", ROOT / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_reproduces_the_committed_files(tmp_path: Path) -> None:
    written = _generator().generate(tmp_path)
    assert len(written) >= 4 * 7 + 1
    for rel in written:
        assert (tmp_path / rel).read_bytes() == (ROOT / rel).read_bytes(), rel


def test_four_product_types_in_seven_marketplaces(catalog: ProductTypeCatalog) -> None:
    assert set(catalog.product_types) >= {"HEADPHONES", "TOY_FIGURE", "SHIRT", "LUGGAGE"}
    for pt in ("HEADPHONES", "TOY_FIGURE", "SHIRT", "LUGGAGE"):
        assert {m.country for m in catalog.marketplaces_for(pt)} == set(COUNTRIES)


def test_the_large_schema_has_a_realistic_size(catalog: ProductTypeCatalog) -> None:
    for country in COUNTRIES:
        size = catalog.schema("HEADPHONES", country).size
        assert 500_000 <= size <= 1_000_000, (country, size)


@pytest.mark.parametrize("pt", ["HEADPHONES", "TOY_FIGURE", "SHIRT", "LUGGAGE"])
def test_amazon_shape(catalog: ProductTypeCatalog, pt: str) -> None:
    contracts = load_contracts()
    for country in COUNTRIES:
        schema = _schema(catalog, pt, country)
        mp = catalog.marketplace(country)
        assert schema["$schema"] == META_SCHEMA_URI
        assert schema["$id"].endswith("/" + pt)
        assert schema["$defs"]["marketplace_id"]["default"] == mp.id
        assert schema["$defs"]["marketplace_id"]["hidden"] is True
        assert schema["$defs"]["language_tag"]["default"] == contracts.marketplaces[mp.id].language
        assert schema["allOf"], "conditional requirements live in allOf"
        for name, attr in schema["properties"].items():
            assert attr["type"] == "array", name
            assert attr["items"]["type"] == "object", name
            assert attr["selectors"], name
            assert attr["items"]["additionalProperties"] is False, name
        offer = schema["properties"]["purchasable_offer"]["items"]["properties"]
        assert offer["currency"]["enum"] == [mp.currency]


def test_eu_compliance_is_required_only_where_the_law_applies(catalog: ProductTypeCatalog) -> None:
    for pt in catalog.product_types:
        for country in COUNTRIES:
            schema = _schema(catalog, pt, country)
            required = set(schema["required"])
            gpsr = {"gpsr_manufacturer_reference", "dsa_responsible_party_address"}
            if country in EU:
                assert gpsr | {"gpsr_safety_attestation"} <= required, (pt, country)
            else:
                assert not gpsr & required, (pt, country)
            # The UK schema has no DSA attribute at all (models #4218).
            if country in ("GB", "US", "JP"):
                assert "dsa_responsible_party_address" not in schema["properties"]
            assert ("epr_product_packaging" in required) == (country == "DE"), (pt, country)
            assert ("gpsr_safety_attestation" in required) == (country in (*EU, "GB"))


def test_japanese_text_is_limited_by_utf8_bytes(catalog: ProductTypeCatalog) -> None:
    for country in COUNTRIES:
        value = _schema(catalog, "HEADPHONES", country)["properties"]["item_name"]["items"]
        limits = value["properties"]["value"]
        if country == "JP":
            # 3-byte characters hit the byte limit before maxLength.
            assert limits["maxUtf8ByteLength"] < 3 * limits["maxLength"]
        else:
            assert limits["maxUtf8ByteLength"] >= 2 * limits["maxLength"]


def test_product_specific_rules(catalog: ProductTypeCatalog) -> None:
    toys_de = _schema(catalog, "TOY_FIGURE", "DE")
    assert toys_de["properties"]["eu_toys_safety_directive_language"]["contains"]
    assert "cpsia_cautionary_statement" in _schema(catalog, "TOY_FIGURE", "US")["required"]
    assert (
        "fcc_radio_frequency_emission_compliance"
        in _schema(catalog, "HEADPHONES", "US")["required"]
    )
    sizes = _schema(catalog, "SHIRT", "GB")["properties"]["apparel_size"]["items"]["properties"]
    assert sizes["size_system"]["enum"] == ["as2"]
    battery_rules = [
        e for e in _schema(catalog, "HEADPHONES", "FR")["allOf"] if "battery" in json.dumps(e)
    ]
    assert battery_rules


def test_checksums_are_base64_md5_of_the_served_bytes(catalog: ProductTypeCatalog) -> None:
    doc = catalog.schema("LUGGAGE", "DE")
    assert doc.raw == (ROOT / "LUGGAGE" / "DE.json").read_bytes()
    expected = base64.b64encode(hashlib.md5(doc.raw).digest()).decode()
    assert doc.checksum == expected
    assert catalog.meta_schema["$id"] == META_SCHEMA_URI


def test_marketplace_lookup(catalog: ProductTypeCatalog) -> None:
    assert catalog.marketplace("DE").id == "A1PA6795UKMFR9"
    assert catalog.marketplace("A1PA6795UKMFR9").country == "DE"
    assert catalog.marketplace("uk").country == "GB"
    with pytest.raises(ContractError, match=r"unknown marketplace 'XX'.*country codes"):
        catalog.marketplace("XX")


def test_unknown_product_type_and_missing_marketplace(catalog: ProductTypeCatalog) -> None:
    with pytest.raises(ContractError, match=r"unknown product type 'SOFA'.*HEADPHONES"):
        catalog.validator("SOFA", "DE")
    with pytest.raises(ContractError, match="LUGGAGE has no schema for CA"):
        catalog.schema("LUGGAGE", "CA")


def test_property_groups_follow_the_marketplace(catalog: ProductTypeCatalog) -> None:
    de = catalog.property_groups("HEADPHONES", "DE")["safety_and_compliance"]["propertyNames"]
    gb = catalog.property_groups("HEADPHONES", "GB")["safety_and_compliance"]["propertyNames"]
    assert "dsa_responsible_party_address" in de
    assert "dsa_responsible_party_address" not in gb
    assert catalog.definition("HEADPHONES")["displayName"] == "Headphones"


def test_validators_are_compiled_once(catalog: ProductTypeCatalog) -> None:
    first = catalog.validator("SHIRT", "FR")
    assert catalog.validator("SHIRT", "A13V1IB3VIYZZH") is first
    assert catalog.validator("SHIRT", "FR", strict=True) is not first


def _copy_tree(tmp_path: Path, *pts: str) -> Path:
    root = tmp_path / "pt"
    (root / "meta-schema").mkdir(parents=True)
    meta = ROOT / "meta-schema" / "amazon-product-type-definition-meta-schema-v1.json"
    (root / "meta-schema" / meta.name).write_bytes(meta.read_bytes())
    for pt in pts:
        (root / pt).mkdir()
        for country in ("DE", "FR"):
            source = ROOT / pt / f"{country}.json"
            (root / pt / source.name).write_bytes(source.read_bytes())
    return root


def test_a_schema_that_is_not_json_schema_is_refused_with_its_location(tmp_path: Path) -> None:
    root = _copy_tree(tmp_path, "LUGGAGE")
    schema = json.loads((root / "LUGGAGE" / "DE.json").read_text())
    schema["properties"]["item_name"]["items"]["properties"]["value"]["maxUtf8ByteLength"] = "ten"
    (root / "LUGGAGE" / "DE.json").write_text(json.dumps(schema))
    catalog = load_product_types(root)
    with pytest.raises(ContractError) as info:
        catalog.validator("LUGGAGE", "DE")
    text = str(info.value)
    assert "DE.json" in text
    assert "/properties/item_name/items/properties/value/maxUtf8ByteLength" in text
    assert "Fix:" in text
    catalog.validator("LUGGAGE", "FR")  # the other marketplaces still work


def test_a_draft_keyword_with_a_wrong_type_is_refused(tmp_path: Path) -> None:
    root = _copy_tree(tmp_path, "LUGGAGE")
    schema = json.loads((root / "LUGGAGE" / "FR.json").read_text())
    schema["properties"]["brand"]["minItems"] = -1
    (root / "LUGGAGE" / "FR.json").write_text(json.dumps(schema))
    with pytest.raises(ContractError, match=r"/properties/brand/minItems"):
        load_product_types(root).validator("LUGGAGE", "FR", engine="reference")


def test_a_schema_file_that_is_not_json(tmp_path: Path) -> None:
    root = _copy_tree(tmp_path, "LUGGAGE")
    (root / "LUGGAGE" / "DE.json").write_text("{ not json")
    with pytest.raises(ContractError, match=r"DE.json: not valid JSON"):
        load_product_types(root).validator("LUGGAGE", "DE")


def test_missing_folder_and_meta_schema(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match="does not exist"):
        load_product_types(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ContractError, match="meta-schema is missing"):
        load_product_types(tmp_path / "empty")


def test_engine_name_is_checked(catalog: ProductTypeCatalog) -> None:
    with pytest.raises(ContractError, match="unknown validation engine"):
        ListingValidator(
            _schema(catalog, "LUGGAGE", "DE"),
            meta_schema=catalog.meta_schema,
            marketplace_id="A1PA6795UKMFR9",
            engine="turbo",  # type: ignore[arg-type]
        )
