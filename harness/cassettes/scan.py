"""Find secrets and buyer PII left in text or files, without ever repeating them.

Used three ways: on a cassette's text before it is written (fail-closed), by ``acorn scan``
(pre-commit hook, CI), and by ``acorn run`` on its own report. A finding names the file and
line (or the cassette entry and field) and the kind of leak; the value itself never appears.

Patterns catch what has a shape (LWA tokens, client secrets, presigned-URL credentials,
credential headers, e-mail addresses, PII-bearing JSON fields); ``known`` values catch the
rest (the simulator's canaries, the credentials in the recording environment).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from harness.redact import encoded_forms

__all__ = [
    "CLIENT_SECRET_RE",
    "EMAIL_RE",
    "PLACEHOLDER_PII",
    "Finding",
    "KnownValues",
    "Scanner",
    "scan_paths",
]

PLACEHOLDER_PII = "[PII]"
# Shapes the scanner finds and the scrubber (harness.cassettes.rules) masks.
CLIENT_SECRET_RE = re.compile(r"amzn1\.oa2-cs\.v1\.[0-9A-Fa-f]{8,}")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

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

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("LWA refresh token (Atzr|)", re.compile(r"Atzr(?:\||%7[Cc])" + _TOKEN_TAIL)),
    ("LWA access token (Atza|)", re.compile(r"Atza(?:\||%7[Cc])" + _TOKEN_TAIL)),
    ("restricted data token (Atz.sprdt|)", re.compile(r"Atz\.sprdt(?:\||%7[Cc])" + _TOKEN_TAIL)),
    ("LWA client secret", CLIENT_SECRET_RE),
    # A value next to a secret-bearing key: quoted key and quoted value (JSON), or a bare
    # key right before "=" or ": " (form, header dump, YAML). Code scans clean: a quoted key
    # before an expression (``"client_secret": env[...]``), ``client_secret = x`` (spaces),
    # attribute access (``client_secret=self.secret``), a type (``client_secret: str``).
    (
        "LWA client secret",
        re.compile(
            rf"(?i)(?:\\?\"client_secret\\?\"\s*:\s*\\?\"|\bclient_secret(?:=|:[ \t]*)[\"']?)"
            rf"{_MASKED}{_NOT_CODE}[^\s\"'&\\,}}\]]{{6,}}{_END}"
        ),
    ),
    (
        "credential header (Authorization / x-amz-access-token)",
        re.compile(
            rf"(?i)(?:\\?\"{_CRED_HEADERS}\\?\"\s*:\s*\[?\s*\\?\"|\b{_CRED_HEADERS}(?:=|:[ \t]*)"
            rf"\[?\s*[\"']?)(?:Bearer\s+|Basic\s+|AWS4-HMAC-SHA256\s+)?"
            rf"{_MASKED}{_NOT_CODE}[A-Za-z0-9][^\s\"'\]\\,}}]{{7,}}{_END}"
        ),
    ),
    (
        "presigned URL credential (X-Amz-Credential/Signature/Security-Token)",
        re.compile(
            rf"(?i)X-Amz-(?:Credential|Signature|Security-Token)(?:=|%3D){_MASKED}[^&\s\"'\\]+"
        ),
    ),
    ("e-mail address (buyer PII)", EMAIL_RE),
    (
        "buyer PII field (name, phone, address line, e-mail)",
        re.compile(
            rf"{_Q}\b(?:BuyerName|BuyerEmail|buyerName|buyerEmail|Name|AddressLine[123]|"
            rf"addressLine[123]|Phone|phone|phoneNumber|PhoneNumber){_Q}\s*:\s*\\?[\"']"
            rf"{_MASKED}(?=[^\s\"'\\,}}\]])"
        ),
    ),
)


@dataclass(frozen=True)
class Finding:
    """One leak: where and what kind. Deliberately holds no part of the value."""

    where: str
    kind: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind}"


class KnownValues:
    """Exact values that must never appear (also URL-encoded), by kind; no shape needed.

    A value counts only as a whole word (not ``name`` inside ``username``) and never as a JSON
    or YAML key: Amazon's sandbox answers put the word ``name`` in a name field (and
    ``string`` in many), and the key ``"name"`` beside it, or a cassette's ``string:``, is
    no leak.
    """

    def __init__(self, secrets: Iterable[str] = (), pii: Iterable[str] = ()) -> None:
        self._values: dict[str, str] = {}
        self._pattern: re.Pattern[str] | None = None
        self.add(secrets=secrets, pii=pii)

    def add(self, *, secrets: Iterable[str] = (), pii: Iterable[str] = ()) -> None:
        for kind, values, minimum in (("known secret", secrets, 8), ("known buyer PII", pii, 4)):
            for value in values:
                if not value or len(value) < minimum:
                    continue
                for form in encoded_forms(value):
                    if form not in self._values:
                        self._values[form] = kind
                        self._pattern = None

    def values(self) -> list[tuple[str, str]]:
        """(value, kind), longest first so a value containing another is replaced whole."""
        return sorted(self._values.items(), key=lambda kv: len(kv[0]), reverse=True)

    def pattern(self) -> re.Pattern[str] | None:
        """One regex for every value, longest first, whole words only, JSON keys excluded."""
        if self._pattern is None and self._values:
            alternatives = "|".join(re.escape(value) for value, _ in self.values())
            self._pattern = re.compile(
                rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])(?!\\?[\"']?[ \t]*:)"
            )
        return self._pattern

    def kind(self, value: str) -> str:
        return self._values[value]

    def found(self, text: str) -> list[str]:
        pattern = self.pattern()
        if pattern is None:
            return []
        return list(dict.fromkeys(self._values[m.group(0)] for m in pattern.finditer(text)))

    def replace(self, text: str, secret: str, pii: str) -> str:
        pattern = self.pattern()
        if pattern is None:
            return text
        return pattern.sub(
            lambda m: secret if self._values[m.group(0)] == "known secret" else pii, text
        )

    def __bool__(self) -> bool:
        return bool(self._values)


class Scanner:
    def __init__(self, known: KnownValues | None = None) -> None:
        self.known = known or KnownValues()

    def kinds(self, text: str) -> list[str]:
        """The kinds of leak in ``text`` (deduplicated, in rule order)."""
        found = [kind for kind, rule in _RULES if rule.search(text)]
        found += self.known.found(text)
        return list(dict.fromkeys(found))

    def text(self, text: str, where: str) -> list[Finding]:
        """Findings per line: ``where:LINE: kind``."""
        out: list[Finding] = []
        for number, line in enumerate(text.splitlines(), start=1):
            out += [Finding(f"{where}:{number}", kind) for kind in self.kinds(line)]
        return out

    def file(self, path: Path) -> list[Finding]:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            return [Finding(str(path), f"unreadable ({exc.strerror})")]
        if b"\0" in raw[:4096]:
            return self._binary(raw, path)
        text = raw.decode("utf-8", errors="replace")
        if path.suffix in (".yaml", ".yml"):
            return self.cassette_text(text, str(path))
        return self.text(text, str(path))

    def cassette_text(self, text: str, where: str) -> list[Finding]:
        """Lines, then each entry's decoded fields (a YAML writer may fold or escape values)."""
        findings = self.text(text, where)
        return findings + self._cassette_fields(text, where, {f.kind for f in findings})

    def _binary(self, raw: bytes, path: Path) -> list[Finding]:
        if raw.startswith(_PNG_SIGNATURE):
            # A PNG's pixels are deflate-compressed: printable runs in them are noise that
            # now and then looks like an e-mail address. Text lives in its text chunks.
            text = _png_text(raw)
        else:  # archives, other images: look at the printable runs only
            text = "\n".join(s.decode("ascii") for s in re.findall(rb"[\x20-\x7e]{6,}", raw))
        return [Finding(str(path), kind) for kind in self.kinds(text)]

    def _cassette_fields(self, text: str, path: str, seen: set[str]) -> list[Finding]:
        """Values a YAML writer folded over lines or escaped are scanned once decoded."""
        import yaml

        try:
            from harness.cassettes.format import SAFE_LOADER

            data = yaml.load(text, Loader=SAFE_LOADER)
        except yaml.YAMLError:
            return []
        if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
            return []
        out = []
        for index, entry in enumerate(data["interactions"]):
            for field, value in _leaves(entry, ""):
                for kind in self.kinds(value):
                    if kind not in seen:
                        out.append(Finding(f"{path}: entry {index} {field}", kind))
        return out


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_text(raw: bytes) -> str:
    """The text a PNG carries (tEXt, zTXt, iTXt chunks), decompressed where needed."""
    import zlib

    texts: list[str] = []
    offset = len(_PNG_SIGNATURE)
    while offset + 8 <= len(raw):
        length = int.from_bytes(raw[offset : offset + 4], "big")
        kind = raw[offset + 4 : offset + 8]
        data = raw[offset + 8 : offset + 8 + length]
        offset += 12 + length
        if kind == b"tEXt":
            texts.append(data.decode("latin-1"))
        elif kind == b"zTXt":
            keyword, _, rest = data.partition(b"\0")
            try:
                texts.append(
                    keyword.decode("latin-1") + " " + zlib.decompress(rest[1:]).decode("latin-1")
                )
            except zlib.error:
                texts.append(data.decode("latin-1", errors="replace"))
        elif kind == b"iTXt":
            keyword, _, rest = data.partition(b"\0")
            compressed, body = rest[:1] == b"\1", rest[2:]
            body = body.split(b"\0", 2)[-1]  # after language tag and translated keyword
            with contextlib.suppress(zlib.error):
                body = zlib.decompress(body) if compressed else body
            texts.append(keyword.decode("latin-1") + " " + body.decode("utf-8", errors="replace"))
        elif kind == b"IEND":
            break
    return "\n".join(texts)


def _leaves(node: object, prefix: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, str):
                # A header's name matters to the credential-header rule.
                yield name, f"{key}: {value}"
            else:
                yield from _leaves(value, name)
    elif isinstance(node, list):
        for value in node:
            if isinstance(value, str):
                yield prefix, f"{prefix.rsplit('.', 1)[-1]}: {value}"
            else:
                yield from _leaves(value, prefix)
    elif isinstance(node, bytes):
        yield prefix, node.decode("utf-8", errors="replace")


_SKIP_DIRS = frozenset({".git", ".venv", "node_modules", "__pycache__", ".mypy_cache"})


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not _SKIP_DIRS.intersection(child.parts):
                    yield child
        elif path.is_file():
            yield path


def scan_paths(
    paths: Iterable[Path], known: KnownValues | None = None
) -> tuple[int, list[Finding]]:
    """(files scanned, findings) over files and folders (recursively)."""
    scanner = Scanner(known)
    count, findings = 0, []
    for file in iter_files(paths):
        count += 1
        findings += scanner.file(file)
    return count, findings
