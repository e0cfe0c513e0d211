"""Auth: the access token's lifetime, proactive refresh and recovery after an early expiry."""

from __future__ import annotations

import pytest
from markets import SINCE, US

from harness.checks import AUTH_01, AUTH_02, Observation
from harness.plugin import AcornSession
from harness.sim import SimConfig

# One virtual hour lasts three wall seconds: LWA announces expires_in=3.
TOKEN_SPEED = 1200.0


@pytest.fixture(scope="module")
def token_lifetime(acorn: AcornSession) -> Observation:
    """Three order syncs spread over more than one token lifetime."""
    with acorn.scenario("token-lifetime", SimConfig(clock_speed=TOKEN_SPEED)) as run:
        for _ in range(3):
            run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
            run.wait(1.6)
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
    return acorn.observe(run)


@pytest.fixture(scope="module")
def early_expiry(acorn: AcornSession) -> Observation:
    """Amazon stops accepting the token before its announced expiry (skew, revocation)."""
    with acorn.scenario("token-expires-early") as run:
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
        run.invalidate_tokens()
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
    return acorn.observe(run)


def test_auth_01_refreshes_before_expiry(token_lifetime: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(AUTH_01, token_lifetime)


def test_auth_02_refreshes_once_after_expired_403(early_expiry: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(AUTH_02, early_expiry)
