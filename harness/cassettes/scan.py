"""Find secrets and buyer PII left in text or files, without ever repeating them.

Used three ways: on a cassette's text before it is written (fail-closed), by ``acorn scan``
(pre-commit hook, CI), and by ``acorn run`` on its own report. A finding names the file and
line (or the cassette entry and field) and the kind of leak; the value itself never appears.

Patterns catch what has a shape (LWA tokens, client secrets, presigned-URL credentials,
credential headers, e-mail addresses, PII-bearing JSON fields); ``known`` values catch the
rest (the simulator's canaries, the credentials in the recording environment) in every
encoding. Whatever hides a value (%-encoding, escapes, base64, hex, gzip/zip/bz2, UTF-16) is
undone (:mod:`harness.cassettes.decode`) and the result scanned again, a few levels deep.

Linear time throughout: each pattern is tried once per position and only on text that holds
its literal cue, known values are found in one Aho-Corasick pass, and each text is scanned
whole (line numbers come from offsets), never line by line.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from harness.cassettes.decode import (
    PNG_SIGNATURE,
    Budget,
    Unscannable,
    blobs,
    bytes_text,
    expand,
    percent_decoded,
    png_text,
    unescaped,
)
from harness.cassettes.known import KnownValues
from harness.cassettes.shapes import (
    CLIENT_SECRET_RE,
    EMAIL_RE,
    PERSON_KEYS,
    PLACEHOLDER_PII,
    holds_person,
    pii_key,
)
from harness.redact import TOKEN_SEPARATOR

__all__ = [
    "CLIENT_SECRET_RE",
    "EMAIL_RE",
    "PLACEHOLDER_PII",
    "Finding",
    "KnownValues",
    "Scanner",
    "scan_paths",
]

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
# Objects whose plain "name" is a person's (ACORN's own ``ship_to`` among them).
_PERSON = (
    r"(?i:ship_?to|bill_?to|(?:shipping|billing|delivery)_?address|address|"
    r"buyer(?:_?info)?|recipient)"
)

# (kind, pattern, cues, bounded): a pattern runs only on text holding one of its cues
# (lowercased), so a 5 MB body without "atz" costs the token patterns one substring search.
# A pattern starts with its key's first letters, never with an optional quote or a "\b"
# (those make every position a candidate); ``bounded``: the match must not follow a word
# character (checked on the few matches instead of at every position).
_RULES: tuple[tuple[str, re.Pattern[str], tuple[str, ...], bool], ...] = (
    (
        "LWA refresh token (Atzr|)",
        re.compile(r"Atzr" + TOKEN_SEPARATOR + _TOKEN_TAIL),
        ("atzr",),
        False,
    ),
    (
        "LWA access token (Atza|)",
        re.compile(r"Atza" + TOKEN_SEPARATOR + _TOKEN_TAIL),
        ("atza",),
        False,
    ),
    (
        "restricted data token (Atz.sprdt|)",
        re.compile(r"Atz\.sprdt" + TOKEN_SEPARATOR + _TOKEN_TAIL),
        ("atz.sprdt",),
        False,
    ),
    ("LWA client secret", CLIENT_SECRET_RE, ("amzn1.oa2-cs.v1.",), False),
    # A value next to a secret-bearing key: quoted key and quoted value (JSON), or a bare
    # key right before "=" or ": " (form, header dump, YAML). Code scans clean: a quoted key
    # before an expression (``"client_secret": env[...]``), ``client_secret = x`` (spaces),
    # attribute access (``client_secret=self.secret``), a type (``client_secret: str``).
    (
        "LWA client secret",
        re.compile(
            rf"(?i:client_secret)(?:\\?\"\s*:\s*\\?\"|(?:=|:[ \t]*)[\"']?)"
            rf"{_MASKED}{_NOT_CODE}[^\s\"'&\\,}}\]]{{6,}}{_END}"
        ),
        ("client_secret",),
        True,
    ),
    (
        "credential header (Authorization / x-amz-access-token)",
        re.compile(
            rf"(?i:{_CRED_HEADERS})(?:\\?\"\s*:\s*\[?\s*\\?\"|(?:=|:[ \t]*)\[?\s*[\"']?)"
            rf"(?:Bearer\s+|Basic\s+|AWS4-HMAC-SHA256\s+)?"
            rf"{_MASKED}{_NOT_CODE}[A-Za-z0-9][^\s\"'\]\\,}}]{{7,}}{_END}"
        ),
        ("authorization", "x-amz-access-token", "x-amz-security-token"),
        True,
    ),
    (
        "presigned URL credential (X-Amz-Credential/Signature/Security-Token)",
        re.compile(
            rf"X-(?i:Amz-(?:Credential|Signature|Security-Token))(?:=|%3D){_MASKED}[^&\s\"'\\]+"
        ),
        ("x-amz-",),
        False,
    ),
    ("e-mail address (buyer PII)", EMAIL_RE, ("@", "%40", "\\u0040"), False),
    (
        "buyer PII field (name, phone, address line, e-mail)",
        re.compile(
            r"(?:BuyerName|BuyerEmail|buyerName|buyerEmail|buyer_name|buyer_email|Name|"
            r"AddressLine[123]|addressLine[123]|address_line_?[123]|Phone|phone|phoneNumber|"
            rf"PhoneNumber|phone_number){_Q}\s*:\s*{_VALUE}"
        ),
        ("name", "addressline", "address_line", "phone"),
        True,
    ),
    (
        # ``"ship_to": {"name": "..."}``: a plain "name" in a person's object, on one line
        # (a whole JSON document is walked instead, see _people). Found from the "{", the
        # key before it is checked after (_PERSON_BEFORE).
        "buyer PII field (name, phone, address line, e-mail)",
        re.compile(rf"\{{[^{{}}]{{0,400}}?{_Q}\bname{_Q}\s*:\s*{_VALUE}"),
        ("name",),
        False,
    ),
)
_PERSON_BEFORE = re.compile(rf"\b{_PERSON}{_Q}\s*[:=]\s*\Z")
_WORD_BEFORE = re.compile(r"[A-Za-z0-9_]")
_PII_KIND = _RULES[-1][0]
_KNOWN_RANK = len(_RULES)
_LAST_RANK = _KNOWN_RANK + 2
_ESCAPED = re.compile(r"%[0-9A-Fa-f]{2}|\\(?:u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2})")
_MAX_DEPTH = 4  # decoding levels: base64 > gzip > text > %-encoded, and no further

# A hit: (offset in the text scanned, rank for ordering, kind, the decodings it was under).
_Hit = tuple[int, int, str, tuple[str, ...]]


@dataclass(frozen=True)
class Finding:
    """One leak: where and what kind. Deliberately holds no part of the value."""

    where: str
    kind: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind}"


def _label(hit: _Hit) -> str:
    _, _, kind, via = hit
    return f"{kind} [{' > '.join(via)}]" if via else kind


def _unique(hits: Iterable[_Hit]) -> list[str]:
    """Labels, one per kind (the plainest finding of a kind wins), by rank."""
    seen: dict[str, str] = {}
    for hit in sorted(hits, key=lambda h: (h[1], len(h[3]), h[0])):
        seen.setdefault(hit[2], _label(hit))
    return list(seen.values())


def _under(label: str, hits: list[_Hit], offset: int) -> list[_Hit]:
    return [(offset, rank, kind, (label, *via)) for _, rank, kind, via in hits]


class Scanner:
    def __init__(self, known: KnownValues | None = None) -> None:
        self.known = known or KnownValues()

    def kinds(self, text: str) -> list[str]:
        """The kinds of leak in ``text`` (one per kind, in rule order)."""
        return _unique(self._scan(text, 0, Budget()))

    def text(self, text: str, where: str) -> list[Finding]:
        """Findings per line: ``where:LINE: kind``."""
        hits = self._scan(text, 0, Budget())
        if not hits:
            return []
        starts = [0] + [m.end() for m in re.finditer("\n", text)]
        by_line: dict[int, list[_Hit]] = {}
        for hit in hits:
            by_line.setdefault(bisect.bisect_right(starts, hit[0]), []).append(hit)
        return [
            Finding(f"{where}:{line}", label)
            for line in sorted(by_line)
            for label in _unique(by_line[line])
        ]

    def file(self, path: Path) -> list[Finding]:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            return [Finding(str(path), f"unreadable ({exc.strerror})")]
        if b"\0" in raw[:4096] or raw[:2] in (b"\xff\xfe", b"\xfe\xff") or _packed(raw):
            return [Finding(str(path), kind) for kind in _unique(self._bytes(raw, 0, Budget()))]
        text = raw.decode("utf-8", errors="replace")
        if path.suffix in (".yaml", ".yml"):
            return self.cassette_text(text, str(path))
        return self.text(text, str(path))

    def cassette_text(self, text: str, where: str) -> list[Finding]:
        """Lines, then each entry's decoded fields (a YAML writer may fold or escape values)."""
        findings = self.text(text, where)
        return findings + self._cassette_fields(text, where, {f.kind for f in findings})

    # -- the scan ------------------------------------------------------------------------

    def _scan(self, text: str, depth: int, budget: Budget, views: bool = True) -> list[_Hit]:
        hits: list[_Hit] = []
        lowered = text.lower()
        for rank, (kind, rule, cues, bounded) in enumerate(_RULES):
            if any(cue in lowered for cue in cues):
                hits += [
                    (m.start(), rank, kind, ())
                    for m in rule.finditer(text)
                    if _stands(text, m.start(), bounded, rank)
                ]
        hits += [(start, _KNOWN_RANK, kind, ()) for start, _, kind in self.known.spans(text)]
        if '"name"' in lowered:
            hits += [(at, _KNOWN_RANK + 1, _PII_KIND, ()) for at in _people(text)]
        if depth < _MAX_DEPTH:
            hits += self._decoded(text, depth, budget, views)
        return hits

    def _decoded(self, text: str, depth: int, budget: Budget, views: bool) -> list[_Hit]:
        """What unescaping, %-decoding and blob decoding reveal, at the offset it came from.

        A line with escapes is decoded every way at once (JSON escapes, then %-decoding, up to
        3 rounds each), and that view is not decoded again that way: so each level costs one
        more pass, not one per decoder."""
        hits: list[_Hit] = []
        for start, line in _lines_with(text, _ESCAPED) if views else ():
            view = line
            for _ in range(3):  # JSON in YAML in JSON: escapes of escapes
                step = unescaped(view) or view
                decoded = percent_decoded(step) or step
                if decoded == view:
                    break
                view = decoded
            if view != line:
                hits += _under("decoded", self._scan(view, depth + 1, budget, views=False), start)
        for start, label, data in blobs(text):
            hits += _under(label, self._bytes(data, depth + 1, budget, runs=False), start)
        return hits

    def _bytes(self, data: bytes, depth: int, budget: Budget, runs: bool = True) -> list[_Hit]:
        """Bytes: a container is opened, text decoded and scanned; other bytes are searched
        for known values (read 1:1 as Latin-1) and, for a binary file, its printable runs
        for patterns (not for a decoded blob: random bytes read as text look like leaks)."""
        try:
            members = expand(data, budget)
        except Unscannable as exc:
            return [(0, _LAST_RANK, str(exc), ())]
        if members is not None:
            if depth >= _MAX_DEPTH:
                return [(0, _LAST_RANK, "archive nested too deep: not scanned", ())]
            hits = []
            for label, content in members:
                hits += _under(label, self._bytes(content, depth + 1, budget), 0)
            return hits
        if data.startswith(PNG_SIGNATURE):
            # A PNG's pixels are deflate-compressed: printable runs in them are noise that
            # now and then looks like an e-mail address. Text lives in its text chunks.
            return self._scan(png_text(data), depth, budget)
        decoded = bytes_text(data)
        if decoded is not None:
            label, text = decoded
            found = self._scan(text, depth, budget)
            return found if label == "text" else _under(label, found, 0)
        hits = [(0, _KNOWN_RANK, k, ()) for _, _, k in self.known.spans(data.decode("latin-1"))]
        if runs:  # archives, other images: look at the printable runs only
            printable = "\n".join(s.decode("ascii") for s in re.findall(rb"[\x20-\x7e]{6,}", data))
            hits += self._scan(printable, _MAX_DEPTH, budget)
        return hits

    def _cassette_fields(self, text: str, path: str, seen: set[str]) -> list[Finding]:
        """Values a YAML writer folded over lines or escaped are scanned once decoded."""
        import yaml

        try:
            from harness.cassettes.format import SAFE_LOADER

            data = yaml.load(text, Loader=SAFE_LOADER)
        except (yaml.YAMLError, RecursionError):
            return []
        if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
            return []
        out = []
        for index, entry in enumerate(data["interactions"]):
            for field, value in _leaves(entry, ""):
                budget = Budget()
                hits = (
                    self._bytes(value, 0, budget)
                    if isinstance(value, bytes)
                    else self._scan(value, 0, budget)
                )
                for kind in _unique(hits):
                    if kind not in seen:
                        out.append(Finding(f"{path}: entry {index} {field}", kind))
        return out


def _stands(text: str, start: int, bounded: bool, rank: int) -> bool:
    """The checks a pattern leaves to its (few) matches: a word boundary before it, or for a
    person's "name" the container key before the "{"."""
    if bounded and start > 0 and _WORD_BEFORE.match(text, start - 1):
        return False
    if rank == len(_RULES) - 1:
        return bool(_PERSON_BEFORE.search(text, max(0, start - 48), start))
    return True


def _packed(raw: bytes) -> bool:
    """Starts like a compressed container (gzip, zip, xz, bz2)."""
    return (
        raw[:2] == b"\x1f\x8b"
        or raw[:4] == b"PK\x03\x04"
        or raw[:6] == b"\xfd7zXZ\x00"
        or (raw[:3] == b"BZh" and raw[4:10] == b"1AY&SY")
    )


def _lines_with(text: str, cue: re.Pattern[str]) -> Iterator[tuple[int, str]]:
    """(start, line) of each line holding ``cue``; each line once, whatever its length."""
    match = cue.search(text)
    while match is not None:
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        end = len(text) if end < 0 else end
        yield start, text[start:end]
        match = cue.search(text, end)


def _masked(value: str) -> bool:
    return value.startswith(("***", PLACEHOLDER_PII)) or bool(
        re.match(r"Atz(?:a|r|\.sprdt)\|\*\*\*", value)
    )


def _people(text: str) -> list[int]:
    """Offsets of a person's "name" in JSON: the text as one document, else each line holding
    one (a log line, ``string: {...}`` in a cassette). A "name" is a person's inside
    ``ship_to``, an address or a buyer object, or beside an address line, phone or buyer
    e-mail (a product's or a marketplace's "name" is not)."""
    names = _json_names(text) if text.lstrip()[:1] in ("{", "[") else None
    if names is not None:
        return [max(0, text.find(json.dumps(n)[1:-1])) for n in names]
    out = []
    for start, line in _lines_with(text, _NAME_KEY):
        for name in _json_names(line) or []:
            out.append(start + max(0, line.find(json.dumps(name)[1:-1])))
    return out


_NAME_KEY = re.compile('"name"')
_JSON = json.JSONDecoder()


def _json_names(text: str) -> list[str] | None:
    """The person names in the JSON document that starts at ``text``'s first "{" or "["
    (None if there is none); iterative, so nesting depth costs no recursion."""
    starts = [i for i in (text.find("{"), text.find("[")) if i >= 0]
    if not starts:
        return None
    try:
        data, _ = _JSON.raw_decode(text, min(starts))
    except (ValueError, RecursionError):
        return None
    names: list[str] = []
    stack: list[tuple[object, bool]] = [(data, False)]
    while stack:
        node, person = stack.pop()
        if isinstance(node, list):
            stack += [(item, person) for item in node]
        elif isinstance(node, dict):
            here = person or any(pii_key(str(k)) in PERSON_KEYS for k in node)
            for key, value in node.items():
                if isinstance(value, str):
                    if here and key == "name" and value and not _masked(value):
                        names.append(value)
                else:
                    stack.append((value, holds_person(str(key))))
    return names


def _leaves(node: object, prefix: str) -> Iterator[tuple[str, str | bytes]]:
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
        yield prefix, node


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
