"""Errors: refused requests, transient failures and ambiguous writes, from fault plans.

Three scenarios, each driven by a declarative fault plan in ``scenarios/faults/``:

- ``refused-requests``: Amazon refuses one order's items (400), one marketplace's stock update
  (413), a price update (415) and a listing (HTTP 200, status INVALID). Judged by ERR-01
  (no blind retry), ERR-04 (failures reported with the request id), ERR-05 (the rest of the
  batch goes on).
- ``transient-failures``: one sub-run per fault kind, each in a fresh world and each on the
  first order list call, so no fault masks the next (an integration that gives up on a 503
  still meets the reset in its own run): 503, 500, read timeout, reset, truncated body,
  malformed JSON, each passing after a retry or two, and a 503 outage that does not end
  (``scenarios/faults/transient/``). Judged by ERR-02 (growing, jittered, bounded backoff)
  and ERR-06 (failed exchanges logged with request id, operation, status; no secrets or PII)
  per kind; their evidence says which kinds were exercised, and a kind that was not leaves
  the check unproven.
- ``ambiguous-writes``: a listing, a stock update, a price update and a shipment
  confirmation that Amazon applies and then answers with a timeout, a 500, a reset or a 503.
  Judged by ERR-03 (no duplicate writes in the simulator's state).

Two more scenarios judge behaviours the fault plans above cannot show:

- ``stalled-connections``: calls that are accepted and never answered, in two fresh worlds:
  every LWA token request held back 45 s (LWA is dead: the action must give up and report
  it), then the first getOrders request stalled 45 s or until the client closes (a retry
  gets through). Judged by ERR-07 (every call bounded in time; an operation that never
  answered is reported). The actions there get at most ``STALL_ACTION_TIMEOUT`` seconds, and
  a killed action fails ERR-07.
- ``refused-connection``: the EU endpoint's URL points at a loopback port nothing listens on
  while the orders of DE, US and JP are synced: the refused region comes first in the order
  given and in the middle of NA, EU, FE, so a client that stops at its first failure leaves
  work undone whichever order it follows. Judged by ERR-08 (DE's failure reported, NA
  and FE synced).

The plans ask the integration for a short read timeout (``ACORN_READ_TIMEOUT``) so a held
connection costs a fraction of a second.
"""

from __future__ import annotations

import pytest
from listing_products import TOY, publish_args
from markets import CA, DE, JP, SINCE, US
from setups import TRANSIENT, start

from harness.checks import (
    ERR_01,
    ERR_02,
    ERR_03,
    ERR_04,
    ERR_05,
    ERR_06,
    ERR_07,
    ERR_08,
    Observation,
)
from harness.checks.errors_transport import REFUSED
from harness.checks.fault_parts import combine
from harness.drive.setups import closed_loopback_port
from harness.plugin import AcornSession

# About 18 s on the reference: a parallel run (acorn run --jobs) starts the longest first.
pytestmark = pytest.mark.acorn_seconds(18)

# The worlds (fault plans, the 120 s cap on stalled actions: enough for a client with a 30 s
# read timeout to try a dead LWA three times and report it) are in setups.py.
MUG, LAMP, TOY_SKU, TEE = "ACORN-MUG-01", "ACORN-LAMP-02", "ACORN-TOY-03", "ACORN-TEE-04"
HOME = "HOME_BED_AND_BATH"


@pytest.fixture(scope="module")
def refused_requests(acorn: AcornSession) -> Observation:
    with start(acorn, "refused-requests") as run:
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
        if run.in_scope("update_inventory"):
            run.act(
                "update_inventory",
                sku=MUG,
                product_type=HOME,
                marketplace_ids=[US, CA, DE],
                quantity=7,
            )
        if run.in_scope("update_price"):
            run.act(
                "update_price",
                sku=LAMP,
                product_type=HOME,
                marketplace_id=US,
                amount="19.99",
                currency="USD",
            )
        if run.in_scope("publish_listing"):
            run.act("publish_listing", **publish_args(TEE, TOY, [US]))
    return acorn.observe(run)


@pytest.fixture(scope="module")
def transient_failures(acorn: AcornSession) -> Observation:
    parts = {}
    for kind in TRANSIENT:
        with start(acorn, f"transient-failures-{kind}") as run:
            run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
        parts[kind] = acorn.observe(run)
    return combine("transient-failures", parts)


@pytest.fixture(scope="module")
def stalled_connections(acorn: AcornSession) -> Observation:
    parts = {}
    for label in ("LWA stall", "SP-API stall"):
        # A client without read timeouts would hang until killed: its set-up bounds that.
        with start(acorn, f"stalled-connections-{label.split()[0].lower()}") as run:
            run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
        parts[label] = acorn.observe(run)
    return combine("stalled-connections", parts)


@pytest.fixture(scope="module")
def refused_connection(acorn: AcornSession) -> Observation:
    port = closed_loopback_port()
    with start(
        acorn, "refused-connection", env={"ACORN_ENDPOINT_EU": f"http://127.0.0.1:{port}"}
    ) as run:
        run.act("sync_orders", marketplace_ids=[DE, US, JP], created_after=SINCE)
    refused = {"region": "EU", "marketplaces": [DE], "countries": ["DE"], "port": port}
    return acorn.observe(run, expected={REFUSED: refused})


@pytest.fixture(scope="module")
def ambiguous_writes(acorn: AcornSession) -> Observation:
    # Every write the integration declares; ERR-03 is not applicable without one.
    with start(acorn, "ambiguous-writes") as run:
        if run.in_scope("publish_listing"):
            run.act("publish_listing", **publish_args(TOY_SKU, TOY, [US]))
        if run.in_scope("update_inventory"):
            run.act("update_inventory", sku=MUG, product_type=HOME, marketplace_ids=[US, CA],
                    quantity=5)  # fmt: skip
        if run.in_scope("update_price"):
            run.act("update_price", sku=MUG, product_type=HOME, marketplace_id=US,
                    amount="12.50", currency="USD")  # fmt: skip
        unshipped = [o for o in run.sim.core.state.orders_in([US]) if o.status == "Unshipped"]
        assert unshipped, "the seeded seller has no unshipped US order to confirm"
        if run.in_scope("confirm_shipment"):
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


def test_err_07_every_call_is_bounded_in_time(
    stalled_connections: Observation, acorn_check
) -> None:  # type: ignore[no-untyped-def]
    acorn_check(ERR_07, stalled_connections)


def test_err_08_a_refused_region_costs_only_its_marketplaces(
    refused_connection: Observation, acorn_check
) -> None:  # type: ignore[no-untyped-def]
    acorn_check(ERR_08, refused_connection)
