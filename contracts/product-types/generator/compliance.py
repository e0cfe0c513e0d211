"""Compliance rules that cut across product types: batteries, dangerous goods, markings, EPR.

Each rule is an attribute set plus the ``allOf`` if/then blocks that make it conditionally
required; keeping them together makes the conditional requirements (facts sheet §8.3) easy to
review against the marketplace rules listed in ``generate.py``.
"""

from __future__ import annotations

from typing import Any

from .blocks import attribute, boolean, contains_value, enum, nested_value, number, text


def battery_attributes() -> dict[str, dict[str, Any]]:
    cells = ["alkaline", "lithium_ion", "lithium_metal", "lithium_polymer", "nimh", "zinc"]
    return {
        "batteries_required": attribute(
            "Are Batteries Required?", "Does this product require batteries to operate?", boolean()
        ),
        "batteries_included": attribute(
            "Are Batteries Included?", "Are batteries included with the product?", boolean()
        ),
        "battery": attribute(
            "Battery",
            "Provide the battery cell composition and type",
            None,
            extra={
                "cell_composition": nested_value(enum(cells), "Battery Cell Composition"),
                "type": nested_value(
                    enum(["aa", "aaa", "cr2032", "lithium_ion", "built_in"]), "Battery Type"
                ),
            },
            required=["cell_composition"],
        ),
        "num_batteries": attribute(
            "Number of Batteries",
            "The number of batteries included or required",
            number(1, 100, integer=True),
            extra={"type": enum(["aa", "aaa", "cr2032", "lithium_ion", "built_in"], title="Type")},
            required=["value", "type"],
        ),
        "lithium_battery": attribute(
            "Lithium Battery",
            "Lithium battery energy content and packaging",
            None,
            extra={
                "energy_content": nested_value(
                    number(0.01, 1000), "Lithium Battery Energy Content (Wh)"
                ),
                "packaging": nested_value(
                    enum(
                        [
                            "batteries_contained_in_equipment",
                            "batteries_only",
                            "batteries_packed_with_equipment",
                        ]
                    ),
                    "Lithium Battery Packaging",
                ),
            },
            required=["energy_content", "packaging"],
        ),
        "number_of_lithium_ion_cells": attribute(
            "Number of Lithium-ion Cells",
            "Number of lithium-ion cells",
            number(1, 1000, integer=True),
        ),
    }


def battery_conditionals() -> list[dict[str, Any]]:
    return [
        {
            "if": contains_value("batteries_included", [True]),
            "then": {"required": ["battery", "num_batteries"]},
        },
        {
            "if": contains_value("batteries_required", [True]),
            "then": {"required": ["batteries_included"]},
        },
        {
            "if": {
                "required": ["battery"],
                "properties": {
                    "battery": {
                        "contains": {
                            "required": ["cell_composition"],
                            "properties": {
                                "cell_composition": {
                                    "contains": {
                                        "properties": {
                                            "value": {"enum": ["lithium_ion", "lithium_polymer"]}
                                        }
                                    }
                                }
                            },
                        }
                    }
                },
            },
            "then": {"required": ["lithium_battery", "number_of_lithium_ion_cells"]},
        },
    ]


def dg_conditional() -> dict[str, Any]:
    return {
        "if": contains_value(
            "supplier_declared_dg_hz_regulation", ["ghs", "transportation", "storage"]
        ),
        "then": {"required": ["hazmat", "safety_data_sheet_url"]},
    }


def certification(country: str) -> dict[str, Any]:
    kinds = ["ce_marking", "ukca_marking", "fcc", "pse", "cpsia", "not_applicable"]
    return attribute(
        "Regulatory Compliance Certification",
        "Regulation type and certification number of the product",
        text(200, 200),
        extra={
            "regulation_type": enum(
                kinds,
                ["CE", "UKCA", "FCC", "PSE", "CPSIA", "Not Applicable"],
                title="Regulation Type",
            )
        },
        required=["regulation_type", "value"],
        max_unique=5,
        selectors=["marketplace_id", "regulation_type"],
    )


def uk_marking_rule() -> dict[str, Any]:
    """GB (ACORN's model): electrical goods and toys need a UKCA or CE marking entry."""
    return {
        "required": ["regulatory_compliance_certification"],
        "properties": {
            "regulatory_compliance_certification": {
                "contains": {
                    "required": ["regulation_type"],
                    "properties": {"regulation_type": {"enum": ["ukca_marking", "ce_marking"]}},
                }
            }
        },
    }


def epr_attributes() -> dict[str, dict[str, Any]]:
    return {
        "epr_product_packaging": attribute(
            "EPR Product Packaging",
            "Packaging material and recycled share (German Packaging Act, VerpackG)",
            None,
            extra={
                "main_material": enum(
                    ["paper", "plastic", "glass", "aluminium", "steel", "composite", "wood"],
                    title="Main Material",
                ),
                "recycled_content_percentage": {
                    "title": "Recycled Content (%)",
                    "type": "number",
                    "minimum": 0,
                    "maximum": 100,
                },
            },
            required=["main_material"],
            max_unique=3,
            selectors=["marketplace_id", "main_material"],
        ),
        "epr_eco_fee_eubr": attribute(
            "EPR Eco Fee",
            "Eco fee for the product (extended producer responsibility)",
            number(0, 10000),
            extra={"currency": enum(["EUR"], ["EUR"], title="Currency")},
            required=["value", "currency"],
        ),
        "uvp_list_price": attribute(
            "Manufacturer's Suggested Retail Price (UVP)",
            "The manufacturer's suggested retail price",
            number(0.01, 10000000),
            extra={"currency": enum(["EUR"], ["EUR"], title="Currency")},
            required=["value", "currency"],
        ),
    }
