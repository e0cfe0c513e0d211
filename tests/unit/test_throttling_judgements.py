"""THR checks on synthetic journals: the edges the HTTP tests do not reach cheaply.

Journals are produced by running request times through the simulator's own TokenBucket, so
their facts (plan, bucket before/after, 200 or 429) are what the simulator would record.
"""

from __future__ import annotations

from typing import Any

from harness.checks import THR_01, THR_02, THR_03, THR_04, THR_05, Observation
from harness.drive.base import ActionOutcome
from harness.sim.journal import Exchange
from harness.sim.throttle import TokenBucket, journal_level, truncate

PATHS = {"getOrders": "/orders/v0/orders", "getOrderItems": "/orders/v0/orders/{id}/orderItems"}


class Journal:
    """Requests at given wall times against per-operation plans, as the simulator judges them."""

    def __init__(self, **plans: tuple[float, int]) -> None:
        self.plans = plans
        self.buckets: dict[str, TokenBucket] = {}
        self.exchanges: list[Exchange] = []

    def call(self, t: float, op: str, item: str = "1", *, header: bool = True) -> Exchange:
        rate, burst = self.plans[op]
        bucket = self.buckets.setdefault(op, TokenBucket(rate, burst, 0.0))
        if (bucket.rate, bucket.burst) != (rate, burst):
            bucket.replan(rate, burst, t)
        result = bucket.take(t)
        status = 200 if result.allowed else 429
        headers = {"x-amzn-RequestId": f"rid-{len(self.exchanges) + 1}"}
        if header and result.allowed:
            headers["x-amzn-RateLimit-Limit"] = str(float(rate))
        e = Exchange(
            seq=len(self.exchanges) + 1,
            request_id=headers["x-amzn-RequestId"],
            wall=t,
            virtual=t,
            endpoint="NA",
            operation=op,
            method="GET",
            path=PATHS[op].replace("{id}", item),
            query={},
            request_headers={},
            request_body=None,
            status=status,
            response_headers=headers,
            response_body=None,
            duration_ms=1.0,
            facts={
                "plan_rate": rate,
                "plan_burst": burst,
                "bucket_before": journal_level(result.level_before, result.allowed),
                "bucket_after": truncate(result.level_after),
            },
        )
        self.exchanges.append(e)
        return e

    def retries(self, start: float, op: str, waits: list[float], item: str = "1") -> float:
        """One request, retried after each wait; returns the time of the last attempt."""
        t = start
        self.call(t, op, item)
        for wait in waits:
            t += wait
            self.call(t, op, item)
        return t

    def observe(self) -> Observation:
        return Observation("synthetic", list(self.exchanges), [])


def _judge(check: Any, journal: Journal) -> Any:
    return check.evaluate(journal.observe())


def test_thr_01_is_skipped_when_the_burst_covers_everything() -> None:
    journal = Journal(getOrderItems=(1.0, 30))
    for i in range(10):
        journal.call(i * 0.01, "getOrderItems", str(i))
    result = _judge(THR_01, journal)
    assert result.status == "skipped"
    assert "could not tell" in result.summary


def test_thr_01_bound_is_strict_under_ten_percent() -> None:
    # 30 requests at 10/s burst 2: the burst, 25 paced at the rate, 3 sent too early.
    journal = Journal(getOrderItems=(10.0, 2))
    journal.call(0.0, "getOrderItems", "a")
    journal.call(0.0, "getOrderItems", "b")
    t = 0.0
    for i in range(25):
        t += 0.101
        journal.call(t, "getOrderItems", str(i))
        if i % 8 == 7:
            journal.call(t + 0.01, "getOrderItems", f"early{i}")  # refused
    result = _judge(THR_01, journal)
    assert (result.metrics["requests"], result.metrics["throttled"]) == (30, 3)
    assert result.status == "failed"
    assert "bound is under 10%" in result.summary


def test_thr_02_needs_a_429_to_judge() -> None:
    journal = Journal(getOrderItems=(10.0, 5))
    journal.call(0.0, "getOrderItems")
    assert _judge(THR_02, journal).status == "skipped"


def test_thr_02_passes_growing_waits() -> None:
    journal = Journal(getOrderItems=(1.0, 1))
    journal.call(0.0, "getOrderItems", "a")
    journal.retries(0.01, "getOrderItems", [0.1, 0.2, 0.4, 0.8])
    result = _judge(THR_02, journal)
    assert result.status == "passed", result.explain()


def test_thr_02_fails_shrinking_waits() -> None:
    journal = Journal(getOrderItems=(0.5, 1))
    journal.call(0.0, "getOrderItems", "a")
    journal.retries(0.01, "getOrderItems", [0.4, 0.2, 0.1])
    result = _judge(THR_02, journal)
    assert result.status == "failed"
    assert "shrank from 0.40s to 0.20s" in result.summary


def test_thr_02_fails_a_fixed_interval_that_never_grows() -> None:
    journal = Journal(getOrderItems=(0.5, 1))
    journal.call(0.0, "getOrderItems", "a")
    journal.retries(0.01, "getOrderItems", [0.3, 0.3, 0.3, 0.3])
    result = _judge(THR_02, journal)
    assert result.status == "failed"
    assert "never grew" in result.summary


def test_thr_02_fails_too_many_refusals_even_with_backoff() -> None:
    journal = Journal(getOrderItems=(0.01, 1))
    journal.call(0.0, "getOrderItems", "a")
    journal.retries(0.01, "getOrderItems", [0.1 * 1.3**k for k in range(9)])
    result = _judge(THR_02, journal)
    assert result.status == "failed"
    assert any("refused 10 times (bound 8)" in line for line in result.evidence)


def test_thr_02_a_quick_retry_is_fine_when_a_token_is_already_due() -> None:
    # 100/s: a token every 10 ms. Retrying 20 ms after a 429 is not "immediate".
    journal = Journal(getOrderItems=(100.0, 1))
    for k in range(3):  # three throttled requests: enough to judge (MIN_REFUSED)
        journal.call(k * 1.0, "getOrderItems", f"a{k}")
        journal.retries(k * 1.0 + 0.001, "getOrderItems", [0.02], item=f"b{k}")
    result = _judge(THR_02, journal)
    assert result.status == "passed", result.explain()
    assert result.metrics["throttled"] == 3


def test_thr_02_one_or_two_429s_are_not_enough_to_pass() -> None:
    journal = Journal(getOrderItems=(1.0, 1))
    journal.call(0.0, "getOrderItems", "a")
    journal.retries(0.01, "getOrderItems", [0.5, 1.0])
    result = _judge(THR_02, journal)
    assert result.status == "skipped", result.explain()
    assert result.summary.startswith("Not exercised: only 2 request(s) were throttled")
    assert "would make it provable" in result.summary


def test_thr_02_a_client_that_drops_requests_at_the_first_429_fails() -> None:
    """A 429 is temporary and retryable: dropping the request loses the work (facts sheet)."""
    journal = Journal(getOrderItems=(1.0, 1))
    for i in range(4):
        journal.call(i * 0.01, "getOrderItems", str(i))  # 3 refused, none retried
    result = _judge(THR_02, journal)
    assert result.status == "failed"
    assert "getOrderItems gave up at its first 429" in result.summary
    assert result.metrics["given_up_at_first_429"] == 3


def test_thr_02_giving_up_after_paced_retries_is_not_held_against_it() -> None:
    journal = Journal(getOrderItems=(1.0, 1))
    journal.call(0.0, "getOrderItems", "a")
    journal.retries(0.01, "getOrderItems", [0.3, 0.6])  # refused three times, then given up
    journal.call(2.0, "getOrderItems", "b")
    journal.retries(2.01, "getOrderItems", [0.4])
    result = _judge(THR_02, journal)
    assert result.metrics["given_up_at_first_429"] == 0
    assert "gave up at its first 429" not in result.summary


def test_thr_02_an_immediate_retry_fails_even_on_one_429() -> None:
    journal = Journal(getOrderItems=(1.0, 1))
    journal.call(0.0, "getOrderItems", "a")
    journal.retries(0.01, "getOrderItems", [0.005])
    result = _judge(THR_02, journal)
    assert result.status == "failed"
    assert "ms after a 429" in result.summary


def test_thr_03_is_skipped_without_a_drop_or_a_missing_header() -> None:
    journal = Journal(getOrderItems=(1.0, 5))
    journal.call(0.0, "getOrderItems")
    assert _judge(THR_03, journal).status == "skipped"


def test_thr_04_judges_against_the_lowest_plan_in_force() -> None:
    # 5/s burst 5, then lowered to 1/s: 10 calls need (10 - 5) / 1 = 5 s at the lowest rate.
    journal = Journal(getOrderItems=(5.0, 5))
    for i in range(5):
        journal.call(0.0, "getOrderItems", str(i))
    journal.plans["getOrderItems"] = (1.0, 5)
    for i in range(5, 10):
        journal.call(float(i - 4), "getOrderItems", str(i))
    result = _judge(THR_04, journal)
    assert result.metrics["fastest_s"] == 5.0
    assert result.status == "passed", result.explain()


def test_thr_05_a_wait_for_the_operations_own_tokens_is_not_a_stall() -> None:
    # getOrders is throttled; getOrderItems' own bucket is empty too, so waiting is right.
    journal = Journal(getOrders=(0.1, 1), getOrderItems=(0.5, 1))
    journal.call(0.0, "getOrders")
    journal.call(0.01, "getOrderItems", "a")
    journal.call(0.02, "getOrders")  # 429
    journal.call(2.05, "getOrderItems", "b")  # waited 2 s for its own token: fine
    result = _judge(THR_05, journal)
    assert result.status == "passed", result.explain()


def test_thr_05_waiting_with_tokens_in_hand_is_a_stall() -> None:
    journal = Journal(getOrders=(0.1, 1), getOrderItems=(0.5, 5))
    journal.call(0.0, "getOrders")
    journal.call(0.01, "getOrderItems", "a")
    journal.call(0.02, "getOrders")  # 429
    journal.call(2.05, "getOrderItems", "b")  # 4 tokens were there all along
    result = _judge(THR_05, journal)
    assert result.status == "failed"
    assert "longest 2.0s" in result.summary


def test_checks_without_throttled_traffic_attach_no_timeline() -> None:
    empty = Observation("nothing", [], [])
    for check in (THR_01, THR_02, THR_03, THR_04, THR_05):
        assert check.evaluate(empty).attachments == []


def _headerless_sync() -> Journal:
    """No rate header; the third request is refused and retried after a pause."""
    journal = Journal(getOrderItems=(2.0, 2))
    for i in range(3):
        journal.call(i * 0.01, "getOrderItems", str(i), header=False)
    journal.call(0.6, "getOrderItems", "2", header=False)
    return journal


def test_thr_03_without_the_header_needs_a_429_to_judge() -> None:
    """A headerless operation that was never refused would have worked with any pacing."""
    journal = Journal(getOrderItems=(2.0, 2))
    for i in range(3):
        journal.call(i * 0.6, "getOrderItems", str(i), header=False)
    result = _judge(THR_03, journal)
    assert result.status == "skipped"
    assert result.summary.startswith("Not exercised: without x-amzn-RateLimit-Limit")


def test_thr_03_plan_drop_that_never_bound_is_not_a_pass() -> None:
    """A client slower than the lowered rate is never refused: adaptation is not shown."""
    journal = Journal(getOrderItems=(5.0, 5))
    for i in range(4):
        journal.call(i * 1.0, "getOrderItems", str(i))
    journal.plans["getOrderItems"] = (1.0, 5)
    for i in range(4, 9):
        journal.call(i * 1.5, "getOrderItems", str(i))
    result = _judge(THR_03, journal)
    assert result.status == "skipped", result.explain()
    assert "the lower plan never bound the integration" in result.summary


def test_thr_03_plan_drop_hardly_called_afterwards_is_not_a_pass() -> None:
    journal = Journal(getOrderItems=(5.0, 1))
    journal.call(0.0, "getOrderItems", "0")
    journal.plans["getOrderItems"] = (1.0, 1)
    journal.call(0.01, "getOrderItems", "1")  # the changeover 429
    journal.call(1.2, "getOrderItems", "1")
    result = _judge(THR_03, journal)
    assert result.status == "skipped", result.explain()
    assert "called only 0 time(s) after the new rate was announced" in result.summary


def test_thr_03_a_request_given_up_under_the_lowered_plan_fails() -> None:
    """A fixed page pace that ignores the announced rate meets a 429 and the sync ends there:
    too few requests follow to measure a share, but the lost page is the failure itself."""
    journal = Journal(getOrders=(1.0, 1))
    journal.call(0.0, "getOrders", "p1")
    journal.plans["getOrders"] = (0.25, 1)
    journal.call(2.0, "getOrders", "p2")  # 200, announces 0.25/s
    journal.call(2.1, "getOrders", "p3")  # 429: 2 s pages ignore the 4 s the plan needs
    result = _judge(THR_03, journal)
    assert result.status == "failed", result.explain()
    assert "gave up 1 getOrders request(s) at a 429" in result.summary


def test_thr_03_a_request_retried_after_the_changeover_429_is_not_given_up() -> None:
    journal = Journal(getOrders=(1.0, 1))
    journal.call(0.0, "getOrders", "p1")
    journal.plans["getOrders"] = (0.25, 1)
    journal.call(2.0, "getOrders", "p2")
    journal.call(2.1, "getOrders", "p3")  # the changeover 429
    for i, t in enumerate((6.1, 10.2, 14.3)):  # then the announced 4 s apart
        journal.call(t, "getOrders", f"p{i + 3}")
    result = _judge(THR_03, journal)
    assert result.status == "passed", result.explain()


def test_thr_03_blames_the_missing_header_only_for_throttling_failures() -> None:
    journal = _headerless_sync()
    slow = ActionOutcome("sync_orders", {}, "timeout", error="no answer within 60s")
    quota = ActionOutcome(
        "sync_orders",
        {},
        "failed",
        result={"ok": False, "errors": [{"operation": "getOrderItems", "status": 429}]},
    )
    timed_out = Observation("synthetic", list(journal.exchanges), [slow])
    gave_up = Observation("synthetic", list(journal.exchanges), [quota])
    # A killed action proves nothing either way (issue 12: never a pass on a killed action).
    result = THR_03.evaluate(timed_out)
    assert result.status == "skipped"
    assert result.summary.startswith("Not proven: 1 action(s) (sync_orders) were killed")
    result = THR_03.evaluate(gave_up)
    assert result.status == "failed"
    assert "stopped working" in result.summary
