"""Readiness checks: pure functions of a scenario's journal, outcomes and expectations.

Each check registers itself in its module (``Check(...).register()``); ALL_CHECKS is derived
from the registrations (harness.checks.catalog). The imports below keep
``from harness.checks import AUTH_01`` working; a new check needs no line here (import it
from its own module).
"""

from harness.checks.auth import AUTH_01, AUTH_02, AUTH_03, AUTH_04
from harness.checks.auth_failures import AUTH_05, AUTH_06, AUTH_07
from harness.checks.auth_secrets import AUTH_08
from harness.checks.catalog import all_checks
from harness.checks.contract import CONTRACT_01
from harness.checks.errors import ERR_01, ERR_02, ERR_03
from harness.checks.errors_report import ERR_04, ERR_05, ERR_06
from harness.checks.errors_transport import ERR_07, ERR_08
from harness.checks.expectations import expected_orders
from harness.checks.listing_ops import FEED_01, INV_01, PRC_01
from harness.checks.listing_text import LST_05, LST_06
from harness.checks.listings import LST_01, LST_02, LST_03, LST_04
from harness.checks.model import (
    Attachment,
    Canaries,
    Check,
    CheckResult,
    Judgement,
    Observation,
    Severity,
    Status,
)
from harness.checks.monitoring import MON_01, MON_02
from harness.checks.notifications import NOT_01, NOT_02, NOT_03, NOT_04
from harness.checks.orders import ORD_01, PII_01, digest
from harness.checks.pii import PII_02, PII_03
from harness.checks.reports import RPT_01, RPT_02, RPT_03, RPT_04, RPT_05
from harness.checks.throttling import THR_01, THR_02, THR_03, THR_04, THR_05
from harness.checks.tls import TLS_01

ALL_CHECKS: tuple[Check, ...] = all_checks()
"""Every check of the suite, as registered by its module (harness.checks.catalog)."""


__all__ = [
    "ALL_CHECKS",
    "AUTH_01",
    "AUTH_02",
    "AUTH_03",
    "AUTH_04",
    "AUTH_05",
    "AUTH_06",
    "AUTH_07",
    "AUTH_08",
    "CONTRACT_01",
    "ERR_01",
    "ERR_02",
    "ERR_03",
    "ERR_04",
    "ERR_05",
    "ERR_06",
    "ERR_07",
    "ERR_08",
    "FEED_01",
    "INV_01",
    "LST_01",
    "LST_02",
    "LST_03",
    "LST_04",
    "LST_05",
    "LST_06",
    "MON_01",
    "MON_02",
    "NOT_01",
    "NOT_02",
    "NOT_03",
    "NOT_04",
    "ORD_01",
    "PII_01",
    "PII_02",
    "PII_03",
    "PRC_01",
    "RPT_01",
    "RPT_02",
    "RPT_03",
    "RPT_04",
    "RPT_05",
    "THR_01",
    "THR_02",
    "THR_03",
    "THR_04",
    "THR_05",
    "TLS_01",
    "Attachment",
    "Canaries",
    "Check",
    "CheckResult",
    "Judgement",
    "Observation",
    "Severity",
    "Status",
    "digest",
    "expected_orders",
]
