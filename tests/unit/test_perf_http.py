"""The fast HTTP stack keeps h11's bounds, and the journal reads without sorting.

httptools has no limit of its own on a request head; the simulator keeps h11's 16 KiB (a 400,
as h11 answered) so a client streaming an endless head cannot grow its memory.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from harness.sim import Simulator
from harness.sim.journal import Exchange, Journal, TokenUse
from harness.sim.loopback import MAX_HEAD_BYTES

US = "ATVPDKIKX0DER"


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator() as simulator:
        yield simulator


def _exchange(head: bytes, sim: Simulator) -> bytes:
    host, port = sim.endpoints.regions["NA"].removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
            if b"\r\n\r\n" in data:
                break
        return data


def test_an_oversized_request_head_is_refused(sim: Simulator) -> None:
    filler = b"X-Filler: " + b"a" * (MAX_HEAD_BYTES + 1024) + b"\r\n"
    answer = _exchange(b"GET /sellers/v1/marketplaceParticipations HTTP/1.1\r\n" + filler, sim)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:100]


def test_a_large_head_within_the_cap_is_served(sim: Simulator) -> None:
    filler = b"X-Filler: " + b"a" * (MAX_HEAD_BYTES // 2) + b"\r\n"
    head = b"GET /sellers/v1/marketplaceParticipations HTTP/1.1\r\nHost: x\r\n" + filler + b"\r\n"
    answer = _exchange(head, sim)
    assert answer.startswith(b"HTTP/1.1 403"), answer[:100]  # no token: Amazon's 403


def _e(seq: int) -> Exchange:
    return Exchange(
        seq, f"r{seq}", 0.0, 0.0, "NA", None, "GET", "/", {}, {}, None, 200, {}, None, 0.0
    )


def test_journal_keeps_seq_order_and_reads_what_is_new() -> None:
    journal = Journal()
    for seq in (1, 2, 4, 3, 5):
        journal.append(_e(seq))
    assert [e.seq for e in journal.all()] == [1, 2, 3, 4, 5]
    assert [e.seq for e in journal.since(2)] == [3, 4, 5]
    assert journal.since(5) == []
    assert journal.next_seq() == 6
    journal.clear()
    assert journal.next_seq() == 1


def _plain(exchanges: list[Exchange]) -> list[object]:
    return [json.loads(json.dumps(e.to_dict(), default=sorted)) for e in exchanges]


def test_a_spilled_journal_reads_back_what_was_answered() -> None:
    """Real exchanges (LWA grant, getOrders, a listings PUT, refusals) through a journal that
    spills after 3: the same exchanges come back, in order, as a journal file keeps them."""
    from harness.sim.core import TOKEN_PATH, SimCore
    from harness.sim.http import SimRequest

    core = SimCore()
    creds = core.credentials
    form = (
        f"grant_type=refresh_token&refresh_token={creds.refresh_token}"
        f"&client_id={creds.client_id}&client_secret={creds.client_secret}"
    )
    lwa = SimRequest(
        "POST", TOKEN_PATH, {}, {"content-type": "application/x-www-form-urlencoded"}, form.encode()
    )
    token = json.loads(json.dumps(core.handle("LWA", lwa).body))["access_token"]
    auth = {"x-amz-access-token": token, "content-type": "application/json"}
    orders = {"MarketplaceIds": [US], "CreatedAfter": ["2026-01-01T00:00:00Z"]}
    put = b'{"productType":"LUGGAGE","requirements":"LISTING","attributes":{}}'
    listing = f"/listings/2021-08-01/items/{creds.seller_id}/SPILL-1"
    for _ in range(3):
        core.handle("NA", SimRequest("GET", "/orders/v0/orders", orders, auth, b""))
        core.handle("NA", SimRequest("PUT", listing, {"marketplaceIds": [US]}, auth, put))
        core.handle("NA", SimRequest("GET", "/orders/v0/orders", {}, {}, b""))
    answered = core.journal.all()
    spilling = Journal(spill_after=3)
    for exchange in answered:
        spilling.append(exchange)
    assert len(spilling) == len(answered) == 10
    assert spilling._spilled > 0  # the limit was reached: some came back from disk
    back = spilling.all()
    assert [e.seq for e in back] == [e.seq for e in answered]
    assert _plain(back) == _plain(answered)
    assert all(isinstance(e.token, TokenUse) for e in back if e.operation == "getOrders")
    assert [e.seq for e in spilling.since(1)] == list(range(2, 11))
    assert spilling.next_seq() == 11


def test_answers_are_compact_utf8_json_and_big_integers_still_serialise() -> None:
    """Answers go out through orjson; what it refuses (integers past 64 bits) through json."""
    from harness.sim.app import _json

    body = {"Name": "Zoë", "n": [1, 2.5, None, True], 3: "non-str key"}
    assert _json(body) == '{"Name":"Zoë","n":[1,2.5,null,true],"3":"non-str key"}'.encode()
    assert json.loads(_json({"huge": 2**70})) == {"huge": 2**70}


@given(
    st.lists(
        st.tuples(
            st.text(st.sampled_from("ab=&;%+2F é"), max_size=4),
            st.text(st.sampled_from("ab=&;%+2F é"), max_size=4),
        ),
        max_size=5,
    ).map(lambda pairs: "&".join(f"{k}={v}" if v else k for k, v in pairs))
)
@example("MarketplaceIds=ATVPDKIKX0DER&CreatedAfter=2026-01-01T00:00:00Z")
@example("a&&b=&=c&a=2")
def test_the_query_fast_path_reads_as_parse_qs(text: str) -> None:
    from urllib.parse import parse_qs

    from harness.sim.app import _parse_query

    assert _parse_query(text) == parse_qs(text, keep_blank_values=True)
