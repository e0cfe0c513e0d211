"""Errors: refused requests, transient failures and ambiguous writes, from fault plans.

Three scenarios, each driven by a declarative fault plan in ``scenarios/faults/``:

- ``refused-requests``: Amazon refuses one order's items (400), one marketplace's stock update
  (413), a price update (415) and a listing (HTTP 200, status INVALID). Judged by ERR-01
  (no blind retry), ERR-04 (failures reported with the request id), ERR-05 (the rest of the
  batch goes on).
- ``transient-failures``: 503s, a 500, a reset and a read timeout that pass, then a 503 that
  does not. Judged by ERR-02 (growing, jittered, bounded backoff) and ERR-06 (failed
  exchanges logged with request id, operation, status; no secrets or PII).
- ``ambiguous-writes``: a listing, a stock update, a price update and a shipment
  confirmation that Amazon applies and then answers with a timeout, a 500, a reset or a 503.
  Judged by ERR-03 (no duplicate writes in the simulator's state).

The plans ask the integration for a short read timeout (``ACORN_READ_TIMEOUT``) so a held
connection costs a fraction of a second.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from listing_products import TOY, publish_args
from markets import CA, DE, SINCE, US

from harness.checks import ERR_01, ERR_02, ERR_03, ERR_04, ERR_05, ERR_06, Observation
from harness.plugin import AcornSession
from harness.sim import SimConfig
from harness.sim.faults import load_fault_plan

FAULTS = Path(__file__).parent / "faults"
MUG, LAMP, TOY_SKU, TEE = "ACORN-MUG-01", "ACORN-LAMP-02", "ACORN-TOY-03", "ACORN-TEE-04"
HOME = "HOME_BED_AND_BATH"


@pytest.fixture(scope="module")
def refused_requests(acorn: AcornSession) -> Observation:
    plan = load_fault_plan(FAULTS / "refused-requests.toml")
    with acorn.scenario("refused-requests", SimConfig(faults=plan)) as run:
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
        run.act(
            "update_inventory", sku=MUG, product_type=HOME, marketplace_ids=[US, CA, DE], quantity=7
        )
        run.act(
            "update_price",
            sku=LAMP,
            product_type=HOME,
            marketplace_id=US,
            amount="19.99",
            currency="USD",
        )
        run.act("publish_listing", **publish_args(TEE, TOY, [US]))
    return acorn.observe(run)


@pytest.fixture(scope="module")
def transient_failures(acorn: AcornSession) -> Observation:
    plan = load_fault_plan(FAULTS / "transient-failures.toml")
    config = SimConfig(faults=plan, orders_per_marketplace=3)
    with acorn.scenario("transient-failures", config) as run:
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
        run.act("sync_orders", marketplace_ids=[DE], created_after=SINCE)
    return acorn.observe(run)


@pytest.fixture(scope="module")
def ambiguous_writes(acorn: AcornSession) -> Observation:
    plan = load_fault_plan(FAULTS / "ambiguous-writes.yaml")
    with acorn.scenario("ambiguous-writes", SimConfig(faults=plan)) as run:
        run.act("publish_listing", **publish_args(TOY_SKU, TOY, [US]))
        run.act("update_inventory", sku=MUG, product_type=HOME, marketplace_ids=[US, CA],
                quantity=5)  # fmt: skip
        run.act("update_price", sku=MUG, product_type=HOME, marketplace_id=US, amount="12.50",
                currency="USD")  # fmt: skip
        unshipped = [o for o in run.sim.core.state.orders_in([US]) if o.status == "Unshipped"]
        assert unshipped, "the seeded seller has no unshipped US order to confirm"
        run.act(
            "confirm_shipment",
            amazon_order_id=unshipped[0].amazon_order_id,
            marketplace_id=US,
            package_reference_id="1",
            carrier_code="UPS",
            tracking_number="1Z999AA10123456784",
            ship_date="2026-03-02T08:00:00Z",
        )
    return acorn.observe(run)


def test_err_01_no_retry_of_refused_requests(refused_requests: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(ERR_01, refused_requests)


def test_err_02_backoff_on_transient_failures(transient_failures: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(ERR_02, transient_failures)


def test_err_03_no_duplicate_writes(ambiguous_writes: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(ERR_03, ambiguous_writes)


def test_err_04_failures_are_surfaced(refused_requests: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(ERR_04, refused_requests)


def test_err_05_one_item_does_not_stop_the_batch(
    refused_requests: Observation, acorn_check
) -> None:  # type: ignore[no-untyped-def]
    acorn_check(ERR_05, refused_requests)


def test_err_06_failed_exchanges_are_logged(transient_failures: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(ERR_06, transient_failures)
