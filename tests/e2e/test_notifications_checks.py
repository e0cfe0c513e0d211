"""NOT-01..04 proven both ways: ``acorn run --select notifications`` on the reference (GO)
and the naive connector (each check failed, for its own reason), over real HTTP to the
simulator and real SQS calls to moto's server on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from selected_run import selected_checks

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(35)]

NOT = ("NOT-01", "NOT-02", "NOT-03", "NOT-04")


def _run(tmp: Path, *args: str) -> dict[str, dict[str, Any]]:
    return selected_checks(tmp, "notifications", NOT, *args)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return _run(tmp_path_factory.mktemp("reference"))


@pytest.fixture(scope="module")
def naive(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return _run(tmp_path_factory.mktemp("naive"), "--integration", "examples/naive")


def test_the_reference_passes_every_notification_check(reference: dict[str, Any]) -> None:
    assert {k: v["status"] for k, v in reference.items()} == dict.fromkeys(NOT, "passed")
    assert "grantless token" in reference["NOT-01"]["summary"]
    assert "delivered twice" in reference["NOT-02"]["summary"]


def test_the_naive_connector_fails_each_for_the_right_reason(naive: dict[str, Any]) -> None:
    assert {k: v["status"] for k, v in naive.items()} == dict.fromkeys(NOT, "failed")
    assert "createDestination sent 2 times for the same queue" in naive["NOT-01"]["summary"]
    assert "createSubscription sent more than once" in naive["NOT-01"]["summary"]
    assert "applied more than once" in naive["NOT-02"]["summary"]
    assert "older ORDER_CHANGE" in naive["NOT-02"]["summary"]
    assert "received and never deleted" in naive["NOT-03"]["summary"]
    assert "getOrders" in naive["NOT-04"]["summary"]


def test_the_command_driver_reference_passes_too(tmp_path: Path) -> None:
    """One process per action: dedupe state must survive in a file of the connector's own."""
    found = _run(tmp_path, "--config", "examples/reference/acorn-command.toml")
    assert {k: v["status"] for k, v in found.items()} == dict.fromkeys(NOT, "passed")
