"""What the scrubber looks for: secret-bearing keys and headers, PII fields, token shapes,
and the stable placeholders seller and order ids become.

Kept apart from :mod:`harness.cassettes.scrub` so the rules read as one list.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from harness.cassettes.shapes import (
    CLIENT_SECRET_RE,
    EMAIL_RE,
    PERSON_KEYS,
    PII_CONTAINERS,
    PII_FIELDS,
    PLACEHOLDER_PII,
    holds_person,
    mask_emails,
    pii_key,
)
from harness.redact import TOKEN_PATTERN, mask_token

__all__ = [
    "BEARER_RE",
    "CLIENT_SECRET_RE",
    "EMAIL_RE",
    "FORM_SECRET_FIELDS",
    "MASK",
    "MASKED_TOKEN_RE",
    "ORDER_FIELDS",
    "ORDER_ID_RE",
    "ORDER_PLACEHOLDER",
    "PERSON_KEYS",
    "PII_CONTAINERS",
    "PII_FIELDS",
    "PRESIGNED_PARAMS",
    "PRESIGNED_RE",
    "SECRET_FIELDS",
    "SECRET_HEADERS",
    "SELLER_FIELDS",
    "SELLER_PLACEHOLDER",
    "TOKEN",
    "Form",
    "Pseudonyms",
    "holds_person",
    "mask_emails",
    "mask_secret_value",
    "mask_token",
    "masked",
    "parse_body",
    "pii_key",
]

MASK = "***"
TOKEN = TOKEN_PATTERN  # the Redactor's: one definition of what a token looks like
MASKED_TOKEN_RE = re.compile(r"(Atz(?:a|r|\.sprdt)\|\*\*\*)[0-9a-f]{8}")
PRESIGNED_RE = re.compile(
    r"(?i)(X-Amz-(?:Credential|Signature|Security-Token)(?:=|%3D))[^&\s\"'\\]+"
)
BEARER_RE = re.compile(r"(?i)\b(Bearer|AWS4-HMAC-SHA256)\s+[^\s\"',]+")
ORDER_ID_RE = re.compile(r"(?<![\d-])(\d{3}-\d{7}-\d{7})(?![\d-])")
ORDER_PLACEHOLDER = "000-0000000-"
SELLER_PLACEHOLDER = "A0SELLER"
# What a seller (merchant) id looks like: A2EUQ1WTGCTBG2. Only such values are pseudonymised,
# and only as whole words: a stray "0" under a sellerId key must not rewrite "/orders/v0/".
SELLER_ID_RE = re.compile(r"[A-Z0-9]{8,20}")

SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-amz-access-token",
        "x-amz-security-token",
        "cookie",
        "set-cookie",
    }
)
SECRET_FIELDS = frozenset(
    {
        "client_secret",
        "refresh_token",
        "access_token",
        "restricteddatatoken",
        "client_assertion",
        "password",
        "x-amz-security-token",
        "sessiontoken",
        "secretaccesskey",
    }
)
PRESIGNED_PARAMS = frozenset(
    {"x-amz-credential", "x-amz-signature", "x-amz-security-token", "signature", "awsaccesskeyid"}
)
# The one-time spapi_oauth_code: secret in an LWA request (a form, or JSON with grant_type),
# but "code" is also every SP-API error's code, which must stay readable.
FORM_SECRET_FIELDS = SECRET_FIELDS | {"code"}
SELLER_FIELDS = frozenset({"sellerid", "merchantid", "sellingpartnerid", "selling_partner_id"})
ORDER_FIELDS = frozenset({"amazonorderid", "orderid"})


def masked(value: str) -> bool:
    """Already scrubbed (vcrpy runs its hooks again on a request it has scrubbed)."""
    return value.startswith((MASK, PLACEHOLDER_PII)) or bool(MASKED_TOKEN_RE.fullmatch(value))


def mask_secret_value(value: str) -> str:
    if masked(value):
        return value
    if TOKEN.fullmatch(value):
        return mask_token(value)
    return MASK


class Pseudonyms:
    """Seller and order ids to stable placeholders, in order of first appearance."""

    def __init__(self) -> None:
        self.sellers: dict[str, str] = {}
        self.orders: dict[str, str] = {}

    def seller(self, value: str) -> str:
        if value.startswith(SELLER_PLACEHOLDER) or not SELLER_ID_RE.fullmatch(value):
            return value
        if value not in self.sellers:
            self.sellers[value] = f"{SELLER_PLACEHOLDER}{len(self.sellers) + 1:05d}"
        return self.sellers[value]

    def order(self, value: str) -> str:
        if value.startswith(ORDER_PLACEHOLDER):
            return value
        if value not in self.orders:
            self.orders[value] = f"{ORDER_PLACEHOLDER}{len(self.orders) + 1:07d}"
        return self.orders[value]

    def text(self, value: str) -> str:
        value = ORDER_ID_RE.sub(lambda m: self.order(m.group(1)), value)
        for real in sorted(self.sellers, key=len, reverse=True):
            if real in value:
                value = re.sub(
                    rf"(?<![A-Za-z0-9]){re.escape(real)}(?![A-Za-z0-9])", self.sellers[real], value
                )
        return value


@dataclass
class Form:
    pairs: list[tuple[str, str]]


def parse_body(body: str | None, content_type: str | None) -> Any:
    if not body:
        return None
    ctype = (content_type or "").split(";", 1)[0].strip().lower()
    stripped = body.lstrip()
    if ctype.endswith("json") or stripped[:1] in ("{", "["):
        try:
            return json.loads(body)
        except ValueError:
            return None
    if ctype == "application/x-www-form-urlencoded" or (
        "=" in body and " " not in body and "\n" not in body
    ):
        return Form(parse_qsl(body, keep_blank_values=True))
    return None
