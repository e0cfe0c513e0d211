"""While a simulator runs, what existed before it is out of the collector's sight.

A full collection stalls the simulator for as long as it walks the heap (100-150 ms in an
``acorn run``); freezing the heap at start keeps the walk to what the run made since. The
frozen objects must come back when the last simulator stops, or their garbage would be kept.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap

from harness.sim import Simulator, collector


def test_a_running_simulator_keeps_the_older_heap_frozen_until_the_last_one_stops() -> None:
    already = collector.running()  # another module's simulator may be up in this process
    older = [object() for _ in range(10)]
    with Simulator() as outer:
        assert gc.get_freeze_count() > 0
        with Simulator():
            assert collector.running() == already + 2
        assert collector.running() == already + 1
        assert gc.get_freeze_count() > 0  # the outer one still runs
        outer.stop()
        outer.stop()  # stopping twice hands nothing back twice
        assert collector.running() == already
    if already == 0:
        assert gc.get_freeze_count() == 0
    del older


def _in_a_fresh_interpreter(body: str) -> None:
    """Run ``body`` where no other simulator holds the heap frozen: under pytest-xdist a
    worker may still serve the session simulator of an end-to-end module it ran before."""
    script = "import gc, weakref\nfrom harness.sim import Simulator, collector\n"
    script += "class Node:\n    def __init__(self):\n        self.me = self\n"
    done = subprocess.run(
        [sys.executable, "-c", script + textwrap.dedent(body)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_cyclic_garbage_made_before_a_run_is_collected_after_it() -> None:
    _in_a_fresh_interpreter(
        """
        with Simulator():
            pass
        assert collector.running() == 0
        gc.collect()
        node = Node()
        alive = weakref.ref(node)
        with Simulator():
            del node
            gc.collect()
            assert alive() is not None, "frozen with the heap while the simulator ran"
        gc.collect()
        assert alive() is None
        """
    )


def test_garbage_handed_back_is_collected_within_ten_runs() -> None:
    """Back-to-back simulators never leave a gap for a full pass: ACORN runs one itself."""
    _in_a_fresh_interpreter(
        """
        node = Node()
        alive = weakref.ref(node)
        with Simulator():
            del node
        for _ in range(collector.COLLECT_EVERY):
            with Simulator():
                pass
        assert alive() is None
        """
    )
