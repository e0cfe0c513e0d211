"""Correcting the messages a feed's processing report rejected, from the seller's product data.

A rejected UPDATE message is rebuilt the way ``publish_product`` builds a listing: from the
seller's product data and each feed marketplace's product-type schema (its language, currency
and compliance attributes). Only a message that the data can really fix is re-sent: if the
schema still requires something the data lacks, or the rebuilt message is the one Amazon
already rejected, it is reported as still rejected instead of being sent again unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .marketplace_listing import SchemaUnavailable, build_attributes, missing_required

Schemas = Callable[[str, str], dict[str, Any]]  # (product type, marketplace id) -> schema


@dataclass
class Corrections:
    """The follow-up messages (numbered from 1) and what could not be corrected."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    origin: dict[int, dict[str, Any]] = field(default_factory=dict)  # new id -> rejected entry
    uncorrected: list[dict[str, Any]] = field(default_factory=list)


def _merge(into: dict[str, Any], attrs: dict[str, Any]) -> None:
    """One message serves every feed marketplace: values carry their marketplace_id."""
    for name, values in attrs.items():
        kept = into.setdefault(name, [])
        kept.extend(v for v in values if v not in kept)


def _rebuild(
    message: dict[str, Any], product: dict[str, Any], marketplace_ids: list[str], schemas: Schemas
) -> tuple[dict[str, Any] | None, str]:
    product_type = str(message.get("productType") or product.get("product_type") or "")
    attrs: dict[str, Any] = {}
    for marketplace_id in marketplace_ids:
        try:
            schema = schemas(product_type, marketplace_id)
            built = build_attributes(schema, product, marketplace_id)
        except SchemaUnavailable as exc:
            return None, str(exc)
        missing = missing_required(schema, built)
        if missing:
            return None, (
                f"product data lacks {', '.join(missing)} required in {marketplace_id}; "
                "complete it before listing"
            )
        _merge(attrs, built)
    if attrs == message.get("attributes"):
        return None, "the product data gives the same message Amazon rejected"
    return {**message, "operationType": "UPDATE", "attributes": attrs}, ""


def correct(
    messages: list[dict[str, Any]],
    rejected: list[dict[str, Any]],
    products: dict[str, Any],
    marketplace_ids: list[str],
    schemas: Schemas,
) -> Corrections:
    """Corrected copies of the rejected messages the product data can fix, and the rest."""
    by_id = {m.get("messageId"): m for m in messages if isinstance(m, dict)}
    out = Corrections()
    for found in rejected:
        message = by_id.get(found.get("message_id"))
        product = products.get(str(found.get("sku")))
        if message is None:
            reason = "the report names a message the feed did not have"
        elif message.get("operationType") not in ("UPDATE", "PARTIAL_UPDATE"):
            reason = f"a rejected {message.get('operationType')} is not rebuilt from product data"
        elif not isinstance(product, dict):
            reason = "no product data to correct it from"
        else:
            fixed, reason = _rebuild(message, product, marketplace_ids, schemas)
            if fixed is not None:
                new_id = len(out.messages) + 1
                out.messages.append({**fixed, "messageId": new_id})
                out.origin[new_id] = found
                continue
        out.uncorrected.append({**found, "reason": reason})
    return out


__all__ = ["Corrections", "Schemas", "correct"]
