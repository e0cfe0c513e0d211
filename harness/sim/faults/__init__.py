"""Fault plans: declarative, seeded failures the simulator injects into SP-API exchanges.

One subpackage, imported downward only (``presets`` <- ``rules`` <- ``plan`` <- ``files``;
``wire`` stands alone), so no module here imports another that imports it back:

- :mod:`~harness.sim.faults.presets`: Amazon's quirks as named answers,
- :mod:`~harness.sim.faults.rules`: one rule (triggers, answer, validation),
- :mod:`~harness.sim.faults.plan`: the plan and the injector that runs it,
- :mod:`~harness.sim.faults.files`: plans from TOML/YAML files and dicts,
- :mod:`~harness.sim.faults.wire`: transport faults enacted on the ASGI connection.

The public names are re-exported here: ``from harness.sim.faults import FaultPlan``.
"""

from __future__ import annotations

from harness.sim.faults.files import load_fault_plan, plan_from_dict
from harness.sim.faults.plan import FaultInjector, FaultPlan
from harness.sim.faults.presets import LISTING_WRITES, PRESETS, Preset, listing_invalid
from harness.sim.faults.rules import (
    ANY_OPERATION,
    BODY_KINDS,
    NO_ANSWER,
    STALL_HOLD,
    TRANSPORT_KINDS,
    FaultRule,
    suggest,
)
from harness.sim.faults.wire import enact

__all__ = [
    "ANY_OPERATION",
    "BODY_KINDS",
    "LISTING_WRITES",
    "NO_ANSWER",
    "PRESETS",
    "STALL_HOLD",
    "TRANSPORT_KINDS",
    "FaultInjector",
    "FaultPlan",
    "FaultRule",
    "Preset",
    "enact",
    "listing_invalid",
    "load_fault_plan",
    "plan_from_dict",
    "suggest",
]
