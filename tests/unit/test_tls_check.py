"""TLS material and TLS-01, judged on real handshakes over loopback.

Each bad certificate is served by a real simulator (harness.drive.transport's probe); a
verifying client (httpx with ACORN's CA) must fail the handshake, so nothing reaches the
journal, and TLS-01 passes; a client with verification off gets through, the request is in the
journal, and TLS-01 fails with it as evidence.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from harness.checks import TLS_01, Observation
from harness.drive.base import ActionOutcome
from harness.drive.transport import SessionTransport
from harness.sim.tls import BAD_DESCRIPTIONS, BAD_KINDS, CA_VARIABLES, TlsMaterial


@pytest.fixture(scope="module")
def tls_run() -> Iterator[SessionTransport]:
    session = SessionTransport("tls")
    yield session
    session.close()


def _token(sim_env: dict[str, str], verify: Any) -> httpx.Response:
    with httpx.Client(verify=verify, trust_env=False, timeout=5) as client:
        return client.post(
            sim_env["ACORN_LWA_TOKEN_URL"],
            data={
                "grant_type": "refresh_token",
                "refresh_token": sim_env["ACORN_REFRESH_TOKEN"],
                "client_id": sim_env["ACORN_CLIENT_ID"],
                "client_secret": sim_env["ACORN_CLIENT_SECRET"],
            },
        )


def test_the_simulator_serves_https_and_names_its_ca_for_every_ecosystem(
    tls_run: SessionTransport,
) -> None:
    env = tls_run.sim.env()
    assert env["ACORN_LWA_TOKEN_URL"].startswith("https://127.0.0.1:")
    assert all(env[f"ACORN_ENDPOINT_{r}"].startswith("https://") for r in ("NA", "EU", "FE"))
    ca = env["SSL_CERT_FILE"]
    assert {env[name] for name in CA_VARIABLES} == {ca}
    assert _token(env, ssl.create_default_context(cafile=ca)).status_code == 200
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        _token(env, ssl.create_default_context())  # the system store does not know it


def test_material_is_removed_on_close() -> None:
    material = TlsMaterial()
    files = material.server()
    assert files.certfile.is_file()
    assert material.ca_file.is_file()
    material.close()
    assert not material.folder.exists()


def _probe_all(tls_run: SessionTransport, verify_off: bool) -> Observation:
    """What the TLS-01 scenario does, with a one-request client instead of an integration."""
    probes: list[Any] = []
    exchanges: list[Any] = []
    outcomes: list[Any] = []
    for kind in BAD_KINDS:
        with tls_run.bad_certificate(kind) as probe:
            env = probe.env()
            verify: Any = (
                False if verify_off else ssl.create_default_context(cafile=env["SSL_CERT_FILE"])
            )
            try:
                _token(env, verify)
                outcome = ActionOutcome("sync_orders", {}, "ok", result={"ok": True})
            except httpx.ConnectError as exc:
                outcome = ActionOutcome("sync_orders", {}, "failed", error=str(exc)[:200])
            for exchange in probe.journal.all():
                exchange.facts["tls_probe"] = kind
                exchanges.append(exchange)
        probes.append(
            {"kind": kind, "description": BAD_DESCRIPTIONS[kind], "outcome": len(outcomes)}
        )
        outcomes.append(outcome)
    return Observation("tls-bad-certificate", exchanges, outcomes, expected={"tls_probes": probes})


def test_tls_01_passes_a_client_that_refuses_every_bad_certificate(
    tls_run: SessionTransport,
) -> None:
    result = TLS_01.evaluate(_probe_all(tls_run, verify_off=False))
    assert result.status == "passed", result.explain()
    assert len(result.evidence) == 3
    assert all("handshake refused" in line for line in result.evidence)
    assert any("certificate has expired" in line for line in result.evidence)
    assert any(
        "Hostname mismatch" in line or "IP address mismatch" in line for line in result.evidence
    )


def test_tls_01_fails_a_client_with_verification_off_showing_the_requests(
    tls_run: SessionTransport,
) -> None:
    result = TLS_01.evaluate(_probe_all(tls_run, verify_off=True))
    assert result.status == "failed"
    assert result.metrics["accepted"] == 3
    assert all("arrived over a certificate" in line for line in result.evidence)
    assert any("POST LWA /auth/o2/token" in line for line in result.evidence)


def test_tls_01_fails_a_refusal_reported_as_success() -> None:
    probes = [{"kind": "expired", "description": BAD_DESCRIPTIONS["expired"], "outcome": 0}]
    silent = ActionOutcome("sync_orders", {}, "ok", result={"ok": True, "orders": []})
    result = TLS_01.evaluate(Observation("t", [], [silent], expected={"tls_probes": probes}))
    assert result.status == "failed"
    assert "yet the action reported success" in result.evidence[0]


def test_tls_01_without_probes_is_not_proven() -> None:
    assert TLS_01.evaluate(Observation("t", [], [])).status == "skipped"
