"""The README's waivers example is a valid waivers file, and says what ACORN does with it."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

from harness.checks import ALL_CHECKS
from harness.report.waivers import parse_waivers

README = Path(__file__).resolve().parents[2] / "README.md"


def _section() -> str:
    text = README.read_text()
    return text.split("## Accepted risks (waivers)", 1)[1].split("\n## ", 1)[0]


def test_the_readme_waivers_example_counts() -> None:
    block = re.search(r"```toml\n(.*?)```", _section(), re.S)
    assert block is not None
    waivers = parse_waivers(tomllib.loads(block.group(1)), today=date(2026, 1, 1))
    assert waivers.problems == []
    assert [(w.check, w.marketplace) for w in waivers.waivers] == [
        ("THR-03", "DE"),
        ("AUTH-02", None),
    ]
    severity = {c.id: c.severity for c in ALL_CHECKS}
    assert severity["AUTH-02"] == "blocker"  # the example shows approved_by where it is needed
    # Without approved_by, the blocker's waiver would not count.
    data = tomllib.loads(block.group(1))
    del data["waiver"][1]["approved_by"]
    assert "needs approved_by" in parse_waivers(data, today=date(2026, 1, 1)).problems[0]


def test_the_readme_run_line_uses_the_waivers_option() -> None:
    assert "acorn run --integration path/to/yours --waivers waivers.toml" in _section()
