"""Notifications: subscribe once, then let the SQS queue say what changed.

ACORN starts moto's SQS server on loopback with a queue of this scenario's own and hands the
integration its endpoint, URL and ARN (``ACORN_SQS_*``). The integration subscribes twice (a
second run of the same job must reuse the destination and subscriptions), then ACORN publishes
one notification of each type the seller subscribed to, as Amazon would, with what SQS does to
them: one ORDER_CHANGE delivered twice (at-least-once), and an older ORDER_CHANGE of another
order delivered after the newer one (no order guarantee). ``process_notifications`` then reads
the queue; what is left in the queue at the end is read from the SQS server itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from setups import start

from harness.checks import NOT_01, NOT_02, NOT_03, NOT_04, Observation
from harness.plugin import AcornSession
from harness.sim.handlers.notifications_publish import Publisher
from harness.sim.sqs import SqsEndpoint

# About 12 s on the reference: a parallel run (acorn run --jobs) starts the longest first.
pytestmark = pytest.mark.acorn_seconds(12)

TYPES = [
    "ORDER_CHANGE",
    "LISTINGS_ITEM_STATUS_CHANGE",
    "LISTINGS_ITEM_ISSUES_CHANGE",
    "FEED_PROCESSING_FINISHED",
    "REPORT_PROCESSING_FINISHED",
]
US = "ATVPDKIKX0DER"
PROCESS_BOUND_S = 5.0


@pytest.fixture(scope="module")
def sqs() -> Iterator[SqsEndpoint]:
    with SqsEndpoint() as endpoint:
        yield endpoint


def _publish(publisher: Publisher) -> None:
    newer_first, twice = sorted(publisher.world.state.orders)[:2]
    # No order guarantee: the newer status arrives first, the older one after it.
    publisher.order_change(newer_first, "Shipped")
    publisher.order_change(newer_first, "Unshipped", minutes_ago=30, apply=False)
    # At-least-once: the same message delivered twice.
    publisher.order_change(twice, "Canceled", copies=2)
    publisher.listing_status("ACORN-MUG-01", US, ["BUYABLE", "DISCOVERABLE"])
    publisher.listing_issues("ACORN-MUG-01", US, ["ERROR"], suppressed=True)
    publisher.feed_finished("50001234", status="DONE", copies=2)
    publisher.report_finished("60001234", status="DONE")


@pytest.fixture(scope="module")
def notifications(acorn: AcornSession, sqs: SqsEndpoint) -> Observation:
    queue = sqs.new_queue("notifications")
    with start(acorn, "notifications", env=sqs.env(queue)) as run:
        run.act("subscribe", notification_types=TYPES)
        run.act("subscribe", notification_types=TYPES)  # the job runs again: nothing new
        publisher = Publisher(acorn.sim.core, sqs)
        _publish(publisher)
        run.act("process_notifications", max_wait_s=PROCESS_BOUND_S)
        leftover = sqs.leftover(queue.url)
    expected = {
        "notifications": {
            "types": TYPES,
            "queue_arn": queue.arn,
            "published": publisher.summary(),
            "not_subscribed": publisher.skipped,
            "leftover": leftover,
        }
    }
    return acorn.observe(run, expected=expected)


def test_not_01_subscribed_with_the_right_tokens_once(
    notifications: Observation, acorn_check
) -> None:  # type: ignore[no-untyped-def]
    acorn_check(NOT_01, notifications)


def test_not_02_each_notification_applied_once_in_order(
    notifications: Observation, acorn_check
) -> None:  # type: ignore[no-untyped-def]
    acorn_check(NOT_02, notifications)


def test_not_03_processed_messages_deleted(notifications: Observation, acorn_check) -> None:  # type: ignore[no-untyped-def]
    acorn_check(NOT_03, notifications)


def test_not_04_no_polling_for_what_notifications_tell(
    notifications: Observation, acorn_check
) -> None:  # type: ignore[no-untyped-def]
    acorn_check(NOT_04, notifications)
