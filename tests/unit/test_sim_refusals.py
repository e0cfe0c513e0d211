"""The refusal registry, the code and contracts/README.md's table agree; fidelity notes dedupe.

Rule (issue 12): the simulator refuses only what a source shows Amazon refusing. Every refusal
therefore has an id with its source in harness/sim/refusals.py, is listed in contracts/README.md
("What the simulator refuses, and why"), and is used by the code; these tests fail on any drift.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from harness.sim import fidelity_notes
from harness.sim.fidelity import NOTES, note_fact
from harness.sim.http import Reply
from harness.sim.refusals import REFUSALS, markdown_tables, refuse

ROOT = Path(__file__).resolve().parents[2]
SIM = ROOT / "harness" / "sim"
README = ROOT / "contracts" / "README.md"
SECTION = "## What the simulator refuses, and why"
NOTES_SECTION = "### Fidelity notes: what no source covers"
ID = r"`([A-Z0-9][A-Z0-9-]+)`"


def _section(start: str, end: str | None) -> str:
    text = README.read_text(encoding="utf-8")
    assert start in text, f"contracts/README.md lacks the section {start!r}"
    body = text.split(start, 1)[1]
    return body.split(end, 1)[0] if end else body


def _readme_refusals() -> dict[str, tuple[int, str]]:
    rows = {}
    for line in _section(SECTION, NOTES_SECTION).splitlines():
        m = re.match(rf"\| {ID} \| (\d+) \| ([^|]+) \|", line)
        if m:
            assert m.group(1) not in rows, f"{m.group(1)} listed twice in contracts/README.md"
            rows[m.group(1)] = (int(m.group(2)), m.group(3).strip().strip("`"))
    return rows


def _readme_notes() -> set[str]:
    return {
        m.group(1)
        for line in _section(NOTES_SECTION, "\n## ").splitlines()
        if (m := re.match(rf"\| {ID} \|", line))
    }


def _sources() -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in SIM.rglob("*.py")}


def test_readme_table_lists_every_registered_refusal_and_nothing_else() -> None:
    table = _readme_refusals()
    registry = {r.id: (r.status, r.code) for r in REFUSALS.values()}
    assert sorted(set(registry) - set(table)) == [], "registered but not in contracts/README.md"
    assert sorted(set(table) - set(registry)) == [], "in contracts/README.md but not registered"
    assert table == registry  # same status and code in both


def test_readme_tables_read_exactly_as_the_registries() -> None:
    """Sources and sentences too, not only ids: regenerate with markdown_tables()."""
    refusals, notes = markdown_tables()
    text = README.read_text(encoding="utf-8")
    hint = "contracts/README.md differs from harness.sim.refusals.markdown_tables()"
    assert refusals in _section(SECTION, NOTES_SECTION), hint
    assert notes in _section(NOTES_SECTION, "\n## "), hint
    assert text.count("| refusal | status | code | when | source |") == 1


def test_every_refusal_has_a_source_or_a_fidelity_note() -> None:
    for refusal in REFUSALS.values():
        assert refusal.source.strip(), refusal.id
        assert refusal.what.strip(), refusal.id
        assert 400 <= refusal.status <= 501, refusal.id
        if refusal.source.lower().startswith("none"):  # inevitable, but then it is noted
            assert any(code in refusal.source for code in NOTES), refusal.id


def test_code_uses_only_registered_refusals_and_every_registered_one() -> None:
    used: set[str] = set()
    patterns = (
        r'rule="([A-Z0-9-]+)"',
        r'refuse\(\s*"([A-Z0-9-]+)"',
        r'_denied\([^()]*"([A-Z0-9-]+)"\)',
        r'_bad\([^\n]*"([A-Z0-9-]+)"\)',
    )
    for path, text in _sources().items():
        if path.name == "refusals.py":
            continue
        for pattern in patterns:
            for found in re.findall(pattern, text):
                assert found in REFUSALS, f"{path.name}: refusal {found!r} is not registered"
                used.add(found)
    assert sorted(set(REFUSALS) - used) == [], "registered refusals no code uses"


def test_code_raises_only_registered_notes_and_the_readme_lists_them() -> None:
    raised = {
        code
        for text in _sources().values()
        for code in re.findall(r'(?:\.note|note_fact)\(\s*"([A-Z0-9-]+)"', text)
    }
    assert raised <= set(NOTES), sorted(raised - set(NOTES))
    # PAGE-TOKEN-REFUSED is raised through Ctx.foreign_token.
    assert sorted(set(NOTES) - raised) == []
    assert _readme_notes() == set(NOTES)


def _reply_status(node: ast.Call) -> int | None:
    if isinstance(node.func, ast.Name) and node.func.id == "Reply" and node.args:
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, int):
            return first.value
    return None


def test_every_literal_4xx_reply_is_a_registered_refusal() -> None:
    """A function that builds a 4xx Reply must pass it through refuse() (or a helper whose
    signature requires the refusal id, which mypy enforces)."""
    offenders = []
    for path, text in _sources().items():
        for fn in ast.walk(ast.parse(text)):
            if not isinstance(fn, ast.FunctionDef):
                continue
            calls = [n for n in ast.walk(fn) if isinstance(n, ast.Call)]
            statuses = [s for n in calls if (s := _reply_status(n)) is not None]
            refuses = any(isinstance(n.func, ast.Name) and n.func.id == "refuse" for n in calls)
            if any(400 <= s < 500 for s in statuses) and not refuses:
                offenders.append(f"{path.relative_to(ROOT)}:{fn.name}")
    assert offenders == []


def test_refuse_marks_the_reply_and_rejects_unknown_ids() -> None:
    reply = refuse("THROTTLED", Reply(429))
    assert reply.facts["refusal"] == "THROTTLED"
    with pytest.raises(KeyError, match="unregistered refusal"):
        refuse("MADE-UP", Reply(400))
    with pytest.raises(KeyError, match="unknown fidelity note"):
        note_fact("MADE-UP")


@dataclass
class _Fake:
    request_id: str
    facts: dict[str, Any] = field(default_factory=dict)


def test_fidelity_notes_dedupe_per_code_and_subject_with_counts() -> None:
    a = note_fact("RDT-DATA-ELEMENTS-NOT-TAKEN", "createRestrictedDataToken")
    b = note_fact("INV-GRANULARITY-ID", "getInventorySummaries")
    exchanges = [
        _Fake("r1"),
        _Fake("r2", {"fidelity": [a]}),
        _Fake("r3", {"fidelity": [a, b]}),
        _Fake("r4", {"fidelity": "not a list"}),
        _Fake("r5", {"fidelity": [{"no": "code"}, a]}),
    ]
    notes = fidelity_notes(exchanges)
    assert [(n.code, n.subject, n.count, n.first_request_id) for n in notes] == [
        ("RDT-DATA-ELEMENTS-NOT-TAKEN", "createRestrictedDataToken", 3, "r2"),
        ("INV-GRANULARITY-ID", "getInventorySummaries", 1, "r3"),
    ]
    assert notes[0].text == NOTES["RDT-DATA-ELEMENTS-NOT-TAKEN"]
    assert fidelity_notes([]) == []
