#!/usr/bin/env python3
"""Write ACORN's product type definitions: ``python contracts/product-types/generate.py``.

Amazon publishes no product type schema with provenance (facts sheet §8.3), so ACORN writes its
own in Amazon's shape: JSON Schema draft 2019-09 extended by Amazon's meta-schema v1, ``$defs``
for ``marketplace_id``/``language_tag``, every attribute an array of objects with ``selectors``,
``minUniqueItems``/``maxUniqueItems``, ``maxUtf8ByteLength`` on text, ``enumNames`` beside enums,
and ``allOf`` if/then blocks for conditional requirements (batteries, dangerous goods, toy age).

One schema per product type and marketplace, as Amazon serves them (one marketplace per
getDefinitionsProductType call), because the rules differ per marketplace:

- EU (DE, FR, IT, ES): GPSR manufacturer reference, safety attestation and DSA responsible person
  are required; toys need EU toy-safety warnings in the marketplace's language.
- DE adds EPR packaging data (required) and ``epr_eco_fee_eubr``/``uvp_list_price`` (optional).
- GB: no DSA attribute (absent from the UK schema, models #4218); GPSR attestation required; an
  electrical or toy product needs a UKCA or CE marking certification (ACORN's modelling: facts §13
  lists the exact UK attribute as unverified).
- US: FCC compliance for radio devices, CPSIA cautionary statement for toys.
- JP: text limited by UTF-8 bytes well below ``maxLength`` (Japanese characters take 3 bytes).
- Language tags and currencies are those of each marketplace; JPY prices are whole numbers.

The output is deterministic (fixed seeds, sorted keys where order carries no meaning): running
this script again reproduces the committed files byte for byte, and a unit test checks that.
HEADPHONES is padded with generated product-detail attributes to the size of a real schema
(0.5-1 MB); the other product types stay small enough to read.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
META_SCHEMA_URI = (
    "https://schemas.amazon.com/selling-partners/definitions/product-types/meta-schema/v1"
)
VOCABULARY_URI = (
    "https://schemas.amazon.com/selling-partners/definitions/product-types/vocabulary/v1"
)
SCHEMA_ID = "https://schemas.amazon.com/selling-partners/definitions/product-types/schema/v1/"
META_FILE = "amazon-product-type-definition-meta-schema-v1.json"

COUNTRIES = ("US", "GB", "DE", "FR", "IT", "ES", "JP")
EU = ("DE", "FR", "IT", "ES")
# Language tags each marketplace accepts; the first is the marketplace's default.
LANGUAGES: dict[str, list[str]] = {
    "US": ["en_US", "es_US"],
    "GB": ["en_GB"],
    "DE": ["de_DE", "en_GB"],
    "FR": ["fr_FR", "en_GB"],
    "IT": ["it_IT", "en_GB"],
    "ES": ["es_ES", "en_GB"],
    "JP": ["ja_JP", "en_US"],
}
LANGUAGE_NAMES = {
    "en_US": "English (United States)",
    "es_US": "Spanish (United States)",
    "en_GB": "English (United Kingdom)",
    "de_DE": "German (Germany)",
    "fr_FR": "French (France)",
    "it_IT": "Italian (Italy)",
    "es_ES": "Spanish (Spain)",
    "ja_JP": "Japanese (Japan)",
}
# (maxLength, maxUtf8ByteLength) of item_name and bullet_point per marketplace.
TEXT_LIMITS: dict[str, dict[str, tuple[int, int]]] = {
    "JP": {
        "item_name": (200, 300),
        "bullet_point": (500, 600),
        "product_description": (2000, 3000),
    },
}
DEFAULT_TEXT_LIMITS = {
    "item_name": (200, 400),
    "bullet_point": (500, 1000),
    "product_description": (2000, 4000),
}
_ISO_CODES = (  # ISO 3166-1 alpha-2, from the public-domain tzdata iso3166.tab
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS YE YT ZA ZM ZW"
)
ISO_COUNTRIES = _ISO_CODES.split()
DG_VALUES = ["not_applicable", "ghs", "storage", "transportation", "unknown"]
DG_NAMES = ["Not Applicable", "GHS", "Storage", "Transportation", "Unknown"]


def _marketplaces() -> dict[str, dict[str, Any]]:
    data = json.loads((HERE.parent / "marketplaces.json").read_text(encoding="utf-8"))
    return {m["country"]: m for m in data["marketplaces"] if m["country"] in COUNTRIES}


# ---------------------------------------------------------------- attribute building blocks


def _selector_props(langs: bool) -> dict[str, Any]:
    props: dict[str, Any] = {"marketplace_id": {"$ref": "#/$defs/marketplace_id"}}
    if langs:
        props["language_tag"] = {"$ref": "#/$defs/language_tag"}
    return props


def attribute(
    title: str,
    description: str,
    value: dict[str, Any] | None,
    *,
    localized: bool = False,
    max_unique: int = 1,
    extra: dict[str, Any] | None = None,
    required: list[str] | None = None,
    examples: list[Any] | None = None,
    selectors: list[str] | None = None,
) -> dict[str, Any]:
    """One attribute: an array of objects, unique per ``selectors``."""
    props: dict[str, Any] = {}
    if value is not None:
        props["value"] = value
    props.update(extra or {})
    props.update(_selector_props(localized))
    if required is None:
        required = (["value"] if value is not None else []) + (
            ["language_tag"] if localized else []
        )
    sel = selectors or (["marketplace_id", "language_tag"] if localized else ["marketplace_id"])
    return {
        "title": title,
        "description": description,
        "examples": examples or [],
        "type": "array",
        "minItems": 1,
        "minUniqueItems": 1,
        "maxUniqueItems": max_unique,
        "selectors": sel,
        "items": {
            "type": "object",
            "required": required,
            "properties": props,
            "additionalProperties": False,
        },
    }


def text(max_len: int, max_bytes: int, *, min_len: int = 1, title: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {
        "title": title or "Value",
        "type": "string",
        "minLength": min_len,
        "maxLength": max_len,
        "maxUtf8ByteLength": max_bytes,
    }
    return schema


def enum(values: list[Any], names: list[str] | None = None, *, title: str = "") -> dict[str, Any]:
    kind = "boolean" if all(isinstance(v, bool) for v in values) else "string"
    return {
        "title": title or "Value",
        "type": kind,
        "enum": values,
        "enumNames": names or [str(v).replace("_", " ").title() for v in values],
    }


def boolean(title: str = "") -> dict[str, Any]:
    return enum([False, True], ["No", "Yes"], title=title)


def number(
    minimum: float = 0, maximum: float | None = None, *, integer: bool = False
) -> dict[str, Any]:
    schema: dict[str, Any] = {"title": "Value", "type": "integer" if integer else "number"}
    schema["minimum"] = minimum
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def measure(title: str, units: list[str], description: str) -> dict[str, Any]:
    return attribute(
        title,
        description,
        number(0, 100000),
        extra={"unit": enum(units, title="Unit")},
        required=["value", "unit"],
    )


def nested_value(schema: dict[str, Any], title: str) -> dict[str, Any]:
    """A sub-attribute that is itself an array of ``{value}`` objects (Amazon nests like this)."""
    return {
        "title": title,
        "type": "array",
        "minItems": 1,
        "maxItems": 1,
        "items": {
            "type": "object",
            "required": ["value"],
            "properties": {"value": schema},
            "additionalProperties": False,
        },
    }


def contains_value(name: str, values: list[Any]) -> dict[str, Any]:
    """``if`` fragment: attribute ``name`` has an item whose value is one of ``values``."""
    return {
        "required": [name],
        "properties": {
            name: {"contains": {"required": ["value"], "properties": {"value": {"enum": values}}}}
        },
    }


# ---------------------------------------------------------------- attribute catalogue


def common_attributes(country: str, mp: dict[str, Any]) -> dict[str, dict[str, Any]]:
    limits = {**DEFAULT_TEXT_LIMITS, **TEXT_LIMITS.get(country, {})}
    currency = mp["currency"]
    price_value: dict[str, Any] = {"type": "number", "minimum": 0.01, "maximum": 10000000}
    if currency == "JPY":
        price_value = {"type": "integer", "minimum": 1, "maximum": 1000000000}
    attrs: dict[str, dict[str, Any]] = {
        "item_name": attribute(
            "Item Name",
            "Provide a title for the item that may be customer facing",
            text(*limits["item_name"]),
            localized=True,
            examples=["Adidas Blue Sneakers"],
        ),
        "brand": attribute(
            "Brand Name",
            "Provide the brand name of the product",
            text(100, 100),
            localized=True,
            examples=["Sony"],
        ),
        "bullet_point": attribute(
            "Bullet Point",
            "Brief descriptive text, called out via a bullet point, regarding a specific aspect "
            "of the product. These display directly under or next to your product photo",
            text(*limits["bullet_point"]),
            localized=True,
            max_unique=5,
            examples=["Delicate wash"],
        ),
        "product_description": attribute(
            "Product Description",
            "The description you provide should pertain to the product in general, not your "
            "particular item",
            text(*limits["product_description"]),
            localized=True,
        ),
        "country_of_origin": attribute(
            "Country/Region of Origin",
            "The country in which the product was published, created or manufactured",
            enum(ISO_COUNTRIES, ISO_COUNTRIES),
            examples=["CN"],
        ),
        "supplier_declared_dg_hz_regulation": attribute(
            "Dangerous Goods Regulations",
            "If the product is a dangerous good or hazardous material, substance or waste that "
            "is regulated for transportation, storage, and/or disposal, select the regulation",
            enum(DG_VALUES, DG_NAMES),
            max_unique=5,
        ),
        "hazmat": attribute(
            "Hazmat",
            "Provide the regulatory identifiers of the dangerous good",
            text(100, 100),
            extra={
                "aspect": enum(
                    [
                        "united_nations_regulatory_id",
                        "transportation_regulatory_class",
                        "safety_data_sheet_url",
                    ],
                    title="Aspect",
                )
            },
            required=["aspect", "value"],
            max_unique=3,
            selectors=["marketplace_id", "aspect"],
        ),
        "safety_data_sheet_url": attribute(
            "Safety Data Sheet (SDS or MSDS) URL",
            "Provide the URL of the safety data sheet",
            {
                "title": "Value",
                "type": "string",
                "format": "uri",
                "pattern": "^https?://",
                "maxLength": 2000,
                "maxUtf8ByteLength": 2000,
            },
            localized=True,
        ),
        "condition_type": attribute(
            "Item Condition",
            "The condition of the item",
            enum(
                [
                    "new_new",
                    "new_open_box",
                    "new_oem",
                    "refurbished_refurbished",
                    "used_like_new",
                    "used_very_good",
                    "used_good",
                    "used_acceptable",
                ]
            ),
        ),
        "main_product_image_locator": attribute(
            "Main Image Location",
            "The URL of the main image",
            None,
            extra={
                "media_location": {
                    "title": "Media Location",
                    "type": "string",
                    "format": "uri",
                    "pattern": "^(https://|s3://)",
                    "maxLength": 2000,
                }
            },
            required=["media_location"],
        ),
        "purchasable_offer": attribute(
            "Purchasable Offer",
            "The attribute indicates the Purchasable Offer of the product",
            None,
            extra={
                "currency": enum([currency], [currency], title="Currency"),
                "audience": enum(["ALL", "B2B"], ["Sell on Amazon", "Amazon Business (B2B)"]),
                "our_price": {
                    "title": "Your Price",
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["schedule"],
                        "properties": {
                            "schedule": {
                                "type": "array",
                                "minItems": 1,
                                "maxItems": 1,
                                "items": {
                                    "type": "object",
                                    "required": ["value_with_tax"],
                                    "properties": {"value_with_tax": price_value},
                                    "additionalProperties": False,
                                },
                            }
                        },
                        "additionalProperties": False,
                    },
                },
            },
            required=["currency", "our_price"],
            max_unique=2,
            selectors=["marketplace_id", "audience"],
        ),
        "list_price": attribute(
            "List Price",
            "The list price of the item",
            dict(price_value, title="List Price"),
            extra={"currency": enum([currency], [currency], title="Currency")},
            required=["value", "currency"],
        ),
        "fulfillment_availability": attribute(
            "Fulfillment Availability",
            "For those merchants using Amazon fulfillment services, this designates which "
            "fulfillment network will be used",
            None,
            extra={
                "fulfillment_channel_code": {
                    "title": "Fulfillment Channel Code",
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 30,
                },
                "quantity": {"title": "Quantity", "type": "integer", "minimum": 0},
            },
            required=["fulfillment_channel_code"],
            selectors=["fulfillment_channel_code"],
        ),
        "item_weight": measure(
            "Item Weight", ["grams", "kilograms", "ounces", "pounds"], "The weight of the item"
        ),
        "externally_assigned_product_identifier": attribute(
            "External Product ID",
            "Provide the external ID (barcode) type and value",
            {"title": "Value", "type": "string", "pattern": "^[0-9]{8,14}$"},
            extra={"type": enum(["ean", "gtin", "upc", "isbn"], ["EAN", "GTIN", "UPC", "ISBN"])},
            required=["type", "value"],
            selectors=["marketplace_id", "type"],
        ),
        "gpsr_safety_attestation": attribute(
            "GPSR Safety Attestation",
            "Attest that the product can be sold in the marketplace without safety information "
            "beyond what is provided",
            boolean(),
        ),
        "gpsr_manufacturer_reference": attribute(
            "Manufacturer Contact Information",
            "Name and postal and electronic address of the manufacturer (EU General Product "
            "Safety Regulation 2023/988)",
            None,
            extra={
                "gpsr_manufacturer_email_address": {
                    "title": "Manufacturer Email Address",
                    "type": "string",
                    "format": "email",
                    "pattern": "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$",
                    "maxLength": 320,
                },
            },
            required=["gpsr_manufacturer_email_address"],
        ),
        "dsa_responsible_party_address": attribute(
            "Responsible Person Contact",
            "Email, URL or postal address of the person responsible for the product in the EU "
            "(Digital Services Act)",
            text(500, 500),
        ),
        "compliance_media": attribute(
            "Compliance Media",
            "Safety information, user manuals and other compliance documents",
            None,
            extra={
                "content_type": enum(
                    ["user_manual", "safety_information", "warranty", "declaration_of_conformity"],
                    title="Content Type",
                ),
                "content_language": enum(
                    LANGUAGES[country],
                    [LANGUAGE_NAMES[x] for x in LANGUAGES[country]],
                    title="Content Language",
                ),
                "source_location": {
                    "title": "Source Location",
                    "type": "string",
                    "pattern": "^https://",
                    "maxLength": 2000,
                },
            },
            required=["content_type", "content_language", "source_location"],
            max_unique=10,
            selectors=["marketplace_id", "content_type", "content_language"],
        ),
    }
    if country != "JP":
        attrs["california_proposition_65"] = attribute(
            "California Proposition 65",
            "California Proposition 65 warning type",
            enum(["chemical", "food", "furniture", "not_applicable"]),
        )
    return attrs


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


def toy_attributes(country: str) -> dict[str, dict[str, Any]]:
    langs = LANGUAGES[country]
    attrs = {
        "manufacturer_minimum_age": attribute(
            "Manufacturer Minimum Age (Months)",
            "Minimum age recommended by the manufacturer",
            number(0, 1200, integer=True),
            extra={"unit": enum(["months", "years"], title="Unit")},
            required=["value", "unit"],
        ),
        "is_assembly_required": attribute("Is Assembly Required", "Assembly required?", boolean()),
        "material": attribute(
            "Material", "Main material of the toy", text(100, 100), localized=True, max_unique=3
        ),
    }
    if country == "US":
        attrs["cpsia_cautionary_statement"] = attribute(
            "CPSIA Cautionary Statement",
            "Warnings required by the CPSIA",
            enum(
                [
                    "choking_hazard_balloon",
                    "choking_hazard_contains_a_marble",
                    "choking_hazard_small_parts",
                    "no_warning_applicable",
                ]
            ),
            max_unique=4,
        )
    if country in (*EU, "GB"):
        attrs["eu_toys_safety_directive_age_warning"] = attribute(
            "Toys Safety Age Warning",
            "Age warning required by the Toy Safety Directive",
            enum(
                [
                    "no_warning_applicable",
                    "not_suitable_under_36_months",
                    "not_suitable_under_3_years_supervision",
                ]
            ),
        )
        attrs["eu_toys_safety_directive_warning"] = attribute(
            "Toys Safety Warning",
            "Warnings required by the Toy Safety Directive",
            enum(
                [
                    "no_warning_applicable",
                    "contains_small_parts",
                    "adult_supervision_required",
                    "only_for_domestic_use",
                    "contains_magnets",
                ]
            ),
            max_unique=5,
        )
        lang_attr = attribute(
            "Toys Safety Warning Language",
            "Languages in which the warnings are printed",
            enum(sorted(LANGUAGE_NAMES), [LANGUAGE_NAMES[x] for x in sorted(LANGUAGE_NAMES)]),
            max_unique=8,
        )
        # Warnings must be given in the marketplace's language (Toy Safety Directive art. 11).
        lang_attr["contains"] = {
            "required": ["value"],
            "properties": {"value": {"const": langs[0]}},
        }
        attrs["eu_toys_safety_directive_language"] = lang_attr
    return attrs


def apparel_attributes(country: str) -> dict[str, dict[str, Any]]:
    systems = {"US": ("as1", "US"), "GB": ("as2", "UK"), "JP": ("as7", "JP")}
    system = systems.get(country, ("as3", "EU"))
    sizes = ["xx_s", "x_s", "s", "m", "l", "x_l", "xx_l", "3x_l"]
    return {
        "apparel_size": attribute(
            "Apparel Size",
            "Size of the garment in the marketplace's size system",
            None,
            extra={
                "size_system": enum([system[0]], [system[1]], title="Size System"),
                "size_class": enum(["alpha", "numeric"], title="Size Class"),
                "size": enum(sizes, ["XXS", "XS", "S", "M", "L", "XL", "XXL", "3XL"], title="Size"),
                "body_type": enum(["regular", "plus", "petite", "big", "tall"], title="Body Type"),
                "height_type": enum(
                    ["regular", "short", "long", "extra_long"], title="Height Type"
                ),
            },
            required=["size_system", "size_class", "size", "body_type", "height_type"],
        ),
        "target_gender": attribute(
            "Target Gender",
            "Gender the garment is designed for",
            enum(["female", "male", "unisex"]),
        ),
        "department": attribute(
            "Department", "Department of the garment", text(50, 50), localized=True
        ),
        "fabric_type": attribute(
            "Fabric Type",
            "Fibre composition with percentages (EU Textile Regulation 1007/2011 in EU "
            "marketplaces), e.g. '60% cotton, 40% polyester'",
            dict(text(300, 300), pattern="^[0-9]{1,3}% .+"),
            localized=True,
        ),
        "color": attribute("Color", "Color of the garment", text(100, 100), localized=True),
        "care_instructions": attribute(
            "Care Instructions", "Washing instructions", text(200, 300), localized=True
        ),
        "parentage_level": attribute(
            "Parentage Level", "Variation parent or child", enum(["parent", "child"])
        ),
        "variation_theme": attribute(
            "Variation Theme",
            "How children vary",
            None,
            extra={"name": enum(["SIZE", "COLOR", "SIZE/COLOR"], title="Name")},
            required=["name"],
        ),
        "child_parent_sku_relationship": attribute(
            "Child Parent SKU Relationship",
            "SKU of the variation parent",
            None,
            extra={
                "child_relationship_type": enum(["variation"], title="Type"),
                "parent_sku": {
                    "title": "Parent SKU",
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 40,
                },
            },
            required=["child_relationship_type", "parent_sku"],
        ),
    }


# Vocabulary for the generated product-detail attributes of the large schema.
PARTS = [
    "ear_cushion",
    "headband",
    "cable",
    "carrying_case",
    "driver",
    "microphone",
    "earcup",
    "charging_case",
    "ear_tip",
    "hinge",
    "slider",
    "control_button",
    "connector",
    "dongle",
    "strap",
    "yoke",
    "grille",
    "battery_compartment",
    "packaging",
    "manual",
    "ear_pad",
    "mesh",
    "frame",
    "plug",
]
ASPECTS = [
    "material",
    "color",
    "finish",
    "style",
    "length",
    "width",
    "thickness",
    "weight",
    "shape",
    "pattern",
    "feature",
    "certification",
    "warranty",
    "texture",
    "count",
]
PADDING = (
    "Select or enter the value that best describes this aspect of the product. Customers "
    "use this information to compare products and to filter search results, so provide "
    "the value exactly as printed on the packaging or in the technical documentation."
)


def filler_attributes(product_type: str, count: int, country: str) -> dict[str, dict[str, Any]]:
    rng = random.Random(f"{product_type}-filler")
    out: dict[str, dict[str, Any]] = {}
    names = [f"{p}_{a}" for p in PARTS for a in ASPECTS]
    for name in names[:count]:
        aspect = name.rsplit("_", 1)[-1]
        title = name.replace("_", " ").title()
        kind = rng.choice(["text", "enum", "measure", "number"])
        if aspect in ("length", "width", "thickness", "weight"):
            kind = "measure"
        desc = f"{title}. {PADDING}"
        if kind == "text":
            out[name] = attribute(
                title, desc, text(200, 400), localized=True, max_unique=rng.choice([1, 3, 5])
            )
        elif kind == "enum":
            n = rng.randint(12, 40)
            vals = [f"{aspect}_option_{i:02d}" for i in range(n)]
            out[name] = attribute(
                title,
                desc,
                enum(vals, [f"{title} option {i}" for i in range(n)]),
                max_unique=rng.choice([1, 2]),
            )
        elif kind == "measure":
            units = ["millimeters", "centimeters", "meters", "inches", "feet"]
            if aspect == "weight":
                units = ["grams", "kilograms", "ounces", "pounds"]
            out[name] = measure(title, units, desc)
        else:
            out[name] = attribute(title, desc, number(0, 10000, integer=True))
        if country == "JP" and kind == "text":
            out[name]["items"]["properties"]["value"]["maxUtf8ByteLength"] = 300
    return out


# ---------------------------------------------------------------- product types

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


def dump(path: Path, data: dict[str, Any]) -> int:
    body = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return len(body.encode("utf-8"))


def generate(out: Path = HERE) -> dict[str, int]:
    """Write every file under ``out``; returns bytes written per relative path."""
    sizes: dict[str, int] = {}
    mps = _marketplaces()
    sizes[f"meta-schema/{META_FILE}"] = dump(out / "meta-schema" / META_FILE, meta_schema())
    for pt in PRODUCT_TYPES:
        schemas = {c: build_schema(pt, c, mps[c]) for c in COUNTRIES}
        for country, schema in schemas.items():
            sizes[f"{pt}/{country}.json"] = dump(out / pt / f"{country}.json", schema)
        sizes[f"{pt}/definition.json"] = dump(out / pt / "definition.json", definition(pt, schemas))
    return sizes


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for rel, size in generate(target).items():
        print(f"{size:>9,} {rel}")
