"""Planted secrets in every encoding: the leak scanner finds each, in a cassette, a report and
a log line, through ``acorn scan`` and in process.

Issue 13 found the old scanner missing 76 of 161 planted secrets (base64, gzip, bz2, zip,
UTF-16, hex, double %-encoding, JSON ``\\u007c`` escapes, ``%40`` in an e-mail, PII under
``ship_to``'s lowercase keys) and taking 88 s on a 200 KB line. Each known value here is planted
once per (encoding, carrier) in its own file; a finding must name that file. The tally per
encoding is printed (``pytest -s``) and every miss fails the test with its name.
"""

from __future__ import annotations

import base64
import bz2
import gzip
import io
import json
import os
import random
import re
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from harness.cassettes import KnownValues, Scanner, scan_paths

CLIENT_SECRET = "amzn1.oa2-cs.v1." + "5e" * 32
REFRESH = "Atzr|IwEBIPlantedRefreshToken-0123456789_abcdefghijklmnopqrstuvwxyzABCDEF"
ACCESS = "Atza|IwEBIPlantedAccessToken-9876543210_zyxwvutsrqponmlkjihgfedcbaZYXWV"
RDT = "Atz.sprdt|AYABePlantedRestrictedDataToken-55555-qqqqrrrrsssstttt"
NAME = "Zyphra Quillon-7f3a"
ADDRESS = "42 Canary Lane 7f3a"
PHONE = "+1 206-555-7f3a"
EMAIL = "zyphra.7f3a@marketplace.example"
SECRETS = {"client secret": CLIENT_SECRET, "refresh token": REFRESH, "access token": ACCESS}
SECRETS["RDT"] = RDT
PII = {"buyer name": NAME, "buyer address": ADDRESS, "buyer phone": PHONE, "buyer email": EMAIL}
CANARIES = {**SECRETS, **PII}

_RNG = random.Random(13)


def _noise(size: int) -> bytes:
    return bytes(_RNG.randrange(256) for _ in range(size))


def _base64_at(offset: int, altchars: bytes | None = None) -> Callable[[str], str]:
    """The value inside a base64 blob, ``offset`` bytes (mod 3) from the blob's start."""

    def encode(value: str) -> str:
        data = _noise(offset + 3) + value.encode() + _noise(5)
        return base64.b64encode(data, altchars=altchars).decode()

    return encode


def _zip(value: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("orders/export.json", json.dumps({"note": value}))
    return out.getvalue()


def _json_escape_all(value: str) -> str:
    return "".join(f"\\u{ord(ch):04x}" for ch in value)


def _json_escape_symbols(value: str) -> str:
    """``Atzr\\u007cIwEB...``: what a JSON encoder that escapes non-alphanumerics writes."""
    return "".join(ch if ch.isalnum() else f"\\u{ord(ch):04x}" for ch in value)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# How a value is written into text (a cassette body, a report line, a log line).
ENCODINGS: dict[str, Callable[[str], str]] = {
    "raw": lambda v: v,
    "url": lambda v: quote(v, safe=""),
    "url plus": quote_plus,
    "url double": lambda v: quote(quote(v, safe=""), safe=""),
    "url lowercase hex": lambda v: re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(v)),
    "json \\u007c": _json_escape_symbols,
    "json \\u all": _json_escape_all,
    "base64 offset 0": _base64_at(0),
    "base64 offset 1": _base64_at(1),
    "base64 offset 2": _base64_at(2),
    "base64url offset 1": _base64_at(1, b"-_"),
    "base64 of the value": lambda v: _b64(v.encode()),
    "hex": lambda v: v.encode().hex(),
    "HEX": lambda v: v.encode().hex().upper(),
    "utf-16-le bytes repr": lambda v: repr(v.encode("utf-16-le"))[2:-1],
    "utf-16-be hex": lambda v: v.encode("utf-16-be").hex(),
    "utf-16 base64": lambda v: _b64(v.encode("utf-16")),
    "gzip base64": lambda v: _b64(gzip.compress(f"refresh {v} ok".encode())),
    "bz2 base64": lambda v: _b64(bz2.compress(f"value={v}".encode())),
    "zlib base64": lambda v: _b64(zlib.compress(v.encode())),
    "zip base64": lambda v: _b64(_zip(v)),
    "base64 of gzip of base64": lambda v: _b64(gzip.compress(_b64(v.encode()).encode())),
}
# Whole files that are themselves the encoding.
FILES: dict[str, Callable[[str], tuple[str, bytes]]] = {
    "gzip file": lambda v: ("export.json.gz", gzip.compress(json.dumps({"v": v}).encode())),
    "bz2 file": lambda v: ("dump.log.bz2", bz2.compress(f"line {v}\n".encode())),
    "zip file": lambda v: ("report.zip", _zip(v)),
    "utf-16 file (BOM)": lambda v: ("report.txt", f"evidence: {v}\n".encode("utf-16")),
    "utf-16-le file (no BOM)": lambda v: ("log.txt", f"evidence: {v}\n".encode("utf-16-le")),
}


def _cassette(text: str) -> str:
    entry = {
        "request": {"method": "GET", "uri": "https://sandbox.example/orders/v0/orders/1"},
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": {"content-type": ["application/json"]},
            "body": {"string": json.dumps({"payload": {"Notes": text}})},
        },
    }
    return yaml.safe_dump({"version": 1, "interactions": [entry]}, width=80)


CARRIERS: dict[str, tuple[str, Callable[[str], str]]] = {
    "cassette": ("cassette.yaml", _cassette),
    "report": ("readiness.md", lambda t: f"# Readiness report\n\n- evidence: {t}\n"),
    "log": ("integration.log", lambda t: f"2026-12-06T01:00:00Z INFO sync got {t} done\n"),
}


def _plant(root: Path) -> dict[Path, tuple[str, str]]:
    """One file per (canary, encoding, carrier): path -> (canary, encoding)."""
    planted = {}
    for canary, value in CANARIES.items():
        slug = canary.replace(" ", "_")
        for encoding, encode in ENCODINGS.items():
            for carrier, (name, wrap) in CARRIERS.items():
                folder = root / slug / f"{list(ENCODINGS).index(encoding):02d}" / carrier
                folder.mkdir(parents=True)
                (folder / name).write_text(wrap(encode(value)), encoding="utf-8")
                planted[folder / name] = (canary, f"{encoding} in {carrier}")
        for encoding, build in FILES.items():
            folder = root / slug / "files" / f"{list(FILES).index(encoding):02d}"
            folder.mkdir(parents=True)
            name, data = build(value)
            (folder / name).write_bytes(data)
            planted[folder / name] = (canary, encoding)
    return planted


def _tally(planted: dict[Path, tuple[str, str]], found: set[Path]) -> list[str]:
    by_encoding: dict[str, list[int]] = {}
    misses = []
    for path, (canary, encoding) in planted.items():
        counts = by_encoding.setdefault(encoding.split(" in ")[0], [0, 0])
        counts[0] += 1
        if path not in found:
            counts[1] += 1
            misses.append(f"{canary} / {encoding}")
    print(f"\n{'encoding':28} tries misses")
    for encoding, (tries, missed) in by_encoding.items():
        print(f"{encoding:28} {tries:5} {missed:6}")
    print(f"{'total':28} {len(planted):5} {len(misses):6}")
    return misses


def _findings_by_file(output: str, root: Path) -> set[Path]:
    found = set()
    for line in output.splitlines():
        head = line.split(": ", 1)[0]
        path = Path(head.rsplit(":", 1)[0] if head.rsplit(":", 1)[-1].isdigit() else head)
        if root in path.parents:
            found.add(path)
    return found


def test_every_planted_known_value_is_found_in_process(tmp_path: Path) -> None:
    planted = _plant(tmp_path)
    known = KnownValues(secrets=SECRETS.values(), pii=PII.values())

    count, findings = scan_paths([tmp_path], known)

    assert count == len(planted)
    found = _findings_by_file("\n".join(str(f) for f in findings), tmp_path)
    misses = _tally(planted, found)
    assert misses == [], f"{len(misses)} of {len(planted)} planted values missed: {misses}"
    # Findings name the kind and the decoding, never the value.
    text = "\n".join(str(f) for f in findings)
    assert not any(value in text for value in CANARIES.values())


def test_the_carriers_and_encodings_alone_are_clean(tmp_path: Path) -> None:
    """The control: the same files around a harmless value have no finding, so a finding
    above is the planted value's."""
    harmless = "Harmless Value-0000"
    known = KnownValues(secrets=SECRETS.values(), pii=PII.values())
    for encoding, encode in ENCODINGS.items():
        for carrier, (name, wrap) in CARRIERS.items():
            path = tmp_path / f"{list(ENCODINGS).index(encoding):02d}-{carrier}-{name}"
            path.write_text(wrap(encode(harmless)), encoding="utf-8")
    for encoding, build in FILES.items():
        name, data = build(harmless)
        (tmp_path / f"file-{list(FILES).index(encoding):02d}-{name}").write_bytes(data)

    count, findings = scan_paths([tmp_path], known)

    assert count == len(ENCODINGS) * len(CARRIERS) + len(FILES)
    assert findings == []


def test_acorn_scan_finds_every_planted_value_and_exits_1(tmp_path: Path) -> None:
    """Secrets come from the environment (as in a recording shell), PII canaries from a file."""
    root = tmp_path / "tree"
    planted = _plant(root)
    pii_file = tmp_path / "canaries.txt"
    pii_file.write_text("\n".join(PII.values()) + "\n")
    env = {k: v for k, v in os.environ.items() if "SECRET" not in k and "TOKEN" not in k}
    env.update(
        SPAPI_CLIENT_SECRET=CLIENT_SECRET,
        SPAPI_REFRESH_TOKEN=REFRESH,
        ACCESS_TOKEN_SEEN=ACCESS,
        RDT_TOKEN_SEEN=RDT,
    )
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli.main", "scan", str(root), "--pii-file", str(pii_file)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )

    assert done.returncode == 1, done.stderr
    misses = _tally(planted, _findings_by_file(done.stdout, root))
    assert misses == [], f"{len(misses)} of {len(planted)} planted values missed: {misses}"
    assert not any(value in done.stdout + done.stderr for value in CANARIES.values())


# Shapes that need no known value: what ``acorn scan`` must catch on a stranger's repo.
SHAPES = {
    "ship_to name (lowercase keys)": json.dumps(
        {"orders": [{"ship_to": {"name": NAME, "city": "Seattle"}}]}
    ),
    "address_line1 (snake case)": json.dumps({"ship_to": {"address_line1": ADDRESS}}),
    "name beside address_line1": json.dumps({"to": {"name": NAME, "address_line1": ADDRESS}}),
    "ship_to name, pretty-printed": json.dumps({"ship_to": {"name": NAME}}, indent=2),
    "ship_to name, python repr": repr({"ship_to": {"name": NAME, "city": "Seattle"}}),
    "e-mail with %40": quote(EMAIL, safe=""),
    "e-mail with %2540": quote(quote(EMAIL, safe=""), safe=""),
    "e-mail as \\u0040": EMAIL.replace("@", "\\u0040"),
    "refresh token \\u007c": _json_escape_symbols(REFRESH),
    "refresh token %257C": REFRESH.replace("|", "%257C"),
    "refresh token in base64": _b64(json.dumps({"refresh_token": REFRESH}).encode()),
    "refresh token in gzip in base64": _b64(gzip.compress(f"token={REFRESH}".encode())),
    "refresh token in hex": f"token={REFRESH}".encode().hex(),
    "e-mail in bz2 in base64": _b64(bz2.compress(EMAIL.encode())),
    "e-mail in zip in base64": _b64(_zip(EMAIL)),
    "access token in utf-16 base64": _b64(ACCESS.encode("utf-16")),
    "refresh token as utf-16-le bytes repr": repr(REFRESH.encode("utf-16-le")),
    "e-mail as utf-16-be bytes repr": repr(EMAIL.encode("utf-16-be")),
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("carrier", CARRIERS)
def test_shapes_are_found_without_known_values(shape: str, carrier: str, tmp_path: Path) -> None:
    name, wrap = CARRIERS[carrier]
    path = tmp_path / name
    path.write_text(wrap(SHAPES[shape]))

    assert Scanner().file(path) != [], f"{shape} in a {carrier} passed the scan"


@pytest.mark.parametrize(
    "clean",
    [
        json.dumps({"product": {"name": "Widget", "brand": "ACME"}, "marketplace": {"name": "US"}}),
        json.dumps({"ship_to": {"name": "[PII]", "address_line1": "[PII]", "city": "Seattle"}}),
        json.dumps({"ship_to": {"name": None, "city": "Seattle"}}),
        "sha256 " + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "request id 1f3a9c2e-7b4d-4e1a-9f2b-3c4d5e6f7a8b; token Atza|585d4d98 (access, ok)",
        _b64(b"a plain sentence with no secret in it at all, base64-wrapped"),
        "x-amz-access-token: Atza|***0a1b2c3d and client_secret=***",
    ],
)
def test_clean_text_stays_clean(clean: str) -> None:
    assert Scanner().kinds(clean) == []


def test_five_megabyte_single_line_is_scanned_whole(tmp_path: Path) -> None:
    """Correctness on a long line, not timing (benchmarks/scan_speed.py measures that)."""
    noise = base64.b64encode(random.Random(5).randbytes(3_900_000)).decode()
    clean = tmp_path / "clean.log"
    clean.write_text(noise + "\n")
    dirty = tmp_path / "dirty.log"
    middle = len(noise) // 2
    wrapped = _b64(REFRESH.encode())
    dirty.write_text(f"{noise[:middle]} {quote(EMAIL, safe='')} {noise[middle:]} {wrapped}\n")
    known = KnownValues(secrets=[REFRESH])

    assert Scanner(known).file(clean) == []
    kinds = {f.kind.split(" [")[0] for f in Scanner(known).file(dirty)}
    assert kinds == {"e-mail address (buyer PII)", "known secret", "LWA refresh token (Atzr|)"}


def test_a_zip_bomb_is_refused_with_a_clear_finding(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.gz"
    bomb.write_bytes(gzip.compress(b"\0" * (80 * 2**20), compresslevel=9))
    zipped = tmp_path / "bomb.zip"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(3):
            archive.writestr(f"part{index}.bin", b"\0" * (30 * 2**20))
    zipped.write_bytes(out.getvalue())

    for path in (bomb, zipped):
        kinds = [f.kind for f in Scanner().file(path)]
        assert len(kinds) == 1, (path.name, kinds)
        assert "expands past 64 MB" in kinds[0], (path.name, kinds)


CANARY = st.sampled_from(sorted(CANARIES))
ENCODING = st.sampled_from(sorted(ENCODINGS))
SURROUNDING = st.text(max_size=60)


@given(canary=CANARY, encoding=ENCODING, before=SURROUNDING, after=SURROUNDING)
def test_known_values_are_found_whatever_surrounds_them(
    canary: str, encoding: str, before: str, after: str
) -> None:
    known = KnownValues(secrets=SECRETS.values(), pii=PII.values())
    line = f"{before} {ENCODINGS[encoding](CANARIES[canary])}\n{after}"

    kinds = Scanner(known).kinds(line)

    want = "known secret" if canary in SECRETS else "known buyer PII"
    assert any(kind.startswith(want) for kind in kinds), (canary, encoding, kinds)


@given(
    canary=CANARY,
    prefix=st.binary(max_size=40),
    suffix=st.binary(max_size=40),
    urlsafe=st.booleans(),
)
def test_a_value_anywhere_in_a_base64_blob_is_found(
    canary: str, prefix: bytes, suffix: bytes, urlsafe: bool
) -> None:
    known = KnownValues(secrets=SECRETS.values(), pii=PII.values())
    data = prefix + CANARIES[canary].encode() + suffix
    blob = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(data).decode()

    assert Scanner(known).kinds(f"body: {blob}") != []
