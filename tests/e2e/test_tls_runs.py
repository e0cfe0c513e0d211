"""TLS runs end to end: `acorn run --transport tls|intercept` and `acorn serve --tls --intercept`.

One `acorn run` per mode (module-scoped), on a subset of the readiness suite (SUBSET: auth,
orders, PII, errors over the wire, feeds and listings with their https document links, and
TLS-01): a full run per mode costs ~90 s; both were measured GO by hand (see docs/tls.md).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from selected_run import acorn, acorn_run

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(85)]

ROOT = Path(__file__).resolve().parents[2]
ACORN = [sys.executable, "-m", "harness.cli.main"]
UNVERIFIED = ROOT / "tests" / "e2e" / "clients" / "tls_unverified"
HARDCODED = ROOT / "tests" / "e2e" / "clients" / "amazon_hardcoded.py"
SUBSET = "tls or auth_01 or auth_02 or ord_01 or pii_01 or err_07 or err_08 or feed_01 or lst_01"


def _acorn(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return acorn(*args, timeout=timeout)


def _run(tmp: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    return acorn_run(tmp, "--overwrite", *args, timeout=300)


def _check(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(c for c in report["checks"] if c["id"] == check_id)


@pytest.fixture(scope="module")
def over_tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any]]:
    return _run(tmp_path_factory.mktemp("tls"), "--transport", "tls", "--select", SUBSET)


@pytest.fixture(scope="module")
def intercepted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any]]:
    return _run(tmp_path_factory.mktemp("intercept"), "--transport", "intercept", "-k", SUBSET)


@pytest.mark.parametrize("mode", ["over_tls", "intercepted"])
def test_the_reference_is_go_over_tls_and_through_the_intercept_proxy(
    mode: str, request: pytest.FixtureRequest
) -> None:
    done, report = request.getfixturevalue(mode)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert report["verdict"] == "GO"
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    assert statuses["TLS-01"] == "passed"
    assert {"AUTH-01", "ORD-01", "FEED-01", "LST-01", "ERR-07", "ERR-08"} <= {
        k for k, v in statuses.items() if v == "passed"
    }
    refused = _check(report, "TLS-01")["evidence"]
    assert len(refused) == 3
    assert all("handshake refused" in line for line in refused)


def test_an_integration_with_verification_off_fails_tls_01_with_the_evidence(
    tmp_path: Path,
) -> None:
    done, report = _run(
        tmp_path, "--integration", str(UNVERIFIED), "-k", "tls", "--transport", "tls"
    )
    assert done.returncode == 1
    assert report["verdict"] == "NO-GO"
    tls = _check(report, "TLS-01")
    assert tls["status"] == "failed"
    assert tls["metrics"]["accepted"] == 3
    assert all("arrived over a certificate" in line for line in tls["evidence"])
    assert any("/auth/o2/token" in line for line in tls["evidence"])


def test_tls_01_is_not_applicable_in_a_plain_run(tmp_path: Path) -> None:
    done, report = _run(tmp_path, "-k", "tls")
    tls = _check(report, "TLS-01")
    assert tls["status"] == "not_applicable", done.stdout[-2000:]
    assert "not a TLS run" in tls["summary"]


def test_a_bad_transport_is_a_clear_error() -> None:
    done = _acorn("run", "--transport", "https")
    assert done.returncode == 2
    assert "transport is 'https'" in done.stderr
    assert "plain, tls, intercept" in done.stderr


def _serve(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(
        [*ACORN, "serve", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    env: dict[str, str] = {}
    deadline = time.monotonic() + 60
    for line in proc.stdout:
        if match := re.match(r"export (\w+)='(.*)'$", line.strip()):
            env[match[1]] = match[2]
        if line.startswith("# Press Ctrl-C") or time.monotonic() > deadline:
            break
    return proc, env


def test_serve_tls_intercept_answers_a_client_with_amazons_urls_compiled_in() -> None:
    proc, env = _serve("--tls", "--intercept")
    try:
        assert env["ACORN_LWA_TOKEN_URL"] == "https://api.amazon.com/auth/o2/token"
        assert env["HTTPS_PROXY"].startswith("http://127.0.0.1:")
        assert env["SSL_CERT_FILE"] == env["REQUESTS_CA_BUNDLE"] == env["NODE_EXTRA_CA_CERTS"]
        done = subprocess.run(
            [sys.executable, str(HARDCODED)],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        got = json.loads(done.stdout)
        assert done.returncode == 0, got
        assert (got["requests_token"], got["requests_orders"][0]) == (200, 200)
        assert (got["httpx_token"], got["httpx_orders"][0]) == (200, 200)
    finally:
        proc.terminate()
        proc.communicate(timeout=20)  # reaps it and closes its pipes


def test_serve_intercept_without_tls_and_a_busy_proxy_port_are_clear_errors() -> None:
    done = _acorn("serve", "--intercept", timeout=60)
    assert done.returncode == 2
    assert "--intercept needs --tls" in done.stderr
    assert "acorn serve --tls --intercept" in done.stderr
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        done = _acorn("serve", "--tls", "--intercept", "--proxy-port", str(port), timeout=60)
    assert done.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in done.stderr
