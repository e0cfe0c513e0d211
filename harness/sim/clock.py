"""The virtual clock every time-based piece of the simulator reads.

Virtual time runs ``speed`` times faster than wall time and can jump forward, so a one-hour
token lifetime or a 48-hour stuck feed takes seconds. Whatever an integration can observe in
wall time (``expires_in``, rate headers, refills) is converted with :meth:`to_wall`, so what it
is told stays true for the clock it paces itself by.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

__all__ = ["VirtualClock"]

# A fixed start keeps seeded data (order dates) and reports reproducible.
DEFAULT_START = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)


class VirtualClock:
    def __init__(
        self,
        *,
        speed: float = 1.0,
        start: datetime = DEFAULT_START,
        wall: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed <= 0:
            raise ValueError(f"clock speed must be positive, got {speed}")
        self._wall = wall
        self._lock = threading.Lock()
        self._speed = speed
        self._base_virtual = start.timestamp()
        self._base_wall = wall()
        self._origin_wall = self._base_wall
        self._jumped = 0.0

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> float:
        """Virtual time as a POSIX timestamp."""
        with self._lock:
            return self._base_virtual + (self._wall() - self._base_wall) * self._speed

    def now_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now(), tz=UTC)

    def wall_elapsed(self) -> float:
        """Wall seconds since the clock was created (journal timestamps)."""
        return self._wall() - self._origin_wall

    def lived(self) -> float:
        """Seconds the integration has lived through: wall seconds plus every jump.

        What lasts a fixed time for the integration itself (a presigned URL's five minutes)
        is measured on it: a fast virtual clock compresses Amazon's processing delays, not the
        few milliseconds between receiving a URL and using it, while a jump (a paused process)
        passes for the integration too."""
        with self._lock:
            return self._wall() - self._origin_wall + self._jumped

    def advance(self, seconds: float) -> None:
        """Jump virtual time forward, as if ``seconds`` passed between two calls."""
        if seconds < 0:
            raise ValueError("the virtual clock only moves forward")
        with self._lock:
            self._base_virtual += seconds
            self._jumped += seconds

    def set_speed(self, speed: float) -> None:
        if speed <= 0:
            raise ValueError(f"clock speed must be positive, got {speed}")
        with self._lock:
            now_wall = self._wall()
            self._base_virtual += (now_wall - self._base_wall) * self._speed
            self._base_wall = now_wall
            self._speed = speed

    def to_wall(self, virtual_seconds: float) -> float:
        """How many wall seconds a virtual duration lasts at the current speed."""
        return virtual_seconds / self._speed
