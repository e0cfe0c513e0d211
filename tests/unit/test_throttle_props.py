"""Token-bucket arithmetic, property-tested: the simulator throttles exactly like a usage plan.

Over any sequence of request times: accepted requests in any window never exceed
burst + rate x window length, and a request is refused only when the bucket holds less than
one token. Runs derandomized, so CI sees the same examples every time.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.contracts import UsagePlan, load_contracts
from harness.errors import ConfigError
from harness.sim.config import PlanChange, SimConfig
from harness.sim.throttle import FLOAT_SLACK, PlanBook, Throttle, TokenBucket, journal_level

EPS = 1e-6  # float noise over a few hundred additions, far below one token
DETERMINISTIC = settings(derandomize=True, max_examples=150, deadline=None, database=None)

rates = st.floats(min_value=0.0056, max_value=100.0, allow_nan=False, allow_infinity=False)
# Small bursts empty often, which is where a wrong bucket shows.
bursts = st.one_of(st.integers(min_value=1, max_value=3), st.integers(min_value=1, max_value=40))
# Gaps between requests in token intervals (1 = the time one token takes to refill): tenths
# of a token make levels such as 0.9 common, the boundary a wrong bucket gets wrong; some
# gaps are long enough to refill a whole bucket.
gaps = st.lists(
    st.one_of(
        st.just(0.0),
        st.integers(min_value=0, max_value=30).map(lambda n: n / 10),
        st.floats(min_value=0.0, max_value=60.0),
    ),
    min_size=1,
    max_size=120,
)
# Half the sequences start with 40 simultaneous requests: every bucket is empty after them.
gaps = st.one_of(gaps, gaps.map(lambda rest: [0.0] * 40 + rest))


def _times(start: float, rate: float, deltas: list[float]) -> list[float]:
    """Request times from gaps measured in token intervals."""
    return list(itertools.accumulate((d / rate for d in deltas), initial=start))[1:]


@DETERMINISTIC
@given(rate=rates, burst=bursts, deltas=gaps, start=st.floats(min_value=0, max_value=1e6))
def test_accepted_requests_never_exceed_burst_plus_refill(
    rate: float, burst: int, deltas: list[float], start: float
) -> None:
    bucket = TokenBucket(rate, burst, start)
    times = _times(start, rate, deltas)
    accepted = [t for t in times if bucket.take(t).allowed]
    # From the bucket's creation (full) to every moment...
    for i, t in enumerate(accepted):
        assert i + 1 <= burst + rate * (t - start) + EPS
    # ...and within every window between two accepted requests.
    for i, j in itertools.combinations(range(len(accepted)), 2):
        assert j - i + 1 <= burst + rate * (accepted[j] - accepted[i]) + EPS


@DETERMINISTIC
@given(rate=rates, burst=bursts, deltas=gaps)
def test_refused_only_when_the_bucket_is_empty(
    rate: float, burst: int, deltas: list[float]
) -> None:
    bucket = TokenBucket(rate, burst, 0.0)
    for t in _times(0.0, rate, deltas):
        result = bucket.take(t)
        assert 0.0 <= result.level_before <= burst
        if result.allowed:
            assert result.level_before + FLOAT_SLACK >= 1.0
            assert result.level_after == pytest.approx(max(0.0, result.level_before - 1.0))
        else:
            assert result.level_before + FLOAT_SLACK < 1.0
            assert result.level_after == result.level_before
        # What the journal shows keeps the same verdict: never 1.0 on a refusal.
        assert (journal_level(result.level_before, result.allowed) >= 1.0) == result.allowed


@DETERMINISTIC
@given(rate=rates, burst=bursts, deltas=gaps)
def test_a_refusal_means_no_token_could_have_been_spared(
    rate: float, burst: int, deltas: list[float]
) -> None:
    """Refusals are not arbitrary: the accepted count so far already equals the plan's
    allowance (burst + refill since the last time the bucket was full), within one token."""
    bucket = TokenBucket(rate, burst, 0.0)
    full_since, taken = 0.0, 0
    for t in _times(0.0, rate, deltas):
        if bucket.level_at(t) >= burst:  # full again: the allowance restarts here
            full_since, taken = t, 0
        result = bucket.take(t)
        if result.allowed:
            taken += 1
        else:
            assert taken + 1 > burst + rate * (t - full_since) - EPS


@DETERMINISTIC
@given(
    rate=rates,
    burst=bursts,
    new_rate=rates,
    new_burst=bursts,
    deltas=gaps,
    switch=st.integers(min_value=0, max_value=120),
)
def test_lowering_a_plan_never_refills_the_bucket(
    rate: float, burst: int, new_rate: float, new_burst: int, deltas: list[float], switch: int
) -> None:
    bucket = TokenBucket(rate, burst, 0.0)
    times = _times(0.0, rate, deltas)
    for i, t in enumerate(times):
        if i == switch:
            level = bucket.level_at(t)
            bucket.replan(new_rate, new_burst, t)
            assert bucket.level_at(t) == pytest.approx(min(level, float(new_burst)))
        bucket.take(t)
        assert bucket.level <= bucket.burst + EPS


@DETERMINISTIC
@given(
    rate=rates,
    burst=bursts,
    app_rate=rates,
    app_burst=bursts,
    deltas=gaps,
)
def test_application_wide_cap_throttles_first_when_lower(
    rate: float, burst: int, app_rate: float, app_burst: int, deltas: list[float]
) -> None:
    now = [0.0]
    throttle = Throttle(wall=lambda: now[0])
    key = ("SELLER", "APP", "listings/getListingsItem")
    accepted: list[float] = []
    for t in _times(0.0, rate, deltas):
        now[0] = t
        result = throttle.take(key, UsagePlan(rate, burst), UsagePlan(app_rate, app_burst))
        if result.allowed:
            accepted.append(t)
        else:
            assert result.limited_by in ("operation", "application")
            level = result.level_before if result.limited_by == "operation" else result.app_before
            assert level is not None
            assert level + FLOAT_SLACK < 1.0
    for i, t in enumerate(accepted):
        assert i + 1 <= min(burst + rate * t, app_burst + app_rate * t) + EPS


# -- the plan book (ordinary unit tests) -----------------------------------------------------


@pytest.fixture(scope="module")
def contracts():  # type: ignore[no-untyped-def]
    return load_contracts()


def test_scaled_plans_keep_bursts_and_read_cleanly(contracts) -> None:  # type: ignore[no-untyped-def]
    book = PlanBook(contracts, SimConfig(rate_scale=10))
    plan = book.plan(contracts.operation("orders/v0/getOrders"))
    assert (plan.rate, plan.burst) == (0.167, 20)


def test_dynamic_drop_applies_after_the_stated_requests(contracts) -> None:  # type: ignore[no-untyped-def]
    op = contracts.operation("orders/v0/getOrderItems")
    book = PlanBook(contracts, SimConfig(plan_changes=(PlanChange("getOrderItems", 0.1, 2),)))
    assert [book.on_request(op).rate for _ in range(4)] == [0.5, 0.5, 0.1, 0.1]
    assert book.describe()[0]["source"] == "lowered mid-run (dynamic plan)"


def test_unknown_operation_is_refused_with_the_known_names(contracts) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as info:
        PlanBook(contracts, SimConfig(usage_plans={"getOrdres": (1.0, 1)}))
    assert "getOrdres" in str(info.value)
    assert "getOrders" in str(info.value)  # the fix lists the known operations


@pytest.mark.parametrize("plan", [(0, 1), (1.0, 0), (-1.0, 5), (1.0, 2.5), "fast"])
def test_impossible_plans_are_refused(contracts, plan) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="getOrders"):
        PlanBook(contracts, SimConfig(usage_plans={"getOrders": plan}))


def test_a_scenario_lowers_a_rate_mid_run(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from harness.drive.config import IntegrationSpec
    from harness.drive.scenario import ScenarioRun
    from harness.sim import Simulator

    sim = Simulator()  # not started: the control acts on the simulator's core directly
    spec = IntegrationSpec("x", "0", "python", tmp_path, tmp_path / "acorn.toml", "m:o")
    run = ScenarioRun(sim, spec, "lowered", work_dir=tmp_path)
    op = sim.core.contracts.operation("orders/v0/getOrders")
    run.lower_rate("getOrders", 0.0056, burst=1)
    assert (sim.core.plans.plan(op).rate, sim.core.plans.plan(op).burst) == (0.0056, 1)
    assert sim.core.plans.describe()[0]["source"] == "lowered mid-run (dynamic plan)"
