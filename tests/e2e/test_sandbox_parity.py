"""Static sandbox parity: replay every case Amazon publishes through real HTTP.

The requests are built from Amazon's models (not from the imported contracts the simulator
serves), the way a client would send them: listed path parameters in the path, query
parameters comma-separated, headers as headers, anything else as the JSON body. A case is
answered identically when the status, the body and every published response header are the
published ones. One keep-alive connection carries all of it, paced to the sandbox's usage plan
(rate 5 / burst 15 per operation) as a well-behaved client would.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from harness.contracts.swagger import ModelOperation, ModelSet, SandboxCase, read_models
from harness.sim import Simulator
from harness.sim.sandbox import NO_MATCH_MESSAGE, sandbox_simulator, wire_value

pytestmark = pytest.mark.e2e

UNLISTED = "ACORN-UNLISTED"


@pytest.fixture(scope="module")
def models(amazon_models_dir: Path) -> ModelSet:
    return read_models(amazon_models_dir)


@pytest.fixture(scope="module")
def sandbox(amazon_models_dir: Path) -> Iterator[Simulator]:
    simulator = sandbox_simulator(amazon_models_dir)
    simulator.start()
    try:
        yield simulator
    finally:
        simulator.stop()


class Client:
    """One connection, LWA tokens (a grantless one for grantless operations), pacing."""

    def __init__(self, sim: Simulator, http: httpx.Client) -> None:
        self.sim = sim
        self.http = http
        creds = sim.core.credentials
        base = {"client_id": creds.client_id, "client_secret": creds.client_secret}
        seller = http.post(
            sim.endpoints.lwa_token_url,
            data={**base, "grant_type": "refresh_token", "refresh_token": creds.refresh_token},
        )
        grantless = http.post(
            sim.endpoints.lwa_token_url,
            data={
                **base,
                "grant_type": "client_credentials",
                "scope": "sellingpartnerapi::notifications",
            },
        )
        assert seller.status_code == grantless.status_code == 200, (seller.text, grantless.text)
        self.seller_token = seller.json()["access_token"]
        self.grantless_token = grantless.json()["access_token"]
        self.sent: dict[tuple[str, str], list[float]] = {}
        self.grantless = {(o.method, o.path) for o in sim.core.contracts.operations if o.grantless}

    def _pace(self, route: tuple[str, str]) -> None:
        """Burst 15, then 5 per second: wait until the 5/s bucket has a token again."""
        times = self.sent.setdefault(route, [])
        if len(times) >= 15:
            wait = times[-1] + 0.2 - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        times.append(time.monotonic())

    def replay(self, op: ModelOperation, case: SandboxCase) -> httpx.Response:
        path = op.path
        query: dict[str, str] = {}
        headers: dict[str, str] = {}
        body: Any = None
        has_body = False
        by_name = {p.name: p for p in op.parameters}
        for name, spec in case.parameters.items():
            param = by_name.get(name)
            value = spec.get("value", UNLISTED)
            if param is None or param.location == "body":
                body, has_body = value, True
            elif param.location == "path":
                path = path.replace("{" + name + "}", quote(wire_value(value), safe=""))
            elif param.location == "header":
                headers[name] = wire_value(value)
            elif isinstance(value, list):
                query[name] = ",".join(wire_value(v) for v in value)
            else:
                query[name] = wire_value(value)
        for param in op.parameters:
            if param.location == "path":
                path = path.replace("{" + param.name + "}", UNLISTED)
        grantless = op.route in self.grantless
        headers["x-amz-access-token"] = self.grantless_token if grantless else self.seller_token
        if has_body:
            headers["content-type"] = "application/json"
        self._pace(op.route)
        return self.http.request(
            op.method,
            self.sim.endpoints.regions["NA"] + path,
            params=query,
            headers=headers,
            content=json.dumps(body).encode() if has_body else None,
        )


def identical(case: SandboxCase, response: httpx.Response) -> str | None:
    """None when the answer is the published one, else what differs."""
    if response.status_code != case.status:
        return f"status {response.status_code} != {case.status}: {response.text[:200]}"
    if case.status == 204:  # HTTP: no content; Amazon publishes {} or "" for some
        if response.content:
            return f"a 204 with a body: {response.text[:200]!r}"
    elif case.has_body:
        try:
            got = response.json()
        except ValueError:
            return f"body is not JSON: {response.text[:200]!r}"
        if got != case.body:
            return f"body differs: {response.text[:200]}"
    elif response.content:
        return f"body {response.text[:200]!r} where Amazon publishes none"
    for name, value in case.headers.items():
        if response.headers.get(name) != value:
            return f"header {name}: {response.headers.get(name)!r} != {value!r}"
    return None


def test_every_published_static_case_is_answered_identically(
    models: ModelSet, sandbox: Simulator
) -> None:
    started = time.perf_counter()
    mismatches: list[str] = []
    total = 0
    with httpx.Client(timeout=10.0, trust_env=False) as http:
        client = Client(sandbox, http)
        for op in models.operations:
            for case in op.sandbox:
                total += 1
                problem = identical(case, client.replay(op, case))
                if problem:
                    mismatches.append(f"{op.operation_id} {case.pointer}: {problem}")
    parity = total - len(mismatches)
    elapsed = time.perf_counter() - started
    print(f"\nstatic sandbox parity: {parity}/{total} answered identically in {elapsed:.1f} s")
    for line in mismatches[:40]:
        print("  " + line)
    assert total == 913
    unanswerable = ambiguous_cases(models)
    print(
        f"  ({len(unanswerable)} cases share their exact request with another case: "
        + ", ".join(unanswerable)
        + ")"
    )
    assert parity == total - len(unanswerable), "\n".join(mismatches[:40])


def ambiguous_cases(models: ModelSet) -> list[str]:
    """Cases no sandbox can answer: an earlier case of the operation lists exactly the same
    parameters and values but publishes another answer (identical requests, two answers)."""
    found = []
    for op in models.operations:
        seen: dict[str, SandboxCase] = {}
        for case in op.sandbox:
            key = json.dumps(case.parameters, sort_keys=True)
            first = seen.setdefault(key, case)
            if first is not case and (first.status, first.body) != (case.status, case.body):
                found.append(f"{op.operation_id} {case.status} {case.pointer}")
    return found


def test_the_unanswerable_cases_are_the_catch_all_pairs(models: ModelSet) -> None:
    """Sellers and Shipping v1 getAccount publish a catch-all 200 and a catch-all 400."""
    assert sorted(c.split(" ")[:2] for c in ambiguous_cases(models)) == [
        ["getAccount", "400"],
        ["getAccount", "400"],
    ]


def test_unmatched_requests_get_amazons_no_match_answer(sandbox: Simulator) -> None:
    with httpx.Client(timeout=10.0, trust_env=False) as http:
        client = Client(sandbox, http)
        response = http.get(
            sandbox.endpoints.regions["EU"] + "/orders/v0/orders",
            params={"CreatedAfter": "TEST_CASE_201", "MarketplaceIds": "ATVPDKIKX0DER"},
            headers={"x-amz-access-token": client.seller_token},
        )
        assert response.status_code == 400
        assert response.json() == {
            "errors": [{"code": "InvalidInput", "message": NO_MATCH_MESSAGE, "details": ""}]
        }
        matched = http.get(
            sandbox.endpoints.regions["EU"] + "/orders/v0/orders",
            params={"CreatedAfter": "TEST_CASE_200", "MarketplaceIds": "ATVPDKIKX0DER"},
            headers={"x-amz-access-token": client.seller_token},
        )
        assert matched.status_code == 200
        assert matched.json()["payload"]["Orders"][0]["AmazonOrderId"] == "902-1845936-5435065"
        # Exact match: a different marketplace is not the published case.
        other = http.get(
            sandbox.endpoints.regions["EU"] + "/orders/v0/orders",
            params={"CreatedAfter": "TEST_CASE_200", "MarketplaceIds": "A1PA6795UKMFR9"},
            headers={"x-amz-access-token": client.seller_token},
        )
        assert other.status_code == 400
        assert other.json()["errors"][0]["message"] == NO_MATCH_MESSAGE
        missing = http.get(sandbox.endpoints.regions["EU"] + "/orders/v0/orders")
        assert missing.status_code == 403  # the sandbox still wants the production token


def test_every_operation_has_rate_5_burst_15(sandbox: Simulator) -> None:
    """Burst 15 then 429 QuotaExceeded, on an operation whose production plan is 0.0167/20."""
    sandbox.reset()
    with httpx.Client(timeout=10.0, trust_env=False) as http:
        client = Client(sandbox, http)
        url = sandbox.endpoints.regions["NA"] + "/orders/v0/orders/TEST_CASE_200"
        statuses = [
            http.get(url, headers={"x-amz-access-token": client.seller_token}).status_code
            for _ in range(16)
        ]
        assert statuses[:15] == [200] * 15
        assert statuses[15] == 429
        time.sleep(0.25)  # 5 per second: one token back after 0.2 s
        again = http.get(url, headers={"x-amz-access-token": client.seller_token})
        assert again.status_code == 200
        assert again.headers["x-amzn-RateLimit-Limit"] == "5.0"
    sandbox.reset()


# -- acorn serve --sandbox as a real process -------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
ACORN = [sys.executable, "-m", "harness.cli.main"]


def test_acorn_serve_sandbox_answers_published_cases(amazon_models_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ACORN_MODELS_DIR"}
    proc = subprocess.Popen(
        [*ACORN, "serve", "--sandbox", "--models", str(amazon_models_dir)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        exported: dict[str, str] = {}
        banner = ""
        assert proc.stdout is not None
        for line in proc.stdout:
            banner += line
            match = re.match(r"export (\w+)='(.*)'", line.strip())
            if match:
                exported[match.group(1)] = match.group(2)
            if line.startswith("# Press Ctrl-C"):
                break
        assert "static sandbox mode: 370 operations, 913 published cases" in banner
        token = httpx.post(
            exported["ACORN_LWA_TOKEN_URL"],
            data={
                "grant_type": "refresh_token",
                "refresh_token": exported["ACORN_REFRESH_TOKEN"],
                "client_id": exported["ACORN_CLIENT_ID"],
                "client_secret": exported["ACORN_CLIENT_SECRET"],
            },
        ).json()["access_token"]
        url = exported["ACORN_ENDPOINT_NA"] + "/orders/v0/orders/TEST_CASE_200"
        answer = httpx.get(url, headers={"x-amz-access-token": token})
        assert answer.status_code == 200
        assert answer.json()["payload"]["AmazonOrderId"] == "902-1845936-5435065"
        unmatched = httpx.get(url + "X", headers={"x-amz-access-token": token})
        assert unmatched.status_code == 400
        assert unmatched.json()["errors"][0]["message"] == NO_MATCH_MESSAGE
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
