"""Usage-plan token buckets, in wall time (the clock integrations pace themselves by)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["BucketResult", "Throttle", "TokenBucket"]


@dataclass(frozen=True)
class BucketResult:
    allowed: bool
    level_before: float
    level_after: float


class TokenBucket:
    """``rate`` tokens per second refill up to ``burst``; a request takes one token."""

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.level = float(burst)
        self.updated = now

    def take(self, now: float) -> BucketResult:
        elapsed = max(0.0, now - self.updated)
        before = min(float(self.burst), self.level + elapsed * self.rate)
        self.updated = now
        if before >= 1.0:
            self.level = before - 1.0
            return BucketResult(True, before, self.level)
        self.level = before
        return BucketResult(False, before, before)


class Throttle:
    """One bucket per (seller, application, operation), created on first use."""

    def __init__(self, *, enabled: bool = True, wall: Callable[[], float] = time.monotonic):
        self.enabled = enabled
        self._wall = wall
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str, str], TokenBucket] = {}

    def take(self, key: tuple[str, str, str], rate: float, burst: int) -> BucketResult:
        with self._lock:
            now = self._wall()
            bucket = self._buckets.get(key)
            if bucket is None or (bucket.rate, bucket.burst) != (rate, burst):
                bucket = self._buckets[key] = TokenBucket(rate, burst, now)
            if not self.enabled:
                return BucketResult(True, bucket.level, bucket.level)
            return bucket.take(now)

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
