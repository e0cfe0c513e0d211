"""Auth: the access token's lifetime, proactive refresh and recovery after an early expiry.

Both happen inside one action, so they bind an integration run as one process per action
(command driver) as much as a long-lived one (python driver): a new process per action
fetches a fresh token and would never meet an expiry between actions.
"""

from __future__ import annotations

import pytest
from markets import SINCE, US
from setups import start

from harness.checks import AUTH_01, AUTH_02, Observation
from harness.plugin import AcornSession

# About 5 s on the reference: a parallel run (acorn run --jobs) starts the longest first.
pytestmark = pytest.mark.acorn_seconds(5)


@pytest.fixture(scope="module")
def token_lifetime(acorn: AcornSession) -> Observation:
    """One order sync of six slow pages that outlives the access token it starts with."""
    with start(acorn, "token-lifetime") as run:
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
    return acorn.observe(run)


@pytest.fixture(scope="module")
def early_expiry(acorn: AcornSession) -> Observation:
    """Amazon stops accepting the token before its announced expiry (skew, revocation): in the
    middle of an action (after its second SP-API call), then again between two actions (a
    long-lived integration's cached token)."""
    with start(acorn, "token-expires-early") as run:
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
        run.invalidate_tokens()
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
    return acorn.observe(run)


def test_auth_01_refreshes_before_expiry(token_lifetime: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(AUTH_01, token_lifetime)


def test_auth_02_refreshes_once_after_expired_403(early_expiry: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(AUTH_02, early_expiry)
