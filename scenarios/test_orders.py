"""Orders: one sync across NA, EU and FE marketplaces, with buyer addresses behind RDTs."""

from __future__ import annotations

import pytest
from markets import ALL, SINCE
from setups import start

from harness.checks import ORD_01, PII_01, Observation, expected_orders
from harness.plugin import AcornSession

# About 1 s on the reference: a parallel run (acorn run --jobs) starts the longest first.
pytestmark = pytest.mark.acorn_seconds(1)


@pytest.fixture(scope="module")
def cross_border_sync(acorn: AcornSession) -> Observation:
    # Small pages make the integration follow NextToken.
    # The seller's own marketplaces when acorn.toml declares them: seeded, then synced.
    marketplaces = acorn.seller_marketplaces(ALL)
    with start(acorn, "cross-border-order-sync", seller_marketplaces=tuple(marketplaces)) as run:
        run.act("sync_orders", marketplace_ids=marketplaces, created_after=SINCE)
        expected = {"orders": expected_orders(acorn.sim.core, marketplaces)}
    return acorn.observe(run, expected=expected)


def test_ord_01_orders_synced_across_regions(cross_border_sync: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(ORD_01, cross_border_sync)


def test_pii_01_addresses_fetched_with_rdt(cross_border_sync: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(PII_01, cross_border_sync)
