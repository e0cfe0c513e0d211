"""Backoff delays, token lifetimes and per-operation pacing."""

from __future__ import annotations

import random
import threading
import time

MAX_PACING_SLEEP = 2.0


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


class Pacer:
    """Per-operation pacing to the rate announced in ``x-amzn-RateLimit-Limit``.

    A plain "next allowed time" limiter: once an operation's rate is known, consecutive calls
    to it are spaced ``1 / rate`` seconds apart, but a single wait never exceeds
    ``MAX_PACING_SLEEP`` seconds.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rate: dict[str, float] = {}
        self._last_sent: dict[str, float] = {}

    def wait_turn(self, operation: str) -> None:
        with self._lock:
            now = time.monotonic()
            rate = self._rate.get(operation)
            last = self._last_sent.get(operation)
            delay = 0.0
            if rate and last is not None:
                delay = min(max(0.0, last + 1.0 / rate - now), MAX_PACING_SLEEP)
            self._last_sent[operation] = now + delay
        if delay > 0:
            time.sleep(delay)

    def observe(self, operation: str, header: str | None) -> None:
        """Remember the rate from a response's ``x-amzn-RateLimit-Limit`` header, if any."""
        if not header:
            return
        try:
            rate = float(header.strip())
        except ValueError:
            return
        if rate > 0:
            with self._lock:
                self._rate[operation] = rate
