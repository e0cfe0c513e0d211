"""MON-01/02 and NOT-01 on synthetic journals: the failure modes the e2e pair does not reach
(an alert with a secret, an invalid_client never alerted, lasting throttling, a destination
made with the seller's token), and the alert sink over real HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx

from harness.checks import MON_01, MON_02, NOT_01, Canaries, Observation
from harness.checks.monitoring import incidents
from harness.drive.base import ActionOutcome
from harness.sim.alerts import AlertSink
from harness.sim.clock import VirtualClock
from harness.sim.journal import Exchange, TokenUse

US = "ATVPDKIKX0DER"
SECRET = "amzn1.oa2-cs.v1.0123456789abcdef"


def _ex(seq: int, wall: float, operation: str, status: int, **kw: Any) -> Exchange:
    lwa = operation.startswith("lwa:")
    return Exchange(
        seq=seq,
        request_id=f"r{seq}",
        wall=wall,
        virtual=1000.0 + wall * 60,
        endpoint="LWA" if lwa else "NA",
        operation=operation,
        method=kw.get("method", "GET"),
        path=kw.get("path", "/auth/o2/token" if lwa else "/orders/v0/orders"),
        query=kw.get("query", {} if lwa else {"MarketplaceIds": [US]}),
        request_headers={},
        request_body=kw.get("body"),
        status=status,
        response_headers={},
        response_body=kw.get("response"),
        duration_ms=1.0,
        token=kw.get("token"),
    )


def _sync(start: float, end: float) -> tuple[ActionOutcome, tuple[float, float]]:
    args = {"marketplace_ids": [US], "created_after": "2020-01-01T00:00:00Z"}
    return ActionOutcome("sync_orders", args, "failed", {"ok": False}), (start, end)


def _obs(exchanges: list[Exchange], alerts: list[dict[str, Any]], windows: int = 1) -> Observation:
    pairs = [_sync(i * 10.0, i * 10.0 + 9.0) for i in range(windows)]
    return Observation(
        scenario="alerting",
        exchanges=exchanges,
        outcomes=[p[0] for p in pairs],
        action_windows=[p[1] for p in pairs],
        expected={"alerts": alerts},
        canaries=Canaries(secrets={"LWA client secret": (SECRET,)}),
    )


def _alert(wall: float, text: str) -> dict[str, Any]:
    return {
        "wall": wall,
        "virtual": 1000.0 + wall * 60,
        "body": {"text": text},
        "text": json.dumps({"text": text}),
    }


INVALID_CLIENT = {"error": "invalid_client", "error_description": "Client authentication failed"}


def test_an_invalid_client_nobody_is_told_about_fails_mon_01() -> None:
    journal = [_ex(1, 1.0, "lwa:refresh_token", 401, response=INVALID_CLIENT)]
    result = MON_01.evaluate(_obs(journal, []))
    assert result.status == "failed"
    assert "invalid_client on LWA token request (ATVPDKIKX0DER" in result.summary
    assert "no alert at all" in result.summary


def test_an_alert_carrying_the_client_secret_fails_mon_01_without_printing_it() -> None:
    journal = [_ex(1, 1.0, "lwa:refresh_token", 401, response=INVALID_CLIENT)]
    alert = _alert(1.5, f"invalid_client for {US}: form client_secret={SECRET}")
    result = MON_01.evaluate(_obs(journal, [alert]))
    assert result.status == "failed"
    assert "carry LWA client secret" in result.summary
    assert SECRET not in result.summary + " ".join(result.evidence)


def test_a_late_alert_is_not_in_time() -> None:
    journal = [_ex(1, 1.0, "lwa:refresh_token", 401, response=INVALID_CLIENT)]
    late = _alert(1.0 + 16.0, f"rotate client credentials: invalid_client, {US}")  # 16 min
    assert MON_01.evaluate(_obs(journal, [late])).status == "failed"
    timely = _alert(2.0, f"rotate client credentials: invalid_client, {US}")
    assert MON_01.evaluate(_obs(journal, [timely])).status == "passed"


def test_throttling_is_an_incident_only_when_it_lasts() -> None:
    short = [_ex(i, i * 0.5, "getOrders", 429) for i in range(1, 5)]  # 2 s wall = 2 min
    assert incidents(_obs(short, [])) == []
    lasting = [_ex(i, i * 1.0, "getOrders", 429) for i in range(1, 8)]  # 6 virtual minutes
    found = incidents(_obs(lasting, []))
    assert [(i.kind, i.operation, i.marketplaces) for i in found] == [
        ("throttled", "getOrders", [US])
    ]


def test_one_alert_per_incident_passes_mon_02_and_one_per_request_fails() -> None:
    journal = [_ex(i, 1.0 + i * 0.1, "getOrders", 503) for i in range(1, 6)]
    one = [_alert(2.0, f"getOrders 5xx for {US}")]
    assert MON_02.evaluate(_obs(journal, one)).status == "passed"
    storm = [_alert(1.0 + i * 0.1, f"getOrders 503 {US}") for i in range(1, 6)]
    result = MON_02.evaluate(_obs(journal, storm))
    assert result.status == "failed"
    assert "5 alerts for 1 incident(s)" in result.summary


def test_without_the_sink_mon_checks_are_not_proven() -> None:
    journal = [_ex(1, 1.0, "getOrders", 503)]
    obs = _obs(journal, [])
    obs.expected = {}
    assert MON_01.evaluate(obs).status == "skipped"


def test_a_destination_made_with_the_sellers_token_fails_not_01() -> None:
    seller = TokenUse("t1", "access", "wrong_grant")
    spec = {"name": "q", "resourceSpecification": {"sqs": {"arn": "arn:aws:sqs:us-east-1:1:q"}}}
    journal = [
        _ex(
            1,
            1.0,
            "createDestination",
            403,
            method="POST",
            path="/notifications/v1/destinations",
            body=spec,
            token=seller,
        )
    ]
    obs = Observation(
        scenario="notifications",
        exchanges=journal,
        outcomes=[ActionOutcome("subscribe", {}, "failed", {"ok": False})],
        expected={"notifications": {"types": ["ORDER_CHANGE"]}},
    )
    result = NOT_01.evaluate(obs)
    assert result.status == "failed"
    assert "createDestination sent with the seller's token" in result.summary


def test_the_alert_sink_records_json_posts_with_the_simulators_clock() -> None:
    clock = VirtualClock(speed=60.0)
    with AlertSink(lambda: clock) as sink, httpx.Client(trust_env=False) as http:
        assert http.post(sink.url, json={"text": "hello"}).status_code == 200
        assert http.post(sink.url, content=b"not json").status_code == 400
        records = sink.records
        assert [r.body for r in records] == [{"text": "hello"}, None]
        assert records[0].virtual > 0
        sink.clear()
        assert sink.records == []


def test_a_feed_given_up_while_in_progress_is_an_incident_to_alert() -> None:
    feed = {"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": ["A1PA6795UKMFR9"]}
    path = "/feeds/2021-06-30/feeds/50000000001"
    journal = [
        _ex(
            1,
            1.0,
            "createFeed",
            202,
            method="POST",
            path="/feeds/2021-06-30/feeds",
            body=feed,
            query={},
        ),
        _ex(2, 1.5, "getFeed", 200, path=path, query={}),
        _ex(3, 2.5, "getFeed", 200, path=path, query={}),
    ]
    journal[0].facts["feed_id"] = "50000000001"
    for e in journal[1:]:
        e.facts.update(feed_id="50000000001", status="IN_PROGRESS")
    found = incidents(_obs(journal, []))
    assert [(i.kind, i.marketplaces, i.requests) for i in found] == [
        ("feed_stuck", ["A1PA6795UKMFR9"], 2)
    ]
    assert MON_01.evaluate(_obs(journal, [])).status == "failed"
    told = _alert(3.0, "getFeed: feed 50000000001 stuck IN_PROGRESS for A1PA6795UKMFR9")
    assert MON_01.evaluate(_obs(journal, [told])).status == "passed"
    journal[2].facts["status"] = "DONE"  # it finished: nothing for a person to do
    assert incidents(_obs(journal, [])) == []


def test_a_listing_read_back_suppressed_is_an_incident_to_alert() -> None:
    suppressed = {
        "sku": "TOY-1",
        "issues": [{"code": "18448", "severity": "ERROR",
                    "enforcements": {"actions": [{"action": "SEARCH_SUPPRESSED"}]}}],
    }  # fmt: skip
    path = "/listings/2021-08-01/items/A1SELLER/TOY-1"
    journal = [
        _ex(1, 1.0, "getListingsItem", 200, path=path, query={"marketplaceIds": [US]},
            response=suppressed),
        _ex(2, 2.0, "getListingsItem", 200, path=path, query={"marketplaceIds": [US]},
            response=suppressed),
    ]  # fmt: skip
    found = incidents(_obs(journal, []))
    assert [(i.kind, i.marketplaces, i.requests) for i in found] == [
        ("listing_suppressed", [US], 2)
    ]
    told = _alert(2.5, f"getListingsItem: TOY-1 in {US} suppressed (18448)")
    assert MON_01.evaluate(_obs(journal, [told])).status == "passed"
    assert MON_01.evaluate(_obs(journal, [])).status == "failed"
