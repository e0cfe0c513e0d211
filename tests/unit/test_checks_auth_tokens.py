"""AUTH-01 and AUTH-02 judged per action: what one process per action can and cannot prove.

A command-driver integration starts every action with a fresh token, so calls in a later
action prove nothing about renewal, and the same page asked for by the next action is no
retry. Synthetic journals with action windows pin both rules down.
"""

from __future__ import annotations

from journal_factory import access_token, expired_403, lwa_grant, observation, rid, sp_call

from harness.checks import AUTH_01, AUTH_02, AUTH_03
from harness.checks.auth import redundant_refreshes
from harness.redact import mask_token

FIRST = access_token("Atza|first", issued_wall=0.0, expires_in=2)
SECOND = access_token("Atza|second", issued_wall=1.7, expires_in=2)
NEXT_ACTION = access_token("Atza|next", issued_wall=5.0, expires_in=2)


def test_auth01_fresh_token_per_action_is_not_evidence_of_renewal() -> None:
    """Each action (process) got its own token and finished within its lifetime: skipped."""
    obs = observation(
        lwa_grant(1, 0.0, 2, token_id="Atza|first"),
        sp_call(2, 0.5, "getOrders", token=FIRST),
        lwa_grant(3, 5.0, 2, token_id="Atza|next"),
        sp_call(4, 5.5, "getOrders", token=NEXT_ACTION),
    )
    obs.action_windows = [(0.0, 1.0), (5.0, 6.0)]

    result = AUTH_01.evaluate(obs)

    assert result.status == "skipped", result.explain()
    assert result.summary.startswith("Not exercised")
    assert "would make it provable" in result.summary


def test_auth01_renewal_inside_one_action_passes() -> None:
    obs = observation(
        lwa_grant(1, 0.0, 2, token_id="Atza|first"),
        sp_call(2, 1.0, "getOrders", token=FIRST),
        lwa_grant(3, 1.7, 2, token_id="Atza|second"),
        sp_call(4, 2.6, "getOrders", token=SECOND),
    )
    obs.action_windows = [(0.0, 3.0)]

    result = AUTH_01.evaluate(obs)

    assert result.status == "passed", result.explain()
    assert "0.6s past the expiry of the token granted at t=0.00s" in result.summary
    assert any(rid(4) in line and "past that expiry" in line for line in result.evidence)


def test_auth01_late_use_inside_one_action_fails() -> None:
    obs = observation(
        lwa_grant(1, 0.0, 2, token_id="Atza|first"),
        sp_call(2, 1.0, "getOrders", token=FIRST),
        expired_403(3, 2.4, "getOrders", FIRST),
    )
    obs.action_windows = [(0.0, 3.0)]

    result = AUTH_01.evaluate(obs)

    assert result.status == "failed"
    assert rid(3) in result.evidence[0]


OLD = access_token("Atza|old", issued_wall=0.0)
NEW = access_token("Atza|new", issued_wall=5.1)


def test_auth02_same_page_in_the_next_action_is_no_retry() -> None:
    """The 403 ended action 1; action 2 (a new process) asked for the same page with a new
    token. That is not a refresh-and-retry: it fails, and says where."""
    obs = observation(
        lwa_grant(1, 0.0, token_id="Atza|old"),
        expired_403(2, 0.5, "getOrders", OLD),
        lwa_grant(3, 5.1, token_id="Atza|new"),
        sp_call(4, 5.2, "getOrders", token=NEW),
    )
    obs.action_windows = [(0.0, 1.0), (5.0, 6.0)]

    result = AUTH_02.evaluate(obs)

    assert result.status == "failed"
    assert f"request {rid(2)} (getOrders) was never retried within its action" in result.summary


def test_auth02_refresh_and_retry_inside_the_action_pass() -> None:
    obs = observation(
        lwa_grant(1, 0.0, token_id="Atza|old"),
        expired_403(2, 0.5, "getOrders", OLD),
        lwa_grant(3, 0.6, token_id="Atza|new"),
        sp_call(4, 0.7, "getOrders", token=NEW),
    )
    obs.action_windows = [(0.0, 1.0)]

    result = AUTH_02.evaluate(obs)

    assert result.status == "passed", result.explain()
    assert result.metrics == {"expired_403": 1, "recovered": 1}


def test_auth02_skipped_says_what_would_make_it_provable() -> None:
    obs = observation(
        lwa_grant(1, 0.0, token_id="Atza|old"), sp_call(2, 0.5, "getOrders", token=OLD)
    )
    result = AUTH_02.evaluate(obs)
    assert result.status == "skipped"
    assert "would make it provable" in result.summary


def test_a_refresh_after_the_token_was_refused_is_not_redundant_with_a_masked_grant() -> None:
    """The journal masks a grant's issued_token like any token (Atza|***...); a refresh after
    that token's expired-token 403 inside one action is the right move, not waste."""
    used = access_token("Atza|9ee5c69f", issued_wall=0.0)
    masked = mask_token(used.id)
    assert masked != used.id
    obs = observation(
        lwa_grant(1, 0.0, token_id=masked),
        sp_call(2, 0.1, "getOrders", token=used),
        expired_403(3, 0.2, "getOrderItems", used),
        lwa_grant(4, 0.25),
        sp_call(5, 0.3, "getOrderItems", token=access_token("Atza|0a1b2c3d", issued_wall=0.25)),
    )
    obs.action_windows = [(0.0, 1.0)]

    assert redundant_refreshes(obs, same_action=True) == []
    assert AUTH_03.evaluate(obs).status == "passed"
