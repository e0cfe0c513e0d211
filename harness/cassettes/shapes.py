"""Shapes shared by the scanner and the scrubber: e-mail addresses, client secrets, and which
JSON keys hold a person's data.

Every pattern here runs in linear time on any input: a 5 MB line with no newline is an
ordinary response body, and a pattern that retries a long run at every start position turns
it into minutes (the old e-mail pattern took 88 s on a 200 KB line).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from harness.redact import TOKEN_SEPARATOR

__all__ = [
    "CLIENT_SECRET_RE",
    "EMAIL_RE",
    "PERSON_KEYS",
    "PII_CONTAINERS",
    "PII_FIELDS",
    "PII_FIELD_KIND",
    "PLACEHOLDER_PII",
    "RULES",
    "Rule",
    "email_spans",
    "holds_person",
    "mask_emails",
    "pii_key",
    "rule_hits",
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


@functools.lru_cache(maxsize=4096)  # keys repeat: a 5 MB document has a few dozen distinct
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


@functools.lru_cache(maxsize=4096)
def holds_person(key: str) -> bool:
    """A mapping under ``key`` names a person: buyer containers, and any ``...address``
    (``DefaultShipFromLocationAddress`` too: a name there is still a person's name)."""
    key = pii_key(key)
    return key in PII_CONTAINERS or key.endswith("address")


# -- the scanner's patterns ---------------------------------------------------------------

# A value that is already a mask: ***, Atza|***hash, [PII], [PII:email]...
_MASKED = r"(?!\*\*\*|%2[Aa]%2[Aa]%2[Aa]|\[PII|Atz(?:a|r|\.sprdt)\|\*\*\*)"
_Q = r"\\?[\"']?"  # an optional (maybe JSON-escaped) quote
# The journal's token fingerprint (``Atza|585d4d98``: 8 hex of a hash) is not a token.
_NOT_FINGERPRINT = r"(?![0-9a-f]{8}(?![A-Za-z0-9_\-+/=.%|]))"
_CRED_HEADERS = "(?:authorization|x-amz-access-token|x-amz-security-token|proxy-authorization)"
# ``self.client_secret``, ``settings.token``: an expression in code, not a value.
_NOT_CODE = r"(?![A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_]|str\b|bytes\b|Annotated\b|None\b)"
_END = r"(?=$|[\s\"'&,}\]\\])"
_TOKEN_TAIL = _NOT_FINGERPRINT + r"[A-Za-z0-9_\-+/=.%|]{8,}"
_VALUE = rf"\\?[\"']{_MASKED}(?=[^\s\"'\\,}}\]])"  # a quoted value that is not a mask
PII_FIELD_KIND = "buyer PII field (name, phone, address line, e-mail)"


@dataclass(frozen=True)
class Rule:
    """A leak shape. ``cues``: lowercase literals one of which the text must hold, else the
    pattern does not run. ``anchored``: the pattern is tried only where a cue starts
    (``back`` characters before it), found by ``str.find`` at C speed: a pattern opening on
    a case-insensitive key, an optional quote or a character class would otherwise be
    retried at every position (0.3-0.4 s per 5 MB each). ``bounded``: no word character
    right before the match."""

    kind: str
    pattern: re.Pattern[str]
    cues: tuple[str, ...]
    anchored: bool = False
    bounded: bool = False
    back: int = 0


RULES: tuple[Rule, ...] = (
    Rule(
        "LWA refresh token (Atzr|)", re.compile("Atzr" + TOKEN_SEPARATOR + _TOKEN_TAIL), ("atzr",)
    ),
    Rule("LWA access token (Atza|)", re.compile("Atza" + TOKEN_SEPARATOR + _TOKEN_TAIL), ("atza",)),
    Rule(
        "restricted data token (Atz.sprdt|)",
        re.compile(r"Atz\.sprdt" + TOKEN_SEPARATOR + _TOKEN_TAIL),
        ("atz.sprdt",),
    ),
    Rule("LWA client secret", CLIENT_SECRET_RE, ("amzn1.oa2-cs.v1.",)),
    # A value next to a secret-bearing key: quoted key and quoted value (JSON), or a bare
    # key right before "=" or ": " (form, header dump, YAML). Code scans clean: a quoted key
    # before an expression (``"client_secret": env[...]``), ``client_secret = x`` (spaces),
    # attribute access (``client_secret=self.secret``), a type (``client_secret: str``).
    Rule(
        "LWA client secret",
        re.compile(
            r"(?i)client_secret(?:\\?\"\s*:\s*\\?\"|(?:=|:[ \t]*)[\"']?)"
            rf"{_MASKED}{_NOT_CODE}[^\s\"'&\\,}}\]]{{6,}}{_END}"
        ),
        ("client_secret",),
        anchored=True,
        bounded=True,
    ),
    Rule(
        "credential header (Authorization / x-amz-access-token)",
        re.compile(
            rf"(?i){_CRED_HEADERS}(?:\\?\"\s*:\s*\[?\s*\\?\"|(?:=|:[ \t]*)\[?\s*[\"']?)"
            r"(?:Bearer\s+|Basic\s+|AWS4-HMAC-SHA256\s+)?"
            rf"{_MASKED}{_NOT_CODE}[A-Za-z0-9][^\s\"'\]\\,}}]{{7,}}{_END}"
        ),
        ("authorization", "x-amz-access-token", "x-amz-security-token", "proxy-authorization"),
        anchored=True,
        bounded=True,
    ),
    Rule(
        "presigned URL credential (X-Amz-Credential/Signature/Security-Token)",
        re.compile(
            rf"(?i)X-Amz-(?:Credential|Signature|Security-Token)(?:=|%3D){_MASKED}[^&\s\"'\\]+"
        ),
        ("x-amz-",),
        anchored=True,
    ),
    # From the character before the "@" (or %40, %2540, \u0040).
    Rule("e-mail address (buyer PII)", EMAIL_RE, ("@", "%40", "%2540", "\\u0040"), True, back=1),
    Rule(
        PII_FIELD_KIND,
        re.compile(
            r"(?:BuyerName|BuyerEmail|buyerName|buyerEmail|buyer_name|buyer_email|Name|"
            r"AddressLine[123]|addressLine[123]|address_line_?[123]|Phone|phone|phoneNumber|"
            rf"PhoneNumber|phone_number){_Q}\s*:\s*{_VALUE}"
        ),
        ("buyer", "name", "addressline", "address_line", "phone"),
        anchored=True,
        bounded=True,
    ),
    # ``"ship_to": {"name": ...}``: a plain "name" in a person's object, on one line (a
    # whole JSON document is walked instead, see scan._people). ACORN's own ``ship_to``.
    Rule(
        PII_FIELD_KIND,
        re.compile(
            r"(?i:ship_?to|bill_?to|(?:shipping|billing|delivery)_?address|address|"
            rf"buyer(?:_?info)?|recipient){_Q}\s*[:=]\s*\{{[^{{}}]{{0,400}}?{_Q}\b"
            rf"name{_Q}\s*:\s*{_VALUE}"
        ),
        ("ship", "bill", "delivery", "address", "buyer", "recipient"),
        anchored=True,
        bounded=True,
    ),
)
_WORD = re.compile(r"[A-Za-z0-9_]")


def rule_hits(text: str) -> list[tuple[int, int, str]]:
    """(offset, rule index, kind) of the first match of each pattern on each line of
    ``text`` (a finding is per line and kind: a 5 MB line with 70,000 buyers is one finding,
    found once), in linear time."""
    lowered = text.lower()
    same = len(lowered) == len(text)  # lower() can lengthen a few characters ("İ")
    hits = []
    for index, rule in enumerate(RULES):
        present = [cue for cue in rule.cues if cue in lowered]
        if not present:
            continue
        if rule.anchored and same:
            starts = sorted({at for cue in present for at in _positions(lowered, cue)})
            found = _first_per_line(text, rule, (max(0, at - rule.back) for at in starts))
        else:
            found = _first_per_line(text, rule, None)
        hits += [(start, index, rule.kind) for start in found]
    return hits


def _first_per_line(text: str, rule: Rule, starts: Iterable[int] | None) -> list[int]:
    """Where ``rule`` first matches on each line: tried at ``starts`` (anchored), or searched."""
    out: list[int] = []
    skip = 0  # the next line's start once a line has its match
    if starts is None:
        at = 0
        while (match := rule.pattern.search(text, at)) is not None:
            at = match.start() + 1
            if _stands(text, rule, match.start()):
                out.append(match.start())
                at = text.find("\n", match.start()) + 1
                if at == 0:
                    break
        return out
    for start in starts:
        if start < skip:
            continue
        match = rule.pattern.match(text, start)
        if match is not None and _stands(text, rule, start):
            out.append(start)
            skip = text.find("\n", start) + 1 or len(text)
    return out


def _stands(text: str, rule: Rule, start: int) -> bool:
    return not (rule.bounded and start > 0 and _WORD.match(text, start - 1))


def _positions(text: str, literal: str) -> list[int]:
    out, at = [], text.find(literal)
    while at >= 0:
        out.append(at)
        at = text.find(literal, at + 1)
    return out
