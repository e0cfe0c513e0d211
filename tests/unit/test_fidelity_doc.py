"""docs/fidelity.md stays the simulator's own account of its fidelity: its generated tables
read as the registries do, every section code cites exists, and no code cites a facts sheet
that lives outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

from harness.sim.refusals import REFUSALS, fill_generated

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "fidelity.md"
CODE = [ROOT / "harness" / "sim", ROOT / "harness" / "contracts"]
REGENERATE = (
    'docs/fidelity.md differs from the registries; rewrite it with: python -c "import pathlib; '
    "from harness.sim.refusals import fill_generated as f; p = pathlib.Path('docs/fidelity.md');"
    ' p.write_text(f(p.read_text()))"'
)


def _code() -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for d in CODE for p in sorted(d.rglob("*.py"))}


def test_the_generated_tables_read_as_the_registries() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert fill_generated(text) == text, REGENERATE
    for refusal in REFUSALS.values():
        assert f"| `{refusal.id}` | {refusal.status} |" in text


def test_every_section_the_code_cites_exists() -> None:
    headings = set(re.findall(r"^#+ (§[0-9.]+) ", DOC.read_text(encoding="utf-8"), re.M))
    cited = {
        f"{path.name}: {m.group(1)}"
        for path, text in _code().items()
        for m in re.finditer(r"(?:docs/fidelity\.md|fidelity) (§\d+(?:\.\d+)?)", text)
        if m.group(1) not in headings
    }
    assert cited == set(), "cited sections docs/fidelity.md lacks"


def test_no_code_cites_a_facts_sheet_outside_the_repository() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path, text in _code().items()
        for n, line in enumerate(text.splitlines(), 1)
        if re.search(r"spapi-facts|facts sheet|facts §|facts section", line, re.I)
    ]
    assert found == [], "cite docs/fidelity.md sections instead"
