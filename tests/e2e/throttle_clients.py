"""Small purpose-built SP-API clients (httpx, real HTTP on loopback) for the throttling checks.

Each one gets one thing right or wrong on purpose, so a check can be shown to pass the right
behaviour and fail the wrong one through the real simulator. They all call getOrderItems
(and getOrders for THR-05) with a real LWA access token.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

import httpx

ORDERS = "/orders/v0/orders"
RATE_HEADER = "x-amzn-RateLimit-Limit"


@dataclass
class LocalBucket:
    """A client-side token bucket: spend the burst, then one token per 1/rate seconds."""

    rate: float
    burst: int
    level: float = -1.0
    updated: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.level = float(self.burst)

    def wait(self) -> None:
        now = time.monotonic()
        self.level = min(float(self.burst), self.level + (now - self.updated) * self.rate)
        self.updated = now
        self.level -= 1.0
        if self.level < 0:
            time.sleep(-self.level / self.rate)

    def empty(self) -> None:
        """A 429 says Amazon's bucket is empty: ours too."""
        self.level = 0.0
        self.updated = time.monotonic()


class Client:
    """Sends calls; subclasses decide when (pacing) and what to do after a 429."""

    def __init__(self, http: httpx.Client, base: str, token: str) -> None:
        self.http = http
        self.base = base
        self.token = token

    def send(self, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        return self.http.get(
            self.base + path, params=params, headers={"x-amz-access-token": self.token}
        )

    def items(self, order_id: str) -> httpx.Response:
        return self.send(f"{ORDERS}/{order_id}/orderItems")


class Greedy(Client):
    """No pacing at all; after a 429 waits a fixed 0.1 s and tries again (until it works)."""

    def run(self, order_ids: list[str]) -> None:
        for order_id in order_ids:
            while self.items(order_id).status_code == 429:
                time.sleep(0.1)


class Paced(Client):
    """Paces with a local bucket: the known burst, and the rate from the header when
    ``read_header`` (else the rate it was built with, for ever). Backs off after a 429."""

    def __init__(
        self,
        http: httpx.Client,
        base: str,
        token: str,
        *,
        rate: float,
        burst: int,
        read_header: bool = True,
    ) -> None:
        super().__init__(http, base, token)
        self.bucket = LocalBucket(rate, burst)
        self.read_header = read_header

    def run(self, order_ids: list[str]) -> None:
        for order_id in order_ids:
            for attempt in range(1, 8):
                self.bucket.wait()
                response = self.items(order_id)
                header = response.headers.get(RATE_HEADER)
                if self.read_header and header:
                    self._rerate(float(header))
                if response.status_code != 429:
                    break
                self.bucket.empty()
                time.sleep(backoff(attempt))

    def _rerate(self, rate: float) -> None:
        now = time.monotonic()
        bucket = self.bucket
        bucket.level = min(float(bucket.burst), bucket.level + (now - bucket.updated) * bucket.rate)
        bucket.updated = now
        bucket.rate = rate


def backoff(attempt: int, base: float = 0.1, cap: float = 2.0) -> float:
    """Exponential backoff with equal jitter: half fixed, half random."""
    step = min(cap, base * 2.0 ** (attempt - 1))
    return step / 2 + random.uniform(0, step / 2)


class BackingOff(Client):
    """No pacing; after a 429, exponential backoff with jitter, at most 7 attempts."""

    def run(self, order_ids: list[str]) -> None:
        for order_id in order_ids:
            for attempt in range(1, 8):
                if self.items(order_id).status_code != 429:
                    break
                time.sleep(backoff(attempt))


class Hammering(Client):
    """Retries a 429 at once, up to 20 times: the retry storm."""

    def run(self, order_ids: list[str]) -> None:
        for order_id in order_ids:
            for _ in range(20):
                if self.items(order_id).status_code != 429:
                    break


class GivesUp(Client):
    """Treats a 429 as final (it expected the rate header to pace by): the item is lost."""

    def run(self, order_ids: list[str]) -> None:
        for order_id in order_ids:
            self.items(order_id)


class FixedSleep(Client):
    """Sleeps the same pause before every call 'to be safe'."""

    def __init__(self, http: httpx.Client, base: str, token: str, pause: float) -> None:
        super().__init__(http, base, token)
        self.pause = pause

    def run(self, order_ids: list[str]) -> None:
        for order_id in order_ids:
            time.sleep(self.pause)
            while self.items(order_id).status_code == 429:
                time.sleep(self.pause)


class OrdersThenItems(Client):
    """Polls getOrders (throttled) and fetches order items. ``global_pause`` models a client
    with one shared cool-down: after any 429 every call waits; otherwise only getOrders does,
    and the items go on meanwhile."""

    def __init__(
        self, http: httpx.Client, base: str, token: str, *, global_pause: float | None
    ) -> None:
        super().__init__(http, base, token)
        self.global_pause = global_pause

    def run(self, marketplace: str, since: str, order_ids: list[str]) -> None:
        params = {"MarketplaceIds": marketplace, "CreatedAfter": since}
        cooling_until = 0.0
        pending = list(order_ids)
        polls = 0
        while pending or polls < 3:
            if polls < 3 and time.monotonic() >= cooling_until:
                polls += 1
                if self.send(ORDERS, params).status_code == 429:
                    if self.global_pause is not None:
                        time.sleep(self.global_pause)  # the mistake: everything waits
                    cooling_until = time.monotonic() + 0.6
                continue
            if pending:
                self.items(pending.pop(0))
                time.sleep(0.05)
            else:
                time.sleep(max(0.0, cooling_until - time.monotonic()))
