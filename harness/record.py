"""What one session of the readiness suite gathers, and how parallel workers hand it over.

`acorn run --jobs N` runs the scenarios on N pytest-xdist workers. Each worker has its own
AcornSession (its own simulator and integration), judges the scenario groups it is given and,
when it ends, hands its :class:`RunRecord` to the controller through xdist's ``workeroutput``.
The controller merges them and writes the one report, from the same record a serial run
keeps: results ordered by the collected tests, so a verdict does not depend on which worker
finished first.

A scenario's tests share its module-scoped fixture (one run of the integration), so a module
stays on one worker (``--dist loadfile``); modules marked ``acorn_seconds`` (about how long
they take) are ordered so the longest start at once on workers of their own
(:func:`longest_first`; ``--no-loadscope-reorder`` keeps that order).
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from harness.checks import CheckResult
    from harness.session import SessionFacts

__all__ = ["PAYLOAD", "Merge", "RunRecord", "canonical_order", "longest_first"]

PAYLOAD = "acorn_record"
"""The key of a worker's record in ``workeroutput`` (a pickle: ACORN's own processes only)."""


@dataclass
class RunRecord:
    """One session's bookkeeping (a serial run's, a worker's, or a controller's merge)."""

    results: dict[str, CheckResult] = field(default_factory=dict)
    """nodeid -> its check's result (judged, not applicable, or an error)."""
    expected: dict[str, str] = field(default_factory=dict)
    """nodeid -> check id of every selected scenario test, in collection order: each must end
    with a result."""
    harness_errors: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Why the run did not finish: each makes the verdict INCOMPLETE."""
    started: float = field(default_factory=time.monotonic)
    facts: SessionFacts | None = None
    """A worker's or the controller's merged facts; a serial run reads its live session."""
    workers: int = 0
    """How many workers handed a record over (0: a serial run)."""

    def record(self, nodeid: str, result: CheckResult) -> None:
        """Keep the first result of a test (a later teardown error does not replace it)."""
        self.results.setdefault(nodeid, result)

    def ordered_results(self) -> list[CheckResult]:
        """Results in the serial run's order (modules by path, tests as collected), then any
        test the collection did not list: the same report whichever worker ran what when."""
        known = [self.results[n] for n in canonical_order(self.expected) if n in self.results]
        return known + [r for n, r in self.results.items() if n not in self.expected]

    def to_payload(self, facts: SessionFacts | None) -> bytes:
        """What a worker hands over when its session ends."""
        return pickle.dumps(
            {
                "results": self.results,
                "expected": self.expected,
                "harness_errors": self.harness_errors,
                "problems": self.problems,
                "facts": facts,
            }
        )

    def merge_payload(self, payload: bytes) -> None:
        # A pickle from our own worker process (xdist workeroutput), never from a file.
        data: dict[str, Any] = pickle.loads(payload)
        for nodeid, result in data["results"].items():
            self.record(nodeid, result)
        for nodeid, check_id in data["expected"].items():
            self.expected.setdefault(nodeid, check_id)
        self.harness_errors += [e for e in data["harness_errors"] if e not in self.harness_errors]
        self.problems += data["problems"]
        facts = data["facts"]
        if facts is not None:
            if self.facts is None:
                self.facts = facts
            else:
                self.facts.merge(facts)
        self.workers += 1


def canonical_order(nodeids: Iterable[str]) -> list[str]:
    """Node ids by module path, keeping the collected order inside a module (a serial run's
    order: pytest collects a folder's modules sorted by name)."""
    return sorted(nodeids, key=lambda nodeid: nodeid.split("::", 1)[0])


def longest_first(items: list[pytest.Item], workers: int, mark: str = "acorn_seconds") -> None:
    """Order the modules for xdist's ``loadfile`` hand-out, using their ``mark`` marks
    (``acorn_seconds`` on scenario modules; the harness's own suite uses ``seconds``).

    xdist gives each of the ``workers`` one module, then at once a second (a worker holds its
    last test until it knows the next one), then one more whenever a worker runs low. So the
    ``workers`` longest modules go first, the ``workers`` shortest next (the companions of the
    longest), then the rest longest first; tests keep their order inside a module. Without the
    companions the two longest modules (about 40 s and 16 s on the reference) met on one
    worker and the run took as long as both."""
    seconds: dict[str, float] = {}
    for item in items:
        found = item.get_closest_marker(mark)
        module = item.nodeid.split("::", 1)[0]
        seconds.setdefault(
            module, float(found.args[0]) if found is not None and found.args else 0.0
        )
    by_length = sorted(seconds, key=lambda m: -seconds[m])
    first, rest = by_length[:workers], by_length[workers:]
    companions = sorted(rest, key=lambda m: seconds[m])[:workers]
    order = first + companions + [m for m in rest if m not in companions]
    rank = {module: i for i, module in enumerate(order)}
    items.sort(key=lambda item: rank[item.nodeid.split("::", 1)[0]])


class Merge:
    """The controller's side of a parallel run: every worker's record folds into ``record``."""

    def __init__(self, record: RunRecord) -> None:
        self.record = record

    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        # The controller collects nothing itself: the workers' collection names the tests
        # that must each end with a result, even when a worker dies before handing over.
        from harness.checks.registry import check_for_test

        for nodeid in ids:
            check = check_for_test(nodeid.rsplit("::", 1)[-1])
            if check is not None:
                self.record.expected.setdefault(nodeid, check.id)

    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        payload = getattr(node, "workeroutput", {}).get(PAYLOAD)
        if payload is not None:
            self.record.merge_payload(payload)
        if error is not None:
            self.record.problems.append(f"a scenario worker ended abnormally: {error}")
