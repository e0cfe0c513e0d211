"""A too-conservative SP-API connector: correct in every way but one, it wastes its quota.

It is the reference connector with its pacing replaced by the advice found on forums when
QuotaExceeded first bites: "sleep between calls to be safe". Before every call it pauses a
fixed ``PAUSE_S`` second, whatever the operation, never reads x-amzn-RateLimit-Limit and never
spends the burst Amazon grants. It is never throttled, and a sync the usage plan allows in a
fraction of a second takes a second per call (with the often-seen 5 s pause, five times
longer still). ACORN's THR-04 catches it; every other check passes as for the reference.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

# The reference connector is reused as is; only its pacer is swapped.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reference"))

from reference_connector import Connector as ReferenceConnector

PAUSE_S = 1.0


class FixedPause:
    """The same pause before every call: no burst, no rate, no header."""

    def wait_turn(self, operation: str) -> None:
        time.sleep(PAUSE_S)

    def observe(self, operation: str, header: str | None) -> None:
        """The rate header is ignored: the pause is 'safe' for every plan."""

    def throttled(self, operation: str) -> None:
        """Nothing to learn: the next call waits the same pause anyway."""


class Connector(ReferenceConnector):
    def __init__(self) -> None:
        super().__init__()
        self._client._pacer = FixedPause()  # type: ignore[assignment]
