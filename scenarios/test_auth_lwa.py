"""Auth: sharing and caching the token, and what LWA does on a bad day (revoked grant,
rotated secret, outage). Each scenario lasts a second or two of wall time."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from markets import CA, DE, GB, JP, SINCE, US
from setups import start

from harness.checks import (
    AUTH_03,
    AUTH_04,
    AUTH_05,
    AUTH_06,
    AUTH_07,
    AUTH_08,
    Check,
    CheckResult,
    Observation,
)
from harness.plugin import AcornSession

# About 6 s on the reference: a parallel run (acorn run --jobs) starts the longest first.
pytestmark = pytest.mark.acorn_seconds(6)

AcornCheck = Callable[[Check, Observation], CheckResult]
SKU, PRODUCT_TYPE = "ACORN-TOY-03", "TOY_FIGURE"


@pytest.fixture(scope="module")
def parallel_sync(acorn: AcornSession) -> Observation:
    """Three regions synced with four calls in flight, at start-up and after Amazon drops
    the token early (every worker then sees the same expired-token 403): in the middle of
    the first action (after its third SP-API call, so one-process-per-action integrations meet
    it too), then between the two actions."""
    with start(acorn, "parallel-token-refresh") as run:
        run.act("sync_orders", marketplace_ids=[US, GB, JP], created_after=SINCE, concurrency=4)
        run.invalidate_tokens()
        run.act("sync_orders", marketplace_ids=[US, GB, JP], created_after=SINCE, concurrency=4)
    return acorn.observe(run)


@pytest.fixture(scope="module")
def daily_work(acorn: AcornSession) -> Observation:
    """An ordinary morning: an order sync in four marketplaces, a stock update, two prices."""
    with start(acorn, "daily-work") as run:
        # Four marketplaces in two regions: enough calls to judge token caching (AUTH-04)
        # even for an orders-only integration that reads addresses inside getOrders.
        run.act("sync_orders", marketplace_ids=[US, CA, GB, DE], created_after=SINCE)
        if run.in_scope("update_inventory"):
            run.act(
                "update_inventory",
                sku=SKU,
                product_type=PRODUCT_TYPE,
                marketplace_ids=[US, CA, GB],
                quantity=7,
            )
        prices = ((US, 24.99, "USD"), (CA, 32.99, "CAD"))
        for marketplace_id, amount, currency in prices if run.in_scope("update_price") else ():
            run.act(
                "update_price",
                sku=SKU,
                product_type=PRODUCT_TYPE,
                marketplace_id=marketplace_id,
                amount=amount,
                currency=currency,
            )
    return acorn.observe(run)


@pytest.fixture(scope="module")
def revoked_authorization(acorn: AcornSession) -> Observation:
    """The seller revoked the app overnight (or the yearly authorization lapsed)."""
    with start(acorn, "refresh-token-revoked") as run:  # the grant revoked at start
        for _ in range(2):
            run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
    return acorn.observe(run)


@pytest.fixture(scope="module")
def rotated_secret(acorn: AcornSession) -> Observation:
    """The client secret was rotated (or its 180 days ran out) and nobody deployed it."""
    with start(acorn, "client-secret-rotated") as run:  # the secret rotated at start
        for _ in range(2):
            run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
    return acorn.observe(run)


@pytest.fixture(scope="module")
def lwa_outage(acorn: AcornSession) -> Observation:
    """LWA answers 503 twice and recovers; later it stays down (500) when a refresh is due."""
    with start(acorn, "lwa-outage") as run:
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
        run.lwa_outage(500)
        run.invalidate_tokens()
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
    return acorn.observe(run)


def test_auth_03_concurrent_calls_share_one_refresh(
    parallel_sync: Observation, acorn_check
) -> None:  # type: ignore[no-untyped-def]
    acorn_check(AUTH_03, parallel_sync)


def test_auth_04_token_is_cached(daily_work: Observation, acorn_check: AcornCheck) -> None:
    acorn_check(AUTH_04, daily_work)


def test_auth_05_invalid_grant_stops_and_asks_for_reauthorization(
    revoked_authorization: Observation, acorn_check
) -> None:  # type: ignore[no-untyped-def]
    acorn_check(AUTH_05, revoked_authorization)


def test_auth_06_invalid_client_stops_and_asks_for_rotation(
    rotated_secret: Observation, acorn_check
) -> None:  # type: ignore[no-untyped-def]
    acorn_check(AUTH_06, rotated_secret)


def test_auth_07_lwa_outage_retried_with_bounded_backoff(
    lwa_outage: Observation, acorn_check
) -> None:  # type: ignore[no-untyped-def]
    acorn_check(AUTH_07, lwa_outage)


def test_auth_08_secrets_only_go_to_the_token_endpoint(
    daily_work: Observation, acorn_check
) -> None:  # type: ignore[no-untyped-def]
    acorn_check(AUTH_08, daily_work)
