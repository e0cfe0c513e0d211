"""The SP-API simulator: LWA, regional SP-API endpoints, virtual clock, state and journal."""

from harness.sim.clock import VirtualClock
from harness.sim.config import SimConfig
from harness.sim.core import SimCore
from harness.sim.fidelity import FidelityNote, fidelity_notes
from harness.sim.journal import Exchange, Journal, TokenUse
from harness.sim.server import Endpoints, Simulator
from harness.sim.transport import SimTransport

__all__ = [
    "Endpoints",
    "Exchange",
    "FidelityNote",
    "Journal",
    "SimConfig",
    "SimCore",
    "SimTransport",
    "Simulator",
    "TokenUse",
    "VirtualClock",
    "fidelity_notes",
]
