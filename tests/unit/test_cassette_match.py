"""Matching and replay: ordered repeats, configurable matchers, explained misses, and the
round trip (record -> save -> load -> replay gives the same answers) as a property.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.cassettes import (
    Cassette,
    Interaction,
    MatchPolicy,
    Miss,
    Player,
    RecordedRequest,
    RecordedResponse,
    Scrubber,
    load,
    probe,
    save,
)
from harness.contracts import load_contracts
from harness.errors import AcornUsageError
from harness.sim.http import SimRequest
from harness.sim.replay import UNMATCHED_MESSAGE, ReplayCore

NA = "https://sandbox.sellingpartnerapi-na.amazon.com"
FEED = "/feeds/2021-06-30/feeds/50000000001"
CONTRACTS = load_contracts()


def _item(
    path: str, answer: object, *, method: str = "GET", body: str | None = None, status: int = 200
) -> Interaction:
    return Interaction(
        RecordedRequest(method, NA + path, {}, body),
        RecordedResponse(status, "OK", {"content-type": ["application/json"]}, json.dumps(answer)),
        endpoint="NA",
    )


def _sent(player: Player, path: str, *, method: str = "GET", body: str | None = None) -> object:
    base, _, query = path.partition("?")
    played = player.play(probe(method, "NA", base, query, body, player.policy))
    if isinstance(played, Miss):
        return played
    return json.loads(played[1].response.body or "")


def test_polling_gets_in_progress_then_done_as_recorded_then_done_again() -> None:
    states = ["IN_QUEUE", "IN_PROGRESS", "IN_PROGRESS", "DONE"]
    player = Player(Cassette("feed", [_item(FEED, {"processingStatus": s}) for s in states]))
    seen = [_sent(player, FEED) for _ in range(6)]
    assert [s["processingStatus"] for s in seen] == [*states, "DONE", "DONE"]  # type: ignore[index]


def test_without_repeats_an_exhausted_request_misses() -> None:
    player = Player(
        Cassette("feed", [_item(FEED, {"processingStatus": "DONE"})]),
        MatchPolicy(repeat_last=False),
    )
    assert not isinstance(_sent(player, FEED), Miss)
    assert isinstance(_sent(player, FEED), Miss)


def test_query_order_and_csv_arrays_do_not_matter() -> None:
    player = Player(
        Cassette("o", [_item("/orders/v0/orders?MarketplaceIds=A,B&CreatedAfter=x", 1)])
    )
    assert _sent(player, "/orders/v0/orders?CreatedAfter=x&MarketplaceIds=A&MarketplaceIds=B") == 1


def test_json_bodies_compare_by_value_not_by_spacing() -> None:
    item = _item(
        "/tokens/2021-03-01/restrictedDataToken", 7, method="POST", body='{"a": 1, "b": 2}'
    )
    player = Player(Cassette("t", [item]))
    assert _sent(player, item.request.path, method="POST", body='{"b":2,"a":1}') == 7


def test_an_ignored_query_parameter_is_left_out() -> None:
    cassette = Cassette("o", [_item("/orders/v0/orders?CreatedAfter=2026-01-01&Ids=A", 1)])
    strict = Player(cassette)
    assert isinstance(_sent(strict, "/orders/v0/orders?CreatedAfter=2027-09-09&Ids=A"), Miss)
    loose = Player(cassette, MatchPolicy.parse(ignore_query=["CreatedAfter"]))
    assert _sent(loose, "/orders/v0/orders?CreatedAfter=2027-09-09&Ids=A") == 1


def test_matching_on_method_and_path_only_ignores_the_body() -> None:
    item = _item("/feeds/2021-06-30/feeds", 1, method="POST", body='{"feedType": "A"}')
    player = Player(Cassette("f", [item]), MatchPolicy.parse(["method", "path"]))
    assert _sent(player, "/feeds/2021-06-30/feeds", method="POST", body='{"feedType": "B"}') == 1


def test_an_unknown_matcher_is_a_usage_error() -> None:
    with pytest.raises(AcornUsageError, match="choose among method, endpoint"):
        MatchPolicy.parse(["method", "headers"])


def test_a_miss_lists_the_nearest_entries_and_what_differs() -> None:
    cassette = Cassette(
        "o",
        [
            _item("/sellers/v1/marketplaceParticipations", 0),
            _item("/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER", 1),
        ],
    )
    miss = _sent(Player(cassette), "/orders/v0/orders?MarketplaceIds=A1PA6795UKMFR9")
    assert isinstance(miss, Miss)
    assert miss.nearest[0].index == 1
    assert miss.nearest[0].differences == [
        "query MarketplaceIds: recorded ATVPDKIKX0DER, sent A1PA6795UKMFR9"
    ]
    assert "nearest: entry 1" in miss.explain()


def _request(method: str, path: str, query: dict[str, list[str]], body: bytes) -> SimRequest:
    headers = {"content-type": "application/json"} if body else {}
    return SimRequest(method, path, query, headers, body)


def test_replay_core_answers_sp_apis_own_400_and_journals_the_near_miss() -> None:
    cassette = Cassette("o", [_item("/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER", {"x": 1})])
    core = ReplayCore(cassette, contracts=CONTRACTS)
    reply = core.handle(
        "NA", _request("GET", "/orders/v0/orders", {"MarketplaceIds": ["A1PA6795UKMFR9"]}, b"")
    )
    assert reply.status == 400
    assert reply.body == {
        "errors": [{"code": "InvalidInput", "message": UNMATCHED_MESSAGE, "details": ""}]
    }
    (exchange,) = core.journal.all()
    assert exchange.operation == "getOrders"
    facts = exchange.facts["replay"]
    assert facts["unmatched"] is True
    assert facts["nearest"][0]["differs"] == [
        "query MarketplaceIds: recorded ATVPDKIKX0DER, sent A1PA6795UKMFR9"
    ]


# -- the round trip, as a property ---------------------------------------------------------

_WORD = st.text(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=8
)
_PATHS = st.sampled_from(
    [
        "/orders/v0/orders",
        "/sellers/v1/marketplaceParticipations",
        "/feeds/2021-06-30/feeds/1",
        "/listings/2021-08-01/items/A0SELLER00001/SKU-1",
    ]
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | _WORD,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_WORD, inner, max_size=3),
    max_leaves=8,
)


@st.composite
def _exchange(draw: st.DrawFn) -> tuple[str, str, dict[str, list[str]], str | None, int, object]:
    method = draw(st.sampled_from(["GET", "POST", "PUT"]))
    path = draw(_PATHS)
    query = draw(st.dictionaries(_WORD, st.lists(_WORD, min_size=1, max_size=2), max_size=2))
    body = json.dumps(draw(st.dictionaries(_WORD, _JSON, max_size=3))) if method != "GET" else None
    status = draw(st.sampled_from([200, 202, 400, 403, 404, 429, 500]))
    answer = {"payload": draw(_JSON)}
    return method, path, query, body, status, answer


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(st.lists(_exchange(), min_size=1, max_size=8))
def test_record_save_load_replay_gives_the_same_answers(
    exchanges: list[tuple[str, str, dict[str, list[str]], str | None, int, object]],
) -> None:
    items = []
    for method, path, query, body, status, answer in exchanges:
        uri = NA + path + (f"?{urlencode(query, doseq=True)}" if query else "")
        items.append(
            Interaction(
                RecordedRequest(method, uri, {"content-type": ["application/json"]}, body),
                RecordedResponse(
                    status, "OK", {"content-type": ["application/json"]}, json.dumps(answer)
                ),
                endpoint="NA",
            )
        )
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "prop" / "cassette.yaml"
        saved = save(Cassette("prop", items), file, Scrubber())
        core = ReplayCore(load(file), contracts=CONTRACTS)
    # Replayed in the recorded order, the i-th request gets the i-th recorded answer, even
    # when the same request was recorded several times with different answers.
    for (method, req_path, query, body, status, answer), item in zip(
        exchanges, saved.interactions, strict=True
    ):
        reply = core.handle("NA", _request(method, req_path, query, (body or "").encode()))
        assert (reply.status, reply.body) == (
            item.response.status,
            json.loads(item.response.body or ""),
        )
        # Nothing in these exchanges is sensitive, so the recorded answer is the original.
        assert item.response.status == status
        assert json.loads(item.response.body or "") == answer


@pytest.mark.parametrize("value", ["0", "00", "v0", "seller"])
def test_a_value_that_is_no_seller_id_is_neither_learnt_nor_rewritten(value: str) -> None:
    """Found by the round-trip property: {"sellerId": "0"} once rewrote /orders/v0/ paths."""
    item = Interaction(
        RecordedRequest(
            "POST",
            NA + "/orders/v0/orders",
            {"content-type": ["application/json"]},
            json.dumps({"sellerId": value}),
        ),
        RecordedResponse(200, "OK", {"content-type": ["application/json"]}, '{"payload": {}}'),
        endpoint="NA",
    )
    scrubbed = Scrubber().cassette(Cassette("c", [item])).interactions[0]
    assert scrubbed.request.uri == NA + "/orders/v0/orders"
    assert json.loads(scrubbed.request.body or "") == {"sellerId": value}


def test_a_seller_id_is_pseudonymised_as_a_whole_word_only() -> None:
    seller = "A2EUQ1WTGCTBG2"
    item = Interaction(
        RecordedRequest(
            "GET",
            NA + f"/listings/2021-08-01/items/{seller}/SKU-{seller}X",
            {},
            None,
        ),
        RecordedResponse(200, "OK", {"content-type": ["application/json"]}, "{}"),
        endpoint="NA",
    )
    scrubbed = Scrubber(seller_ids=[seller]).cassette(Cassette("c", [item])).interactions[0]
    assert scrubbed.request.uri == NA + f"/listings/2021-08-01/items/A0SELLER00001/SKU-{seller}X"
