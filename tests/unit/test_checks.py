"""Every readiness check proven both ways on synthetic journals, plus 'nothing to judge'."""

from __future__ import annotations

import pytest
from journal_factory import (
    EU_DE,
    FE_JP,
    NA_US,
    Buyer,
    Order,
    access_token,
    expected_for,
    expired_403,
    lwa_grant,
    observation,
    rdt_token,
    rid,
    sp_call,
    sync_orders,
    synced,
)

from harness.checks import (
    ALL_CHECKS,
    AUTH_01,
    AUTH_02,
    ORD_01,
    PII_01,
    CheckResult,
    Observation,
    digest,
)
from harness.sim.errors import DETAILS_EXPIRED, DETAILS_INVALID


def _all_text(result: CheckResult) -> str:
    return result.summary + "\n" + "\n".join(result.evidence)


# -- AUTH-01: refresh before expiry ----------------------------------------------------------

FIRST = access_token("Atza|first", issued_wall=0.0, expires_in=3)
SECOND = access_token("Atza|second", issued_wall=2.8, expires_in=3)


def test_auth01_passes_when_token_renewed_before_expiry() -> None:
    obs = observation(
        lwa_grant(1, 0.0, 3, token_id="Atza|first"),
        sp_call(2, 1.0, "getOrders", token=FIRST),
        sp_call(3, 2.0, "getOrders", token=FIRST),
        lwa_grant(4, 2.8, 3, token_id="Atza|second"),
        sp_call(5, 3.5, "getOrders", token=SECOND),
    )

    result = AUTH_01.evaluate(obs)

    assert result.status == "passed", result.explain()
    assert "2 token request(s)" in result.summary
    assert any(rid(1) in line for line in result.evidence)
    assert any(rid(4) in line for line in result.evidence)
    assert result.metrics == {"token_requests": 2, "late_token_uses": 0}


def test_auth01_fails_when_first_token_used_after_announced_expiry() -> None:
    obs = observation(
        lwa_grant(1, 0.0, 3, token_id="Atza|first"),
        sp_call(2, 1.0, "getOrders", token=FIRST),
        sp_call(3, 2.0, "getOrders", token=FIRST),
        expired_403(4, 3.5, "getOrders", FIRST),
    )
    assert FIRST.told_expired_at == 3.0

    result = AUTH_01.evaluate(obs)

    assert result.status == "failed"
    assert "1 SP-API call(s)" in result.summary
    assert "expires_in=3s" in result.summary
    assert "0.5s past expiry" in result.summary
    assert len(result.evidence) == 1
    assert rid(4) in result.evidence[0]
    assert rid(2) not in _all_text(result)
    assert rid(3) not in _all_text(result)
    assert result.metrics["late_token_uses"] == 1


def test_auth01_fails_even_if_a_new_token_existed_but_the_old_one_was_sent() -> None:
    obs = observation(
        lwa_grant(1, 0.0, 3, token_id="Atza|first"),
        sp_call(2, 1.0, "getOrders", token=FIRST),
        lwa_grant(3, 2.8, 3, token_id="Atza|second"),
        sp_call(4, 3.5, "getOrders", token=SECOND),
        sp_call(5, 3.6, "getOrders", token=FIRST),
    )

    result = AUTH_01.evaluate(obs)

    assert result.status == "failed"
    assert [rid(5) in line for line in result.evidence] == [True]


def test_auth01_ignores_rdt_lifetimes() -> None:
    """AUTH-01 is about access tokens; a late RDT is PII-01/AUTH-02 territory."""
    old_rdt = rdt_token("Atz.sprdt|old", issued_wall=0.0, expires_in=3)
    obs = observation(
        lwa_grant(1, 0.0, 3, token_id="Atza|first"),
        lwa_grant(2, 2.8, 3, token_id="Atza|second"),
        sp_call(3, 3.5, "getOrderAddress", token=old_rdt),
        sp_call(4, 3.6, "getOrders", token=SECOND),
    )

    assert AUTH_01.evaluate(obs).status == "passed"


def test_auth01_skipped_when_every_call_happens_before_expiry() -> None:
    obs = observation(
        lwa_grant(1, 0.0, 3, token_id="Atza|first"),
        sp_call(2, 1.0, "getOrders", token=FIRST),
        sp_call(3, 2.9, "getOrders", token=FIRST),
    )

    result = AUTH_01.evaluate(obs)

    assert result.status == "skipped"
    assert "ended before the first access token expired" in result.summary
    assert result.evidence == []


def test_auth01_skipped_without_any_traffic() -> None:
    assert AUTH_01.evaluate(observation()).status == "skipped"


# -- AUTH-02: refresh once and retry once after an expired-token 403 -------------------------

OLD = access_token("Atza|old", issued_wall=0.0)
NEW = access_token("Atza|new", issued_wall=5.1)
NEWER = access_token("Atza|newer", issued_wall=5.3)


def test_auth02_passes_on_one_refresh_then_one_successful_retry() -> None:
    obs = observation(
        lwa_grant(1, 0.0, token_id="Atza|old"),
        expired_403(2, 5.0, "getOrders", OLD),
        lwa_grant(3, 5.1, token_id="Atza|new"),
        sp_call(4, 5.2, "getOrders", token=NEW),
    )
    assert obs.exchanges[1].error_details() == "The access token you provided has expired."

    result = AUTH_02.evaluate(obs)

    assert result.status == "passed", result.explain()
    assert "Each of 1 expired-token 403(s)" in result.summary
    assert rid(2) in result.evidence[0]
    assert rid(4) in result.evidence[1]
    assert result.metrics == {"expired_403": 1, "recovered": 1}


def test_auth02_fails_when_never_retried() -> None:
    obs = observation(
        lwa_grant(1, 0.0, token_id="Atza|old"),
        expired_403(2, 5.0, "getOrders", OLD),
        lwa_grant(3, 5.1, token_id="Atza|new"),
    )

    result = AUTH_02.evaluate(obs)

    assert result.status == "failed"
    assert f"request {rid(2)} (getOrders) was never retried" in result.summary
    assert any(rid(2) in line for line in result.evidence)
    assert result.metrics["recovered"] == 0


def test_auth02_fails_when_retried_without_refresh() -> None:
    obs = observation(
        lwa_grant(1, 0.0, token_id="Atza|old"),
        expired_403(2, 5.0, "getOrders", OLD),
        expired_403(3, 5.1, "getOrders", OLD),
    )

    result = AUTH_02.evaluate(obs)

    assert result.status == "failed"
    assert f"request {rid(2)} (getOrders) was retried without a new token" in result.summary
    assert "the same expired token was sent 1 more time(s) to the same path" in result.summary
    assert any(rid(3) in line for line in result.evidence)


def test_auth02_fails_on_two_refreshes_before_the_retry() -> None:
    obs = observation(
        lwa_grant(1, 0.0, token_id="Atza|old"),
        expired_403(2, 5.0, "getOrders", OLD),
        lwa_grant(3, 5.1, token_id="Atza|new"),
        lwa_grant(4, 5.2, token_id="Atza|newer"),
        sp_call(5, 5.3, "getOrders", token=NEWER),
    )

    result = AUTH_02.evaluate(obs)

    assert result.status == "failed"
    assert f"2 token requests before retrying {rid(2)}" in result.summary


def test_auth02_fails_when_the_retry_is_refused_again_and_it_loops() -> None:
    third = access_token("Atza|third", issued_wall=5.5)
    obs = observation(
        lwa_grant(1, 0.0, token_id="Atza|old"),
        expired_403(2, 5.0, "getOrders", OLD),
        lwa_grant(3, 5.1, token_id="Atza|new"),
        expired_403(4, 5.2, "getOrders", NEW),
        lwa_grant(5, 5.3, token_id="Atza|newer"),
        expired_403(6, 5.4, "getOrders", NEWER),
        lwa_grant(7, 5.5, token_id="Atza|third"),
        expired_403(8, 5.6, "getOrders", third),
    )

    result = AUTH_02.evaluate(obs)

    assert result.status == "failed"
    assert f"the retry {rid(4)} failed again with an expired token" in result.summary
    assert result.metrics["expired_403"] == 4
    assert result.metrics["recovered"] == 0


def test_auth02_rdt_expiry_is_renewed_at_the_tokens_api() -> None:
    old_rdt = rdt_token("Atz.sprdt|old", issued_wall=1.0)
    new_rdt = rdt_token("Atz.sprdt|new", issued_wall=6.0)
    obs = observation(
        lwa_grant(1, 0.0, token_id="Atza|old"),
        sp_call(2, 1.0, "createRestrictedDataToken", token=OLD),
        expired_403(3, 5.0, "getOrderAddress", old_rdt),
        sp_call(4, 5.1, "createRestrictedDataToken", token=OLD),
        sp_call(5, 5.2, "getOrderAddress", token=new_rdt, facts={"pii": "full"}),
    )

    result = AUTH_02.evaluate(obs)

    assert result.status == "passed", result.explain()
    assert rid(3) in result.evidence[0]
    assert rid(5) in result.evidence[1]


def test_auth02_rdt_renewal_refused_for_its_own_expired_access_token_is_one_renewal() -> None:
    """The RDT died, and so did the access token that asks for a new one: the client refreshes
    at LWA, asks the Tokens API again and retries once. One RDT was granted: one renewal."""
    old_rdt = rdt_token("Atz.sprdt|old", issued_wall=1.0)
    new_rdt = rdt_token("Atz.sprdt|new", issued_wall=6.0)
    obs = observation(
        lwa_grant(1, 0.0, token_id="Atza|old"),
        sp_call(2, 1.0, "createRestrictedDataToken", token=OLD),
        expired_403(3, 5.0, "getOrderAddress", old_rdt),
        expired_403(4, 5.05, "createRestrictedDataToken", OLD),
        lwa_grant(5, 5.1, token_id="Atza|new"),
        sp_call(6, 5.15, "createRestrictedDataToken", token=NEW),
        sp_call(7, 5.2, "getOrderAddress", token=new_rdt, facts={"pii": "full"}),
    )

    result = AUTH_02.evaluate(obs)

    assert result.status == "passed", result.explain()
    assert result.metrics == {"expired_403": 2, "recovered": 2}


def test_auth02_rdt_expiry_answered_with_an_lwa_refresh_fails() -> None:
    """An LWA refresh does not renew an RDT: the retry goes out with a plain access token."""
    old_rdt = rdt_token("Atz.sprdt|old", issued_wall=1.0)
    obs = observation(
        lwa_grant(1, 0.0, token_id="Atza|old"),
        sp_call(2, 1.0, "createRestrictedDataToken", token=OLD),
        expired_403(3, 5.0, "getOrderAddress", old_rdt),
        lwa_grant(4, 5.1, token_id="Atza|new"),
        sp_call(5, 5.2, "getOrderAddress", token=NEW, facts={"pii": "stripped"}),
    )

    result = AUTH_02.evaluate(obs)

    assert result.status == "failed"
    assert f"request {rid(3)} (getOrderAddress) was retried without a new token" in result.summary


def test_auth02_skipped_without_an_expired_403() -> None:
    obs = observation(
        lwa_grant(1, 0.0, token_id="Atza|old"),
        sp_call(2, 1.0, "getOrders", 403, token=OLD, details=DETAILS_INVALID),
        sp_call(3, 1.1, "getOrders", 403, token=OLD, details=""),
        lwa_grant(4, 1.2, status=400),
        sp_call(5, 1.3, "getOrders", token=OLD),
    )

    result = AUTH_02.evaluate(obs)

    assert result.status == "skipped"
    assert result.summary.startswith(
        "Not exercised: no call was answered with an expired-token 403."
    )


def test_auth02_expired_detection_needs_the_exact_details_text() -> None:
    """A 403 whose details merely resemble the expiry text is not an expired-token 403."""
    obs = observation(
        sp_call(1, 1.0, "getOrders", 403, token=OLD, details=DETAILS_EXPIRED.rstrip(".")),
    )

    assert AUTH_02.evaluate(obs).status == "skipped"


def test_auth02_a_call_to_another_region_is_not_a_retry() -> None:
    """BUG (harness/checks/auth.py, retry lookup): the retry is matched on method+path only.

    getOrders has the same path in every region, so the NA call refused as expired is
    credited with the EU call that follows the refresh: the NA orders were never re-fetched,
    yet AUTH-02 passes.
    """
    obs = observation(
        lwa_grant(1, 0.0, token_id="Atza|old"),
        expired_403(2, 5.0, "getOrders", OLD, endpoint="NA", query={"MarketplaceIds": [NA_US]}),
        lwa_grant(3, 5.1, token_id="Atza|new"),
        sp_call(4, 5.2, "getOrders", token=NEW, endpoint="EU", query={"MarketplaceIds": [EU_DE]}),
    )

    result = AUTH_02.evaluate(obs)

    assert result.status == "failed", result.explain()
    assert f"request {rid(2)} (getOrders) was never retried" in result.summary


# -- ORD-01 and PII-01: cross-region order sync with addresses behind RDTs -------------------

ADA = Buyer("Ada Lovelace", "12 Analytical Way")
GRACE = Buyer("Grace Hopper", "1 Compilerstrasse", city="Berlin", country_code="DE")
KEN = Buyer("Ken Sakamura", "2-1 Tron-dori", city="Tokyo", country_code="JP")
NA_ORDER = Order("111-0000001-0000001", NA_US, ADA)
EU_ORDER = Order("302-0000002-0000002", EU_DE, GRACE)
FE_ORDER = Order("503-0000003-0000003", FE_JP, KEN)
ORDERS = [NA_ORDER, EU_ORDER, FE_ORDER]
EXPECTED = expected_for(ORDERS)
TOKEN = access_token("Atza|tok", issued_wall=0.0)


def _page(*orders: Order, next_token: str | None = None) -> dict:
    """A getOrders answer as the journal keeps it: order ids, PII masked away."""
    payload: dict = {"Orders": [{"AmazonOrderId": o.amazon_order_id} for o in orders]}
    if next_token:
        payload["NextToken"] = next_token
    return {"payload": payload}


def _orders_calls() -> list:
    """getOrders to each region's own endpoint (seq 2..4), each returning its order."""
    return [
        sp_call(
            seq,
            1.0 + 0.1 * (seq - 2),
            "getOrders",
            token=TOKEN,
            endpoint=region,
            query={"MarketplaceIds": [order.marketplace_id]},
            body=_page(order),
        )
        for seq, region, order in ((2, "NA", NA_ORDER), (3, "EU", EU_ORDER), (4, "FE", FE_ORDER))
    ]


def _address_calls(stripped: tuple[str, ...] = ()) -> list:
    """Per order: createRestrictedDataToken + getOrderAddress with the RDT (seq 5..10).

    Orders whose id is in ``stripped`` are fetched with the plain access token instead.
    """
    calls = []
    seq = 5
    for order in ORDERS:
        region = {NA_US: "NA", EU_DE: "EU", FE_JP: "FE"}[order.marketplace_id]
        if order.amazon_order_id in stripped:
            calls.append(
                sp_call(
                    seq,
                    2.0,
                    "getOrderAddress",
                    token=TOKEN,
                    endpoint=region,
                    order_id=order.amazon_order_id,
                    facts={"pii": "stripped"},
                )
            )
        else:
            rdt = rdt_token(f"Atz.sprdt|{seq}", issued_wall=2.0)
            calls.append(
                sp_call(seq, 2.0, "createRestrictedDataToken", token=TOKEN, endpoint=region)
            )
            calls.append(
                sp_call(
                    seq + 1,
                    2.1,
                    "getOrderAddress",
                    token=rdt,
                    endpoint=region,
                    order_id=order.amazon_order_id,
                    facts={"pii": "full"},
                )
            )
        seq += 2
    return calls


def _good_sync() -> Observation:
    return observation(
        lwa_grant(1, 0.0, token_id="Atza|tok"),
        *_orders_calls(),
        *_address_calls(),
        outcomes=[sync_orders([synced(o) for o in ORDERS])],
        expected=EXPECTED,
    )


def test_expected_orders_hold_digests_not_pii() -> None:
    entry = EXPECTED["orders"][EU_ORDER.amazon_order_id]

    assert entry == {
        "marketplace_id": EU_DE,
        "region": "EU",
        "name": digest("Grace Hopper"),
        "address_line1": digest("1 Compilerstrasse"),
    }
    assert "Grace" not in repr(EXPECTED)
    assert set(EXPECTED["orders"]) == {o.amazon_order_id for o in ORDERS}


def test_ord01_passes_when_every_order_fetched_from_its_region() -> None:
    result = ORD_01.evaluate(_good_sync())

    assert result.status == "passed", result.explain()
    assert "All 3 orders across EU, FE, NA were fetched" in result.summary
    assert "every page followed, and all were in the result" in result.summary
    assert result.metrics["regions_called"] == ["EU", "FE", "NA"]
    assert result.metrics["fetched_orders"] == 3
    assert result.metrics["reported_orders"] == 3
    assert [rid(2) in result.evidence[0], rid(3) in result.evidence[1]] == [True, True]
    assert rid(4) in result.evidence[2]


def test_ord01_judges_the_wire_when_the_result_lists_no_orders() -> None:
    obs = _good_sync()
    obs.outcomes = [sync_orders([])]
    assert obs.outcomes[0].result is not None
    del obs.outcomes[0].result["orders"]  # e.g. a connector that writes orders to its own DB

    result = ORD_01.evaluate(obs)

    assert result.status == "passed", result.summary
    assert "the result lists no orders; judged from the getOrders answers" in result.summary
    assert result.metrics["reported_orders"] is None


def test_ord01_a_result_with_partial_ship_to_is_not_a_failure() -> None:
    obs = _good_sync()
    obs.outcomes = [sync_orders([synced(o, with_name=False, with_street=False) for o in ORDERS])]

    assert ORD_01.evaluate(obs).status == "passed"


def test_ord01_fails_when_a_fetched_order_is_missing_from_the_result() -> None:
    obs = _good_sync()
    obs.outcomes = [sync_orders([synced(NA_ORDER), synced(FE_ORDER)])]

    result = ORD_01.evaluate(obs)

    assert result.status == "failed"
    assert (
        f"1 fetched order(s) were missing from the sync_orders result ({EU_ORDER.amazon_order_id})"
        in result.summary
    )
    assert "never fetched" not in result.summary


def test_ord01_fails_when_an_eu_order_was_never_fetched() -> None:
    obs = _good_sync()
    obs.exchanges = [e for e in obs.exchanges if e.seq != 3]  # the EU getOrders
    obs.outcomes = [sync_orders([synced(NA_ORDER), synced(FE_ORDER)])]

    result = ORD_01.evaluate(obs)

    assert result.status == "failed"
    assert "1 of 3 orders were never fetched (no getOrders page returned them: 1 in EU)" in (
        result.summary
    )
    assert f"never asked of their region's endpoint: {EU_DE} (EU)" in result.summary
    assert "wrong regional endpoint" not in result.summary
    assert result.metrics["fetched_orders"] == 2


def test_ord01_fails_when_a_next_token_is_not_followed() -> None:
    obs = _good_sync()
    first = sp_call(
        3,
        1.1,
        "getOrders",
        token=TOKEN,
        endpoint="EU",
        query={"MarketplaceIds": [EU_DE]},
        body=_page(next_token="page-2"),
    )
    obs.exchanges = [first if e.seq == 3 else e for e in obs.exchanges]

    result = ORD_01.evaluate(obs)

    assert result.status == "failed"
    assert "1 page(s) had a NextToken that was never followed" in result.summary
    assert result.evidence[0].startswith("not followed:")
    assert rid(3) in result.evidence[0]


def test_ord01_a_followed_next_token_passes() -> None:
    obs = _good_sync()
    first = sp_call(
        3,
        1.1,
        "getOrders",
        token=TOKEN,
        endpoint="EU",
        query={"MarketplaceIds": [EU_DE]},
        body=_page(next_token="page-2"),
    )
    second = sp_call(
        11,
        3.0,
        "getOrders",
        token=TOKEN,
        endpoint="EU",
        query={"MarketplaceIds": [EU_DE], "NextToken": ["page-2"]},
        body=_page(EU_ORDER),
    )
    obs.exchanges = [first if e.seq == 3 else e for e in obs.exchanges] + [second]

    result = ORD_01.evaluate(obs)

    assert result.status == "passed", result.summary
    assert result.metrics["pages_not_followed"] == 0


def test_ord01_fails_when_getorders_went_to_the_wrong_region() -> None:
    obs = observation(
        lwa_grant(1, 0.0, token_id="Atza|tok"),
        *_orders_calls()[:1],
        # The EU marketplace asked of the NA endpoint: Amazon refuses with empty details.
        sp_call(
            5,
            1.1,
            "getOrders",
            403,
            token=TOKEN,
            endpoint="NA",
            details="",
            query={"MarketplaceIds": [EU_DE]},
        ),
        *_orders_calls()[1:],
        outcomes=[sync_orders([synced(o) for o in ORDERS])],
        expected=EXPECTED,
    )

    result = ORD_01.evaluate(obs)

    assert result.status == "failed"
    assert "1 getOrders call(s) went to the wrong regional endpoint" in result.summary
    assert "never fetched" not in result.summary
    wrong = [line for line in result.evidence if "-> 403" in line]
    assert len(wrong) == 1
    assert rid(5) in wrong[0]


def test_ord01_wrong_region_and_missing_orders_are_both_reported() -> None:
    obs = observation(
        sp_call(
            2,
            1.0,
            "getOrders",
            token=TOKEN,
            endpoint="NA",
            query={"MarketplaceIds": [NA_US, EU_DE, FE_JP]},
            body=_page(NA_ORDER),
        ),
        sp_call(3, 1.1, "getOrders", 403, token=TOKEN, endpoint="NA", details=""),
        outcomes=[sync_orders([synced(NA_ORDER)])],
        expected=EXPECTED,
    )

    result = ORD_01.evaluate(obs)

    assert result.status == "failed"
    assert (
        "2 of 3 orders were never fetched (no getOrders page returned them: 1 in EU, 1 in FE)"
        in (result.summary)
    )
    assert f"{EU_DE} (EU), {FE_JP} (FE)" in result.summary
    assert "1 getOrders call(s) went to the wrong regional endpoint" in result.summary


def test_ord01_an_expired_token_403_is_not_a_wrong_region() -> None:
    obs = _good_sync()
    obs.exchanges.append(expired_403(20, 9.0, "getOrders", TOKEN, endpoint="EU"))

    assert ORD_01.evaluate(obs).status == "passed"


def test_ord01_names_the_exchange_the_failed_sync_ended_after() -> None:
    obs = _good_sync()
    # Every order fetched from its region, then the RDT request is refused and the sync stops.
    obs.exchanges = [e for e in obs.exchanges if e.seq <= 4] + [
        sp_call(5, 2.0, "createRestrictedDataToken", 400, token=TOKEN, endpoint="NA"),
    ]
    obs.outcomes = [sync_orders([], status="failed", error="RDT request refused")]
    obs.action_windows = [(0.0, 3.0)]

    result = ORD_01.evaluate(obs)

    assert result.status == "failed"
    assert (
        "sync_orders (action 1) failed: the sync ended after createRestrictedDataToken 400 "
        "InvalidInput (RDT request refused)" in result.summary
    )
    assert "never fetched" not in result.summary
    assert result.evidence[0].startswith("ended after:")
    assert rid(5) in result.evidence[0]


def test_ord01_looks_for_the_cause_only_inside_the_actions_window() -> None:
    obs = _good_sync()
    obs.exchanges.append(sp_call(30, 50.0, "createRestrictedDataToken", 400, token=TOKEN))
    obs.outcomes = [sync_orders([synced(o) for o in ORDERS], status="failed")]
    obs.action_windows = [(0.0, 5.0)]

    result = ORD_01.evaluate(obs)

    assert result.status == "failed"
    assert "sync_orders (action 1) failed." in result.summary
    assert "ended after" not in result.summary
    assert rid(30) not in _all_text(result)


def test_ord01_ignores_other_actions_results() -> None:
    obs = _good_sync()
    other = sync_orders([])
    other.action = "publish_listing"
    other.status = "failed"
    obs.outcomes = [other]

    result = ORD_01.evaluate(obs)

    assert result.status == "passed", result.summary
    assert "the result lists no orders" in result.summary


def test_ord01_skipped_when_no_orders_expected() -> None:
    obs = _good_sync()
    obs.expected = {}

    result = ORD_01.evaluate(obs)

    assert result.status == "skipped"
    assert result.summary == "The scenario expected no orders."


def test_pii01_passes_when_every_pii_call_carried_an_rdt() -> None:
    result = PII_01.evaluate(_good_sync())

    assert result.status == "passed", result.explain()
    assert "All 3 PII call(s) (getOrderAddress) carried a Restricted Data Token" in result.summary
    assert "(3 RDT request(s))" in result.summary
    assert any(rid(5) in line and "createRestrictedDataToken" in line for line in result.evidence)
    assert any(rid(6) in line and "getOrderAddress" in line for line in result.evidence)
    assert result.metrics["pii_calls_with_rdt"] == 3


def test_pii01_passes_whatever_the_result_holds_of_the_address() -> None:
    obs = _good_sync()
    obs.outcomes = [sync_orders([synced(o, with_name=False, with_street=False) for o in ORDERS])]

    assert PII_01.evaluate(obs).status == "passed"


def test_pii01_fails_when_an_address_call_used_the_lwa_token() -> None:
    obs = observation(
        lwa_grant(1, 0.0, token_id="Atza|tok"),
        *_orders_calls(),
        *_address_calls(stripped=(EU_ORDER.amazon_order_id,)),
        outcomes=[sync_orders([synced(o) for o in ORDERS])],
        expected=EXPECTED,
    )
    eu_address_call = next(e for e in obs.exchanges if e.facts.get("pii") == "stripped")

    result = PII_01.evaluate(obs)

    assert result.status == "failed"
    assert "1 of 3 PII call(s) (getOrderAddress) carried the plain LWA token" in result.summary
    assert any(eu_address_call.request_id in line for line in result.evidence)
    assert result.metrics["pii_calls_without_rdt"] == 1


def test_pii01_getorders_with_an_rdt_is_a_pii_call_and_without_one_is_not() -> None:
    rdt = rdt_token("Atz.sprdt|orders", issued_wall=0.5)
    obs = observation(
        sp_call(1, 0.5, "createRestrictedDataToken", token=TOKEN),
        sp_call(2, 1.0, "getOrders", token=rdt, facts={"pii": "full"}, body=_page(NA_ORDER)),
        sp_call(3, 1.1, "getOrders", token=TOKEN, facts={"pii": "stripped"}),
        expected=EXPECTED,
    )

    result = PII_01.evaluate(obs)

    assert result.status == "passed", result.summary
    assert "All 1 PII call(s) (getOrders) carried" in result.summary


def test_pii01_fails_on_an_rdt_that_does_not_cover_the_path() -> None:
    rdt = rdt_token("Atz.sprdt|other", issued_wall=0.5, outcome="not_covered")
    obs = observation(sp_call(2, 1.0, "getOrderAddress", 403, token=rdt, details=""))

    result = PII_01.evaluate(obs)

    assert result.status == "failed"
    assert "1 PII call(s) carried an RDT that did not cover their path" in result.summary


def test_pii01_skipped_without_any_pii_call() -> None:
    obs = observation(*_orders_calls(), outcomes=[sync_orders([])], expected=EXPECTED)

    result = PII_01.evaluate(obs)

    assert result.status == "skipped"
    assert "no call for buyer PII" in result.summary
    assert "would make this provable" in result.summary


# -- Check.evaluate and CheckResult.explain --------------------------------------------------


def _late_calls(n: int) -> Observation:
    return observation(
        lwa_grant(1, 0.0, 3, token_id="Atza|first"),
        *(sp_call(i + 2, 3.5 + i, "getOrders", token=FIRST) for i in range(n)),
        scenario="token-expiry",
    )


def test_evaluate_attaches_remediation_only_on_failure() -> None:
    failed = AUTH_01.evaluate(_late_calls(1))
    passed = ORD_01.evaluate(_good_sync())
    skipped = AUTH_02.evaluate(_good_sync())

    assert failed.status == "failed"
    assert failed.remediation == AUTH_01.remediation
    assert failed.remediation
    assert (passed.status, passed.remediation) == ("passed", "")
    assert (skipped.status, skipped.remediation) == ("skipped", "")


def test_evaluate_copies_the_check_identity_and_scenario() -> None:
    result = AUTH_01.evaluate(_late_calls(1))

    assert (result.id, result.title, result.area, result.severity) == (
        "AUTH-01",
        AUTH_01.title,
        "Auth",
        "critical",
    )
    assert result.requirement == AUTH_01.requirement
    assert result.why == AUTH_01.why
    assert result.scenario == "token-expiry"
    assert result.to_dict()["evidence"] == result.evidence


def test_evaluate_caps_evidence_at_25_lines() -> None:
    result = AUTH_01.evaluate(_late_calls(30))

    assert "30 SP-API call(s)" in result.summary
    assert len(result.evidence) == 25
    assert rid(2) in result.evidence[0]


def test_explain_on_failure_has_requirement_evidence_why_and_fix() -> None:
    result = AUTH_01.evaluate(_late_calls(2))

    text = result.explain()

    assert text.splitlines()[0] == f"AUTH-01 {AUTH_01.title} [critical]: FAILED"
    assert f"Requirement: {AUTH_01.requirement}" in text
    assert f"What happened: {result.summary}" in text
    for line in result.evidence:
        assert f"  {line}" in text
    assert rid(2) in text
    assert rid(3) in text
    assert f"Why it matters in production: {AUTH_01.why}" in text
    assert f"How to fix: {AUTH_01.remediation}" in text


def test_explain_on_success_has_no_why_or_fix() -> None:
    text = ORD_01.evaluate(_good_sync()).explain()

    assert ": PASSED" in text.splitlines()[0]
    assert f"Requirement: {ORD_01.requirement}" in text
    assert "How to fix" not in text
    assert "Why it matters" not in text


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.id)
def test_every_check_is_fully_described(check) -> None:  # type: ignore[no-untyped-def]
    assert check.severity in ("blocker", "critical", "normal")
    for text in (check.title, check.requirement, check.why, check.remediation):
        assert text.strip()


def test_check_ids_are_unique() -> None:
    """Ids are unique (Check.register refuses a duplicate); which checks the suite holds is
    pinned by the README table (tests/unit/test_check_catalog.py)."""
    ids = [c.id for c in ALL_CHECKS]
    assert sorted(ids) == sorted(set(ids))
    assert len(ids) >= 41
