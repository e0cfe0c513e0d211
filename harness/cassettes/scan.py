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
    PII_FIELD_KIND,
    PLACEHOLDER_PII,
    RULES,
    holds_person,
    pii_key,
    rule_hits,
)

__all__ = [
    "CLIENT_SECRET_RE",
    "EMAIL_RE",
    "PLACEHOLDER_PII",
    "Finding",
    "KnownValues",
    "Scanner",
    "scan_paths",
]

_PII_KIND = PII_FIELD_KIND
_KNOWN_RANK = len(RULES)
_LAST_RANK = _KNOWN_RANK + 2
_ESCAPED = re.compile(r"%[0-9A-Fa-f]{2}|\\(?:u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2})")
# Printable ASCII as UTF-16 LE or BE once its escapes are undone: "A\0t\0z\0r\0|\0".
_UTF16_RUN = re.compile(r"(?:[\x20-\x7e]\x00){4,}|(?:\x00[\x20-\x7e]){4,}")
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

    def _scan(
        self,
        text: str,
        depth: int,
        budget: Budget,
        views: bool = True,
        seen: set[str] | None = None,
    ) -> list[_Hit]:
        hits: list[_Hit] = [(start, rank, kind, ()) for start, rank, kind in rule_hits(text)]
        hits += [(start, _KNOWN_RANK, kind, ()) for start, _, kind in self.known.spans(text)]
        if (
            len(text) <= _WALKED
            and '"name"' in text
            and any(cue in text.lower() for cue in _PERSON_CUES)
        ):
            hits += [(at, _KNOWN_RANK + 1, _PII_KIND, ()) for at in _people(text)]
        if depth < _MAX_DEPTH:
            hits += self._decoded(text, depth, budget, views, set() if seen is None else seen)
        return hits

    def _decoded(
        self, text: str, depth: int, budget: Budget, views: bool, seen: set[str]
    ) -> list[_Hit]:
        """What blob decoding, unescaping and %-decoding reveal, at the offset it came from.

        A line with escapes is decoded every way at once (JSON escapes, then %-decoding, up to
        3 rounds each), and that view is not decoded again that way: so each level costs one
        more pass, not one per decoder. A blob the view shares with the line (``seen``) is
        decoded once."""
        hits: list[_Hit] = []
        for start, label, data in blobs(text, seen):
            hits += _under(label, self._bytes(data, depth + 1, budget, runs=False), start)
        for start, line in _lines_with(text, _ESCAPED) if views else ():
            view = line
            for _ in range(3):  # JSON in YAML in JSON: escapes of escapes
                step = unescaped(view) or view
                decoded = percent_decoded(step) or step
                if decoded == view:
                    break
                view = decoded
            if view != line:
                found = self._scan(view, depth + 1, budget, views=False, seen=seen)
                hits += _under("decoded", found, start)
                if "\0" in view:  # b'A\x00t\x00...': UTF-16 bytes written as escapes
                    for run in _UTF16_RUN.finditer(view):
                        chars = run.group(0)[1 if run.group(0)[0] == "\0" else 0 :: 2]
                        found = self._scan(chars, depth + 1, budget, views=False)
                        hits += _under("decoded", _under("UTF-16", found, 0), start)
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
    return value.startswith(("***", PLACEHOLDER_PII)) or bool(_MASKED_TOKEN.match(value))


_MASKED_TOKEN = re.compile(r"Atz(?:a|r|\.sprdt)\|\*\*\*")


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


# Each name found is located by a search from the start: a few say enough (and stay linear).
_LOCATED = 20
# A person's "name" sits in one of these objects or beside one of these keys; a document
# without any of them is not walked.
_PERSON_CUES = ("ship", "bill", "address", "buyer", "recipient", "delivery", "phone", "sold")
# The walk costs ~4 us per object: a longer text is judged by the patterns alone (which see
# a "name" in a ship_to/address/buyer object, on one line or several, and every PII key).
_WALKED = 2_000_000


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
            name = node.get("name")
            if (
                isinstance(name, str)
                and name
                and not _masked(name)
                and (person or any(pii_key(str(k)) in PERSON_KEYS for k in node))
            ):
                names.append(name)
                if len(names) >= _LOCATED:
                    return names
            stack += [
                (value, holds_person(str(key)))
                for key, value in node.items()
                if isinstance(value, (dict, list))
            ]
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
