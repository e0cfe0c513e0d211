"""The verdict's semantics end to end: scope, not applicable, not proven, INCOMPLETE.

The plugin is exercised as users run it: a pytest session with ACORN's plugin over a small
scenario suite (subprocess), and ``acorn run`` over the bundled reference scoped to orders.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "examples" / "reference"

SUITE = """
import pytest
from harness.checks import AUTH_08, ORD_01, PII_01, PRC_01, Observation
from harness.sim import SimConfig

US = "ATVPDKIKX0DER"


@pytest.fixture(scope="module")
def orders(acorn):
    with acorn.scenario("orders", SimConfig(), needs=("sync_orders",)) as run:
        run.act("sync_orders", marketplace_ids=[US], created_after="2026-02-20T00:00:00Z")
    return acorn.observe(run, expected={"orders": []})


@pytest.fixture(scope="module")
def broken(acorn):
    with acorn.scenario("broken", SimConfig(), needs=("sync_orders",)):
        raise RuntimeError("the simulator could not seed the world")


@pytest.fixture(scope="module")
def repricing(acorn):
    with acorn.scenario("repricing", SimConfig(), needs=("reprice",)) as run:
        run.act("reprice", prices=[])
    return acorn.observe(run)


def test_auth_08_secrets(orders, acorn_check):
    acorn_check(AUTH_08, orders)


def test_ord_01_orders(broken, acorn_check):
    acorn_check(ORD_01, broken)


def test_prc_01_prices(repricing, acorn_check):
    acorn_check(PRC_01, repricing)


def test_pii_01_rdt(orders, acorn_check):
    {body}
"""


def _run_text(tmp_path: Path, text: str, integration: Path) -> tuple[Any, Any]:
    """Run a scenario suite (pytest with ACORN's plugin, in a subprocess); its readiness.json."""
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / f"test_{tmp_path.name[:40]}.py").write_text(textwrap.dedent(text))
    report = tmp_path / "report"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(suite),
            "-q",
            "-p",
            "no:cacheprovider",
            f"--rootdir={suite}",
            f"--acorn-integration={integration}",
            f"--acorn-report-dir={report}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert (report / "readiness.json").is_file(), proc.stdout + proc.stderr
    return proc, json.loads((report / "readiness.json").read_text())


def _run_suite(tmp_path: Path, integration: Path, body: str = "acorn_check(PII_01, orders)") -> Any:
    return _run_text(tmp_path, SUITE.replace("{body}", body), integration)[1]


def _statuses(data: Any) -> dict[str, str]:
    return {c["id"]: c["status"] for c in data["checks"]}


@pytest.fixture
def orders_only() -> Path:
    """The bundled reference declared as an orders-only integration (a shipped example)."""
    return REFERENCE / "acorn-orders-only.toml"


def test_a_scenario_error_makes_the_run_incomplete_and_names_the_check(
    tmp_path: Path, orders_only: Path
) -> None:
    data = _run_suite(tmp_path, orders_only)

    statuses = _statuses(data)
    assert data["verdict"] == "INCOMPLETE"
    assert statuses["ORD-01"] == "error"
    ord01 = next(c for c in data["checks"] if c["id"] == "ORD-01")
    assert "RuntimeError: the simulator could not seed the world" in ord01["summary"]
    assert any(r.startswith("ORD-01 (blocker) could not be judged") for r in data["reasons"])
    # The checks that could run were judged, and the out-of-scope one says why.
    assert statuses["AUTH-08"] == "passed"
    assert statuses["PRC-01"] == "not_applicable"
    prc = next(c for c in data["checks"] if c["id"] == "PRC-01")
    assert "needs reprice" in prc["summary"]


def test_a_test_that_judges_nothing_is_an_error_not_a_pass(
    tmp_path: Path, orders_only: Path
) -> None:
    data = _run_suite(tmp_path, orders_only, body="assert orders is not None")

    pii = next(c for c in data["checks"] if c["id"] == "PII-01")
    assert pii["status"] == "error"
    assert "judged nothing" in pii["summary"]
    assert data["verdict"] == "INCOMPLETE"


def test_an_interrupted_run_is_incomplete_with_what_ran(tmp_path: Path, orders_only: Path) -> None:
    data = _run_suite(tmp_path, orders_only, body="raise KeyboardInterrupt")

    assert data["verdict"] == "INCOMPLETE"
    assert "the run was interrupted before every scenario finished" in data["problems"]
    assert _statuses(data)["AUTH-08"] == "passed"


def test_an_orders_only_integration_is_go_for_its_scope(tmp_path: Path, orders_only: Path) -> None:
    """The bundled reference, declared as orders only: the listing, feed and pricing checks are
    not applicable (not failed, not skipped) and the verdict names the scope."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "harness.cli.main",
            "run",
            "--integration",
            str(orders_only),
            "--report-dir",
            str(tmp_path / "out"),
            "--select",
            "orders or listings or feeds or contract",
        ],
        capture_output=True,
        text=True,
        timeout=400,
        env=env,
        check=False,
    )
    data = json.loads((tmp_path / "out" / "readiness.json").read_text())
    statuses = _statuses(data)

    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert data["verdict"] == "GO"
    assert data["headline"] == "GO for orders"
    assert data["scope"]["actions"] == ["sync_orders"]
    assert statuses["ORD-01"] == "passed"
    assert statuses["CONTRACT-01"] == "passed"
    for check in ("LST-01", "LST-03", "INV-01", "PRC-01", "FEED-01"):
        assert statuses[check] == "not_applicable", check
    assert "GO for orders" in (tmp_path / "out" / "readiness.md").read_text()
    assert "Verdict: GO for orders" in proc.stdout


FIDELITY_SUITE = """
import httpx
import pytest
from harness.checks import AUTH_08

US = "ATVPDKIKX0DER"


@pytest.fixture(scope="module")
def rdt_with_data_elements(acorn):
    # What two popular libraries send by default: dataElements on the address path.
    with acorn.scenario("rdt-habits", needs=("sync_orders",)) as run:
        run.act("sync_orders", marketplace_ids=[US], created_after="2026-02-20T00:00:00Z")
        env = acorn.sim.env()
        token = httpx.post(
            env["ACORN_LWA_TOKEN_URL"],
            data={
                "grant_type": "refresh_token",
                "refresh_token": env["ACORN_REFRESH_TOKEN"],
                "client_id": env["ACORN_CLIENT_ID"],
                "client_secret": env["ACORN_CLIENT_SECRET"],
            },
        ).json()["access_token"]
        order = next(iter(acorn.sim.core.state.orders))
        answer = httpx.post(
            env["ACORN_ENDPOINT_NA"] + "/tokens/2021-03-01/restrictedDataToken",
            headers={"x-amz-access-token": token},
            json={"restrictedResources": [{"method": "GET",
                  "path": f"/orders/v0/orders/{order}/address",
                  "dataElements": ["shippingAddress"]}]},
        )
        assert answer.status_code == 200, answer.text
    return acorn.observe(run)


def test_auth_08_secrets(rdt_with_data_elements, acorn_check):
    acorn_check(AUTH_08, rdt_with_data_elements)
"""


def test_what_the_simulator_accepted_unverified_is_listed_never_failed(
    tmp_path: Path, orders_only: Path
) -> None:
    proc, data = _run_text(tmp_path, FIDELITY_SUITE, orders_only)
    report = tmp_path / "report"

    assert proc.returncode == 0, proc.stdout[-3000:]
    assert data["verdict"] == "GO"
    codes = [n["code"] for n in data["not_verified_against_amazon"]]
    assert codes == ["RDT-DATA-ELEMENTS-NOT-TAKEN"]
    assert data["not_verified_against_amazon"][0]["subject"].endswith("getOrderAddress")
    markdown = (report / "readiness.md").read_text()
    assert "## Not verified against Amazon" in markdown
    assert "RDT-DATA-ELEMENTS-NOT-TAKEN" in markdown


UNPROVEN_SUITE = """
import pytest
from harness.checks import AUTH_02, AUTH_08

US = "ATVPDKIKX0DER"


@pytest.fixture(scope="module")
def quiet_day(acorn):
    # No token is ever invalidated: AUTH-02 (a blocker) has nothing to judge.
    with acorn.scenario("quiet-day", needs=("sync_orders",)) as run:
        run.act("sync_orders", marketplace_ids=[US], created_after="2026-02-20T00:00:00Z")
    return acorn.observe(run)


def test_auth_08_secrets(quiet_day, acorn_check):
    acorn_check(AUTH_08, quiet_day)


def test_auth_02_refresh_after_403(quiet_day, acorn_check):
    acorn_check(AUTH_02, quiet_day)
"""


def test_an_in_scope_blocker_that_was_not_exercised_is_no_go(
    tmp_path: Path, orders_only: Path
) -> None:
    _, data = _run_text(tmp_path, UNPROVEN_SUITE, orders_only)

    assert _statuses(data) == {"AUTH-08": "passed", "AUTH-02": "skipped"}
    assert data["verdict"] == "NO-GO"
    assert data["reasons"][0].startswith("AUTH-02 (blocker) was not exercised, so it is not proven")
