"""Per-marketplace listings: read the marketplace's schema, build its attributes, validate first.

Each marketplace has its own product-type schema (language tags, currency, EU/UK compliance
attributes), so the connector downloads it with getDefinitionsProductType (one marketplace per
call), checks the link's checksum, and builds that marketplace's attributes from the seller's
product data. It then asks Amazon to VALIDATION_PREVIEW the listing before submitting it, and
treats INVALID (which comes back as HTTP 200) as the failure it is.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any
from urllib.parse import quote

import httpx

from .client import SpApiClient
from .errors import CallFailed

PTD_PATH = "/definitions/2020-09-01/productTypes/"


class SchemaUnavailable(Exception):
    pass


class SchemaCache:
    """Product-type schemas by (product type, marketplace), downloaded once per connector."""

    def __init__(self, client: SpApiClient, http: httpx.Client, seller_id: str) -> None:
        self._client = client
        self._http = http
        self._seller_id = seller_id
        self._schemas: dict[tuple[str, str], dict[str, Any]] = {}

    def get(self, product_type: str, marketplace_id: str, region: str) -> dict[str, Any]:
        key = (product_type, marketplace_id)
        if key not in self._schemas:
            self._schemas[key] = self._download(product_type, marketplace_id, region)
        return self._schemas[key]

    def _download(self, product_type: str, marketplace_id: str, region: str) -> dict[str, Any]:
        response = self._client.call(
            "getDefinitionsProductType",
            "GET",
            region,
            PTD_PATH + quote(product_type, safe=""),
            params={
                "marketplaceIds": marketplace_id,  # one marketplace per call
                "sellerId": self._seller_id,
                "requirements": "LISTING",
                "locale": "DEFAULT",
            },
        )
        body = response.body if isinstance(response.body, dict) else {}
        link = (body.get("schema") or {}).get("link") or {}
        url, checksum = link.get("resource"), (body.get("schema") or {}).get("checksum")
        if not url:
            raise SchemaUnavailable(f"no schema link for {product_type} in {marketplace_id}")
        try:
            download = self._http.get(url)
        except httpx.HTTPError as exc:
            raise SchemaUnavailable(f"schema download failed ({type(exc).__name__})") from None
        if download.status_code != 200:
            raise SchemaUnavailable(f"schema download answered HTTP {download.status_code}")
        digest = base64.b64encode(hashlib.md5(download.content).digest()).decode()
        if checksum and digest != checksum:
            raise SchemaUnavailable(f"schema checksum mismatch for {product_type}")
        schema: dict[str, Any] = json.loads(download.content)
        return schema


def _language(schema: dict[str, Any]) -> tuple[str, list[str]]:
    tag = (schema.get("$defs") or {}).get("language_tag") or {}
    accepted: list[str] = []
    for branch in tag.get("anyOf", []):
        if isinstance(branch, dict) and "enum" in branch:
            accepted = [str(v) for v in branch["enum"]]
    default = str(tag.get("default") or (accepted[0] if accepted else "en_US"))
    return default, accepted or [default]


def _price_value(schema: dict[str, Any], amount: str) -> float | int:
    try:
        offer = schema["properties"]["purchasable_offer"]["items"]["properties"]
        value = offer["our_price"]["items"]["properties"]["schedule"]["items"]["properties"]
        kind = value["value_with_tax"].get("type")
    except (KeyError, TypeError):
        kind = "number"
    return round(float(amount)) if kind == "integer" else float(amount)


def build_attributes(
    schema: dict[str, Any], product: dict[str, Any], marketplace_id: str
) -> dict[str, Any]:
    """This marketplace's attributes: its language, its currency, the compliance it asks for."""
    props = schema.get("properties") or {}
    language, accepted = _language(schema)
    texts = product.get("texts") or {}
    text = texts.get(language) or next((texts[t] for t in accepted if t in texts), None)
    if text is None:
        raise SchemaUnavailable(f"no product text in {language} for {marketplace_id}")
    tag = language if language in texts else next(t for t in accepted if t in texts)

    def tagged(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**v, "marketplace_id": marketplace_id} for v in values]

    attrs: dict[str, Any] = {}
    for source in (product.get("base") or {}, product.get("compliance") or {}):
        for name, values in source.items():
            if name in props:  # only what this marketplace's schema knows
                attrs[name] = tagged(values)
    for name in ("item_name", "brand", "product_description"):
        if name in props and name in text:
            attrs[name] = tagged([{"value": text[name], "language_tag": tag}])
    if "bullet_point" in props:
        attrs["bullet_point"] = tagged(
            [{"value": b, "language_tag": tag} for b in text.get("bullet_point", [])]
        )
    price = (product.get("prices") or {}).get(marketplace_id)
    if price and "purchasable_offer" in props:
        attrs["purchasable_offer"] = tagged(
            [
                {
                    "currency": price["currency"],
                    "our_price": [
                        {"schedule": [{"value_with_tax": _price_value(schema, price["amount"])}]}
                    ],
                }
            ]
        )
    if "quantity" in product and "fulfillment_availability" in props:
        attrs["fulfillment_availability"] = [
            {"fulfillment_channel_code": "DEFAULT", "quantity": int(product["quantity"])}
        ]
    return attrs


def missing_required(schema: dict[str, Any], attrs: dict[str, Any]) -> list[str]:
    """Offline check before any submission: the schema's top-level ``required`` list."""
    return [name for name in schema.get("required", []) if name not in attrs]


__all__ = ["CallFailed", "SchemaCache", "SchemaUnavailable", "build_attributes", "missing_required"]
