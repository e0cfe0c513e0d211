"""Alerting: each incident a person must act on reaches the alert webhook, once.

ACORN starts its loopback alert sink and hands the integration ``ACORN_ALERT_WEBHOOK``. Two
incidents follow, each in an action of its own: the order list answers 503 and never
recovers (a run of 5xx: the integration's retries end, the outage does not), then the seller
revokes the app and the access token is dropped, so LWA answers invalid_grant. The incidents
are read from the journal; a second world, the auth scenario's rotated client secret, adds
invalid_client, a third keeps the order list throttled past the 5-virtual-minute bound
(throttling that lasts), and a fourth (for integrations that submit feeds) a feed stuck
IN_PROGRESS. The
alerts come from the sink, with the simulator's clock (x60: the
15-virtual-minute bound passes in 15 wall seconds).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from listing_products import TOY, publish_args
from setups import start

from harness.checks import MON_01, MON_02, Observation
from harness.checks.fault_parts import combine
from harness.plugin import AcornSession
from harness.sim.alerts import AlertSink

# About 18 s on the reference: a parallel run (acorn run --jobs) starts the longest first.
pytestmark = pytest.mark.acorn_seconds(18)

US, DE = "ATVPDKIKX0DER", "A1PA6795UKMFR9"
FEED_PATIENCE_S = 3.0
CREATED_AFTER = "2020-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def sink(acorn: AcornSession) -> Iterator[AlertSink]:
    with AlertSink(lambda: acorn.sim.core.clock) as started:
        yield started


def _observed(acorn: AcornSession, sink: AlertSink, run: Any) -> Observation:
    alerts = [record.to_dict() for record in sink.records]
    sink.clear()
    return acorn.observe(run, expected={"alerts": alerts})


@pytest.fixture(scope="module")
def alerting(acorn: AcornSession, sink: AlertSink) -> Observation:
    sink.clear()
    with start(acorn, "alerting", env=sink.env()) as run:
        run.act("sync_orders", marketplace_ids=[US], created_after=CREATED_AFTER)
        run.revoke_refresh_token()
        run.invalidate_tokens()
        run.act("sync_orders", marketplace_ids=[US], created_after=CREATED_AFTER)
        run.wait(0.5)  # an alert posted as the action answers still arrives
    outage_and_revoked = _observed(acorn, sink, run)
    # The auth scenario's world of a rotated client secret: LWA answers invalid_client.
    with start(acorn, "client-secret-rotated", env=sink.env()) as run:
        run.act("sync_orders", marketplace_ids=[US], created_after=CREATED_AFTER)
        run.wait(0.5)
    rotated = _observed(acorn, sink, run)
    worlds = {"alerting": outage_and_revoked, "client-secret-rotated": rotated}
    # Throttling that lasts past the bound: two syncs 315 virtual seconds apart, all 429, so
    # the run outlasts the 5-minute bound even for a client that gives up at once.
    with start(acorn, "alerting-throttled", env=sink.env()) as run:
        run.act("sync_orders", marketplace_ids=[US], created_after=CREATED_AFTER)
        run.wait(2.1)
        run.act("sync_orders", marketplace_ids=[US], created_after=CREATED_AFTER)
        run.wait(0.5)
    worlds["alerting-throttled"] = _observed(acorn, sink, run)
    if acorn.spec.scope.covers("submit_feed"):
        # A feed stuck IN_PROGRESS: the integration gives up at its deadline; a person must act.
        with start(acorn, "alerting-stuck-feed", env=sink.env()) as run:
            run.act("submit_feed", marketplace_ids=[DE], messages=[_price_patch()],
                    give_up_after_s=FEED_PATIENCE_S)  # fmt: skip
            run.wait(0.5)
        worlds["alerting-stuck-feed"] = _observed(acorn, sink, run)
    if acorn.spec.scope.covers("publish_listing") and acorn.spec.scope.covers("listing_status"):
        # Suppressed after ACCEPTED: only a person can fix the image.
        with start(acorn, "alerting-suppressed-listing", env=sink.env()) as run:
            run.act("publish_listing", **publish_args("ACORN-TOY-03", TOY, [US]))
            run.wait(0.6)  # > 300 virtual seconds: Amazon's asynchronous checks have run
            run.act("listing_status", sku="ACORN-TOY-03", marketplace_ids=[US])
            run.wait(0.5)
        worlds["alerting-suppressed-listing"] = _observed(acorn, sink, run)
    return combine("alerting", worlds)


def _price_patch() -> dict[str, Any]:
    price = [{"marketplace_id": DE, "currency": "EUR",
              "our_price": [{"schedule": [{"value_with_tax": 19.99}]}]}]  # fmt: skip
    return {"messageId": 1, "sku": "ACORN-CASE-05", "operationType": "PATCH",
            "productType": "LUGGAGE",
            "patches": [{"op": "replace", "path": "/attributes/purchasable_offer",
                         "value": price}]}  # fmt: skip


def test_mon_01_incidents_alerted_in_time(alerting: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(MON_01, alerting)


def test_mon_02_no_alert_storm(alerting: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(MON_02, alerting)
