"""Product Type Definitions 2020-09-01: one marketplace per call, schemas behind signed links.

Faithful details (docs/fidelity.md §8.1, 12.9): getDefinitionsProductType answers for ONE
marketplace (given several, it answers for the first and says so only in ``marketplaceIds``),
the schema and the meta-schema are links (7-day presigned URLs) with a base64 MD5 checksum,
not inline JSON, and the meta-schema's ``$id`` is not fetchable: clients download it too.
"""

from __future__ import annotations

from typing import Any

from harness.contracts.amazon_vocabulary import META_SCHEMA_URI
from harness.contracts.product_types import META_SCHEMA_FILE, ProductTypeSchema
from harness.sim.handlers.base import Ctx, Handler
from harness.sim.handlers.catalog import catalog
from harness.sim.handlers.documents import SCHEMA_LINK_TTL, new_document, presigned_url
from harness.sim.http import Reply
from harness.sim.state import Document

__all__ = ["HANDLERS", "META_SCHEMA_ID"]

META_SCHEMA_ID = META_SCHEMA_URI  # the name this module has always exported
_GROUPS = (
    ("offer", "Offer", ("purchasable_offer", "fulfillment", "list_price", "condition")),
    ("images", "Images", ("image",)),
    (
        "safety_and_compliance",
        "Safety & Compliance",
        ("gpsr", "dsa_", "batter", "dg_hz", "compliance", "epr_", "ghs", "hazmat", "safety",
         "regulat", "toy", "warning", "country_of_origin", "lithium"),
    ),
    ("product_identity", "Product Identity", ("item_name", "brand", "external", "model")),
)  # fmt: skip


def _property_groups(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {
        name: {"title": title, "propertyNames": []} for name, title, _ in _GROUPS
    }
    groups["product_details"] = {"title": "Product Details", "propertyNames": []}
    for prop in schema.get("properties", {}):
        home = next(
            (name for name, _t, needles in _GROUPS if any(n in prop for n in needles)),
            "product_details",
        )
        groups[home]["propertyNames"].append(prop)
    return {k: v for k, v in groups.items() if v["propertyNames"]}


def _document(ctx: Ctx, key: str, content: bytes) -> Document:
    doc = ctx.world.state.documents.get(key)
    if doc is None:
        doc = new_document(
            ctx.world, kind="schema", content_type="application/json", content=content, key=key
        )
    return doc


def _link(ctx: Ctx, doc: Document) -> dict[str, Any]:
    host = ctx.request.headers.get("host", "127.0.0.1")
    url = presigned_url(ctx.world, host, doc, "GET", SCHEMA_LINK_TTL, scheme=ctx.request.scheme)
    return {"link": {"resource": url, "verb": "GET"}, "checksum": doc.checksum}


def _marketplaces(ctx: Ctx) -> tuple[list[str], Reply | None]:
    ids = ctx.request.csv("marketplaceIds")
    return ids, ctx.check_marketplaces(ids)


def get_definitions_product_type(ctx: Ctx) -> Reply:
    ids, refused = _marketplaces(ctx)
    if refused:
        return refused
    marketplace_id = ids[0]  # Amazon answers for the first marketplace only
    product_type = ctx.params["productType"].upper()
    types = catalog()
    found: ProductTypeSchema | None = types.get(product_type, marketplace_id)
    if found is None:
        return ctx.not_found(
            f"Product type {product_type} is not available in marketplace {marketplace_id}."
        )
    schema_doc = _document(ctx, f"schema/{marketplace_id}/{product_type}.json", found.raw)
    meta_doc = _document(ctx, f"schema/{META_SCHEMA_FILE}", types.meta_schema_raw)
    definition = types.definition(product_type, synthesize=False)
    locale = ctx.request.first("locale") or "DEFAULT"
    if locale == "DEFAULT":
        locale = ctx.world.contracts.marketplaces[marketplace_id].language
    body = {
        "metaSchema": _link(ctx, meta_doc),
        "schema": _link(ctx, schema_doc),
        "requirements": ctx.request.first("requirements") or "LISTING",
        "requirementsEnforced": ctx.request.first("requirementsEnforced") or "ENFORCED",
        "propertyGroups": definition.get("propertyGroups") or _property_groups(found.schema),
        "locale": locale,
        "marketplaceIds": [marketplace_id],
        "productType": product_type,
        "displayName": str(definition.get("displayName") or found.title),
        "productTypeVersion": {
            "version": "U" + (schema_doc.checksum or "")[:10].replace("/", "").replace("+", ""),
            "latest": True,
            "releaseCandidate": False,
        },
    }
    facts = {
        "marketplace_id": marketplace_id,
        "product_type": product_type,
        "ignored_marketplaces": ids[1:],
    }
    return Reply(200, body, facts=facts)


def search_definitions_product_types(ctx: Ctx) -> Reply:
    ids, refused = _marketplaces(ctx)
    if refused:
        return refused
    keywords = [k.lower() for k in ctx.request.csv("keywords")]
    item_name = (ctx.request.first("itemName") or "").lower()
    if keywords and item_name:
        return ctx.bad_request(
            "keywords and itemName cannot be used together.", rule="PTD-KEYWORDS-AND-ITEMNAME"
        )
    types = catalog()
    found = []
    for product_type in types.product_types:
        available = [m for m in types.marketplace_ids(product_type) if m in ids]
        if not available:
            continue
        definition = types.definition(product_type, synthesize=False)
        display = str(definition.get("displayName") or product_type)
        title = display.lower()
        words = keywords or item_name.split()
        if words and not any(w in product_type.lower() or w in title for w in words):
            continue
        found.append(
            {
                "name": product_type,
                "displayName": display,
                "marketplaceIds": available,
            }
        )
    return Reply(200, {"productTypes": found, "productTypeVersion": "LATEST"})


HANDLERS: dict[str, Handler] = {
    "getDefinitionsProductType": get_definitions_product_type,
    "searchDefinitionsProductTypes": search_definitions_product_types,
}
