"""What a leak can hide in, undone for the scanner: %-encoding, backslash escapes, base64 and
hex blobs, compressed containers (gzip, zlib, bz2, xz, zip) and UTF-16.

Each decoder is linear and bounded: at most :data:`MAX_EXPANDED` bytes are inflated per
scanned file (all containers together), so a zip bomb ends as a finding, not as a full disk
or a hang; the scanner stops descending after a few levels.
"""

from __future__ import annotations

import binascii
import bz2
import contextlib
import io
import lzma
import re
import zipfile
import zlib
from dataclasses import dataclass

__all__ = [
    "MAX_EXPANDED",
    "PNG_SIGNATURE",
    "Budget",
    "Unscannable",
    "blobs",
    "bytes_text",
    "expand",
    "percent_decoded",
    "png_text",
    "unescaped",
]

MAX_EXPANDED = 64 * 1024 * 1024
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
# Both start with a literal, so re skips to the next "%" or "\\" at C speed (a leading group
# or alternation makes it try every position: 0.4 s per 5 MB).
_PERCENT_RUN = re.compile(rb"%[0-9A-Fa-f]{2}(?:%[0-9A-Fa-f]{2})*")
# Runs of one kind of escape: \uXXXX..., \xHH..., or a single \/ \" \\ \0.
_ESCAPE = re.compile(
    r"\\(?:u[0-9A-Fa-f]{4}(?:\\u[0-9A-Fa-f]{4})*|x[0-9A-Fa-f]{2}(?:\\x[0-9A-Fa-f]{2})*|[/\"\\0])"
)
# A run that could be base64 (standard or URL-safe) or hex: 20 characters or more (15 bytes);
# known values are found in shorter ones by their precomputed forms.
_BLOB = re.compile(r"[A-Za-z0-9+/_-]{20,}={0,2}")
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")
_MAX_MEMBERS = 10_000


class Unscannable(Exception):
    """Content that cannot be scanned and so cannot be called clean (a zip bomb, a
    password-protected member); the message says why, never what it holds."""


@dataclass
class Budget:
    """How many more bytes may be inflated for this file."""

    left: int = MAX_EXPANDED

    def spend(self, size: int, what: str) -> None:
        if size > self.left:
            raise Unscannable(
                f"{what} expands past {MAX_EXPANDED // 2**20} MB: not scanned (a zip bomb?). "
                "Remove it, or unpack it and scan the files"
            )
        self.left -= size


def percent_decoded(text: str) -> str | None:
    """``text`` %-decoded until nothing changes (at most 3 rounds: %2540 is a doubly-encoded
    "@"); None if it has no %-escape. Each run of escapes is decoded by one C call, not one
    Python step per escape as ``urllib.parse.unquote`` does (0.3 s per MB of escapes)."""
    if not _PERCENT.search(text):
        return None
    data = text.encode("utf-8", "surrogatepass")
    for _ in range(3):
        decoded = _PERCENT_RUN.sub(_hex_run, data)
        if decoded == data:
            break
        data = decoded
    return data.decode("utf-8", errors="replace")


def _hex_run(match: re.Match[bytes]) -> bytes:
    return bytes.fromhex(match.group(0).replace(b"%", b"").decode("ascii"))


def _escape_run(match: re.Match[str]) -> str:
    run = match.group(0)
    if run[1] in "ux":  # a run of \\uXXXX or \\xHH only: Python's own decoder, at C speed
        return run.encode("ascii").decode("unicode_escape")
    return "\0" if run[1] == "0" else run[1]


def unescaped(text: str) -> str | None:
    """``text`` with JSON / Python backslash escapes (``\\u007c``, ``\\x00``, ``\\/``) undone;
    None if it has none. A lone surrogate becomes U+FFFD."""
    if "\\" not in text or not _ESCAPE.search(text):
        return None
    decoded = _ESCAPE.sub(_escape_run, text)
    return decoded.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def blobs(text: str, seen: set[str] | None = None) -> list[tuple[int, str, bytes]]:
    """(offset, "base64" | "hex", bytes) for each run that decodes to a container or to text
    (most runs are identifiers or random tokens: their bytes are dropped here, cheaply).
    Runs in ``seen`` are skipped, and each run is added to it."""
    out = []
    seen = set() if seen is None else seen
    for match in _BLOB.finditer(text):
        run = match.group(0)
        if run in seen:
            continue
        seen.add(run)
        if len(run) % 2 == 0 and _HEX.fullmatch(run):
            data = bytes.fromhex(run)
            if _promising(data):
                out.append((match.start(), "hex", data))
                continue
        body = run.rstrip("=")
        if "-" in body or "_" in body:
            body = body.translate(_URLSAFE)
        body = body[: len(body) - len(body) % 4] if len(body) % 4 == 1 else body
        try:
            data = binascii.a2b_base64(body + "=" * (-len(body) % 4))
        except binascii.Error:
            continue
        if _promising(data):
            out.append((match.start(), "base64", data))
    return out


def _promising(data: bytes) -> bool:
    """Could be a container or text (ASCII, UTF-8 or UTF-16); random bytes almost never are."""
    if data.isascii() or data[:2] in _MAGIC or data[:1] == b"x":
        return True
    if data.count(0) > len(data) // 4:  # UTF-16
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


_URLSAFE = str.maketrans("-_", "+/")
_MAGIC = frozenset({b"\x1f\x8b", b"PK", b"BZ", b"\xfd7", b"\xff\xfe", b"\xfe\xff"})


def expand(data: bytes, budget: Budget) -> list[tuple[str, bytes]] | None:
    """The content of a compressed container, as (label, bytes) per member; None if ``data``
    is no container. Raises :class:`Unscannable` past the budget or for an encrypted member."""
    if data[:2] == b"\x1f\x8b":
        return _stream("gzip", zlib.decompressobj(wbits=31), data, budget)
    if data[:3] == b"BZh" and data[3:4].isdigit():
        return _stream("bz2", bz2.BZ2Decompressor(), data, budget)
    if data[:6] == b"\xfd7zXZ\x00":
        return _stream("xz", lzma.LZMADecompressor(), data, budget)
    if data[:4] == b"PK\x03\x04":
        return _zip(data, budget)
    if len(data) > 2 and data[0] == 0x78 and (data[0] * 256 + data[1]) % 31 == 0:
        return _stream("zlib", zlib.decompressobj(), data, budget)
    return None


def _stream(
    label: str,
    decompressor: zlib._Decompress | bz2.BZ2Decompressor | lzma.LZMADecompressor,
    data: bytes,
    budget: Budget,
) -> list[tuple[str, bytes]] | None:
    try:
        out = decompressor.decompress(data, budget.left + 1)
    except (zlib.error, OSError, EOFError, lzma.LZMAError):
        return None  # not what its magic said: scanned as plain bytes instead
    budget.spend(len(out), label)
    return [(label, out)]


def _zip(data: bytes, budget: Budget) -> list[tuple[str, bytes]] | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if len(members) > _MAX_MEMBERS:
        raise Unscannable(f"zip with {len(members)} members: not scanned (a zip bomb?)")
    out = []
    for info in members:
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise Unscannable("encrypted zip member: cannot be scanned, so cannot be called clean")
        budget.spend(info.file_size, "zip member")  # declared size first: cheap refusal
        try:
            with archive.open(info) as member:
                content = member.read(budget.left + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error):
            continue
        budget.spend(max(0, len(content) - info.file_size), "zip member")  # it lied
        out.append(("zip", content))
    return out


_CONTROL = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])


def bytes_text(data: bytes) -> tuple[str, str] | None:
    """(label, text) if ``data`` is text: UTF-16 (a BOM, or NULs at every other byte) or
    printable UTF-8. None for other bytes (random bytes read as text only look like leaks)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "UTF-16", data.decode("utf-16", errors="replace")
    sample = data[:4096]
    if sample.count(0):
        odd, even = sample[1::2].count(0), sample[0::2].count(0)
        half = len(sample) // 2
        if len(sample) >= 8 and odd > 0.4 * half and even < 0.1 * half:
            return "UTF-16", data[: len(data) // 2 * 2].decode("utf-16-le", errors="replace")
        if len(sample) >= 8 and even > 0.4 * half and odd < 0.1 * half:
            return "UTF-16", data[: len(data) // 2 * 2].decode("utf-16-be", errors="replace")
        return None
    if len(sample) - len(sample.translate(None, _CONTROL)) > 0.1 * len(sample):
        return None
    try:
        return "text", data.decode("utf-8")
    except UnicodeDecodeError:
        return None


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_text(raw: bytes) -> str:
    """The text a PNG carries (tEXt, zTXt, iTXt chunks), decompressed where needed."""
    texts: list[str] = []
    offset = len(PNG_SIGNATURE)
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
                texts.append(keyword.decode("latin-1") + " " + _inflate(rest[1:]).decode("latin-1"))
            except zlib.error:
                texts.append(data.decode("latin-1", errors="replace"))
        elif kind == b"iTXt":
            keyword, _, rest = data.partition(b"\0")
            compressed, body = rest[:1] == b"\1", rest[2:]
            body = body.split(b"\0", 2)[-1]  # after language tag and translated keyword
            with contextlib.suppress(zlib.error):
                body = _inflate(body) if compressed else body
            texts.append(keyword.decode("latin-1") + " " + body.decode("utf-8", errors="replace"))
        elif kind == b"IEND":
            break
    return "\n".join(texts)


def _inflate(data: bytes) -> bytes:
    """A PNG text chunk, inflated to at most :data:`MAX_EXPANDED` bytes (a chunk can be a bomb)."""
    return zlib.decompressobj().decompress(data, MAX_EXPANDED)
