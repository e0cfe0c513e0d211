"""The reference connector paces itself by Amazon's real plans, even the slowest.

Under getOrders' published plan (burst 20, one token a minute) the 21st call must wait about a
minute rather than be sent early into a 429. Time is faked: the point is the arithmetic, not
a minute of wall clock.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples" / "reference"))

from reference_connector import timing


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(timing.time, "monotonic", fake.monotonic)
    monkeypatch.setattr(timing.time, "sleep", fake.sleep)
    return fake


def test_get_orders_beyond_the_burst_waits_for_the_next_token(clock: FakeTime) -> None:
    pacer = timing.Pacer()
    pacer.observe("getOrders", "0.0167")  # the first call spent one token of 20
    for _ in range(19):
        pacer.wait_turn("getOrders")
    assert clock.slept == []
    pacer.wait_turn("getOrders")
    interval = 1 / (0.0167 * timing.PACING_MARGIN)  # a margin below the plan, capped
    assert clock.slept == [pytest.approx(min(interval, timing.MAX_PACING_SLEEP))]
    assert clock.slept[0] > 1 / 0.0167  # never earlier than the plan allows


def test_a_429_empties_the_local_bucket_so_the_next_call_waits_a_full_interval(
    clock: FakeTime,
) -> None:
    pacer = timing.Pacer()
    pacer.observe("getOrderItems", "0.5")
    pacer.throttled("getOrderItems")
    pacer.wait_turn("getOrderItems")
    assert clock.slept == [pytest.approx(2.0 / timing.PACING_MARGIN)]
