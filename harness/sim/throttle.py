"""Usage-plan token buckets, in wall time (the clock integrations pace themselves by).

Amazon throttles each operation with a token bucket per selling partner and application: it
refills at the plan's ``rate`` (tokens per second) up to ``burst``, a request takes one token,
and an empty bucket answers 429 ``QuotaExceeded``. Some APIs add an application-wide bucket
shared by every seller of the app; the first bucket that is empty throttles.

Buckets run on the wall clock, never the virtual one: the integration paces itself with
``sleep`` and reads the rate from ``x-amzn-RateLimit-Limit``, so every rate it can observe must
be true in wall seconds. Scenarios keep themselves short with scaled plans instead (see
:class:`PlanBook`), and the report states which plan was in force.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from harness.contracts import ContractSet, Operation, UsagePlan
from harness.errors import ConfigError
from harness.sim.config import BucketDrain, PlanChange, SimConfig

__all__ = [
    "APP_WIDE_PLANS",
    "BucketResult",
    "PlanBook",
    "Throttle",
    "ThrottleResult",
    "TokenBucket",
    "journal_level",
    "truncate",
]

# Amazon's published per-application limits (all sellers of one app together), by operation
# id: Listings Items, Catalog Items 2022-04-01 and Product Type Definitions rate-limit pages.
APP_WIDE_PLANS: Mapping[str, UsagePlan] = {
    "getListingsItem": UsagePlan(100.0, 5),
    "putListingsItem": UsagePlan(100.0, 5),
    "deleteListingsItem": UsagePlan(100.0, 5),
    "patchListingsItem": UsagePlan(500.0, 5),
    "getCatalogItem": UsagePlan(250.0, 2),
    "searchCatalogItems": UsagePlan(500.0, 2),
    "searchDefinitionsProductTypes": UsagePlan(100.0, 5),
    "getDefinitionsProductType": UsagePlan(100.0, 5),
}


FLOAT_SLACK = 1e-9
"""A token due exactly now is there: float noise in ``level + elapsed * rate`` never refuses."""


def truncate(level: float) -> float:
    """A bucket level for the journal, cut (not rounded) to 3 decimals."""
    return math.floor(level * 1000 + 1e-6) / 1000


def journal_level(level: float, allowed: bool) -> float:
    """The level as the journal shows it: a refused request never reads 1.0 token, an
    accepted one never less (the verdict and the number agree to the reader)."""
    shown = truncate(level)
    return max(shown, 1.0) if allowed else min(shown, 0.999)


@dataclass(frozen=True)
class BucketResult:
    allowed: bool
    level_before: float
    level_after: float


class TokenBucket:
    """``rate`` tokens per second refill up to ``burst``; a request takes one token.

    Starts full. ``level_before`` is the level at the request's moment after refill, so a
    request is refused exactly when fewer than one token is there.
    """

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.level = float(burst)
        self.updated = now

    def level_at(self, now: float) -> float:
        elapsed = max(0.0, now - self.updated)
        return min(float(self.burst), self.level + elapsed * self.rate)

    def settle(self, now: float) -> float:
        self.level = self.level_at(now)
        self.updated = max(self.updated, now)
        return self.level

    def take(self, now: float) -> BucketResult:
        before = self.settle(now)
        if before + FLOAT_SLACK >= 1.0:
            self.level = max(0.0, before - 1.0)
            return BucketResult(True, before, self.level)
        return BucketResult(False, before, before)

    def replan(self, rate: float, burst: int, now: float) -> None:
        """A new plan from ``now`` on: tokens already there stay (capped at the new burst).

        Lowering a plan never refills the bucket, as rebuilding it would.
        """
        self.settle(now)
        self.rate = rate
        self.burst = burst
        self.level = min(self.level, float(burst))


@dataclass(frozen=True)
class ThrottleResult:
    """One request against its operation's bucket and, if any, the application-wide one."""

    allowed: bool
    level_before: float
    level_after: float
    limited_by: Literal["operation", "application"] | None = None
    app_before: float | None = None
    app_after: float | None = None


class Throttle:
    """Buckets per (seller, application, operation), plus per (application, operation)."""

    def __init__(self, *, enabled: bool = True, wall: Callable[[], float] = time.monotonic):
        self.enabled = enabled
        self._wall = wall
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, ...], TokenBucket] = {}

    def _bucket(self, key: tuple[str, ...], plan: UsagePlan, now: float) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(plan.rate, plan.burst, now)
        elif (bucket.rate, bucket.burst) != (plan.rate, plan.burst):
            bucket.replan(plan.rate, plan.burst, now)
        return bucket

    def take(
        self,
        key: tuple[str, str, str],
        plan: UsagePlan,
        app_plan: UsagePlan | None = None,
        *,
        drain: bool = False,
    ) -> ThrottleResult:
        """Take a token from every bucket that applies, or from none if one is empty.

        ``drain``: other traffic of the seller spent the operation's bucket just before.
        """
        with self._lock:
            now = self._wall()
            pair = self._bucket(key, plan, now)
            app = self._bucket(("app", key[1], key[2]), app_plan, now) if app_plan else None
            if drain and self.enabled:
                pair.settle(now)
                pair.level = 0.0
            before = pair.settle(now)
            app_before = app.settle(now) if app else None
            if not self.enabled:
                return ThrottleResult(True, before, before, None, app_before, app_before)
            limited: Literal["operation", "application"] | None = None
            if before + FLOAT_SLACK < 1.0:
                limited = "operation"
            elif app_before is not None and app_before + FLOAT_SLACK < 1.0:
                limited = "application"
            if limited is not None:
                return ThrottleResult(False, before, before, limited, app_before, app_before)
            pair.level = max(0.0, pair.level - 1.0)
            if app is not None:
                app.level = max(0.0, app.level - 1.0)
            return ThrottleResult(
                True, before, pair.level, None, app_before, app.level if app else None
            )

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


def _positive_plan(value: Any, where: str) -> UsagePlan:
    if isinstance(value, UsagePlan):
        rate, burst = value.rate, value.burst
    elif isinstance(value, tuple | list) and len(value) == 2:
        rate, burst = value
    else:
        raise ConfigError(
            f"{where} is {value!r}",
            fix="give a (rate, burst) pair, e.g. (0.5, 30): rate in requests per second, burst "
            "a whole number of requests",
        )
    if isinstance(rate, bool) or not isinstance(rate, int | float) or rate <= 0:
        raise ConfigError(f"{where} has rate {rate!r}", fix="give a rate > 0 requests per second")
    if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
        raise ConfigError(f"{where} has burst {burst!r}", fix="give a whole burst >= 1")
    return UsagePlan(float(rate), burst)


def _check_drain(drain: BucketDrain) -> None:
    after = drain.after_requests
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise ConfigError(
            f"BucketDrain({drain.operation!r}).after_requests is {after!r}",
            fix="give the number of requests (>= 0) after which the bucket is found empty",
        )


_PACE_WINDOW = 3
"""A relative plan drop follows the pace of the client's last 3 requests of the operation
(its current pace, not the burst it may have started with)."""


class PlanBook:
    """Which usage plan is in force for each operation, and how it got there.

    Amazon's published plan comes from the contracts. A scenario may scale every rate
    (``SimConfig.rate_scale``; bursts stay as published), set a plan outright
    (``SimConfig.usage_plans``), lower one mid-run after a number of requests
    (``SimConfig.plan_changes``, Amazon's dynamic plans), or lower one from the scenario
    (:meth:`change`). :meth:`describe` says all of it for the report.
    """

    def __init__(self, contracts: ContractSet, config: SimConfig) -> None:
        self._contracts = contracts
        self._scale = config.rate_scale
        if isinstance(self._scale, bool) or not isinstance(self._scale, int | float):
            raise ConfigError(f"SimConfig.rate_scale is {self._scale!r}", fix="give a number > 0")
        if self._scale <= 0:
            raise ConfigError(f"SimConfig.rate_scale is {self._scale}", fix="give a number > 0")
        self._lock = threading.Lock()
        self._set: dict[str, UsagePlan] = {}
        for name, value in config.usage_plans.items():
            op = self._op(name, "SimConfig.usage_plans")
            self._set[op.key] = _positive_plan(value, f"SimConfig.usage_plans[{name!r}]")
        self._changes: list[tuple[str, PlanChange]] = []
        for change in config.plan_changes:
            op = self._op(change.operation, "SimConfig.plan_changes")
            if change.after_requests < 0:
                raise ConfigError(
                    f"PlanChange({change.operation!r}).after_requests is {change.after_requests}",
                    fix="give the number of requests (>= 0) after which the plan drops",
                )
            _positive_plan((change.rate, change.burst or 1), f"PlanChange({change.operation!r})")
            fraction = change.below_pace
            if fraction is not None and not (
                isinstance(fraction, int | float) and 0 < fraction <= 1
            ):
                raise ConfigError(
                    f"PlanChange({change.operation!r}).below_pace is {fraction!r}",
                    fix="give the fraction of the client's pace (0 < below_pace <= 1), or None",
                )
            self._changes.append((op.key, change))
        self._drains: dict[str, set[int]] = {}
        for drain in config.bucket_drains:
            op = self._op(drain.operation, "SimConfig.bucket_drains")
            _check_drain(drain)
            self._drains.setdefault(op.key, set()).add(drain.after_requests)
        caps: Mapping[str, Any] = APP_WIDE_PLANS if config.app_caps is None else config.app_caps
        self._app: dict[str, UsagePlan] = {}
        for name, value in caps.items():
            named = [op for op in self._contracts.operations if name in (op.operation_id, op.key)]
            if named:
                plan = _positive_plan(value, f"SimConfig.app_caps[{name!r}]")
                self._app.update(dict.fromkeys((op.key for op in named), plan))
            elif config.app_caps is not None:
                self._op(name, "SimConfig.app_caps")  # raises with the known names
        self._dynamic: dict[str, UsagePlan] = {}
        self._requests: dict[str, int] = {}
        self._recent: dict[str, deque[float]] = {}
        self._first: dict[str, float] = {}
        """Wall times of each operation's last requests (the pace a relative drop follows)."""

    def _op(self, name: str, where: str) -> Operation:
        try:
            return self._contracts.operation(name)
        except KeyError as exc:
            raise ConfigError(
                f"{where} names {name!r}, which is not one operation",
                fix=str(exc.args[0]) if exc.args else "use an operation id from contracts/apis",
            ) from None

    def plan(self, op: Operation) -> UsagePlan:
        with self._lock:
            return self._plan(op)

    def _plan(self, op: Operation) -> UsagePlan:
        if op.key in self._dynamic:
            return self._dynamic[op.key]
        if op.key in self._set:
            return self._set[op.key]
        # Rounded so the header reads like Amazon's (0.167, not 0.16699999999999998).
        return UsagePlan(round(op.usage_plan.rate * self._scale, 6), op.usage_plan.burst)

    def app_plan(self, op: Operation) -> UsagePlan | None:
        return self._app.get(op.key)

    def on_request(self, op: Operation) -> UsagePlan:
        """Count one request and return the plan it meets (a due dynamic drop applies first)."""
        return self.admit(op)[0]

    def admit(self, op: Operation) -> tuple[UsagePlan, bool]:
        """:meth:`on_request`, and whether a :class:`BucketDrain` empties the bucket first."""
        with self._lock:
            drained = self._requests.get(op.key, 0) in self._drains.get(op.key, ())
            return self._on_request(op), drained

    def _on_request(self, op: Operation) -> UsagePlan:
        count = self._requests.get(op.key, 0)
        self._requests[op.key] = count + 1
        now = time.monotonic()
        first = self._first.setdefault(op.key, now)
        recent = self._recent.setdefault(op.key, deque(maxlen=_PACE_WINDOW))
        recent.append(now)
        for key, change in self._changes:
            if key == op.key and count == change.after_requests:
                burst = change.burst or self._plan(op).burst
                rate = float(change.rate)
                if change.below_pace is not None and len(recent) == _PACE_WINDOW:
                    # The slower of its current pace and its average since its first request:
                    # a client that bursts, then paces, is judged on the pace it keeps.
                    current = (len(recent) - 1) / max(recent[-1] - recent[0], 1e-6)
                    average = count / max(now - first, 1e-6)
                    rate = min(rate, round(min(current, average) * change.below_pace, 3))
                self._dynamic[op.key] = UsagePlan(rate, burst)
        return self._plan(op)

    def change(self, operation: str, rate: float, burst: int | None = None) -> UsagePlan:
        """Lower (or raise) an operation's plan from now on, as Amazon's dynamic plans do."""
        op = self._op(operation, "change_plan")
        with self._lock:
            plan = _positive_plan((rate, burst or self._plan(op).burst), f"plan for {operation}")
            self._dynamic[op.key] = plan
            return plan

    def describe(self) -> list[dict[str, Any]]:
        """The plans of the operations called, and of those the scenario set, for the report."""
        with self._lock:
            rows = []
            for op in self._contracts.operations:
                plan = self._plan(op)
                chosen = op.key in self._dynamic or op.key in self._set
                if not chosen and op.key not in self._requests:
                    continue
                if op.key in self._dynamic:
                    source = "lowered mid-run (dynamic plan)"
                elif op.key in self._set:
                    source = "set by the scenario"
                elif self._scale != 1:
                    source = f"Amazon's rate x{self._scale:g}, Amazon's burst"
                else:
                    source = "Amazon's published plan"
                row: dict[str, Any] = {
                    "operation": op.operation_id,
                    "api": op.api_title,
                    "rate": round(plan.rate, 6),
                    "burst": plan.burst,
                    "amazon_rate": op.usage_plan.rate,
                    "amazon_burst": op.usage_plan.burst,
                    "source": source,
                }
                app = self._app.get(op.key)
                if app is not None:
                    row["app_rate"], row["app_burst"] = app.rate, app.burst
                if op.key in self._drains:
                    row["drained_after_requests"] = sorted(self._drains[op.key])
                rows.append(row)
            return rows
