"""Exact values that must never appear, in every form they can take (:func:`encoded_forms`).

ACORN knows its own canaries (the simulator's credentials, the tokens it issued, its buyers'
PII) and the recording environment's secrets, so it need not guess their shape: it looks for
the values themselves, raw, %-encoded (once or twice), JSON-escaped, base64 at any offset,
hex and UTF-16, all at once in one linear pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from harness.redact import LiteralMatcher, binary_forms, text_forms

__all__ = ["KnownValues"]

# A JSON or YAML key: the value is followed by an (escaped) quote and a colon.
_KEY_AFTER = re.compile(r"\\?[\"']?[ \t]*:")


def _word(char: str) -> bool:
    return char.isascii() and char.isalnum()


class KnownValues:
    """Known secrets and PII by kind ("known secret", "known buyer PII").

    A form that reads as text (the value, %-encoded, JSON-escaped) counts only as a whole word
    (not ``name`` inside ``username``) and never as a JSON or YAML key: Amazon's sandbox
    answers put the word ``name`` in a name field (and ``string`` in many), and the key
    ``"name"`` beside it, or a cassette's ``string:``, is no leak. A form derived from bytes
    (base64, hex, UTF-16) sits inside a longer run by nature and counts anywhere.
    """

    def __init__(self, secrets: Iterable[str] = (), pii: Iterable[str] = ()) -> None:
        self._values: dict[str, str] = {}
        self._embedded: set[str] = set()
        self._matcher: LiteralMatcher | None = None
        self.add(secrets=secrets, pii=pii)

    def add(self, *, secrets: Iterable[str] = (), pii: Iterable[str] = ()) -> None:
        for kind, values, minimum in (("known secret", secrets, 8), ("known buyer PII", pii, 4)):
            for value in values:
                if not value or len(value) < minimum:
                    continue
                for form in text_forms(value):
                    if form not in self._values:
                        self._values[form] = kind
                        self._matcher = None
                for form in binary_forms(value):
                    if form not in self._values:
                        self._values[form] = kind
                        self._embedded.add(form)
                        self._matcher = None

    def values(self) -> list[tuple[str, str]]:
        """(form, kind), longest first."""
        return sorted(self._values.items(), key=lambda kv: len(kv[0]), reverse=True)

    def kind(self, value: str) -> str:
        return self._values[value]

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, kind) of each occurrence of a known value in any of its forms."""
        if not self._values:
            return []
        if self._matcher is None:
            self._matcher = LiteralMatcher(self._values)
        out = []
        for form, start, end in self._matcher.find(text):
            if form not in self._embedded and (
                (start > 0 and _word(text[start - 1]))
                or (end < len(text) and _word(text[end]))
                or _KEY_AFTER.match(text, end)
            ):
                continue
            out.append((start, end, self._values[form]))
        return out

    def found(self, text: str) -> list[str]:
        return list(dict.fromkeys(kind for _, _, kind in self.spans(text)))

    def replace(self, text: str, secret: str, pii: str) -> str:
        spans = self.spans(text)
        if not spans:
            return text
        out, last = [], 0
        for start, end, kind in spans:
            out += [text[last:start], secret if kind == "known secret" else pii]
            last = end
        out.append(text[last:])
        return "".join(out)

    def __bool__(self) -> bool:
        return bool(self._values)
