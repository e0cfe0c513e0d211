"""The cassette file: vcrpy reads what ACORN writes and the reverse; broken files are named.

Every error test asserts the file and the entry are named, and that the message says how to
fix it, because "a cassette is broken" is useless to someone with forty of them in CI.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from vcr.request import Request as VcrRequest
from vcr.serialize import deserialize as vcr_deserialize
from vcr.serialize import serialize as vcr_serialize
from vcr.serializers import yamlserializer

from harness.cassettes import (
    FORMAT_VERSION,
    Cassette,
    CassetteError,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    check_api_versions,
    dump,
    load,
    parse,
)
from harness.contracts import load_contracts

NA = "https://sandbox.sellingpartnerapi-na.amazon.com"


def _item(path: str, body: str, status: int = 200, method: str = "GET") -> Interaction:
    return Interaction(
        RecordedRequest(method, NA + path, {"accept": ["application/json"]}, None),
        RecordedResponse(status, "OK", {"content-type": ["application/json"]}, body),
        endpoint="NA",
        operation="getOrders",
    )


def _cassette() -> Cassette:
    return Cassette(
        "orders",
        [
            _item("/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER", '{"payload": {"Orders": []}}'),
            _item("/sellers/v1/marketplaceParticipations", '{"payload": []}'),
        ],
        {"upstream": "test"},
    )


def _without_length(item: Interaction) -> Interaction:
    headers = {k: v for k, v in item.response.headers.items() if k != "Content-Length"}
    return replace(item, response=replace(item.response, headers=headers))


def test_dump_then_parse_gives_the_same_cassette() -> None:
    original = _cassette()
    again = parse(dump(original), name="orders")
    assert [_without_length(i) for i in again.interactions] == original.interactions
    # Content-Length is written from the (scrubbed) body, so it never lies about it.
    assert again.interactions[0].response.headers["Content-Length"] == ["27"]
    assert again.meta["format"] == FORMAT_VERSION
    assert again.meta["upstream"] == "test"


def test_vcrpy_reads_an_acorn_cassette() -> None:
    # Two values, as pytest-recording's persister expects (no vcrpy `metadata` key).
    requests, responses = vcr_deserialize(dump(_cassette()), yamlserializer)
    assert [r.uri for r in requests] == [i.request.uri for i in _cassette().interactions]
    assert responses[0]["status"]["code"] == 200
    assert responses[0]["body"]["string"] == b'{"payload": {"Orders": []}}'


def test_acorn_reads_a_cassette_vcrpy_wrote() -> None:
    request = VcrRequest("GET", NA + "/sellers/v1/marketplaceParticipations", None, {"a": "b"})
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"content-type": ["application/json"]},
        "body": {"string": b'{"payload": []}'},
    }
    text = vcr_serialize({"requests": [request], "responses": [response]}, yamlserializer)
    cassette = parse(text, name="from-vcrpy")
    assert cassette.meta["format"] == 0  # a plain vcrpy cassette
    (item,) = cassette.interactions
    assert item.endpoint == "NA"  # read from the sandbox host
    assert item.response.body == '{"payload": []}'


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "orders" / "cassette.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_invalid_yaml_names_the_file_and_line(tmp_path: Path) -> None:
    text = dump(_cassette()).replace("method: GET", "method: [GET", 1)
    path = _write(tmp_path, text)
    with pytest.raises(CassetteError) as caught:
        load(path)
    message = str(caught.value)
    assert str(path) in message
    assert "not valid YAML at line" in message
    assert "re-record" in message


def test_unknown_acorn_format_version_is_refused(tmp_path: Path) -> None:
    data = yaml.safe_load(dump(_cassette()))
    data["acorn"]["format"] = 99
    path = _write(tmp_path, yaml.safe_dump(data))
    with pytest.raises(CassetteError, match="format version 99") as caught:
        load(path)
    assert str(path) in str(caught.value)
    assert "upgrade ACORN" in str(caught.value)


def test_unknown_vcrpy_version_is_refused(tmp_path: Path) -> None:
    data = yaml.safe_load(dump(_cassette()))
    data["version"] = 2
    path = _write(tmp_path, yaml.safe_dump(data))
    with pytest.raises(CassetteError, match="vcrpy cassette version 2"):
        load(path)


def test_a_broken_entry_is_named(tmp_path: Path) -> None:
    data = yaml.safe_load(dump(_cassette()))
    data["interactions"][1]["response"]["status"]["code"] = "two hundred"
    path = _write(tmp_path, yaml.safe_dump(data))
    with pytest.raises(CassetteError) as caught:
        load(path)
    assert "entry 1 (GET)" in str(caught.value)
    assert str(path) in str(caught.value)


def test_a_missing_cassette_says_how_to_record_it(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match="acorn record"):
        load(tmp_path / "nope" / "cassette.yaml")


def test_a_cassette_from_another_api_version_names_file_and_entry(tmp_path: Path) -> None:
    cassette = _cassette()
    cassette.interactions.append(_item("/orders/2026-01-01/orders", '{"orders": []}'))
    path = _write(tmp_path, dump(cassette))
    loaded = load(path)
    with pytest.raises(CassetteError) as caught:
        check_api_versions(loaded, load_contracts())
    message = str(caught.value)
    assert str(path) in message
    assert "entry 2 (GET /orders/2026-01-01/orders)" in message
    assert "orders API version 2026-01-01" in message
    assert "v0" in message  # what ACORN has


def test_recorded_api_versions_in_metadata_are_checked_too(tmp_path: Path) -> None:
    cassette = _cassette()
    cassette.meta["apis"] = {"sellers": "v9"}
    loaded = load(_write(tmp_path, dump(cassette)))
    with pytest.raises(CassetteError, match="sellers API version v9"):
        check_api_versions(loaded, load_contracts())


def test_a_cassette_of_the_current_versions_passes() -> None:
    check_api_versions(parse(dump(_cassette()), name="orders"), load_contracts())
