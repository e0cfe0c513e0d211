"""Masking of secrets and buyer PII before anything is kept or written.

Everything the harness stores (journal, evidence, reports) passes through a :class:`Redactor`.
It masks by pattern (LWA tokens, RDTs, secret-bearing keys) and by value (the canary secrets
and PII the simulator seeded), so a value the patterns miss is still caught.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = ["SECRET_KEYS", "TOKEN_PATTERN", "Redactor", "encoded_forms", "mask_token"]

# Access tokens (Atza|), refresh tokens (Atzr|) and Restricted Data Tokens (Atz.sprdt|).
# Also matched when form- or URL-encoded (the "|" as %7C), as a logged LWA request body is.
TOKEN_PATTERN = re.compile(r"Atz(?:a|r|\.sprdt)(?:\||%7[Cc])[A-Za-z0-9_\-+/=.%|]{8,}")
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


def encoded_forms(value: str) -> tuple[str, str, str]:
    """``value`` as sent and URL-encoded both ways (``%20`` and ``+``): how a secret or PII value
    appears in a path, a query string or a form body."""
    return (value, quote(value, safe=""), quote_plus(value))


def mask_token(token: str) -> str:
    """``Atza|***ab12cd34``: the prefix says what it was, the hash which one, nothing more."""
    prefix = re.split(r"\||%7[Cc]", token, maxsplit=1)[0]
    return f"{prefix}|***{hashlib.sha256(token.encode()).hexdigest()[:8]}"


def _mask_token(match: re.Match[str]) -> str:
    return mask_token(match.group(0))


class Redactor:
    def __init__(self, secrets: Iterable[str] = (), pii: Iterable[str] = ()) -> None:
        self._secrets: list[str] = []
        self._pii: list[str] = []
        self.add(secrets=secrets, pii=pii)

    def add(self, *, secrets: Iterable[str] = (), pii: Iterable[str] = ()) -> None:
        # Longest first, so a value containing another is masked whole.
        encoded = [form for s in secrets if s for form in encoded_forms(s)]
        self._secrets = sorted({*self._secrets, *encoded}, key=len, reverse=True)
        self._pii = sorted(
            {*self._pii, *(p for p in pii if p and len(p) >= 4)}, key=len, reverse=True
        )

    def text(self, value: str) -> str:
        value = TOKEN_PATTERN.sub(_mask_token, value)
        for secret in self._secrets:
            if secret in value:
                value = value.replace(secret, "***")
        for pii in self._pii:
            if pii in value:
                value = value.replace(pii, "[PII]")
        return value

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

    def leaks(self, text: str) -> list[str]:
        """Which kinds of secret or PII appear in ``text`` (never the values themselves)."""
        found = []
        if TOKEN_PATTERN.search(text):
            found.append("LWA/RDT token")
        if any(s in text for s in self._secrets):
            found.append("credential")
        if any(p in text for p in self._pii):
            found.append("buyer PII")
        return found
