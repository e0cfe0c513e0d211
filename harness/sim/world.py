"""The narrow world a handler sees: seller state, the clock, the run's plans, contracts, tokens.

Handlers used to receive the whole :class:`~harness.sim.core.SimCore` (journal, throttle,
credentials, fault injector...), which tied every handler to the core and the core to every
handler. A :class:`World` is what an SP-API operation may read or change; the core builds one
per request (``SimCore.world()``), so a ``reset`` between scenarios is seen by the next call.

Locking lives here, in one place: a handler that reads-then-writes shared state does it inside
``with ctx.world.locked() as state:``, never by reaching for the state's lock itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from harness.contracts import ContractSet
from harness.sim.clock import VirtualClock
from harness.sim.config import SimConfig
from harness.sim.state import SellerState
from harness.sim.tokens import TokenStore

__all__ = ["World"]


@dataclass(frozen=True)
class World:
    """What an operation handler may touch; ``config`` holds the run's plans and presets."""

    state: SellerState
    clock: VirtualClock
    config: SimConfig
    contracts: ContractSet
    tokens: TokenStore

    @contextmanager
    def locked(self) -> Iterator[SellerState]:
        """The seller state, held exclusively (re-entrant) for a read-modify-write."""
        with self.state.lock:
            yield self.state
