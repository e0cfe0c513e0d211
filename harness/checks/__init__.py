"""Readiness checks: pure functions of a scenario's journal, outcomes and expectations."""

from harness.checks.auth import AUTH_01, AUTH_02
from harness.checks.contract import CONTRACT_01
from harness.checks.expectations import expected_orders
from harness.checks.model import (
    Attachment,
    Check,
    CheckResult,
    Judgement,
    Observation,
    Severity,
    Status,
)
from harness.checks.orders import ORD_01, PII_01, digest
from harness.checks.throttling import THR_01, THR_02, THR_03, THR_04, THR_05

ALL_CHECKS: tuple[Check, ...] = (
    AUTH_01,
    AUTH_02,
    ORD_01,
    PII_01,
    CONTRACT_01,
    THR_01,
    THR_02,
    THR_03,
    THR_04,
    THR_05,
)

__all__ = [
    "ALL_CHECKS",
    "AUTH_01",
    "AUTH_02",
    "CONTRACT_01",
    "ORD_01",
    "PII_01",
    "THR_01",
    "THR_02",
    "THR_03",
    "THR_04",
    "THR_05",
    "Attachment",
    "Check",
    "CheckResult",
    "Judgement",
    "Observation",
    "Severity",
    "Status",
    "digest",
    "expected_orders",
]
