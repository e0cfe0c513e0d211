"""The checks read journal facts through harness.checks.facts: every key they read is one the
simulator (or a scenario) writes, and absent keys read as "nothing", never raise."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from journal_factory import lwa_grant, sp_call

from harness.checks.facts import JournalFacts, facts_of

ROOT = Path(__file__).resolve().parents[2]
WRITERS = [*(ROOT / "harness" / "sim").rglob("*.py"), *(ROOT / "scenarios").rglob("*.py")]
KEYS = sorted(name for name, v in vars(JournalFacts).items() if isinstance(v, property))


def test_the_checks_read_no_fact_key_by_string() -> None:
    """A key read as a string would escape mypy and this file's guard."""
    for path in (ROOT / "harness" / "checks").glob("*.py"):
        if path.name == "facts.py":
            continue
        code = path.read_text(encoding="utf-8")
        assert not re.search(r"\.facts(\.get\(|\[)", code), f"{path.name} reads facts by key"


@pytest.mark.parametrize("key", KEYS)
def test_every_fact_the_checks_read_is_written_somewhere(key: str) -> None:
    literal = re.compile(rf"[\"']{key}[\"']")
    writers = [p for p in WRITERS if literal.search(p.read_text(encoding="utf-8"))]
    assert writers, f"no simulator module or scenario writes the journal fact {key!r}"


def test_absent_facts_read_as_nothing() -> None:
    facts = facts_of(sp_call(1, 0.0, "getOrders", facts={}))
    assert facts.expires_in == 0
    assert facts.issued_token is None
    assert facts.delay_s is None
    assert facts.secrets_in_url == []
    assert facts.plan_rate is None
    assert facts.bucket_after is None
    assert facts.document is None
    assert not facts.gzip
    assert facts.rows == 0


def test_a_grant_reads_its_lifetime_and_token() -> None:
    facts = facts_of(lwa_grant(1, 0.0))
    assert facts.expires_in > 0
    assert facts.issued_token
