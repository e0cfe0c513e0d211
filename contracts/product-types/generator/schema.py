"""One product type schema for one marketplace: attributes, required names and ``allOf`` rules.

This is where the marketplace rules listed in ``generate.py`` are applied: which attributes a
marketplace has, which are required there, and which conditional requirements hold.
"""

from __future__ import annotations

from typing import Any

from .blocks import attribute, contains_value, enum
from .categories import apparel_attributes, toy_attributes
from .common import common_attributes
from .compliance import (
    battery_attributes,
    battery_conditionals,
    certification,
    dg_conditional,
    epr_attributes,
    uk_marking_rule,
)
from .marketplaces import EU, LANGUAGE_NAMES, LANGUAGES, META_SCHEMA_URI, SCHEMA_ID
from .padding import filler_attributes

PRODUCT_TYPES: dict[str, dict[str, Any]] = {
    "HEADPHONES": {
        "displayName": "Headphones",
        "filler": 340,
        "batteries": True,
        "electrical": True,
    },
    "TOY_FIGURE": {"displayName": "Toy Figure", "filler": 0, "batteries": True, "toy": True},
    "SHIRT": {"displayName": "Shirt", "filler": 0, "apparel": True},
    "LUGGAGE": {"displayName": "Luggage", "filler": 20},
}


def build_schema(product_type: str, country: str, mp: dict[str, Any]) -> dict[str, Any]:
    spec = PRODUCT_TYPES[product_type]
    props = common_attributes(country, mp)
    required = [
        "brand",
        "bullet_point",
        "condition_type",
        "country_of_origin",
        "item_name",
        "main_product_image_locator",
        "product_description",
        "purchasable_offer",
        "supplier_declared_dg_hz_regulation",
    ]
    all_of: list[dict[str, Any]] = [dg_conditional()]
    if spec.get("batteries"):
        props.update(battery_attributes())
        required.append("batteries_required")
        all_of.extend(battery_conditionals())
    if spec.get("toy"):
        props.update(toy_attributes(country))
        required.append("manufacturer_minimum_age")
        if country == "US":
            required.append("cpsia_cautionary_statement")
        if country in (*EU, "GB"):
            required += ["eu_toys_safety_directive_warning", "eu_toys_safety_directive_language"]
            all_of.append(
                {
                    "if": {
                        "required": ["manufacturer_minimum_age"],
                        "properties": {
                            "manufacturer_minimum_age": {
                                "contains": {
                                    "properties": {
                                        "unit": {"const": "months"},
                                        "value": {"exclusiveMaximum": 36},
                                    }
                                }
                            }
                        },
                    },
                    "then": {"required": ["eu_toys_safety_directive_age_warning"]},
                }
            )
    if spec.get("apparel"):
        props.update(apparel_attributes(country))
        required += ["apparel_size", "color", "department", "fabric_type", "target_gender"]
        all_of.append(
            {
                "if": contains_value("parentage_level", ["parent"]),
                "then": {"required": ["variation_theme"]},
            }
        )
        all_of.append(
            {
                "if": contains_value("parentage_level", ["child"]),
                "then": {"required": ["child_parent_sku_relationship", "variation_theme"]},
            }
        )
    if spec.get("electrical") or spec.get("toy"):
        props["regulatory_compliance_certification"] = certification(country)
        if country == "GB":
            all_of.append(uk_marking_rule())
    if spec.get("electrical") and country == "US":
        props["fcc_radio_frequency_emission_compliance"] = attribute(
            "FCC Radio Frequency Emission Compliance",
            "Registration status and FCC ID of a radio-frequency device",
            None,
            extra={
                "registration_status": enum(
                    [
                        "has_fcc_id",
                        "fcc_supplier_declaration_of_conformity",
                        "not_capable_emitting_rf_energy",
                    ],
                    title="Status",
                ),
                "identification_number": {
                    "title": "FCC ID",
                    "type": "string",
                    "maxLength": 40,
                    "maxUtf8ByteLength": 40,
                },
            },
            required=["registration_status"],
        )
        required.append("fcc_radio_frequency_emission_compliance")
    if country in EU:
        required += [
            "dsa_responsible_party_address",
            "gpsr_manufacturer_reference",
            "gpsr_safety_attestation",
        ]
    elif country == "GB":
        del props["dsa_responsible_party_address"]
        required += ["gpsr_safety_attestation"]
    else:
        del props["dsa_responsible_party_address"]
        del props["gpsr_manufacturer_reference"]
        del props["gpsr_safety_attestation"]
    if country == "DE":
        props.update(epr_attributes())
        required.append("epr_product_packaging")
    props.update(filler_attributes(product_type, spec["filler"], country))
    langs = LANGUAGES[country]
    return {
        "$schema": META_SCHEMA_URI,
        "$id": SCHEMA_ID + product_type,
        "$comment": f"ACORN product type definition for {product_type} product type in "
        f"{mp['name']} (written for ACORN in Amazon's shape; not an Amazon file)",
        "$defs": {
            "marketplace_id": {
                "default": mp["id"],
                "editable": False,
                "hidden": True,
                "examples": [mp["name"]],
                "type": "string",
                "anyOf": [
                    {"type": "string"},
                    {"type": "string", "enum": [mp["id"]], "enumNames": [mp["name"]]},
                ],
            },
            "language_tag": {
                "default": langs[0],
                "editable": False,
                "hidden": True,
                "examples": [LANGUAGE_NAMES[langs[0]]],
                "type": "string",
                "anyOf": [
                    {"type": "string"},
                    {
                        "type": "string",
                        "enum": langs,
                        "enumNames": [LANGUAGE_NAMES[x] for x in langs],
                    },
                ],
            },
        },
        "type": "object",
        "required": sorted(set(required)),
        "properties": props,
        "allOf": all_of,
    }
