"""Fault plans: declarative, seeded failures the simulator injects into SP-API exchanges.

Production fails in ways a happy-path test never shows: a 503 in the middle of a page walk, a
read timeout after Amazon already accepted a listing, a body cut off half way. A fault plan
says, per operation (or for all), *when* to fail (on the n-th call, on a seeded share of
calls, inside a time window) and *how*: an HTTP status with an SP-API error body (Amazon's
quirks are presets), or a transport fault the ASGI layer enacts (the connection held open past
the client's timeout, a request stalled past any sane timeout, reset, a truncated body,
malformed JSON, a slowly dribbled body).

``after_write`` faults let the handler apply the write first and then fail: the classic
ambiguous failure, after which a blind retry leaves a duplicate in the simulator's state.

A plan is a Python object (:class:`FaultPlan`, :class:`FaultRule`) or a TOML/YAML file
(:func:`load_fault_plan`); every mistake is a :class:`ConfigError` naming the file, the line,
the rule and the fix. Example (TOML)::

    seed = 7
    client_timeout = 0.5          # the read timeout the integration is asked to use

    [[fault]]
    name = "orders unavailable twice"
    operation = "getOrders"
    on_calls = [1, 2]
    preset = "service_unavailable"

    [[fault]]
    operation = "putListingsItem"
    on_calls = [1]
    transport = "timeout"
    after_write = true

The rule itself (triggers, answers, validation) is :mod:`harness.sim.faults.rules`; this module
holds the plan and the injector that runs it; :mod:`harness.sim.faults.files` reads plans from
files. Import from :mod:`harness.sim.faults`.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, replace
from urllib.parse import unquote

from harness.contracts import ContractSet
from harness.errors import ConfigError
from harness.sim.faults.presets import PRESETS, Preset
from harness.sim.faults.rules import (
    ANY_OPERATION,
    BODY_KINDS,
    NO_ANSWER,
    STALL_HOLD,
    TRANSPORT_KINDS,
    FaultRule,
    suggest,
)

__all__ = [
    "ANY_OPERATION",
    "BODY_KINDS",
    "NO_ANSWER",
    "PRESETS",
    "STALL_HOLD",
    "TRANSPORT_KINDS",
    "FaultInjector",
    "FaultPlan",
    "FaultRule",
    "Preset",
    "suggest",
]


@dataclass(frozen=True)
class FaultPlan:
    """Rules (first match wins), a seed for the ``share`` draws, and the client timeout."""

    rules: tuple[FaultRule, ...] = ()
    seed: int = 0
    client_timeout: float = 1.0
    """The read timeout the integration is asked to use (``ACORN_READ_TIMEOUT``), seconds."""
    source: str = "<python>"

    def __post_init__(self) -> None:
        if not isinstance(self.client_timeout, int | float) or self.client_timeout <= 0:
            raise ConfigError(
                f"client_timeout is {self.client_timeout!r}",
                where=self.source,
                fix="give the integration's read timeout in seconds (> 0), e.g. 0.5",
            )

    def check_against(self, contracts: ContractSet) -> None:
        for rule in self.rules:
            rule.check_against(contracts)

    def hold_for(self, rule: FaultRule) -> float:
        if rule.hold is not None:
            return rule.hold
        return STALL_HOLD if rule.transport == "stall" else 3.0 * self.client_timeout


class FaultInjector:
    """A plan's running state for one scenario: call counters, firings and the seeded draws."""

    def __init__(self, plan: FaultPlan) -> None:
        self.plan = plan
        self._rng = random.Random(plan.seed)
        self._calls = [0] * len(plan.rules)
        self._fired = [0] * len(plan.rules)
        self._stuck: list[set[str]] = [set() for _ in plan.rules]
        self._lock = threading.Lock()

    def pick(
        self, operation: str, elapsed: float, path: str = "", request: str = ""
    ) -> FaultRule | None:
        """The rule that hits this call, if any; every matching rule counts the call.

        ``request`` identifies the exact request (for ``sticky`` rules).
        """
        chosen: FaultRule | None = None
        with self._lock:
            for i, rule in enumerate(self.plan.rules):
                if rule.operation not in (ANY_OPERATION, operation):
                    continue
                if rule.path_contains and rule.path_contains not in unquote(path):
                    continue
                self._calls[i] += 1
                # Draw for every matching call so the sequence depends only on the seed.
                draw = self._rng.random() if rule.share is not None else 0.0
                if chosen is not None:
                    continue
                if rule.sticky and request and request in self._stuck[i]:
                    chosen = rule
                    continue
                if rule.times is not None and self._fired[i] >= rule.times:
                    continue
                if rule.on_calls and self._calls[i] not in rule.on_calls:
                    continue
                if rule.from_call is not None and self._calls[i] < rule.from_call:
                    continue
                if rule.window is not None and not rule.window[0] <= elapsed < rule.window[1]:
                    continue
                if rule.share is not None and draw >= rule.share:
                    continue
                self._fired[i] += 1
                if rule.sticky and request:
                    self._stuck[i].add(request)
                chosen = rule
        if chosen is not None and chosen.transport in ("timeout", "stall") and chosen.hold is None:
            return _with_hold(chosen, self.plan.hold_for(chosen))
        return chosen


def _with_hold(rule: FaultRule, hold: float) -> FaultRule:
    return replace(rule, hold=hold)
