"""The seller's product data the listing scenarios hand to an integration.

``attributes`` is the listing as the seller runs it in the US (English, USD): what a naive
connector copies everywhere. ``product`` is the seller's product information (texts per
language, prices per marketplace, compliance data): what a ready connector turns into each
marketplace's own attributes, after reading that marketplace's product-type schema.
"""

from __future__ import annotations

from typing import Any

from markets import DE, FR, GB, IT, JP, US

TARGETS = [US, GB, DE, FR, IT, JP]
PRICES = {US: ("24.99", "USD"), GB: ("21.99", "GBP"), DE: ("23.99", "EUR"),
          FR: ("23.99", "EUR"), IT: ("23.99", "EUR"), JP: ("3480", "JPY")}  # fmt: skip
_TEXTS = {
    "en_US": ("Acorn Forest Friends play figure", "Hand-painted wooden squirrel"),
    "en_GB": ("Acorn Forest Friends play figure", "Hand-painted wooden squirrel"),
    "de_DE": ("Acorn Waldfreunde Spielfigur", "Handbemaltes Eichhörnchen aus Holz"),
    "fr_FR": ("Figurine Acorn Amis de la forêt", "Écureuil en bois peint à la main"),
    "it_IT": ("Personaggio Acorn Amici del bosco", "Scoiattolo in legno dipinto a mano"),
    "ja_JP": ("エイコーン 森のなかま フィギュア", "手描きの木製リス"),
}


def _texts(name_suffix: str) -> dict[str, dict[str, Any]]:
    return {
        tag: {
            "item_name": f"{name} {name_suffix}",
            "brand": "Acorn",
            "bullet_point": [bullet],
            "product_description": f"{name}. {bullet}.",
        }
        for tag, (name, bullet) in _TEXTS.items()
    }


def _us_attributes(product: dict[str, Any]) -> dict[str, Any]:
    """The US listing: base attributes plus English text and a USD offer."""
    us = "ATVPDKIKX0DER"
    text = product["texts"]["en_US"]
    attrs: dict[str, Any] = {k: [dict(v) for v in vs] for k, vs in product["base"].items()}
    for name in ("item_name", "brand", "product_description"):
        attrs[name] = [{"value": text[name], "language_tag": "en_US"}]
    attrs["bullet_point"] = [{"value": b, "language_tag": "en_US"} for b in text["bullet_point"]]
    amount, currency = product["prices"][us]["amount"], product["prices"][us]["currency"]
    attrs["purchasable_offer"] = [
        {"currency": currency, "our_price": [{"schedule": [{"value_with_tax": float(amount)}]}]}
    ]
    attrs["fulfillment_availability"] = [
        {"fulfillment_channel_code": "DEFAULT", "quantity": product["quantity"]}
    ]
    for name in ("cpsia_cautionary_statement",):
        if name in product["compliance"]:
            attrs[name] = product["compliance"][name]
    return attrs


def _product(product_type: str, base: dict[str, Any], compliance: dict[str, Any]) -> dict[str, Any]:
    product = {
        "product_type": product_type,
        "base": base,
        "texts": _texts(product_type.title()),
        "prices": {m: {"amount": a, "currency": c} for m, (a, c) in PRICES.items()},
        "quantity": 12,
        "compliance": compliance,
    }
    return product


_COMMON_BASE = {
    "condition_type": [{"value": "new_new"}],
    "country_of_origin": [{"value": "DE"}],
    "supplier_declared_dg_hz_regulation": [{"value": "not_applicable"}],
    "main_product_image_locator": [{"media_location": "https://m.media-amazon.example/acorn.jpg"}],
}
_EU_COMPLIANCE = {
    "gpsr_manufacturer_reference": [{"gpsr_manufacturer_email_address": "safety@acorn.example"}],
    "dsa_responsible_party_address": [{"value": "Acorn GmbH, Lindenallee 1, 10115 Berlin"}],
    "gpsr_safety_attestation": [{"value": True}],
    "epr_product_packaging": [{"main_material": "paper", "recycled_content_percentage": 80}],
}
TOY = _product(
    "TOY_FIGURE",
    {**_COMMON_BASE, "manufacturer_minimum_age": [{"value": 3, "unit": "years"}],
     "batteries_required": [{"value": False}]},
    {**_EU_COMPLIANCE,
     "cpsia_cautionary_statement": [{"value": "choking_hazard_small_parts"}],
     "eu_toys_safety_directive_warning": [{"value": "contains_small_parts"}],
     "eu_toys_safety_directive_language": [{"value": t} for t in
                                           ("en_GB", "de_DE", "fr_FR", "it_IT")],
     "regulatory_compliance_certification": [{"regulation_type": "ce_marking", "value": "CE"},
                                             {"regulation_type": "ukca_marking", "value": "UKCA"}]},
)  # fmt: skip
# The seller does not attest the suitcase needs no safety information, and gives none: Amazon
# accepts it, then suppresses it in the EU after its GPSR review (an issue after ACCEPTED).
CASE = _product(
    "LUGGAGE",
    dict(_COMMON_BASE),
    {**_EU_COMPLIANCE, "gpsr_safety_attestation": [{"value": False}]},
)
# The seller's data for this one lacks the EU manufacturer and responsible person: nobody can
# list it in DE or FR until it is completed, and an integration must say so, not "ok".
INCOMPLETE = _product(
    "LUGGAGE",
    dict(_COMMON_BASE),
    {k: v for k, v in _EU_COMPLIANCE.items() if k not in ("gpsr_manufacturer_reference",
                                                           "dsa_responsible_party_address")},
)  # fmt: skip

LISTINGS = {"ACORN-TOY-03": TOY, "ACORN-CASE-05": CASE}
INCOMPLETE_SKU = "ACORN-CASE-06"


def publish_args(sku: str, product: dict[str, Any], targets: list[str]) -> dict[str, Any]:
    return {
        "sku": sku,
        "product_type": product["product_type"],
        "marketplace_ids": targets,
        "attributes": _us_attributes(product),
        "product": product,
    }
