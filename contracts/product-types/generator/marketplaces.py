"""Per-marketplace facts the schemas depend on: languages, text limits, country codes, URIs.

Kept apart from the schema builders because these are the values most likely to change when
Amazon changes a marketplace (a new language tag, a tighter byte limit), and they are shared by
every attribute module.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# The folder the generator writes into by default (``contracts/product-types``).
HERE = Path(__file__).resolve().parent.parent
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


def load_marketplaces() -> dict[str, dict[str, Any]]:
    """The entries of ``contracts/marketplaces.json`` for ``COUNTRIES``, keyed by country."""
    data = json.loads((HERE.parent / "marketplaces.json").read_text(encoding="utf-8"))
    return {m["country"]: m for m in data["marketplaces"] if m["country"] in COUNTRIES}
