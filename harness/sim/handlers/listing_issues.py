"""What Listings Items finds wrong with a listing: schema issues now, GPSR findings later.

Kept apart from the HTTP handlers because the Feeds simulator applies the same rules to
JSON_LISTINGS_FEED messages: one model of Amazon's validation (docs/fidelity.md §7, pain points 2.4)
serves both APIs, so an integration sees the same issues whichever way it submits.

- ``schema_issues``: the marketplace's product-type schema plus Amazon's stricter backend
  (language tags); a PATCH is only judged on the attributes it touches.
- ``schedule_processing``: what asynchronous processing reports after ``ACCEPTED`` (here after
  ``listing_processing_seconds`` of virtual time), e.g. a LISTING_SUPPRESSED GPSR finding.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

from harness.sim.handlers.catalog import catalog, issue_source
from harness.sim.state import ListingOffer

if TYPE_CHECKING:
    from harness.sim.world import World

__all__ = [
    "GPSR_MARKETPLACES",
    "gpsr_issue",
    "has_errors",
    "listing_issue",
    "schedule_processing",
    "schema_issues",
]

# EU marketplaces where GPSR (EU 2023/988) applies; GB has its own regime.
GPSR_MARKETPLACES = frozenset(
    {"A1PA6795UKMFR9", "A13V1IB3VIYZZH", "APJ6JRA9NG5V4", "A1RKKUPIHCS9HS"}
)


def listing_issue(code: str, message: str, attribute: str, category: str) -> dict[str, Any]:
    """One ERROR issue in Amazon's shape, about one attribute."""
    return {
        "code": code,
        "message": message,
        "severity": "ERROR",
        "attributeNames": [attribute],
        "categories": [category],
    }


def gpsr_issue(marketplace_id: str) -> dict[str, Any]:
    """The asynchronous GPSR finding: the listing is suppressed in that marketplace."""
    return {
        "code": "99300",
        "message": "Product safety information required by the EU General Product Safety "
        "Regulation is missing: provide the manufacturer's contact "
        "('gpsr_manufacturer_reference') and either safety information ('compliance_media') "
        "or the attestation that none is needed ('gpsr_safety_attestation').",
        "severity": "ERROR",
        "attributeNames": [
            "gpsr_manufacturer_reference",
            "gpsr_safety_attestation",
            "compliance_media",
        ],
        "categories": ["MISSING_ATTRIBUTE"],
        "marketplaceIds": [marketplace_id],
        "enforcements": {
            "actions": [{"action": "LISTING_SUPPRESSED"}],
            "exemption": {"status": "NOT_EXEMPT"},
        },
    }


def _gpsr_incomplete(attributes: dict[str, Any]) -> bool:
    """What Amazon's GPSR review flags after ACCEPTED (ACORN's model, docs/fidelity.md §9): no
    manufacturer contact, or no attestation that the product needs no further safety
    information while no safety information (compliance_media) is given either."""
    if not attributes.get("gpsr_manufacturer_reference"):
        return True
    attested = any(
        isinstance(v, dict) and v.get("value") is True
        for v in attributes.get("gpsr_safety_attestation") or []
    )
    return not attested and not attributes.get("compliance_media")


def _shape_issues(attributes: dict[str, Any]) -> list[dict[str, Any]]:
    issues = []
    for name, value in attributes.items():
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            issues.append(
                listing_issue(
                    "90000900",
                    f"The attribute '{name}' must be an array of objects.",
                    name,
                    "INVALID_ATTRIBUTE",
                )
            )
    return issues


PRODUCT_TYPE_NAME = re.compile(r"[A-Z0-9_]+")
"""What every Amazon product type name looks like (LUGGAGE, HOME_BED_AND_BATH, PRODUCT), after
the upper-casing the handlers apply."""


def schema_issues(
    product_type: str, marketplace_id: str, attributes: dict[str, Any], *, full: bool
) -> list[dict[str, Any]]:
    """Issues from the marketplace's product-type schema (``full``: PUT, all requirements)."""
    shape = _shape_issues(attributes)
    if shape:
        return shape
    if not PRODUCT_TYPE_NAME.fullmatch(product_type):
        # Blank, or characters no product type name has: no schema can validate it, so the
        # synchronous validation of a PUT/PATCH (docs/fidelity.md §7.3) cannot pass.
        return [
            listing_issue(
                "4000003",
                f"The product type {product_type!r} is not a product type name. Look it up "
                "with searchDefinitionsProductTypes.",
                "productType",
                "INVALID_ATTRIBUTE",
            )
        ]
    types = catalog()
    if product_type not in types.product_types:
        # Beyond ACORN's product types (Amazon has thousands): structural checks only.
        return []
    validator = issue_source(types, product_type, marketplace_id)
    if validator is None:
        return [
            listing_issue(
                "4000003",
                f"The product type '{product_type}' is not supported in marketplace "
                f"{marketplace_id}. Look it up with searchDefinitionsProductTypes.",
                "productType",
                "INVALID_ATTRIBUTE",
            )
        ]
    issues = [dict(i) for i in validator.issues(attributes)]
    issues += _language_issues(types.language_tags(product_type, marketplace_id), attributes)
    if not full:
        # PATCH: only what the patched attributes themselves break (requirements not enforced).
        issues = [
            i
            for i in issues
            if not (
                i.get("code") == "90220"
                and not set(i.get("attributeNames") or []) & set(attributes)
            )
        ]
    return issues


def _language_issues(accepted: list[str], attributes: dict[str, Any]) -> list[dict[str, Any]]:
    """Amazon's backend is stricter than the schema's ``anyOf [any string | enum]``: text in a
    language the marketplace does not take is refused (error 100720, models #5010)."""
    if not accepted:
        return []
    issues = []
    for name, values in attributes.items():
        if not isinstance(values, list):
            continue
        wrong = sorted(
            {
                str(v["language_tag"])
                for v in values
                if isinstance(v, dict) and "language_tag" in v and v["language_tag"] not in accepted
            }
        )
        if wrong:
            issue = listing_issue(
                "100720",
                f"Invalid language data: '{name}' is in {', '.join(wrong)}; this marketplace "
                f"accepts {', '.join(accepted)}.",
                name,
                "INVALID_ATTRIBUTE",
            )
            issues.append(issue)
    return issues


def has_errors(issues: list[dict[str, Any]]) -> bool:
    return any(i.get("severity", "ERROR") == "ERROR" for i in issues)


def schedule_processing(world: World, offer: ListingOffer, marketplace_id: str) -> None:
    """Queue what Amazon's asynchronous processing will find after ACCEPTED."""
    at = world.clock.now() + world.config.listing_processing_seconds
    found: list[dict[str, Any]] = []
    if marketplace_id in GPSR_MARKETPLACES and _gpsr_incomplete(offer.attributes):
        found.append(gpsr_issue(marketplace_id))
    for issue in world.config.post_accept_issues.get(marketplace_id, ()):
        found.append({**copy.deepcopy(issue), "marketplaceIds": [marketplace_id]})
    offer.pending_issues = [(at, issue) for issue in found]
    offer.issues = []
    offer.suppressed = False
