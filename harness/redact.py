"""Masking of secrets and buyer PII before anything is kept or written.

Everything the harness stores (journal, evidence, reports) passes through a :class:`Redactor`.
It masks by pattern (LWA tokens, RDTs, secret-bearing keys) and by value (the canary secrets
and PII the simulator seeded), so a value the patterns miss is still caught.

A known value is looked for in every form it takes on the way to a file (:func:`encoded_forms`):
URL-encoded once or twice, JSON-escaped, base64 at any byte offset, hex, UTF-16. All forms of
all values are searched in one pass (:class:`LiteralMatcher`, Aho-Corasick), so the cost is
linear in the text whatever the number of values.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

import ahocorasick_rs
import orjson

__all__ = [
    "SECRET_KEYS",
    "TOKEN_PATTERN",
    "LiteralMatcher",
    "Redactor",
    "binary_forms",
    "encoded_forms",
    "mask_token",
    "text_forms",
]

# The "|" after a token's prefix as sent: literal, %-encoded (once or twice, a logged LWA form
# body), or JSON's \u007c escape.
TOKEN_SEPARATOR = r"(?:\||%7[Cc]|%257[Cc]|\\u007[Cc])"
# Access tokens (Atza|), refresh tokens (Atzr|) and Restricted Data Tokens (Atz.sprdt|).
TOKEN_PATTERN = re.compile(r"Atz(?:a|r|\.sprdt)" + TOKEN_SEPARATOR + r"[A-Za-z0-9_\-+/=.%|]{8,}")
SECRET_KEYS = frozenset(
    {
        "client_secret",
        "refresh_token",
        "access_token",
        "x-amz-access-token",
        "authorization",
        "x-amz-security-token",
        "restrictedDataToken",
    }
)

_SECRET_KEYS_LOWER = frozenset(k.lower() for k in SECRET_KEYS)
# A form derived from bytes (base64, hex, UTF-16) shorter than this is noise, not evidence.
_MIN_DERIVED = 8
_PERCENT_HEX = re.compile(r"%[0-9A-F]{2}")


def text_forms(value: str) -> tuple[str, ...]:
    """``value`` as it reads in text: as sent, %-encoded (``%20`` or ``+``, once or twice, upper
    or lower hex) and JSON-escaped. These read as words, so a match must stand as one."""
    once = (quote(value, safe=""), quote(value), quote_plus(value))
    twice = (quote(once[0], safe=""), quote_plus(once[2]))
    lower = tuple(_PERCENT_HEX.sub(lambda m: m.group(0).lower(), f) for f in (*once, *twice))
    escaped = (json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1])
    return tuple(dict.fromkeys((value, *once, *twice, *lower, *escaped)))


def binary_forms(value: str) -> tuple[str, ...]:
    """``value``'s bytes as they show inside an encoded blob: base64 (standard and URL-safe) at
    each of the 3 byte alignments, hex, UTF-16 LE/BE and UTF-8 read as Latin-1 (a binary
    file is decoded 1:1 so these match its bytes). They sit inside longer runs, so they match
    anywhere; shorter than 8 characters they are dropped as noise."""
    data = value.encode("utf-8")
    forms: list[str] = []
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data).decode("ascii")
        # The characters that depend only on the value's bits, wherever the value sits.
        inner = encoded[-(-8 * offset // 6) : (8 * (offset + len(data))) // 6]
        forms += [inner, inner.replace("+", "-").replace("/", "_")]
    forms += [data.hex(), data.hex().upper()]
    forms += [value.encode(codec).decode("latin-1") for codec in ("utf-16-le", "utf-16-be")]
    if not value.isascii():
        forms.append(data.decode("latin-1"))
    return tuple(f for f in dict.fromkeys(forms) if len(f) >= _MIN_DERIVED)


@functools.lru_cache(maxsize=4096)
def encoded_forms(value: str) -> tuple[str, ...]:
    """Every form in which ``value`` can leak (:func:`text_forms`, then :func:`binary_forms`).

    Shared by the Redactor, the cassette scanner's known values, the simulator's credential
    exposure check and PII-03, so a new encoding counts everywhere at once."""
    return tuple(dict.fromkeys((*text_forms(value), *binary_forms(value))))


class LiteralMatcher:
    """All occurrences of any of many literal strings in one linear pass (leftmost-longest).

    Python's ``re`` tries each alternative at each position: with a few hundred forms a 5 MB
    line took over a second (measured in benchmarks/scan_speed.py); Aho-Corasick does not
    depend on the number of forms.
    """

    def __init__(self, literals: Iterable[str], *, overlapping: bool = False) -> None:
        """``overlapping``: report every occurrence, also inside a longer one (to ask which
        literals occur at all, not to replace them)."""
        self.literals = sorted({s for s in literals if s}, key=len, reverse=True)
        self._overlapping = overlapping
        kind = ahocorasick_rs.MatchKind
        self._automaton = (
            ahocorasick_rs.AhoCorasick(
                self.literals, matchkind=kind.Standard if overlapping else kind.LeftmostLongest
            )
            if self.literals
            else None
        )

    def find(self, text: str) -> list[tuple[str, int, int]]:
        """(literal, start, end) for each occurrence (non-overlapping unless asked), in order."""
        if self._automaton is None or not text:
            return []
        try:
            found = self._automaton.find_matches_as_indexes(text, self._overlapping)
        except (UnicodeError, ValueError):  # a lone surrogate: not encodable, not a value
            text = _without_surrogates(text)
            found = self._automaton.find_matches_as_indexes(text, self._overlapping)
        return [(self.literals[index], start, end) for index, start, end in found]

    def __bool__(self) -> bool:
        return self._automaton is not None


def _without_surrogates(text: str) -> str:
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def mask_token(token: str) -> str:
    """``Atza|***ab12cd34``: the prefix says what it was, the hash which one, nothing more."""
    prefix = re.split(TOKEN_SEPARATOR, token, maxsplit=1)[0]
    return f"{prefix}|***{hashlib.sha256(token.encode()).hexdigest()[:8]}"


def _mask_token(match: re.Match[str]) -> str:
    return mask_token(match.group(0))


class Redactor:
    """Masks tokens by pattern, then every encoded form of the known secrets (``***``) and
    buyer PII (``[PII]``), longest first so a value containing another is masked whole."""

    def __init__(self, secrets: Iterable[str] = (), pii: Iterable[str] = ()) -> None:
        self._kinds: dict[str, str] = {}
        self._matcher: LiteralMatcher | None = None
        self.add(secrets=secrets, pii=pii)

    def add(self, *, secrets: Iterable[str] = (), pii: Iterable[str] = ()) -> None:
        for value in (p for p in pii if p and len(p) >= 4):
            for form in encoded_forms(value):
                self._kinds.setdefault(form, "pii")
        for value in (s for s in secrets if s):
            for form in encoded_forms(value):
                self._kinds[form] = "secret"  # a secret's mask wins over PII's
        self._matcher = None

    def _find(self, value: str) -> list[tuple[str, int, int]]:
        if self._matcher is None:
            self._matcher = LiteralMatcher(self._kinds)
        return self._matcher.find(value)

    def text(self, value: str) -> str:
        value = TOKEN_PATTERN.sub(_mask_token, value)
        found = self._find(value)
        if not found:
            return value
        out, last = [], 0
        for form, start, end in found:
            out += [value[last:start], "***" if self._kinds[form] == "secret" else "[PII]"]
            last = end
        out.append(value[last:])
        return "".join(out)

    def unchanged(self, texts: Iterable[str]) -> bool:
        """Whether :meth:`text` would return every one of ``texts`` as it is: one search of
        them joined (a token or known form inside one of them is inside the whole), so the
        journal's headers and query, almost always clean, cost one pass, not one per value."""
        joined = "\n".join(texts)
        return not TOKEN_PATTERN.search(joined) and not self._find(joined)

    def headers(self, headers: dict[str, str]) -> dict[str, str]:
        """``value(headers)`` for a flat mapping of strings (HTTP headers), in one pass when
        nothing but the values under secret-bearing names needs masking."""
        secret = {k for k in headers if k.lower() in _SECRET_KEYS_LOWER}
        if not self.unchanged(v for k, v in headers.items() if k not in secret):
            return {k: self.value(v, k) for k, v in headers.items()}
        return {k: self.value(v, k) if k in secret else v for k, v in headers.items()}

    def query(self, query: dict[str, list[str]]) -> dict[str, list[str]]:
        """A query string's values masked as :meth:`text` masks them (names are not masked)."""
        if self.unchanged(v for values in query.values() for v in values):
            return {k: list(values) for k, values in query.items()}
        return {k: [self.text(v) for v in values] for k, values in query.items()}

    def value(self, data: Any, key: str | None = None) -> Any:
        """Mask a JSON-like structure; values under secret-bearing keys are masked whole."""
        if isinstance(data, dict):
            return {k: self.value(v, k) for k, v in data.items()}
        if isinstance(data, list):
            return [self.value(v, key) for v in data]
        if isinstance(data, str):
            if key is not None and key.lower() in _SECRET_KEYS_LOWER:
                return (
                    TOKEN_PATTERN.sub(_mask_token, data) if TOKEN_PATTERN.fullmatch(data) else "***"
                )
            return self.text(data)
        return data

    def copy(self, data: Any) -> Any:
        """``value(data)``, faster for the common case of a large JSON body with nothing to mask.

        The structure is serialised once (orjson); when the text has no escape at all, every
        string appears in it verbatim, so finding no token, no known value and no secret key in
        it proves that :meth:`value` would change nothing, and the parsed text is the deep
        copy :meth:`value` would build. Anything else (an escape, a hit, a tuple, NaN, a type
        JSON lacks) takes :meth:`value` itself. tests/unit/test_perf_redact.py proves both
        agree on generated data.
        """
        try:
            text = orjson.dumps(data)
        except TypeError:
            return self.value(data)
        if b"\\" in text:
            return self.value(data)
        decoded = text.decode("utf-8")
        if TOKEN_PATTERN.search(decoded) or self._find(decoded):
            return self.value(data)
        lowered = decoded.lower()
        if any(f'"{k}"' in lowered for k in _SECRET_KEYS_LOWER):
            return self.value(data)
        copied = orjson.loads(text)
        return copied if copied == data else self.value(data)

    def leaks(self, text: str) -> list[str]:
        """Which kinds of secret or PII appear in ``text`` (never the values themselves)."""
        found = []
        if TOKEN_PATTERN.search(text):
            found.append("LWA/RDT token")
        kinds = {self._kinds[form] for form, _, _ in self._find(text)}
        if "secret" in kinds:
            found.append("credential")
        if "pii" in kinds:
            found.append("buyer PII")
        return found
