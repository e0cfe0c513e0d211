"""PII: Restricted Data Tokens over more than their lifetime, and what the integration logs
while it handles buyer data, an expired token and a refused client secret."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from markets import CA, SINCE, US
from setups import start

from harness.checks import PII_02, PII_03, Check, CheckResult, Observation
from harness.plugin import AcornSession

# About 3 s on the reference: a parallel run (acorn run --jobs) starts the longest first.
pytestmark = pytest.mark.acorn_seconds(3)

AcornCheck = Callable[[Check, Observation], CheckResult]
SKU, PRODUCT_TYPE = "ACORN-TOY-03", "TOY_FIGURE"


@pytest.fixture(scope="module")
def pii_day(acorn: AcornSession) -> Observation:
    with start(acorn, "pii-handling") as run:
        run.act("sync_orders", marketplace_ids=[US, CA], created_after=SINCE)
        run.wait(2.1)  # the RDT (and the access token) expire
        run.act("sync_orders", marketplace_ids=[US, CA], created_after=SINCE)
        # Error paths are where secrets leak: a refused secret after an expired token.
        run.rotate_client_secret()
        run.invalidate_tokens()
        if run.in_scope("update_price"):
            run.act(
                "update_price",
                sku=SKU,
                product_type=PRODUCT_TYPE,
                marketplace_id=US,
                amount=24.99,
                currency="USD",
            )
        else:
            run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
    return acorn.observe(run)


def test_pii_02_rdt_reused_within_lifetime_and_renewed(
    pii_day: Observation, acorn_check: AcornCheck
) -> None:
    acorn_check(PII_02, pii_day)


def test_pii_03_no_pii_or_secret_in_integration_output(
    pii_day: Observation, acorn_check: AcornCheck
) -> None:
    acorn_check(PII_03, pii_day)
