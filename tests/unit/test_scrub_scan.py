"""The scanner behind ``acorn scan`` and ``acorn run``'s last step, on synthetic files."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cassettes import KnownValues, Scanner, scan_paths
from harness.cli.cassettes import scan_run_outputs

TOKEN = "Atza|IwEBIsyntheticAccessToken0123456789"


def test_known_values_are_found_even_without_a_shape(tmp_path: Path) -> None:
    (tmp_path / "log.txt").write_text("ok\nbuyer Zed Quux-7f3a shipped\n")
    assert scan_paths([tmp_path]) == (1, [])  # no pattern matches a bare name...
    _, findings = scan_paths([tmp_path], KnownValues(pii=["Zed Quux-7f3a"]))
    assert [str(f) for f in findings] == [f"{tmp_path / 'log.txt'}:2: known buyer PII"]


def test_url_encoded_known_secrets_are_found() -> None:
    known = KnownValues(secrets=["s3cr3t/with+chars=="])
    assert Scanner(known).kinds("client_secret=s3cr3t%2Fwith%2Bchars%3D%3D") != []


def test_masks_and_fingerprints_are_not_leaks() -> None:
    clean = [
        "x-amz-access-token: Atza|***0a1b2c3d",
        "t=0.2s NA GET /orders/v0/orders -> 200; token Atza|585d4d98 (access, ok)",
        '{"Name": "[PII]", "Phone": "[PII]", "BuyerEmail": "[PII]"}',
        "https://s3/doc?X-Amz-Signature=***&X-Amz-Credential=***",
        "client_secret=***&refresh_token=Atzr|***99aa00bb",
    ]
    assert [line for line in clean if Scanner().kinds(line)] == []


def test_run_outputs_scan_hands_the_integrations_work_folder_to_pii_03(tmp_path: Path) -> None:
    """work/ is scanned too (every file the run leaves behind), but a leak there is the
    integration's (PII-03's finding), not ACORN's: the report stays clean."""
    (tmp_path / "readiness.md").write_text("# Readiness report: GO\n")
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "sync.integration.log").write_text(f"ok\ntoken {TOKEN}\n")
    scan = scan_run_outputs(tmp_path)
    assert scan["clean"] is True
    assert scan["files"] == 2
    assert scan["findings"] == []
    assert scan["integration_findings"] == ["work/sync.integration.log:2: LWA access token (Atza|)"]
    assert TOKEN not in scan["summary"]
    assert "1 in the integration's own files under work/ (PII-03)" in scan["summary"]


def test_a_leak_in_the_report_is_named_without_its_value(tmp_path: Path) -> None:
    (tmp_path / "allure-results").mkdir()
    (tmp_path / "allure-results" / "x-attachment.txt").write_text(f"evidence\nused {TOKEN}\n")
    scan = scan_run_outputs(tmp_path)
    assert scan["clean"] is False
    assert scan["findings"] == ["allure-results/x-attachment.txt:2: LWA access token (Atza|)"]
    assert TOKEN not in scan["summary"]
    assert scan["summary"].startswith("LEAK: 1 secret or buyer PII finding(s)")


def _png(*chunks: tuple[bytes, bytes]) -> bytes:
    import struct
    import zlib

    out = b"\x89PNG\r\n\x1a\n"
    for kind, data in (*chunks, (b"IEND", b"")):
        out += struct.pack(">I", len(data)) + kind + data
        out += struct.pack(">I", zlib.crc32(kind + data))
    return out


def test_png_pixels_that_happen_to_look_like_an_email_are_not_a_leak(tmp_path: Path) -> None:
    """Charts are deflate-compressed pixels; random printable runs in them are noise."""
    chart = tmp_path / "timeline.png"
    chart.write_bytes(_png((b"IHDR", b"\0" * 13), (b"IDAT", b"\x00\x01qX7@kp.Zr\x00\xff")))
    assert Scanner().file(chart) == []


def test_text_a_png_carries_is_scanned_compressed_or_not(tmp_path: Path) -> None:
    import zlib

    plain = tmp_path / "plain.png"
    plain.write_bytes(_png((b"tEXt", b"Comment\0ship to jane.doe@example.com")))
    packed = tmp_path / "packed.png"
    packed.write_bytes(
        _png((b"zTXt", b"Comment\0\0" + zlib.compress(b"ship to jane.doe@example.com")))
    )
    international = tmp_path / "itxt.png"
    international.write_bytes(
        _png((b"iTXt", b"Comment\0\x01\0en\0\0" + zlib.compress(b"jane.doe@example.com")))
    )
    for image in (plain, packed, international):
        assert [f.kind for f in Scanner().file(image)] == ["e-mail address (buyer PII)"], image


def test_known_values_stay_words_but_encoded_forms_count_anywhere() -> None:
    import base64

    known = KnownValues(pii=["Zed Quux-7f3a"], secrets=["s3cr3t-value-123"])
    scanner = Scanner(known)
    assert scanner.kinds("username: xZed Quux-7f3ax") == []  # inside a longer word
    assert scanner.kinds('"Zed Quux-7f3a": 1') == []  # a key, not a value
    blob = base64.b64encode(b"\x00\x01" + b"s3cr3t-value-123" + b"!").decode()
    assert scanner.kinds(f"data={blob}") == ["known secret"]
    assert (
        scanner.kinds(
            "5a6564205175757"  # a truncated hex form is no match
        )
        == []
    )
    assert scanner.kinds("5a656420517575782d37663361") == ["known buyer PII"]


def test_findings_name_the_decoding_not_the_value(tmp_path: Path) -> None:
    import base64
    import gzip

    packed = base64.b64encode(gzip.compress(f"token {TOKEN}".encode())).decode()
    (tmp_path / "log.txt").write_text(f"first line\nbody {packed}\n")

    _, findings = scan_paths([tmp_path])

    assert [str(f) for f in findings] == [
        f"{tmp_path / 'log.txt'}:2: LWA access token (Atza|) [base64 > gzip]"
    ]


def test_a_lone_surrogate_escape_does_not_break_the_scan() -> None:
    assert Scanner(KnownValues(secrets=["s3cr3t-value-123"])).kinds('"\\ud800 x"') == []


def test_env_secrets_skip_values_that_are_plainly_not_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from harness.cli.cassettes import _known_from_env

    monkeypatch.setenv("ACORN_LWA_TOKEN_URL", "http://127.0.0.1:8080/auth/o2/token")
    monkeypatch.setenv("SPAPI_CLIENT_SECRET", "amzn1.oa2-cs.v1.abcdef0123456789")
    monkeypatch.setenv("TOKEN_CACHE_PATH", "/tmp/tokens.json")

    secrets, _ = _known_from_env()

    assert "amzn1.oa2-cs.v1.abcdef0123456789" in secrets
    assert not any(v.startswith(("http", "/")) for v in secrets)
