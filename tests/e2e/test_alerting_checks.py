"""MON-01/02 proven both ways over HTTP: ``acorn run --select alerting`` on the reference (one
alert per incident, GO, including getOrders throttled past the bound), the naive connector (an
alert per failed request that names neither operation nor marketplace, and the token form with
its secrets: both fail), and an
integration that maps no alert webhook (not applicable, not a failure)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from selected_run import selected_checks

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(45)]

MON = ("MON-01", "MON-02")


def _run(tmp: Path, *args: str) -> dict[str, dict[str, Any]]:
    return selected_checks(tmp, "alerting", MON, *args)


def test_the_reference_alerts_each_incident_once(tmp_path: Path) -> None:
    found = _run(tmp_path)
    assert {k: v["status"] for k, v in found.items()} == dict.fromkeys(MON, "passed")
    assert "alerting: Each of 2 incident(s) alerted" in found["MON-01"]["summary"]
    assert "client-secret-rotated: Each of 1 incident(s)" in found["MON-01"]["summary"]
    # Throttling that outlasts the 5-virtual-minute bound, alerted once, naming getOrders and US.
    assert "alerting-throttled: Each of 1 incident(s)" in found["MON-01"]["summary"]
    assert "alerting-throttled: 1 alert(s) for 1 incident(s)" in found["MON-02"]["summary"]
    throttled = [e for e in found["MON-01"]["evidence"] if e.startswith("[alerting-throttled]")]
    assert any("incident: throttled on getOrders (ATVPDKIKX0DER" in e for e in throttled)


def test_the_naive_connector_storms_without_naming_the_incident(tmp_path: Path) -> None:
    found = _run(tmp_path, "--integration", "examples/naive")
    assert {k: v["status"] for k, v in found.items()} == dict.fromkeys(MON, "failed")
    assert "server_errors on getOrders" in found["MON-01"]["summary"]
    assert "no alert naming it and its marketplace" in found["MON-01"]["summary"]
    assert "carry LWA client secret, refresh token" in found["MON-01"]["summary"]
    assert "withheld" in " ".join(found["MON-01"]["evidence"])  # the leak is not repeated
    assert "Alert storm" in found["MON-02"]["summary"]
    # The lasting throttling: an alert per 429 that names neither getOrders nor the marketplace.
    assert "alerting-throttled: throttled on getOrders (ATVPDKIKX0DER" in found["MON-01"]["summary"]
    assert "alerting-throttled: Alert storm" in found["MON-02"]["summary"]


def test_without_an_alert_webhook_mapping_the_checks_are_not_applicable(tmp_path: Path) -> None:
    found = _run(tmp_path, "--config", "examples/reference/acorn-orders-only.toml")
    assert {k: v["status"] for k, v in found.items()} == dict.fromkeys(MON, "not_applicable")
    assert "ACORN_ALERT_WEBHOOK mapping" in found["MON-01"]["summary"]
