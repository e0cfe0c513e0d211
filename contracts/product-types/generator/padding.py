"""Generated product-detail attributes that pad a schema to the size of a real one (0.5-1 MB).

Real product type schemas are large, and integrations that fetch, cache or validate them must
cope with that size; the padding is seeded per product type so the output stays reproducible.
"""

from __future__ import annotations

import random
from typing import Any

from .blocks import attribute, enum, measure, number, text

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
