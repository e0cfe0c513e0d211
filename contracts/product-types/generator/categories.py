"""Category attributes: toys (age, toy-safety warnings, CPSIA) and apparel (sizes, variations).

These depend on the marketplace (size system, warning language), so each builder takes the
country; ``schema.build_schema`` adds the matching required names and ``allOf`` rules.
"""

from __future__ import annotations

from typing import Any

from .blocks import attribute, boolean, enum, number, text
from .marketplaces import EU, LANGUAGE_NAMES, LANGUAGES


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
