"""Contracts: every request of an ordinary working day matches its SP-API contract.

The simulator validates each request against its operation's contract (as Amazon's gateway
does) and journals any finding; CONTRACT-01 judges the traffic of a normal run: an order sync
across two regions, a price update and a stock update.
"""

from __future__ import annotations

import pytest
from markets import DE, SINCE, US
from setups import start

from harness.checks import CONTRACT_01, Observation
from harness.plugin import AcornSession

# About 1 s on the reference: a parallel run (acorn run --jobs) starts the longest first.
pytestmark = pytest.mark.acorn_seconds(1)

SKU = "ACORN-TOY-03"
PRODUCT_TYPE = "TOY_FIGURE"


@pytest.fixture(scope="module")
def everyday_traffic(acorn: AcornSession) -> Observation:
    # Every step the integration declares: CONTRACT-01 judges whatever traffic it sends.
    with start(acorn, "everyday-traffic") as run:
        if run.in_scope("sync_orders"):
            run.act("sync_orders", marketplace_ids=[US, DE], created_after=SINCE)
        if run.in_scope("update_price"):
            run.act(
                "update_price",
                sku=SKU,
                product_type=PRODUCT_TYPE,
                marketplace_id=DE,
                amount="24.99",
                currency="EUR",
            )
        if run.in_scope("update_inventory"):
            run.act(
                "update_inventory",
                sku=SKU,
                product_type=PRODUCT_TYPE,
                marketplace_ids=[US, DE],
                quantity=12,
            )
    return acorn.observe(run)


def test_contract_01_requests_match_contracts(everyday_traffic: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(CONTRACT_01, everyday_traffic)
