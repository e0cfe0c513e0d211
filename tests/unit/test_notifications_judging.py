"""NOT-02/03/04 on synthetic observations: the failure modes the e2e pair does not show (a
lost notification, a result without 'applied', leftovers never read, polling outside the
processing windows), so each verdict can be seen to fail for its own reason."""

from __future__ import annotations

from typing import Any

from harness.checks import NOT_02, NOT_03, NOT_04, Observation
from harness.drive.base import ActionOutcome
from harness.sim.journal import Exchange


def _published(nid: str, subject: str, event: str, kind: str = "ORDER_CHANGE") -> dict[str, Any]:
    return {"notification_id": nid, "notification_type": kind, "subject": subject,
            "event_time": event, "state": "Shipped", "copies": 1}  # fmt: skip


def _applied(nid: str, subject: str, event: str) -> dict[str, Any]:
    return {"notification_id": nid, "notification_type": "ORDER_CHANGE", "subject": subject,
            "state": "Shipped", "event_time": event}  # fmt: skip


def _obs(applied: Any, published: list[dict[str, Any]], **facts: Any) -> Observation:
    result = {"ok": True} if applied is None else {"ok": True, "applied": applied}
    return Observation(
        scenario="notifications", exchanges=facts.pop("exchanges", []),
        outcomes=[ActionOutcome("subscribe", {}, "ok", {"ok": True}),
                  ActionOutcome("process_notifications", {}, "ok", result)],
        action_windows=[(0.0, 1.0), (2.0, 3.0)],
        expected={"notifications": {"published": published, **facts}},
    )  # fmt: skip


PUBLISHED = [
    _published("n1", "A", "2026-03-02T09:00:00.000Z"),
    _published("n2", "A", "2026-03-02T08:30:00.000Z"),  # older, delivered late
    _published("n3", "B", "2026-03-02T09:00:00.000Z"),
]


def test_not_02_passes_when_the_stale_one_is_skipped_and_the_rest_applied_once() -> None:
    applied = [_applied("n1", "A", "2026-03-02T09:00:00.000Z"),
               _applied("n3", "B", "2026-03-02T09:00:00.000Z")]  # fmt: skip
    assert NOT_02.evaluate(_obs(applied, PUBLISHED)).status == "passed"


def test_not_02_fails_on_a_lost_notification() -> None:
    applied = [_applied("n1", "A", "2026-03-02T09:00:00.000Z")]
    result = NOT_02.evaluate(_obs(applied, PUBLISHED))
    assert result.status == "failed"
    assert "1 notification(s) never applied" in result.summary


def test_not_02_is_not_proven_without_an_applied_list() -> None:
    assert NOT_02.evaluate(_obs(None, PUBLISHED)).status == "skipped"


def test_not_03_fails_on_messages_never_read() -> None:
    result = NOT_03.evaluate(_obs([], PUBLISHED, leftover={"visible": 2, "in_flight": 0}))
    assert result.status == "failed"
    assert "2 never read" in result.summary
    clean = _obs([], PUBLISHED, leftover={"visible": 0, "in_flight": 0})
    assert NOT_03.evaluate(clean).status == "passed"


def _call(seq: int, wall: float, operation: str, path: str, status: int = 200) -> Exchange:
    return Exchange(seq=seq, request_id=f"r{seq}", wall=wall, virtual=wall, endpoint="NA",
                    operation=operation, method="GET", path=path, query={},
                    request_headers={}, request_body=None, status=status,
                    response_headers={}, response_body=None, duration_ms=1.0)  # fmt: skip


def test_not_04_counts_polling_only_inside_processing_with_a_subscription() -> None:
    subscribed = _call(1, 0.5, "getSubscription", "/notifications/v1/subscriptions/ORDER_CHANGE")
    before = _call(2, 1.5, "getOrders", "/orders/v0/orders")  # between the actions: not counted
    assert NOT_04.evaluate(_obs([], PUBLISHED, exchanges=[subscribed, before])).status == "passed"
    during = _call(3, 2.5, "getOrders", "/orders/v0/orders")
    result = NOT_04.evaluate(_obs([], PUBLISHED, exchanges=[subscribed, before, during]))
    assert result.status == "failed"
    assert "getOrders x1" in result.summary
    # A getFeed while only ORDER_CHANGE is subscribed is not polling what a subscription tells.
    feed = _call(4, 2.6, "getFeed", "/feeds/2021-06-30/feeds/1")
    assert NOT_04.evaluate(_obs([], PUBLISHED, exchanges=[subscribed, feed])).status == "passed"
