"""The product type schema generator, split by responsibility (run it via ``generate.py``).

- ``marketplaces``: per-marketplace facts (languages, text limits, currencies, URIs).
- ``blocks``: Amazon's attribute shape and value schemas.
- ``common``, ``compliance``, ``categories``: the attribute catalogue and its conditional rules.
- ``padding``: seeded filler attributes that give the large schema a realistic size.
- ``schema``: one schema per product type and marketplace; ``definition``: the files beside it.
- ``writer``: deterministic JSON output.

``contracts/product-types`` is a data folder, not an importable package (its name has a hyphen),
so ``generate.py`` loads this package by path under a private name; the modules therefore import
each other relatively.
"""

from __future__ import annotations

from .definition import GROUPS, definition, meta_schema
from .marketplaces import COUNTRIES, EU, HERE, LANGUAGE_NAMES, LANGUAGES, load_marketplaces
from .schema import PRODUCT_TYPES, build_schema
from .writer import dump, generate

__all__ = [
    "COUNTRIES",
    "EU",
    "GROUPS",
    "HERE",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "PRODUCT_TYPES",
    "build_schema",
    "definition",
    "dump",
    "generate",
    "load_marketplaces",
    "meta_schema",
]
