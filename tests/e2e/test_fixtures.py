"""The plugin's fixtures used the way a team uses them, in a suite of its own.

pytester writes a small suite in a fresh folder (no acorn.toml, no ACORN checkout on the path)
and runs it in a subprocess, where the plugin is loaded by its ``pytest11`` entry point like in
any environment acorn-harness is installed in. The README's example is one of its tests,
taken from the README itself; a client with Amazon's hosts compiled in talks to the simulator
over loopback through ``acorn_requests``, and its traffic is judged with real checks, both
ways (a cached token passes AUTH-04, a token per call fails it).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]

TEAM_SUITE = """
import time

import httpx
import pytest
import requests

from harness.errors import AcornUsageError
from harness.fixtures import AmazonRoutes
from harness.sim import Simulator
from harness.sim.faults import FaultPlan, FaultRule

LWA = "https://api.amazon.com/auth/o2/token"
NA = "https://sellingpartnerapi-na.amazon.com"
SANDBOX_EU = "https://sandbox.sellingpartnerapi-eu.amazon.com"
ORDERS = {"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "2026-02-01T00:00:00Z"}


def token(creds, url=LWA):
    form = {"grant_type": "refresh_token", "refresh_token": creds.refresh_token,
            "client_id": creds.client_id, "client_secret": creds.client_secret}
    return requests.post(url, data=form, timeout=10).json()["access_token"]


def orders(access_token, base=NA, params=ORDERS, timeout=10):
    return requests.get(f"{base}/orders/v0/orders", params=params, timeout=timeout,
                        headers={"x-amz-access-token": access_token})


def test_a_token_per_call_fails_auth_04(acorn_simulator, acorn_requests):
    for _ in range(10):
        orders(token(acorn_simulator.credentials)).raise_for_status()
    result = acorn_simulator.judge("AUTH-04")
    assert result.status == "failed", result.explain()
    assert "10 token requests for 10 SP-API calls" in result.summary
    assert "How to fix" in result.explain()


def test_every_test_starts_with_a_fresh_world(acorn_simulator):
    assert len(acorn_simulator.journal) == 0


def test_sandbox_hosts_are_routed_and_other_hosts_refused(acorn_simulator, acorn_requests):
    answer = orders(token(acorn_simulator.credentials), SANDBOX_EU,
                    {"MarketplaceIds": "A1PA6795UKMFR9", "CreatedAfter": "2026-02-01T00:00:00Z"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["payload"]["Orders"]
    with pytest.raises(requests.ConnectionError, match="Connection refused by Responses"):
        requests.get("https://example.com/orders", timeout=10)
    assert [e.endpoint for e in acorn_simulator.journal] == ["LWA", "EU"]


def test_a_fault_plan_reaches_requests_as_a_real_read_timeout(acorn_simulator, acorn_requests):
    rule = FaultRule("getOrders", on_calls=(1,), transport="timeout", hold=0.6)
    acorn_simulator.reset(faults=FaultPlan((rule,), client_timeout=0.3))
    access = token(acorn_simulator.credentials)
    with pytest.raises(requests.ReadTimeout):
        orders(access, timeout=0.3)
    assert orders(access).status_code == 200
    assert [e.fault["kind"] for e in acorn_simulator.journal if e.fault] == ["timeout"]


@pytest.mark.parametrize(("kind", "error"), [
    ("reset", requests.ConnectionError), ("truncated", requests.exceptions.ChunkedEncodingError)
])
def test_transport_faults_raise_what_requests_raises_on_a_socket(
    acorn_simulator, acorn_requests, kind, error
):
    rule = FaultRule("getOrders", on_calls=(1,), transport=kind)
    acorn_simulator.reset(faults=FaultPlan((rule,)))
    with pytest.raises(error):
        orders(token(acorn_simulator.credentials))


def test_a_token_used_past_expires_in_fails_auth_01(acorn_simulator, acorn_requests):
    acorn_simulator.reset(clock_speed=3600)  # an hour lasts a second: expires_in=1
    access = token(acorn_simulator.credentials)
    time.sleep(1.2)
    assert orders(access).status_code == 403
    result = acorn_simulator.judge("AUTH-01")
    assert result.status == "failed", result.explain()
    assert "after the moment LWA said it would expire" in result.summary


def test_httpx_clients_use_the_in_process_transport(acorn_simulator):
    creds = acorn_simulator.credentials
    form = {"grant_type": "refresh_token", "refresh_token": creds.refresh_token,
            "client_id": creds.client_id, "client_secret": creds.client_secret}
    with httpx.Client(transport=acorn_simulator.transport()) as http:
        access = http.post(LWA, data=form).json()["access_token"]
        answer = http.get(f"{NA}/orders/v0/orders", params=ORDERS,
                          headers={"x-amz-access-token": access})
    assert answer.status_code == 200
    assert acorn_simulator.judge("AUTH-08").status == "passed"


def test_judge_refuses_what_it_cannot_judge(acorn_simulator):
    with pytest.raises(AcornUsageError, match="did you mean 'AUTH-01'"):
        acorn_simulator.judge("AUTH-1")
    with pytest.raises(AcornUsageError, match="cannot be judged from the wire alone"):
        acorn_simulator.judge("ORD-01")
    with pytest.raises(AcornUsageError, match="did you mean 'clock_speed'"):
        acorn_simulator.reset(clock_sped=720)
    assert acorn_simulator.judge("AUTH-01").status == "skipped"  # not proven: no traffic


def test_routes_need_a_started_simulator():
    with pytest.raises(AcornUsageError, match="not started"):
        AmazonRoutes(Simulator())


class TestWithoutSimulator:
    @pytest.fixture
    def acorn_simulator(self):
        return None

    def test_acorn_requests_says_what_is_missing(self, acorn_requests):
        pass
"""


def _readme_example() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## In your own pytest suite", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1, "the README's fixtures section has one python example"
    return blocks[0]


def _never_cached(example: str) -> str:
    """The README's test around a client that fetches a token for every call."""
    naive = example.replace(
        "    token = requests.post(", "    def fetch():\n        return requests.post("
    )
    naive = naive.replace(
        '        auth = {"x-amz-access-token": token}',
        '        auth = {"x-amz-access-token": fetch()}',
    )
    assert "fetch()" in naive
    return naive


def test_a_teams_suite_uses_the_fixtures_as_the_docs_show(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    example = _readme_example()
    pytester.makepyfile(
        test_readme_example=example, test_never_cached=_never_cached(example), test_team=TEAM_SUITE
    )
    result = pytester.runpytest_subprocess("-v", "-p", "no:cacheprovider", timeout=120)
    result.stdout.fnmatch_lines(["*test_readme_example.py::test_the_token_is_cached PASSED*"])
    # The example can fail: the same test around a client that never caches its token.
    result.stdout.fnmatch_lines(["*test_never_cached.py::test_the_token_is_cached FAILED*"])
    result.stdout.fnmatch_lines(
        ["*TestWithoutSimulator::test_acorn_requests_says_what_is_missing ERROR*"]
    )
    result.stdout.fnmatch_lines(
        ["*acorn_requests needs a running ACORN simulator*got NoneType instead of one*"]
    )
    result.assert_outcomes(passed=11, failed=1, errors=1)
