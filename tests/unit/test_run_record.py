"""A parallel run's bookkeeping: what workers hand over and how the controller merges it, so
the report of `acorn run --jobs N` is the report of a serial run."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from harness.checks import CheckResult
from harness.drive.config import load_integration
from harness.record import PAYLOAD, Merge, RunRecord, canonical_order, longest_first
from harness.session import SessionFacts

REFERENCE = Path(__file__).resolve().parents[2] / "examples" / "reference"


def _result(check_id: str, status: str = "passed") -> CheckResult:
    return CheckResult(
        id=check_id,
        title=check_id,
        area="Auth",
        severity="blocker",
        requirement="",
        status=status,  # type: ignore[arg-type]
        summary=status,
        evidence=[],
        why="",
        remediation="",
        scenario="s",
        metrics={},
    )


def _facts(**kw: object) -> SessionFacts:
    return SessionFacts(spec=load_integration(REFERENCE), **kw)  # type: ignore[arg-type]


def test_results_follow_the_collection_not_the_order_workers_finished() -> None:
    record = RunRecord(expected={"a::t1": "AUTH-01", "b::t2": "ORD-01", "c::t3": "PII-01"})
    record.record("c::t3", _result("PII-01"))
    record.record("a::t1", _result("AUTH-01"))
    record.record("x::extra", _result("ERR-01"))
    record.record("b::t2", _result("ORD-01"))
    assert [r.id for r in record.ordered_results()] == ["AUTH-01", "ORD-01", "PII-01", "ERR-01"]


def test_the_first_result_of_a_test_is_kept() -> None:
    record = RunRecord()
    record.record("a::t1", _result("AUTH-01", "passed"))
    record.record("a::t1", _result("AUTH-01", "error"))
    assert record.results["a::t1"].status == "passed"


def test_the_controller_merges_every_workers_record_and_facts() -> None:
    controller = RunRecord()
    merge = Merge(controller)
    merge.pytest_xdist_node_collection_finished(
        None, ["test_auth.py::test_auth_01_refreshes", "test_orders.py::test_ord_01_x", "h::t"]
    )
    assert controller.expected == {
        "test_auth.py::test_auth_01_refreshes": "AUTH-01",
        "test_orders.py::test_ord_01_x": "ORD-01",
    }
    one = RunRecord(harness_errors=["bad acorn.toml"], problems=["teardown"])
    one.record("test_auth.py::test_auth_01_refreshes", _result("AUTH-01"))
    note = {"code": "N1", "count": 2}
    first = _facts(fidelity={("N1", "x"): note}, secrets={"s1"}, pii={"Grace"})
    two = RunRecord(harness_errors=["bad acorn.toml"])
    two.record("test_orders.py::test_ord_01_x", _result("ORD-01", "failed"))
    second = _facts(fidelity={("N1", "x"): dict(note)}, secrets={"s2"}, uncovered={"o": ["PL"]})
    merge.pytest_testnodedown(SimpleNamespace(workeroutput={PAYLOAD: one.to_payload(first)}), None)
    merge.pytest_testnodedown(SimpleNamespace(workeroutput={PAYLOAD: two.to_payload(second)}), None)
    assert [r.status for r in controller.ordered_results()] == ["passed", "failed"]
    assert controller.harness_errors == ["bad acorn.toml"]
    assert controller.problems == ["teardown"]
    assert controller.workers == 2
    facts = controller.facts
    assert facts is not None
    assert facts.fidelity[("N1", "x")]["count"] == 4
    assert note["count"] == 2  # the worker's own note is not changed by the merge
    assert facts.secrets == {"s1", "s2"}
    assert facts.pii == {"Grace"}
    assert facts.scope()["uncovered"] == {"o": ["PL"]}


def test_a_worker_that_died_is_a_problem_and_its_checks_stay_missing() -> None:
    controller = RunRecord(expected={"test_auth.py::test_auth_01_x": "AUTH-01"})
    Merge(controller).pytest_testnodedown(SimpleNamespace(), "worker 'gw1' crashed")
    assert controller.problems == ["a scenario worker ended abnormally: worker 'gw1' crashed"]
    assert controller.results == {}


def _item(module: str, name: str, seconds: float | None) -> Any:
    mark = SimpleNamespace(args=(seconds,)) if seconds is not None else None
    return SimpleNamespace(
        nodeid=f"{module}::{name}", get_closest_marker=lambda _name, mark=mark: mark
    )


def test_the_longest_modules_start_on_workers_of_their_own() -> None:
    weights = {"plans": 40, "errors": 18, "alerting": 18, "throttling": 16, "notes": 12}
    items = [_item(m, f"t{i}", s) for m, s in weights.items() for i in range(2)]
    items += [_item("orders", "t0", None), _item("pii", "t0", 3), _item("pii", "t1", 3)]
    longest_first(items, workers=2)
    modules = list(dict.fromkeys(i.nodeid.split("::")[0] for i in items))
    # Two workers: plans and errors first, then their prefetched companions (the shortest),
    # then the rest longest first.
    assert modules == ["plans", "errors", "orders", "pii", "alerting", "throttling", "notes"]
    assert [i.nodeid for i in items if i.nodeid.startswith("pii")] == ["pii::t0", "pii::t1"]


def test_the_mark_read_is_the_one_named() -> None:
    def item(module: str, marks: dict[str, float]) -> Any:
        def closest(name: str) -> Any:
            return SimpleNamespace(args=(marks[name],)) if name in marks else None

        return SimpleNamespace(nodeid=f"{module}::t", get_closest_marker=closest)

    items = [item("a", {"acorn_seconds": 1}), item("b", {"seconds": 9}), item("c", {})]
    longest_first(items, workers=1, mark="seconds")
    assert items[0].nodeid == "b::t"
    longest_first(items, workers=1)
    assert items[0].nodeid == "a::t"


def test_the_report_order_is_the_serial_one_whatever_the_run_order() -> None:
    ran = ["b.py::t1", "a.py::t2", "b.py::t0", "a.py::t1"]
    assert canonical_order(ran) == ["a.py::t2", "a.py::t1", "b.py::t1", "b.py::t0"]


def test_every_scenario_module_says_how_long_it_takes() -> None:
    """Without its acorn_seconds mark a module counts as instant and a parallel run may start
    it last, after the short ones (CONTRIBUTING.md, "Add a scenario")."""
    scenarios = Path(__file__).resolve().parents[2] / "scenarios"
    unmarked = [
        p.name for p in sorted(scenarios.glob("test_*.py")) if "acorn_seconds(" not in p.read_text()
    ]
    assert unmarked == []
