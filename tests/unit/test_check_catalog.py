"""The check registry: each check registers itself once; ALL_CHECKS, NEEDS and the README's
check table are derived from the registrations."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from harness.checks import ALL_CHECKS, AUTH_01, Judgement, Observation
from harness.checks import model as check_model
from harness.checks.catalog import all_checks, readme_table
from harness.checks.registry import NEEDS, check_by_id

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_table() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("| id | severity | requirement |")
    return text[start : text.index("\n\n", start)]


def test_the_readme_table_is_the_registry() -> None:
    assert _readme_table() == readme_table(), (
        "README.md's 'Readiness checks' table differs from the registered checks; paste the "
        "output of: python -c 'from harness.checks.catalog import readme_table; "
        "print(readme_table())'"
    )


def test_all_checks_and_needs_come_from_the_registrations() -> None:
    assert all_checks() == ALL_CHECKS
    assert [c.id for c in ALL_CHECKS] == list(NEEDS)
    assert all(NEEDS[c.id] == c.needs and c.needs for c in ALL_CHECKS)
    assert check_by_id("AUTH-01") is AUTH_01


@pytest.fixture
def registry() -> Iterator[None]:
    """Registrations a test adds are removed after it (the suite's registry is global)."""
    before = dict(check_model._REGISTRY)
    yield
    check_model._REGISTRY.clear()
    check_model._REGISTRY.update(before)


def _judge(_obs: Observation) -> Judgement:
    return Judgement(None, "nothing")


@pytest.mark.usefixtures("registry")
def test_a_second_check_with_a_known_id_is_refused() -> None:
    twin = replace(AUTH_01, title="Another check", judge=_judge)
    with pytest.raises(ValueError, match="AUTH-01 is registered twice"):
        twin.register()
    assert AUTH_01.register() is AUTH_01  # registering the same check again is harmless


@pytest.mark.usefixtures("registry")
def test_a_check_without_needs_or_brief_is_refused() -> None:
    with pytest.raises(ValueError, match="without needs or brief"):
        replace(AUTH_01, id="NEW-01", needs=()).register()


@pytest.mark.usefixtures("registry")
def test_a_new_check_joins_the_suite_by_registering() -> None:
    """Adding a check is one module: registering it is all ALL_CHECKS and the README need.
    (A new prefix joins the other new ones alphabetically after TLS: ZZZ sorts last.)"""
    new = replace(AUTH_01, id="ZZZ-01", title="A new check", brief="Does the new thing.")
    new.register()
    assert all_checks()[-1] is new
    assert readme_table().endswith("| ZZZ-01 | critical | Does the new thing. |")
