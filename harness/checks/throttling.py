"""Throttling checks: the integration lives within its usage plans without wasting them.

THR-01 (rare), THR-02 (backoff) and THR-03 (adaptation) live in
:mod:`harness.checks.throttling_rare`, :mod:`harness.checks.throttling_backoff` and
:mod:`harness.checks.throttling_adapt`; THR-04/05 (throughput, independence) in
:mod:`harness.checks.throttling_pace`. This module gathers them (and their bounds) under the
names the rest of the package imports.

Bounds are stated in each check's requirement and repeated in its metrics, and every verdict
names the usage plans it was judged against (scenarios use scaled plans to finish in seconds).
Wall-time bounds carry tolerances for a loaded two-core machine: a client that is right
passes with a wide margin, and the clients they exist to catch miss them by far.
"""

from __future__ import annotations

from harness.checks.model import Check
from harness.checks.throttling_adapt import THR_03
from harness.checks.throttling_backoff import (
    IMMEDIATE_S,
    MAX_THROTTLED_ATTEMPTS,
    STORM_PER_S,
    THR_02,
)
from harness.checks.throttling_pace import THR_04, THR_05
from harness.checks.throttling_rare import SHARE_BOUND, THR_01

__all__ = [
    "IMMEDIATE_S",
    "MAX_THROTTLED_ATTEMPTS",
    "SHARE_BOUND",
    "STORM_PER_S",
    "THROTTLING_CHECKS",
    "THR_01",
    "THR_02",
    "THR_03",
    "THR_04",
    "THR_05",
]


THROTTLING_CHECKS: tuple[Check, ...] = (THR_01, THR_02, THR_03, THR_04, THR_05)
