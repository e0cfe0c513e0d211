"""Scenarios can replay a committed cassette to the integration under test (``acorn.replay``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.drive import load_integration
from harness.plugin import AcornSession

ROOT = Path(__file__).resolve().parents[2]
SYNC = {
    "marketplace_ids": ["ATVPDKIKX0DER", "A1F83G8C2ARO7P", "A1PA6795UKMFR9", "A1VC38T7YXB528"],
    "created_after": "2020-01-01T00:00:00Z",
}


@pytest.fixture
def session(tmp_path: Path):  # type: ignore[no-untyped-def]
    acorn = AcornSession(load_integration(ROOT / "examples" / "reference"), tmp_path)
    yield acorn
    acorn.close()


def test_the_reference_replays_the_bundled_order_sync_in_a_scenario(session: AcornSession) -> None:
    with session.replay("order-sync-replay", "reference-order-sync") as run:
        outcome = run.act("sync_orders", **SYNC)
    assert outcome.ok, outcome.summary()
    assert outcome.result is not None
    assert {o["marketplace_id"] for o in outcome.result["orders"]} == set(SYNC["marketplace_ids"])
    assert not any(e.facts.get("unmatched") for e in run.exchanges)
    assert all(e.status != 400 for e in run.exchanges)


def test_a_request_the_cassette_never_saw_is_refused_like_the_sandbox(
    session: AcornSession,
) -> None:
    with session.replay("order-sync-miss", "reference-order-sync") as run:
        outcome = run.act(
            "sync_orders", marketplace_ids=["A1VC38T7YXB528"], created_after="2021-06-01T00:00:00Z"
        )
    misses = [e for e in run.exchanges if e.status == 400]
    assert misses, [e.summary() for e in run.exchanges]
    assert "Could not match input arguments" in str(misses[0].response_body)
    assert not outcome.ok


def test_an_unknown_cassette_names_the_file_and_how_to_record_it(session: AcornSession) -> None:
    from harness.errors import AcornUsageError

    with pytest.raises(AcornUsageError) as caught:
        session.replay("nothing", "no-such-cassette")
    assert "no-such-cassette" in str(caught.value)
    assert "acorn record" in str(caught.value)
