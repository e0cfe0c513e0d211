"""One model of a retried request, shared by the error (ERR-*) and throttling (THR-*) checks.

A *retry chain* is the run of attempts of one request (:func:`request_key`) in which every
attempt but the last was answered in a way the integration should retry; the next identical
request joins the chain only while its last attempt is such a failure. What counts as "to be
retried" is the caller's: transient failures and 429s for ERR-02..06, 429s alone for THR-02/03.

The thresholds that judge a chain's waits live here, once:

- :data:`MIN_RETRY_WAIT_S`: a retry sooner than this after a failure is no backoff (ERR-02
  after 5xx/transport faults, THR-02 after a 429 while the next token is still away).
- :data:`GROWTH_AFTER_FAILURE` and :data:`GROWTH_AFTER_429`, judged by :func:`waits_grew`.
  They differ on purpose: after a 5xx nothing says when the service recovers, so waits must
  grow exponentially (1.5x over a chain, the AWS SDKs double); after a 429 the plan says when
  the next token is due, and a client that waits for it may keep nearly the same wait, so
  THR-02 asks only that repeated waits were not all the same (10 %). Aligning them would
  either fail rate-aware clients on THR-02 or pass constant 5xx retry loops on ERR-02.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable

from harness.sim.journal import Exchange

__all__ = [
    "GROWTH_AFTER_429",
    "GROWTH_AFTER_FAILURE",
    "MIN_RETRY_WAIT_S",
    "RetryChain",
    "request_key",
    "retry_chains",
    "waits_grew",
]

MIN_RETRY_WAIT_S = 0.05
"""A retry sooner than 50 ms after a failure is immediate: no backoff."""
GROWTH_AFTER_FAILURE = 1.5
"""ERR-02: in a chain with three or more waits, the last must be at least 1.5x the first."""
GROWTH_AFTER_429 = 1.1
"""THR-02: after 3+ 429s of one request, a last wait within 10 % of the first never grew."""


def request_key(e: Exchange) -> tuple[str, str, str, str, str]:
    """What makes two requests "the same request" (headers, tokens and dates aside)."""
    query = json.dumps(sorted((k, sorted(v)) for k, v in e.query.items()))
    return (e.endpoint, e.method, e.path, query, json.dumps(e.request_body, sort_keys=True))


class RetryChain(tuple[Exchange, ...]):
    """The attempts of one request, in journal order (a tuple: ``len``, ``[-1]``, slices)."""

    abandoned: bool
    """The last attempt still asked for a retry, and none came."""

    def __new__(cls, attempts: Iterable[Exchange], abandoned: bool) -> RetryChain:
        chain = super().__new__(cls, attempts)
        chain.abandoned = abandoned
        return chain

    @property
    def attempts(self) -> list[Exchange]:
        return list(self)

    @property
    def refused(self) -> list[Exchange]:
        """The attempts that asked for a retry (all of them when the request was abandoned)."""
        return list(self if self.abandoned else self[:-1])

    @property
    def after(self) -> Exchange | None:
        """The attempt that followed the last refusal (None: abandoned)."""
        return None if self.abandoned else self[-1]

    @property
    def waits(self) -> list[float]:
        """Seconds between consecutive attempts."""
        return [b.wall - a.wall for a, b in itertools.pairwise(self)]


def retry_chains(
    exchanges: Iterable[Exchange], retried: Callable[[Exchange], bool]
) -> list[RetryChain]:
    """SP-API exchanges grouped into retry chains; ``retried(e)``: e asks for a retry."""
    by_key: dict[tuple[str, ...], list[list[Exchange]]] = defaultdict(list)
    for e in sorted(exchanges, key=lambda x: x.seq):
        if e.is_lwa:
            continue
        chains = by_key[request_key(e)]
        if chains and retried(chains[-1][-1]):
            chains[-1].append(e)
        else:
            chains.append([e])
    # Grouped by request (in order of each request's first attempt), then in journal order.
    return [RetryChain(c, retried(c[-1])) for chains in by_key.values() for c in chains]


def waits_grew(waits: list[float], growth: float) -> bool:
    """Did the last wait exceed the first by ``growth`` (a chain's waits growing)?"""
    return waits[-1] >= growth * waits[0]
