"""Auth: the access token's lifetime, proactive refresh and recovery after an early expiry.

Both happen inside one action, so they bind an integration run as one process per action
(command driver) as much as a long-lived one (python driver): a new process per action
fetches a fresh token and would never meet an expiry between actions.
"""

from __future__ import annotations

import pytest
from markets import SINCE, US

from harness.checks import AUTH_01, AUTH_02, Observation
from harness.plugin import AcornSession
from harness.sim import SimConfig

# One virtual hour lasts two wall seconds: LWA announces expires_in=2.
TOKEN_SPEED = 1800.0
# Six getOrders pages answered 0.6 s late each (Amazon's getOrders is often that slow): the
# sync lasts at least 3 s whatever the client's speed, well past the 2 s token lifetime.
SLOW_PAGES = {"getOrders": 0.6}
# RDTs outlive the scenario: AUTH-01 is about the access token (PII-02 judges RDT renewal).
LONG_RDT = 3600.0 * 1000
# Every token issued so far dies after the 2nd, 4th, ... accepted SP-API call. Once would not
# bind every client: one that keeps a second token cache (Amazon's JS SDK fetches the token it
# spends on createRestrictedDataToken in its own helper) may never send the dead token again
# after a single expiry, and AUTH-02 would stay unexercised although the SDK has no 403
# handling at all. Repeated expiries reach whichever token the client goes on using.
EXPIRE_EVERY = tuple(range(2, 41, 2))


@pytest.fixture(scope="module")
def token_lifetime(acorn: AcornSession) -> Observation:
    """One order sync of six slow pages that outlives the access token it starts with."""
    config = SimConfig(
        clock_speed=TOKEN_SPEED,
        rdt_lifetime=LONG_RDT,
        orders_per_marketplace=12,
        orders_page_size=2,
        answer_delay=SLOW_PAGES,
    )
    with acorn.scenario("token-lifetime", config, needs=("sync_orders",)) as run:
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
    return acorn.observe(run)


@pytest.fixture(scope="module")
def early_expiry(acorn: AcornSession) -> Observation:
    """Amazon stops accepting the token before its announced expiry (skew, revocation): in the
    middle of an action (after every second accepted SP-API call, see EXPIRE_EVERY), then again
    between two actions (a long-lived integration's cached token)."""
    config = SimConfig(
        orders_per_marketplace=4, orders_page_size=2, expire_tokens_after=EXPIRE_EVERY
    )
    with acorn.scenario("token-expires-early", config, needs=("sync_orders",)) as run:
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
        run.invalidate_tokens()
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
    return acorn.observe(run)


def test_auth_01_refreshes_before_expiry(token_lifetime: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(AUTH_01, token_lifetime)


def test_auth_02_refreshes_once_after_expired_403(early_expiry: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(AUTH_02, early_expiry)
