"""The files beside the schemas: each product type's ``definition.json`` and the meta-schema.

They describe the schemas rather than listings (property groups, version, the keywords Amazon
adds to JSON Schema), so they are built from the finished schemas, after ``schema.py``.
"""

from __future__ import annotations

from typing import Any

from .marketplaces import COUNTRIES, META_SCHEMA_URI, VOCABULARY_URI
from .schema import PRODUCT_TYPES

GROUPS = {
    "offer": (
        "Offer",
        "Offer details",
        [
            "condition_type",
            "purchasable_offer",
            "list_price",
            "uvp_list_price",
            "fulfillment_availability",
        ],
    ),
    "images": ("Images", "Product images", ["main_product_image_locator"]),
    "product_identity": (
        "Product Identity",
        "Identity of the product",
        ["item_name", "brand", "externally_assigned_product_identifier"],
    ),
    "product_details": (
        "Product Details",
        "Descriptive details",
        ["bullet_point", "product_description", "country_of_origin"],
    ),
    "safety_and_compliance": (
        "Safety & Compliance",
        "Safety and compliance data",
        [
            "supplier_declared_dg_hz_regulation",
            "hazmat",
            "safety_data_sheet_url",
            "batteries_required",
            "batteries_included",
            "battery",
            "num_batteries",
            "lithium_battery",
            "number_of_lithium_ion_cells",
            "gpsr_safety_attestation",
            "gpsr_manufacturer_reference",
            "dsa_responsible_party_address",
            "compliance_media",
            "regulatory_compliance_certification",
            "epr_product_packaging",
            "epr_eco_fee_eubr",
            "california_proposition_65",
            "fcc_radio_frequency_emission_compliance",
            "cpsia_cautionary_statement",
            "eu_toys_safety_directive_age_warning",
            "eu_toys_safety_directive_warning",
            "eu_toys_safety_directive_language",
        ],
    ),
    "variations": (
        "Variations",
        "Variation data",
        ["parentage_level", "variation_theme", "child_parent_sku_relationship"],
    ),
}


def definition(product_type: str, schemas: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Metadata the PTD API returns beside the schema link (propertyGroups, version)."""
    names = sorted({n for s in schemas.values() for n in s["properties"]})
    groups: dict[str, Any] = {}
    grouped: set[str] = set()
    for key, (title, desc, members) in GROUPS.items():
        present = [m for m in members if m in names]
        grouped.update(present)
        if present:
            groups[key] = {"title": title, "description": desc, "propertyNames": present}
    rest = [n for n in names if n not in grouped]
    if rest:
        groups["product_details"]["propertyNames"] += rest
    return {
        "productType": product_type,
        "displayName": PRODUCT_TYPES[product_type]["displayName"],
        "productTypeVersion": {
            "version": "U" + "0" * 7 + "ACORN1",
            "latest": True,
            "releaseCandidate": False,
        },
        "propertyGroups": groups,
        "marketplaces": {c: schemas[c]["$defs"]["marketplace_id"]["default"] for c in COUNTRIES},
    }


def meta_schema() -> dict[str, Any]:
    """Amazon's meta-schema v1 as described by the PTD docs (facts §8.2), written for ACORN."""
    nonneg = {"type": "integer", "minimum": 0}
    return {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": META_SCHEMA_URI,
        "$vocabulary": {
            "https://json-schema.org/draft/2019-09/vocab/core": True,
            "https://json-schema.org/draft/2019-09/vocab/applicator": True,
            "https://json-schema.org/draft/2019-09/vocab/validation": True,
            "https://json-schema.org/draft/2019-09/vocab/meta-data": True,
            "https://json-schema.org/draft/2019-09/vocab/format": False,
            "https://json-schema.org/draft/2019-09/vocab/content": True,
            VOCABULARY_URI: True,
        },
        "$recursiveAnchor": True,
        "$comment": "ACORN's rendering of Amazon's product type definition meta-schema v1 "
        "(keywords from the PTD meta-schema documentation; not an Amazon file)",
        "title": "Amazon Product Type Definition Meta-Schema (v1)",
        "allOf": [{"$ref": "https://json-schema.org/draft/2019-09/schema"}],
        "properties": {
            "editable": {"type": "boolean"},
            "hidden": {"type": "boolean"},
            "enumNames": {"type": "array", "items": {"type": "string"}},
            "enumDeprecated": {"type": "array"},
            "selectors": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
            "minUniqueItems": nonneg,
            "maxUniqueItems": nonneg,
            "minUtf8ByteLength": nonneg,
            "maxUtf8ByteLength": nonneg,
            "$lifecycle": {"type": "object"},
            "replacedBy": {"type": "array", "items": {"type": "string"}},
            "replaces": {"type": "array", "items": {"type": "string"}},
        },
    }
