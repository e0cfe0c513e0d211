"""The policy-area mapping: one data file, checked on load, covering every check."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.checks import ALL_CHECKS, CheckResult
from harness.errors import ConfigError
from harness.report.compliance import COMPLIANCE_FILE, area_states, load_compliance

AREA = """
[areas.credential-management]
policy = "DPP"
title = "Credential management"
text = "Secrets stay secret."
"""


def result(check_id: str, status: str, severity: str = "blocker") -> CheckResult:
    return CheckResult(
        id=check_id,
        title=check_id,
        area="Auth",
        severity=severity,  # type: ignore[arg-type]
        requirement="r",
        status=status,  # type: ignore[arg-type]
        summary="s",
        evidence=[],
        why="w",
        remediation="",
        scenario="sc",
        metrics={},
    )


def test_every_check_of_the_registry_has_an_entry() -> None:
    mapping = load_compliance()

    missing = [c.id for c in ALL_CHECKS if c.id not in mapping.checks]
    assert missing == [], f"add these checks to {COMPLIANCE_FILE.name}: {missing}"


def test_the_areas_a_compliance_lead_asks_about_are_there_with_evidence() -> None:
    mapping = load_compliance()
    evidenced = {area for areas in mapping.checks.values() for area in areas}

    wanted = {
        "credential-management",
        "encryption-in-transit",
        "logging-without-pii",
        "incident-response",
        "pii-minimisation",
        "access-control",
    }
    assert wanted <= {a.id for a in mapping.areas}
    assert wanted <= evidenced
    assert {a.policy for a in mapping.areas} == {"DPP", "AUP"}


def test_an_unknown_check_id_is_an_error_naming_the_file_and_the_id(tmp_path: Path) -> None:
    data = tmp_path / "compliance.toml"
    data.write_text(AREA + '[checks]\n"AUTH-01" = ["credential-management"]\n"AUTH-99" = []\n')

    with pytest.raises(ConfigError) as caught:
        load_compliance(data, known_checks=["AUTH-01", "AUTH-02"])

    message = str(caught.value)
    assert str(data) in message
    assert "'AUTH-99'" in message
    assert "AUTH-01" in message  # the fix lists the known ids


def test_an_unknown_area_or_policy_is_an_error(tmp_path: Path) -> None:
    data = tmp_path / "compliance.toml"
    data.write_text(AREA + '[checks]\n"AUTH-01" = ["encryption"]\n')
    with pytest.raises(ConfigError, match=r"unknown area.*encryption"):
        load_compliance(data, known_checks=["AUTH-01"])

    data.write_text(AREA.replace('"DPP"', '"GDPR"') + "[checks]\n")
    with pytest.raises(ConfigError, match="policy 'GDPR'"):
        load_compliance(data, known_checks=["AUTH-01"])

    data.write_text("[checks\n")
    with pytest.raises(ConfigError, match="cannot read"):
        load_compliance(data, known_checks=[])


def test_an_area_state_follows_the_worst_of_its_checks() -> None:
    def state(*results: CheckResult) -> str:
        areas = {a["id"]: a for a in area_states(list(results))}
        return str(areas["credential-management"]["state"])

    assert state(result("AUTH-08", "passed"), result("AUTH-01", "passed")) == "evidenced"
    assert state(result("AUTH-08", "passed"), result("AUTH-01", "failed")) == "blocked"
    assert state(result("AUTH-08", "passed"), result("AUTH-04", "failed", "normal")) == "gaps"
    assert state(result("AUTH-08", "skipped")) == "not_proven"
    assert state(result("AUTH-08", "not_applicable")) == "not_applicable"
    assert state(result("ORD-01", "passed")) == "no_evidence"


def test_each_area_lists_its_checks_with_their_status() -> None:
    areas = {
        a["id"]: a for a in area_states([result("PII-03", "failed"), result("ORD-01", "passed")])
    }

    assert areas["logging-without-pii"]["checks"] == [
        {"id": "PII-03", "status": "failed", "severity": "blocker", "scenario": "sc"}
    ]
    assert all("ORD-01" not in str(a["checks"]) for a in areas.values())
