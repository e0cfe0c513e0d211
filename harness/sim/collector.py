"""Short full collections while a simulator serves.

A full pass of Python's garbage collector walks every tracked object of the process, and the
simulator answers nothing meanwhile. In an ``acorn run`` that process also holds pytest, the
harness, the contracts and product-type schemas: measured 48-150 ms per pass, eight passes
in a reference run, each a stall a timing check would read as the integration's. While a
simulator runs, what existed before it started is frozen (``gc.freeze``: kept, but out of the
collector's sight), so a pass walks only what was made since; when the last simulator stops,
the frozen objects are handed back. Handed back is not collected: the next simulator may start
before a full pass comes round and freeze that garbage again, so every tenth stop runs the full
pass itself, while no simulator is serving (a run of thousands of simulators, as the harness's
own tests are, must not keep all their garbage).
"""

from __future__ import annotations

import gc
import threading

__all__ = ["COLLECT_EVERY", "running", "served", "serving"]

_lock = threading.Lock()
_running = [0]  # simulators started and not yet stopped, in this process
_stopped = [0]
COLLECT_EVERY = 10


def running() -> int:
    """How many simulators of this process are serving (the heap is frozen while any is)."""
    return _running[0]


def serving() -> None:
    """A simulator starts: freeze the heap unless another running simulator already did."""
    with _lock:
        if _running[0] == 0:
            gc.freeze()
        _running[0] += 1


def served() -> None:
    """A simulator stopped: the last one hands the frozen objects back to the collector."""
    with _lock:
        if _running[0] == 0:
            return
        _running[0] -= 1
        if _running[0] == 0:
            gc.unfreeze()
            _stopped[0] += 1
            if _stopped[0] % COLLECT_EVERY == 0:
                gc.collect()
