"""Backoff delays, token lifetimes and per-operation pacing."""

from __future__ import annotations

import random
import threading
import time

# Long enough for one token of the slowest common plan (getOrders: one token a minute), so a
# sync beyond the burst waits its turn instead of trading the wait for 429s and giving up.
MAX_PACING_SLEEP = 61.0
# Pace at 90 % of the announced rate. Amazon counts a request when it arrives; one delayed on
# the way (a new TLS connection, a slow hop) makes the next arrive early, and at exactly the
# plan's rate that one finds the bucket empty (measured over TLS: one 429 in 16 patches).
PACING_MARGIN = 0.9


def backoff_delay(retry: int, base: float, cap: float) -> float:
    """Exponential backoff with jitter for the ``retry``-th retry (1, 2, …).

    "Equal jitter": half of the exponential step is fixed, half random, so a retry never
    follows a failure immediately and concurrent clients still spread out.
    """
    step = min(cap, base * 2.0 ** (retry - 1))
    return step / 2 + random.uniform(0, step / 2)


def refresh_margin(expires_in: float) -> float:
    """How long before expiry a token is treated as expired: min(60 s, 10 % of lifetime)."""
    return min(60.0, 0.1 * expires_in)


class ExpiringValue:
    """A token plus the monotonic time after which it must no longer be used."""

    def __init__(self, value: str, obtained_at: float, expires_in: float) -> None:
        self.value = value
        self.refresh_at = obtained_at + expires_in - refresh_margin(expires_in)

    def fresh(self) -> bool:
        return time.monotonic() < self.refresh_at


# Amazon's published default bursts (usage plans); the rate itself comes from the
# x-amzn-RateLimit-Limit header, since Amazon may lower it per seller (dynamic plans).
DEFAULT_BURST = {
    "getOrders": 20,
    "getOrder": 30,
    "getOrderItems": 30,
    "getOrderAddress": 30,
    "getOrderBuyerInfo": 30,
    "createRestrictedDataToken": 10,
    "getListingsItem": 10,
    "putListingsItem": 10,
    "patchListingsItem": 5,
    "deleteListingsItem": 5,
    "getMarketplaceParticipations": 15,
    "searchListingsItems": 5,
    "getDefinitionsProductType": 10,
    "searchDefinitionsProductTypes": 10,
    "createFeedDocument": 15,
    "createFeed": 15,
    "getFeed": 15,
    "getFeeds": 10,
    "getFeedDocument": 10,
    "cancelFeed": 15,
    "createReport": 15,
    "getReport": 15,
    "getReportDocument": 15,
}


class _Bucket:
    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.level = float(burst)
        self.updated = now

    def delay_for_one(self, now: float) -> float:
        """Take a token now, or say how long until one is there (and reserve it)."""
        rate = self.rate * PACING_MARGIN
        self.level = min(float(self.burst), self.level + (now - self.updated) * rate)
        self.updated = now
        self.level -= 1.0
        return 0.0 if self.level >= 0 else -self.level / rate


class Pacer:
    """Client-side token bucket per operation, mirroring Amazon's usage plans.

    The rate is the one announced in ``x-amzn-RateLimit-Limit`` (kept up to date, so a lowered
    dynamic plan is honoured); the burst is Amazon's published default. A single wait never
    exceeds ``MAX_PACING_SLEEP`` seconds, a little over one getOrders token interval.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}

    def wait_turn(self, operation: str) -> None:
        with self._lock:
            bucket = self._buckets.get(operation)
            delay = 0.0 if bucket is None else bucket.delay_for_one(time.monotonic())
        if delay > 0:
            time.sleep(min(delay, MAX_PACING_SLEEP))

    def throttled(self, operation: str) -> None:
        """A 429 says Amazon's bucket is empty: so is ours (the refused call took no token).

        The next ``wait_turn`` then waits one full token interval at the known rate, instead
        of trusting a local level that was wrong (a smaller burst than published, another
        process of the same seller and app spending the same quota).
        """
        with self._lock:
            bucket = self._buckets.get(operation)
            if bucket is not None:
                bucket.level = 0.0
                bucket.updated = time.monotonic()

    def observe(self, operation: str, header: str | None) -> None:
        """Remember the rate from a response's ``x-amzn-RateLimit-Limit`` header, if any."""
        if not header:
            return
        try:
            rate = float(header.strip())
        except ValueError:
            return
        if rate <= 0:
            return
        with self._lock:
            bucket = self._buckets.get(operation)
            if bucket is None:
                burst = DEFAULT_BURST.get(operation, 1)
                bucket = _Bucket(rate, burst, time.monotonic())
                bucket.level = burst - 1.0  # the call that carried the header used one
                self._buckets[operation] = bucket
            elif bucket.rate != rate:
                # Settle the tokens earned at the old rate, then refill at the new one.
                now = time.monotonic()
                bucket.level = min(
                    float(bucket.burst), bucket.level + (now - bucket.updated) * bucket.rate
                )
                bucket.updated = now
                bucket.rate = rate
