"""Scrubbing: each secret and PII kind goes, ids are pseudonymised consistently, and a scrubber
that misses something cannot write the cassette (fail-closed), naming the entry, not the value.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vcr.request import Request as VcrRequest

from harness.cassettes import (
    Cassette,
    CassetteLeakError,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    Scanner,
    Scrubber,
    save,
)
from harness.contracts import load_contracts

NA = "https://sandbox.sellingpartnerapi-na.amazon.com"
SECRET = "amzn1.oa2-cs.v1.0123456789abcdef0123456789abcdef"
REFRESH = "Atzr|IwEBIcanaryRefreshToken0123456789abcdefghijklmnop"
ACCESS = "Atza|IwEBIcanaryAccessToken0123456789abcdefghijklmnopq"
RDT = "Atz.sprdt|IwEBIcanaryRestrictedDataToken0123456789abcdef"
BUYER = "Ada Lovelace-c4n4ry"
EMAIL = "c4n4ry1234@marketplace.amazon.example"
PHONE = "+44 555 c4n4ry77"
STREET = "12 Canary Row c4n4ry"
SELLER = "A3CANARYSELL9"
ORDER = "902-1234567-7654321"
SIGNATURE = "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3a94a8fe5ccb19ba61c4c0873"
CREDENTIAL = "ASIACANARYKEY1234567%2F20260301%2Fus-east-1%2Fs3%2Faws4_request"
SESSION = "IQoJb3JpZ2luX2VjECanarySessionToken1234567890"
CANARIES = [SECRET, REFRESH, ACCESS, RDT, BUYER, EMAIL, PHONE, STREET, SIGNATURE, SESSION]


def _interaction(
    method: str, uri: str, body: str | None, status: int, answer: object, **req_headers: str
) -> Interaction:
    headers = {k.replace("_", "-"): [v] for k, v in req_headers.items()}
    return Interaction(
        RecordedRequest(method, uri, headers, body),
        RecordedResponse(status, "OK", {"content-type": ["application/json"]}, json.dumps(answer)),
        endpoint="LWA" if "auth/o2" in uri else "NA",
    )


def _recording() -> Cassette:
    form = (
        "grant_type=refresh_token&refresh_token=Atzr%7CIwEBIcanaryRefreshToken0123456789abcdef"
        "ghijklmnop&client_id=amzn1.application-oa2-client.abc&client_secret=" + SECRET
    )
    presigned = (
        f"https://tortuga-prod-na.s3.amazonaws.com/doc?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Credential={CREDENTIAL}&X-Amz-Security-Token={SESSION}"
        f"&X-Amz-Signature={SIGNATURE}"
    )
    order = {
        "AmazonOrderId": ORDER,
        "ShippingAddress": {
            "Name": BUYER,
            "AddressLine1": STREET,
            "City": "Leeds",
            "Phone": PHONE,
        },
        "BuyerInfo": {"BuyerEmail": EMAIL, "BuyerName": BUYER},
    }
    return Cassette(
        "canaries",
        [
            _interaction(
                "POST",
                "https://api.amazon.com/auth/o2/token",
                form,
                200,
                {"access_token": ACCESS, "refresh_token": REFRESH, "expires_in": 3600},
                content_type="application/x-www-form-urlencoded",
            ),
            _interaction(
                "POST",
                NA + "/tokens/2021-03-01/restrictedDataToken",
                json.dumps({"restrictedResources": [{"path": f"/orders/v0/orders/{ORDER}"}]}),
                200,
                {"restrictedDataToken": RDT, "expiresIn": 3600},
                x_amz_access_token=ACCESS,
            ),
            _interaction(
                "GET",
                NA + f"/orders/v0/orders/{ORDER}",
                None,
                200,
                {"payload": order},
                x_amz_access_token=RDT,
                Authorization=f"Bearer {ACCESS}",
            ),
            _interaction(
                "GET",
                NA + "/feeds/2021-06-30/documents/amzn1.tortuga.3.abc",
                None,
                200,
                {"feedDocumentId": "amzn1.tortuga.3.abc", "url": presigned},
                x_amz_access_token=ACCESS,
            ),
            _interaction(
                "GET",
                NA + f"/listings/2021-08-01/items/{SELLER}/ACORN-MUG-01?marketplaceIds=X",
                None,
                200,
                {"sku": "ACORN-MUG-01", "summaries": [], "sellerId": SELLER},
                x_amz_access_token=ACCESS,
            ),
        ],
    )


@pytest.fixture(scope="module")
def scrubbed() -> tuple[Cassette, str]:
    scrubber = Scrubber(contracts=load_contracts())
    clean = scrubber.cassette(_recording())
    from harness.cassettes import dump

    return clean, dump(clean)


@pytest.mark.parametrize("canary", CANARIES, ids=lambda c: c[:12])
def test_every_canary_is_gone(scrubbed: tuple[Cassette, str], canary: str) -> None:
    _, text = scrubbed
    assert canary not in text
    assert canary.replace("|", "%7C") not in text


def test_the_scanner_finds_nothing_left(scrubbed: tuple[Cassette, str]) -> None:
    assert Scanner().text(scrubbed[1], "cassette") == []


def test_tokens_keep_their_kind_and_a_stable_fingerprint(scrubbed: tuple[Cassette, str]) -> None:
    clean, _ = scrubbed
    lwa, rdt_call, order_call = clean.interactions[:3]
    issued = json.loads(lwa.response.body or "")["access_token"]
    assert issued.startswith("Atza|***")
    # The token LWA issued is recognisably the one the next call carried.
    assert rdt_call.request.headers["x-amz-access-token"] == [issued]
    rdt = json.loads(rdt_call.response.body or "")["restrictedDataToken"]
    assert rdt.startswith("Atz.sprdt|***")
    assert order_call.request.headers["x-amz-access-token"] == [rdt]
    assert order_call.request.headers["Authorization"] == ["***"]
    assert "client_secret=***" in (lwa.request.body or "")
    assert "refresh_token=Atzr|***" in (lwa.request.body or "")


def test_presigned_credentials_are_masked_but_the_url_stays(scrubbed: tuple[Cassette, str]) -> None:
    clean, _ = scrubbed
    url = json.loads(clean.interactions[3].response.body or "")["url"]
    assert url.startswith("https://tortuga-prod-na.s3.amazonaws.com/doc?X-Amz-Algorithm=")
    for param in ("X-Amz-Credential=***", "X-Amz-Security-Token=***", "X-Amz-Signature=***"):
        assert param in url


def test_buyer_pii_becomes_placeholders_and_the_rest_stays(scrubbed: tuple[Cassette, str]) -> None:
    clean, _ = scrubbed
    order = json.loads(clean.interactions[2].response.body or "")["payload"]
    assert order["ShippingAddress"] == {
        "Name": "[PII]",
        "AddressLine1": "[PII]",
        "City": "Leeds",
        "Phone": "[PII]",
    }
    assert order["BuyerInfo"] == {"BuyerEmail": "[PII]", "BuyerName": "[PII]"}


def test_ids_are_pseudonymised_consistently(scrubbed: tuple[Cassette, str]) -> None:
    clean, text = scrubbed
    assert ORDER not in text
    assert SELLER not in text
    rdt_body = json.loads(clean.interactions[1].request.body or "")
    order_call = clean.interactions[2]
    placeholder = "000-0000000-0000001"
    # The same order id in a request body, a path and an answer: one placeholder everywhere.
    assert rdt_body["restrictedResources"][0]["path"] == f"/orders/v0/orders/{placeholder}"
    assert order_call.request.path == f"/orders/v0/orders/{placeholder}"
    assert json.loads(order_call.response.body or "")["payload"]["AmazonOrderId"] == placeholder
    listing = clean.interactions[4]
    assert listing.request.path == "/listings/2021-08-01/items/A0SELLER00001/ACORN-MUG-01"
    assert json.loads(listing.response.body or "")["sellerId"] == "A0SELLER00001"
    assert clean.meta["seller_id"] == "A0SELLER00001"


def test_pseudonymisation_can_be_switched_off() -> None:
    clean = Scrubber(pseudonymise=False).cassette(_recording())
    assert clean.interactions[2].request.path == f"/orders/v0/orders/{ORDER}"
    assert clean.meta["pseudonymised"] is False


def test_sp_api_error_codes_survive() -> None:
    item = _interaction(
        "GET",
        NA + "/orders/v0/orders",
        None,
        400,
        {"errors": [{"code": "InvalidInput", "message": "Could not match", "details": ""}]},
    )
    clean = Scrubber().cassette(Cassette("e", [item]))
    assert json.loads(clean.interactions[0].response.body or "")["errors"][0]["code"] == (
        "InvalidInput"
    )


def test_a_scrubber_that_misses_cannot_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulate a scrubbing bug (text left as is): the scan refuses, naming entry and field."""
    monkeypatch.setattr(Scrubber, "text", lambda self, value: value)
    target = tmp_path / "leaky" / "cassette.yaml"
    with pytest.raises(CassetteLeakError) as caught:
        save(_recording(), target, Scrubber(contracts=load_contracts()))
    message = str(caught.value)
    assert str(target) in message
    assert "entry 3 (GET) response.body: presigned URL credential" in message
    assert "nothing was written" in message
    for canary in CANARIES:
        assert canary not in message
    assert not target.exists()
    assert list(tmp_path.rglob("*")) in ([], [target.parent])


def test_save_writes_only_clean_text(tmp_path: Path) -> None:
    target = tmp_path / "c" / "cassette.yaml"
    save(_recording(), target, Scrubber())
    text = target.read_text()
    assert all(canary not in text for canary in CANARIES)


def test_vcrpy_hooks_scrub_what_vcrpy_would_store() -> None:
    scrubber = Scrubber()
    config = scrubber.vcr_config()
    assert config["record_mode"] == "none"  # safe by default, as pytest-recording
    request = VcrRequest(
        "GET",
        NA + f"/orders/v0/orders/{ORDER}?X-Amz-Signature={SIGNATURE}",
        None,
        {"x-amz-access-token": ACCESS, "user-agent": "t"},
    )
    clean = config["before_record_request"](request)
    assert ACCESS not in str(clean.headers)
    assert SIGNATURE not in clean.uri
    assert ORDER not in clean.uri
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"Content-Type": ["application/json"]},
        "body": {"string": json.dumps({"BuyerInfo": {"BuyerEmail": EMAIL}}).encode()},
    }
    stored = config["before_record_response"](response)
    assert EMAIL.encode() not in stored["body"]["string"]
    assert b"[PII]" in stored["body"]["string"]


def test_vcrpy_hooks_are_idempotent() -> None:
    """vcrpy runs before_record_request again on a request it already scrubbed."""
    scrubber = Scrubber(secrets=[SECRET])
    form = f"grant_type=refresh_token&refresh_token={REFRESH}&client_secret={SECRET}"
    request = VcrRequest(
        "POST",
        "https://api.amazon.com/auth/o2/token",
        form.encode(),
        {"content-type": "application/x-www-form-urlencoded"},
    )
    once = scrubber.before_record_request(request).body
    twice = scrubber.before_record_request(request).body
    assert once == twice
    assert b"client_secret=***" in twice
    assert b"refresh_token=Atzr|***" in twice


def test_the_vcrpy_persister_refuses_to_write_a_leak(tmp_path: Path) -> None:
    """Hooks bypassed (a misconfigured vcr_config): the persister is the last line."""
    import vcr

    from harness.cassettes.vcr_support import install

    scrubber = Scrubber(secrets=[SECRET])
    recorder = vcr.VCR(record_mode="all")  # no hooks at all
    install(recorder, scrubber)
    request = VcrRequest(
        "POST", "https://api.amazon.com/auth/o2/token", f"client_secret={SECRET}", {}
    )
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {},
        "body": {"string": json.dumps({"access_token": ACCESS}).encode()},
    }
    target = tmp_path / "leaky.yaml"
    with pytest.raises(CassetteLeakError) as caught:
        recorder.persister.save_cassette(
            str(target), {"requests": [request], "responses": [response]}, serializer=_yaml()
        )
    assert not target.exists()
    assert "LWA client secret" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert ACCESS not in str(caught.value)
    # With the hooks, the same exchange is written, scrubbed.
    clean_request = scrubber.before_record_request(request)
    clean_response = scrubber.before_record_response(response)
    recorder.persister.save_cassette(
        str(target),
        {"requests": [clean_request], "responses": [clean_response]},
        serializer=_yaml(),
    )
    assert SECRET not in target.read_text()
    assert recorder.persister.load_cassette(str(target), _yaml())[0][0].uri == request.uri


def _yaml() -> object:
    from vcr.serializers import yamlserializer

    return yamlserializer


def test_a_name_in_any_address_is_scrubbed_so_real_orders_can_be_recorded() -> None:
    """Amazon's MFN orders carry DefaultShipFromLocationAddress with a Name and a Phone."""
    order = {
        "AmazonOrderId": ORDER,
        "DefaultShipFromLocationAddress": {"Name": "Warehouse Contact", "Phone": "555-0100"},
        "recipient": {"deliveryAddress": {"name": BUYER, "city": "Leeds"}},
    }
    item = _interaction("GET", NA + f"/orders/v0/orders/{ORDER}", None, 200, {"payload": order})
    clean = Scrubber().cassette(Cassette("mfn", [item]))  # would raise if a Name were left
    body = json.loads(clean.interactions[0].response.body or "")["payload"]
    assert body["DefaultShipFromLocationAddress"] == {"Name": "[PII]", "Phone": "[PII]"}
    assert body["recipient"]["deliveryAddress"] == {"name": "[PII]", "city": "Leeds"}


def test_all_913_static_sandbox_answers_record_clean(
    amazon_models_dir: Path, tmp_path: Path
) -> None:
    """Amazon's own sandbox answers (placeholder names like "name" or "string", tax
    classification names, seller addresses): the fail-closed check must not refuse real
    recordings, and what it writes must scan clean."""
    from harness.cassettes import load, scan_paths
    from harness.contracts.importer import load_models_as_contracts

    contracts = load_models_as_contracts(amazon_models_dir)
    items = []
    for op in contracts.operations:
        for case in op.sandbox:
            params = case.get("parameters") or {}
            body = json.dumps(params["body"].get("value")) if "body" in params else None
            answer = case.get("response")
            items.append(
                Interaction(
                    RecordedRequest(op.method, NA + op.path, {}, body),
                    RecordedResponse(
                        int(case["status"]),
                        "OK",
                        {"content-type": ["application/json"]},
                        "" if answer is None else json.dumps(answer),
                    ),
                    endpoint="NA",
                    operation=op.operation_id,
                )
            )
    assert len(items) >= 900
    path = tmp_path / "sandbox" / "cassette.yaml"
    save(Cassette("sandbox", items), path, Scrubber(contracts=contracts))
    assert len(load(path).interactions) == len(items)
    assert scan_paths([path]) == (1, [])


def test_acorn_own_ship_to_shape_is_scrubbed_under_lowercase_keys() -> None:
    """Issue 13: a cassette of an integration's own API (``ship_to: {name, address_line1}``)
    kept the buyer's name and street; the scrubber now reads snake-case PII keys too."""
    order = {"ship_to": {"name": BUYER, "address_line1": STREET, "city": "Leeds"}}
    scrubber = Scrubber(pseudonymise=False)

    clean = json.loads(scrubber.body(json.dumps(order), "application/json") or "")

    assert clean == {"ship_to": {"name": "[PII]", "address_line1": "[PII]", "city": "Leeds"}}


def test_encoded_known_values_and_escaped_emails_are_scrubbed() -> None:
    import base64
    from urllib.parse import quote

    scrubber = Scrubber(pseudonymise=False, secrets=[REFRESH])
    blob = base64.b64encode(b"xy" + REFRESH.encode() + b"tail").decode()
    text = f"note {blob} mail {quote(EMAIL, safe='')} and {EMAIL.replace('@', '%2540')}"

    clean = scrubber.text(text)

    assert Scanner(scrubber.known).kinds(clean) == []
    assert "c4n4ry1234" not in clean


def test_a_long_single_line_response_saves(tmp_path: Path) -> None:
    """The old e-mail pattern made this minutes long (186 s at 200 KB); correctness here,
    benchmarks/scan_speed.py measures the time."""
    body = json.dumps({"payload": {"Notes": "y" * 400_000 + f" {EMAIL} " + "z" * 400_000}})
    item = _interaction("GET", NA + "/orders/v0/orders", None, 200, json.loads(body))

    written = save(Cassette("long", [item]), tmp_path / "c.yaml", Scrubber())

    assert EMAIL not in (tmp_path / "c.yaml").read_text()
    assert "[PII]" in (written.interactions[0].response.body or "")
