"""The simulator's edges over real HTTP (issue 13 point 6): hostile bodies and slow senders.

Each probe asserts the answer, the journal entry (refusal id or fidelity note) and that the
server still answers a normal request afterwards. Slow-sender probes shorten the deadlines of
harness.sim.limits so they finish in seconds, and stay bounded in connections.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from harness.sim import SimConfig, Simulator, loopback
from harness.sim import app as sim_app
from harness.sim.faults import FaultPlan, FaultRule
from harness.sim.fidelity import NOTES

US = "ATVPDKIKX0DER"


@pytest.fixture
def sim(monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    monkeypatch.setattr(loopback, "HEADER_TIMEOUT", 1.5)
    monkeypatch.setattr(sim_app, "BODY_TIMEOUT", 1.5)
    with Simulator() as simulator:
        yield simulator


def token(sim: Simulator) -> str:
    env = sim.env()
    form = {
        "grant_type": "refresh_token",
        "refresh_token": env["ACORN_REFRESH_TOKEN"],
        "client_id": env["ACORN_CLIENT_ID"],
        "client_secret": env["ACORN_CLIENT_SECRET"],
    }
    response = httpx.post(sim.endpoints.lwa_token_url, data=form, timeout=10)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def listing_url(sim: Simulator, sku: str = "EDGE-1") -> str:
    seller = sim.core.credentials.seller_id
    return f"{sim.endpoints.regions['NA']}/listings/2021-08-01/items/{seller}/{sku}"


def assert_still_serves(sim: Simulator) -> None:
    """A normal request right after the probe gets its normal answer."""
    response = httpx.get(
        f"{sim.endpoints.regions['NA']}/sellers/v1/marketplaceParticipations",
        headers={"x-amz-access-token": token(sim)},
        timeout=10,
    )
    assert response.status_code == 200, response.text


def last(sim: Simulator) -> Any:
    exchanges = sim.journal.all()
    assert exchanges, "nothing journaled"
    return exchanges[-1]


def notes(exchange: Any) -> list[str]:
    return [n["code"] for n in exchange.facts.get("fidelity", [])]


# -- 1. deep JSON ---------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [150, 1_500, 100_000])
def test_deep_json_body_is_a_400_in_the_apis_shape(sim: Simulator, depth: int) -> None:
    body = '{"productType": "LUGGAGE", "attributes": {"a": ' + "[" * depth + "]" * depth + "}}"
    response = httpx.put(
        listing_url(sim),
        params={"marketplaceIds": US},
        content=body.encode(),
        headers={"x-amz-access-token": token(sim), "content-type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["code"] == "BAD_REQUEST"  # Listings' own 400 code (facts §7.3)
    assert "cannot be parsed" in error["message"]
    assert "Traceback" not in response.text
    exchange = last(sim)
    assert exchange.status == 400
    assert exchange.facts["refusal"] == "CONTRACT-JSON-DEPTH"
    assert "JSON-TOO-DEEP" in notes(exchange)
    assert_still_serves(sim)


def test_shallow_json_is_still_read(sim: Simulator) -> None:
    """The cap is not stricter than it must be: 50 levels in free-form attributes pass."""
    nested: Any = [{"value": "x"}]
    for _ in range(45):
        nested = [{"value": "x", "n": nested}]
    response = httpx.put(
        listing_url(sim, "EDGE-SHALLOW"),
        params={"marketplaceIds": US},
        json={"productType": "HOME_BED_AND_BATH", "attributes": {"deep": nested}},
        headers={"x-amz-access-token": token(sim)},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert "refusal" not in last(sim).facts


def test_deep_json_to_lwa_is_invalid_request(sim: Simulator) -> None:
    body = '{"grant_type": ' + "[" * 5_000 + "]" * 5_000 + "}"
    response = httpx.post(
        sim.endpoints.lwa_token_url,
        content=body.encode(),
        headers={"content-type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request"
    exchange = last(sim)
    assert exchange.endpoint == "LWA"
    assert exchange.status == 400
    assert exchange.facts["refusal"] == "LWA-BODY-UNREADABLE"
    assert_still_serves(sim)


# -- 2. slow senders ------------------------------------------------------------------------


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    """True when the server closes ``sock`` (EOF or reset) within ``seconds``."""
    sock.settimeout(seconds)
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_half_sent_headers_are_closed(sim: Simulator) -> None:
    host, port = sim.endpoints.regions["NA"].removeprefix("http://").split(":")
    socks = []
    for _ in range(200):
        sock = socket.create_connection((host, int(port)), timeout=5)
        sock.sendall(b"GET /sellers/v1/marketplaceParticipations HTTP/1.1\r\nHost: x\r\n")
        socks.append(sock)
    stop = threading.Event()

    def drip() -> None:  # one header byte now and then keeps uvicorn's keep-alive timer off
        while not stop.wait(0.3):
            for sock in socks[:20]:
                with contextlib.suppress(OSError):
                    sock.sendall(b"X")

    dripper = threading.Thread(target=drip, daemon=True)
    dripper.start()
    try:
        assert_still_serves(sim)  # served while 200 half-sent requests are held
        started = time.monotonic()
        closed = sum(_closed_within(s, 6.0 - (time.monotonic() - started)) for s in socks)
        assert closed == len(socks), f"{len(socks) - closed} half-sent requests still held"
        assert time.monotonic() - started < 6.0
    finally:
        stop.set()
        dripper.join(2)
        for sock in socks:
            sock.close()
    assert_still_serves(sim)


def test_half_sent_body_is_closed(sim: Simulator) -> None:
    host, port = sim.endpoints.regions["NA"].removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    head = (
        f"PUT /listings/2021-08-01/items/{sim.core.credentials.seller_id}/EDGE-SLOW"
        f"?marketplaceIds={US} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000\r\n\r\n{"
    )
    sock.sendall(head.encode())
    try:
        assert _closed_within(sock, 5.0), "a body trickling in was held past BODY_TIMEOUT"
    finally:
        sock.close()
    assert_still_serves(sim)


def test_stall_fault_still_holds_its_answer_past_the_deadlines(sim: Simulator) -> None:
    """The deadlines bound what the client sends, never how long an answer is held."""
    rule = FaultRule("getMarketplaceParticipations", on_calls=(1,), transport="stall", hold=4)
    sim.reset(SimConfig(faults=FaultPlan((rule,), seed=3)))
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(
            f"{sim.endpoints.regions['NA']}/sellers/v1/marketplaceParticipations",
            headers={"x-amz-access-token": token(sim)},
            timeout=httpx.Timeout(10, read=3.0),
        )
    assert time.monotonic() - started >= 2.9  # held beyond HEADER_/BODY_TIMEOUT (1.5 s)
    assert_still_serves(sim)


# -- 3. oversized bodies --------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["LWA", "NA"])
def test_oversized_body_announced_is_413_unread(sim: Simulator, endpoint: str) -> None:
    base = sim.endpoints.lwa_token_url if endpoint == "LWA" else listing_url(sim)
    host_port, _, path = base.removeprefix("http://").partition("/")
    host, port = host_port.split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    try:
        sock.sendall(
            (
                f"PUT /{path}?marketplaceIds={US} HTTP/1.1\r\nHost: x\r\n"
                "Content-Type: application/json\r\nContent-Length: 10485761\r\n\r\n{"
            ).encode()
        )
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"The request size exceeded the maximum accepted size." in answer
    exchange = last(sim)
    assert exchange.status == 413
    assert exchange.facts["refusal"] == "BODY-TOO-LARGE"
    assert "BODY-SIZE-CAP" in notes(exchange)
    assert exchange.request_body in (None, {})
    assert_still_serves(sim)


def test_oversized_chunked_body_to_lwa_is_413(sim: Simulator) -> None:
    """No Content-Length: reading stops at the cap (1 MiB for LWA), not at 10 MB."""
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(160):  # 10 MiB in 64 KiB pieces
            sent += 65536
            yield b"a" * 65536

    try:
        response = httpx.post(
            sim.endpoints.lwa_token_url,
            content=chunks(),
            headers={"content-type": "application/x-www-form-urlencoded"},
            timeout=10,
        )
        assert response.status_code == 413, response.text
        assert response.json()["error"] == "invalid_request"
    except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
        pass  # the server closed after answering; the journal shows what it answered
    exchange = last(sim)
    assert exchange.status == 413
    assert exchange.facts["refusal"] == "BODY-TOO-LARGE"
    assert_still_serves(sim)


# -- 4. product types -----------------------------------------------------------------------


@pytest.mark.parametrize("product_type", ["", "   ", "NOT A TYPE", "LUGGAGE;DROP"])
def test_put_with_no_product_type_name_is_invalid_not_accepted(
    sim: Simulator, product_type: str
) -> None:
    access = token(sim)
    sku = "EDGE-PT"
    response = httpx.put(
        listing_url(sim, sku),
        params={"marketplaceIds": US},
        json={"productType": product_type, "attributes": {"item_name": [{"value": "Mug"}]}},
        headers={"x-amz-access-token": access},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "INVALID"
    assert body["issues"][0]["attributeNames"] == ["productType"]
    exchange = last(sim)
    assert "LST-PRODUCT-TYPE-NAME" in notes(exchange)
    # Nothing was stored, so no ASIN appears for it.
    got = httpx.get(
        listing_url(sim, sku),
        params={"marketplaceIds": US},
        headers={"x-amz-access-token": access},
        timeout=10,
    )
    assert got.status_code == 404, got.text
    assert_still_serves(sim)


def test_put_with_a_type_acorn_lacks_is_accepted_with_a_note(sim: Simulator) -> None:
    """NOT_A_TYPE is shaped like HOME_BED_AND_BATH, a real type ACORN has no schema for:
    offline, ACORN cannot tell them apart, so it accepts both and says so."""
    response = httpx.put(
        listing_url(sim, "EDGE-NOSCHEMA"),
        params={"marketplaceIds": US},
        json={"productType": "NOT_A_TYPE", "attributes": {"item_name": [{"value": "Mug"}]}},
        headers={"x-amz-access-token": token(sim)},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ACCEPTED"
    assert "LST-PRODUCT-TYPE-NO-SCHEMA" in notes(last(sim))
    assert "acorn product-types pull" in NOTES["LST-PRODUCT-TYPE-NO-SCHEMA"]


# -- 5. Content-Type ------------------------------------------------------------------------


def test_put_without_content_type_is_read_as_json_with_a_note(sim: Simulator) -> None:
    response = httpx.put(
        listing_url(sim, "EDGE-NOCT"),
        params={"marketplaceIds": US},
        content=b'{"productType": "LUGGAGE", "attributes": {}}',
        headers={"x-amz-access-token": token(sim)},
        timeout=10,
    )
    assert "content-type" not in response.request.headers
    assert response.status_code == 200, response.text
    exchange = last(sim)
    assert "refusal" not in exchange.facts
    assert "CONTENT-TYPE-MISSING" in notes(exchange)
    assert_still_serves(sim)


def test_put_with_another_content_type_is_415(sim: Simulator) -> None:
    response = httpx.put(
        listing_url(sim, "EDGE-XML"),
        params={"marketplaceIds": US},
        content=b'{"productType": "LUGGAGE", "attributes": {}}',
        headers={"x-amz-access-token": token(sim), "content-type": "text/xml"},
        timeout=10,
    )
    assert response.status_code == 415, response.text
    assert last(sim).facts["refusal"] == "CONTRACT-MEDIA-TYPE"
    assert_still_serves(sim)
