"""Shapes shared by the scanner and the scrubber: e-mail addresses, client secrets, and which
JSON keys hold a person's data.

Every pattern here runs in linear time on any input: a 5 MB line with no newline is an
ordinary response body, and a pattern that retries a long run at every start position turns
it into minutes (the old e-mail pattern took 88 s on a 200 KB line).
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = [
    "CLIENT_SECRET_RE",
    "EMAIL_RE",
    "PERSON_KEYS",
    "PII_CONTAINERS",
    "PII_FIELDS",
    "PLACEHOLDER_PII",
    "email_spans",
    "holds_person",
    "mask_emails",
    "pii_key",
]

PLACEHOLDER_PII = "[PII]"
CLIENT_SECRET_RE = re.compile(r"amzn1\.oa2-cs\.v1\.[0-9A-Fa-f]{8,}")

_LOCAL = "A-Za-z0-9._%+-"
# An e-mail address, found from the last character before its "@" (also %40, %2540 or JSON's
# \u0040): the match never starts inside a long run of local-part characters, so each
# position is tried once. :func:`email_spans` extends a match back over its local part.
EMAIL_RE = re.compile(
    rf"[{_LOCAL}](?:@|%40|%2540|\\u0040)(?:[A-Za-z0-9-]{{1,63}}\.){{1,8}}[A-Za-z]{{2,63}}"
)
_LOCAL_REVERSED = re.compile(rf"[{_LOCAL}]{{0,63}}")


def email_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each e-mail address, its local part included (at most 64 chars)."""
    spans = []
    for match in EMAIL_RE.finditer(text):
        start = match.start()
        before = text[max(0, start - 63) : start][::-1]
        back = _LOCAL_REVERSED.match(before)
        spans.append((start - (back.end() if back else 0), match.end()))
    return spans


def mask_emails(text: str, mask: str | Callable[[str], str]) -> str:
    """``text`` with every e-mail address replaced (linear, unlike ``EMAIL_RE.sub`` of old)."""
    spans = email_spans(text)
    if not spans:
        return text
    out, last = [], 0
    for found, end in spans:
        start = max(found, last)
        out += [text[last:start], mask if isinstance(mask, str) else mask(text[start:end])]
        last = end
    out.append(text[last:])
    return "".join(out)


def pii_key(key: str) -> str:
    """A key as the PII lists spell it: ``address_line1``, ``AddressLine1`` and
    ``address-line1`` are one key (ACORN's own ``ship_to`` uses snake case)."""
    return key.lower().replace("_", "").replace("-", "")


# Keys (as :func:`pii_key` spells them) whose string value is buyer PII wherever they appear.
PII_FIELDS = frozenset(
    {
        "buyername",
        "buyeremail",
        "email",
        "phone",
        "phonenumber",
        "addressline1",
        "addressline2",
        "addressline3",
        "buyercounty",
        "companylegalname",
        "taxingregion",
        "buyerreference",
    }
)
# The narrower set that marks an object as a person's (a "name" beside them is a person's).
PERSON_KEYS = frozenset(
    {"buyername", "buyeremail", "phone", "phonenumber", "addressline1", "addressline2"}
)
# Containers in which a plain "name" is a person's name.
PII_CONTAINERS = frozenset(
    {
        "shippingaddress",
        "buyerinfo",
        "buyer",
        "address",
        "deliveryaddress",
        "recipient",
        "billingaddress",
        "buyertaxinfo",
        "shipto",
        "billto",
        "soldto",
    }
)


def holds_person(key: str) -> bool:
    """A mapping under ``key`` names a person: buyer containers, and any ``...address``
    (``DefaultShipFromLocationAddress`` too: a name there is still a person's name)."""
    key = pii_key(key)
    return key in PII_CONTAINERS or key.endswith("address")
