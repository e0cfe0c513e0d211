"""Handlers see a narrow World (state, clock, plans, contracts, tokens), not the SimCore, and
take the state's lock only through ``World.locked()`` (issue 19)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from harness.sim.core import SimCore

HANDLERS = Path(__file__).resolve().parents[2] / "harness" / "sim" / "handlers"


def _handler_files() -> list[Path]:
    return sorted(HANDLERS.glob("*.py"))


@pytest.mark.parametrize("path", _handler_files(), ids=lambda p: p.stem)
def test_a_handler_reaches_neither_the_core_nor_a_lock(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [
        f"{path.name}:{node.lineno} .{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in {"core", "lock"}
    ]
    assert found == [], "use ctx.world / world.locked() instead"


def test_the_world_follows_a_reset_and_its_lock_is_reentrant() -> None:
    core = SimCore()
    before = core.world()
    core.reset()
    after = core.world()
    assert after.state is core.state
    assert after.state is not before.state
    assert after.clock is core.clock
    assert after.tokens is core.tokens
    with after.locked() as state, after.locked() as again:
        assert state is again is core.state


def test_a_notification_publisher_follows_the_world_across_a_reset() -> None:
    """The publisher reads the world as of each call, like a handler's ``ctx.world``."""
    from harness.sim.handlers.notifications_publish import Publisher
    from harness.sim.sqs import SqsEndpoint

    core = SimCore()
    publisher = Publisher(core, SqsEndpoint())  # no subscription: nothing reaches SQS
    core.reset()
    order_id = next(iter(core.state.orders))
    assert publisher.order_change(order_id, "Shipped") is None
    assert publisher.skipped == ["ORDER_CHANGE"]
    assert core.state.orders[order_id].status == "Shipped"
    assert publisher.world.state is core.state
