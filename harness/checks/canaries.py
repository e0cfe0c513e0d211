"""What must never appear in an integration's output: the simulator world's secrets and buyer
PII, by label. Both the plugin's sessions and the fixtures for a team's own tests scan output
with it, so it lives below both (it was in plugin.py, which made fixtures and plugin import
each other)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.checks.model import Canaries

if TYPE_CHECKING:
    from harness.sim import SimCore

__all__ = ["canaries_of"]


def canaries_of(core: SimCore) -> Canaries:
    """The secrets and buyer PII of the simulator's current world, by label (output scans)."""
    secrets: dict[str, tuple[str, ...]] = {
        label: tuple(values) for label, values in core.credentials.labelled().items()
    }
    issued = core.tokens.all()
    secrets["access token"] = tuple(t.value for t in issued if t.kind != "rdt")
    secrets["restricted data token"] = tuple(t.value for t in issued if t.kind == "rdt")
    buyers = [order.buyer for order in core.state.orders.values()]
    pii = {
        "buyer name": tuple(b.name for b in buyers),
        "buyer street address": tuple(b.address_line1 for b in buyers),
        "buyer phone": tuple(b.phone for b in buyers),
        "buyer email": tuple(b.email for b in buyers),
    }
    return Canaries(secrets=secrets, pii=pii)
