"""ACORN's verdict on field integrations against their independently verified ground truth.

Every folder of tests/field/ with a ground_truth.toml is run through `acorn run` once; each of
its rows (behaviour -> ACORN check -> what ACORN should say) is one test, so the table of
agreements is the test report. A row ACORN does not yet agree with because of a known defect
being fixed elsewhere is listed in the file's ``known_disagreements`` and marked a strict
xfail: it turns red the moment ACORN agrees, and the entry must then be removed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import FieldRun, read_statuses, worst_status

pytestmark = pytest.mark.seconds(440)

FIELD = Path(__file__).resolve().parent
STATUSES = {"passed", "failed", "skipped", "not_applicable"}


def ground_truths() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(FIELD.glob("*/ground_truth.toml")):
        with path.open("rb") as fh:
            yield path.parent.name, tomllib.load(fh)


def _rows() -> Iterator[Any]:
    for name, truth in ground_truths():
        known = truth.get("known_disagreements", {})
        behaviours = {row["behaviour"] for row in truth["row"]}
        stale = set(known) - behaviours
        if stale:
            raise ValueError(
                f"tests/field/{name}/ground_truth.toml: known_disagreements names "
                f"{sorted(stale)}, which no [[row]] has; fix the behaviour name or drop it"
            )
        for row in truth["row"]:
            marks = [pytest.mark.field]
            if row["behaviour"] in known:
                marks.append(pytest.mark.xfail(strict=True, reason=known[row["behaviour"]]))
            yield pytest.param(
                name, row, id=f"{name}:{row['check']}:{row['behaviour']}", marks=marks
            )


def test_ground_truth_files_are_well_formed() -> None:
    """Every row names a check, a valid expectation and the probe that shows it."""
    found = list(ground_truths())
    assert found, "no tests/field/*/ground_truth.toml found"
    for name, truth in found:
        for row in truth["row"]:
            assert {"behaviour", "check", "expect", "probe"} <= row.keys(), (name, row)
            assert row["expect"] in STATUSES, (name, row)


def test_a_check_listed_twice_takes_its_worst_status() -> None:
    """failed > skipped > passed; not_applicable only when every entry is; unknown wins."""
    assert worst_status(["passed", "skipped"]) == "skipped"
    assert worst_status(["skipped", "failed", "passed"]) == "failed"
    assert worst_status(["not_applicable", "passed"]) == "passed"
    assert worst_status(["not_applicable", "not_applicable"]) == "not_applicable"
    assert worst_status(["passed", "error"]) == "error"
    readiness = {
        "checks": [{"id": "THR-03", "status": "passed"}, {"id": "THR-03", "status": "failed"}]
    }
    assert read_statuses(readiness) == {"THR-03": "failed"}


@pytest.mark.field
@pytest.mark.parametrize(("name", "row"), list(_rows()))
def test_acorn_agrees_with_ground_truth(
    name: str,
    row: dict[str, Any],
    field_run: Callable[[str], FieldRun],
    field_table: list[tuple[str, str, str, str, str]],
) -> None:
    run = field_run(name)
    assert run.verdict is not None, (
        f"acorn run on tests/field/{name} wrote no readiness.json (exit {run.exit_code}):\n"
        f"{run.output_tail}"
    )
    got = run.status(row["check"])
    field_table.append((name, row["check"], row["behaviour"], row["expect"], got))
    assert got == row["expect"], (
        f"{name}: {row['behaviour']!r} is {row['expect']} by the ground truth "
        f"(shown by `{row['probe']}`), ACORN says {row['check']} {got}"
    )
