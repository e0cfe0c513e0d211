"""The one retry-chain model (harness.checks.retries) that ERR-* and THR-* both read."""

from __future__ import annotations

from journal_factory import sp_call

from harness.checks.errors import retry_chains as err_chains
from harness.checks.retries import GROWTH_AFTER_429, GROWTH_AFTER_FAILURE, waits_grew
from harness.checks.throttle_facts import chains as thr_chains
from harness.sim.journal import Exchange


def _at(seq: int, wall: float, status: int, item: str = "1") -> Exchange:
    return sp_call(seq, wall, "getOrderItems", status, order_id=f"111-0000001-000000{item}")


def test_a_throttle_chain_starts_at_the_first_429_and_ends_at_the_next_attempt() -> None:
    journal = [_at(1, 0.0, 200), _at(2, 0.1, 429), _at(3, 0.3, 429), _at(4, 0.7, 200)]
    [chain] = thr_chains(journal)
    assert [e.seq for e in chain.refused] == [2, 3]
    assert chain.after is not None
    assert chain.after.seq == 4
    assert not chain.abandoned
    assert [round(w, 2) for w in chain.waits] == [0.2, 0.4]


def test_a_request_dropped_at_a_429_is_abandoned() -> None:
    [chain] = thr_chains([_at(1, 0.0, 429), _at(2, 0.1, 200, "2")])
    assert chain.abandoned
    assert chain.after is None
    assert [e.seq for e in chain.refused] == [1]


def test_throttle_chains_come_in_the_order_of_their_first_429() -> None:
    journal = [_at(1, 0.0, 200, "7"), _at(2, 0.1, 429, "8"), _at(3, 0.2, 429, "7")]
    journal += [_at(4, 0.5, 200, "8"), _at(5, 0.6, 200, "7")]
    assert [c[0].seq for c in thr_chains(journal)] == [2, 3]


def test_err_chains_follow_429s_and_5xx_alike() -> None:
    journal = [_at(1, 0.0, 503), _at(2, 0.2, 429), _at(3, 0.5, 200), _at(4, 0.9, 200)]
    assert sorted(len(c) for c in err_chains(journal)) == [1, 3]


def test_growth_thresholds_differ_on_purpose() -> None:
    """1.2x from first to last wait: grown enough after a 429 (the plan says when a token is
    due), not after a 5xx (nothing says when the service recovers)."""
    waits = [0.5, 0.55, 0.6]
    assert waits_grew(waits, GROWTH_AFTER_429)
    assert not waits_grew(waits, GROWTH_AFTER_FAILURE)
