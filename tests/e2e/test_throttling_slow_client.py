"""The throttling scenarios bind a slow client: one that sleeps 2 s between getOrders pages.

At that pace Amazon's bursts refill between pages, so a scenario that waits for the client to
outrun its plan never throttles it: THR-02 and THR-05 were skipped and THR-03 "passed" on a
handful of calls. The scenarios now have other traffic of the seller empty the judged
operation's bucket (BucketDrain), so every client meets the 429s THR-02/03/05 judge. The
client runs as a command-driver integration (clients/command_client.py, a process per
action, never reading the rate header) through scenarios/test_throttling.py and
test_throttling_plans.py, as `acorn run` runs them.
"""

from __future__ import annotations

from typing import Any

import pytest
from clients.integrations import command_integration, start_scenarios, verdicts

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(55)]

SELECT = "thr_02 or thr_03 or thr_05"


@pytest.fixture(scope="module")
def checks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    base = tmp_path_factory.mktemp("slow-client")
    integration = command_integration(
        base / "slow", "--page-sleep=2", ("sync_orders", "update_price")
    )
    files = ("test_throttling.py", "test_throttling_plans.py")
    proc = start_scenarios(files, integration, base / "report", SELECT)
    return verdicts(proc, base / "report")


def test_slow_client_meets_429s_and_is_judged_on_thr_02(checks) -> None:  # type: ignore[no-untyped-def]
    backoff = checks["THR-02 rate-header-missing"]
    assert backoff["status"] == "passed", backoff["summary"]
    # Judged on the 429s the scenario forced, at least the three drained requests.
    assert backoff["metrics"]["throttled"] >= 3
    assert "empty its bucket before request(s) 25, 26, 31, 32" in backoff["summary"]


def test_slow_client_is_judged_on_thr_03_both_ways(checks) -> None:  # type: ignore[no-untyped-def]
    headerless = checks["THR-03 rate-header-missing"]
    assert headerless["status"] == "passed", headerless["summary"]
    assert headerless["metrics"]["throttled_without_header"] == ["getOrderItems"]
    # It never reads x-amzn-RateLimit-Limit: after the plan drop it keeps its own pace, and
    # the drained bucket at the drop makes the lower plan bind it.
    drop = checks["THR-03 dynamic-plan-drop"]
    assert drop["status"] == "failed", drop["summary"]
    assert "kept the old pace" in drop["summary"]


def test_slow_client_is_judged_on_thr_05(checks) -> None:  # type: ignore[no-untyped-def]
    independence = checks["THR-05 orders-throttled-prices-flow"]
    assert independence["status"] == "passed", independence["summary"]
    assert independence["metrics"]["throttled_operations"] == ["getOrders"]
