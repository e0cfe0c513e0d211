"""The attributes every product type has, with their per-marketplace limits and currencies.

Separate from the category and compliance modules because these attributes (title, brand,
offer, images, GPSR/DSA data) are what every listing sends; ``schema.build_schema`` then removes
the ones a marketplace does not have.
"""

from __future__ import annotations

from typing import Any

from .blocks import attribute, boolean, enum, measure, text
from .marketplaces import (
    DEFAULT_TEXT_LIMITS,
    DG_NAMES,
    DG_VALUES,
    ISO_COUNTRIES,
    LANGUAGE_NAMES,
    LANGUAGES,
    TEXT_LIMITS,
)


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
