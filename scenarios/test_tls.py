"""TLS: the integration refuses a server whose certificate is not valid for the host.

Only in TLS runs (``acorn run --transport tls|intercept`` or acorn.toml ``transport``): the
integration syncs orders three times against a simulator presenting a bad certificate
(untrusted CA, wrong host name, expired), each time in a fresh process. A careful client's
handshake fails, so no request reaches the simulator and the action reports a failure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from markets import SINCE, US

from harness.checks import TLS_01, Check, CheckResult, Observation
from harness.drive.scenario import ScenarioRun
from harness.plugin import AcornSession
from harness.sim import SimConfig
from harness.sim.tls import BAD_DESCRIPTIONS, BAD_KINDS

# About 5 s on the reference: a parallel run (acorn run --jobs) starts the longest first.
pytestmark = pytest.mark.acorn_seconds(5)

AcornCheck = Callable[[Check, Observation], CheckResult]
SCENARIO = "tls-bad-certificate"
PROBE_TIMEOUT = 60.0
"""A refused handshake fails at once; a minute covers a client's retries of it."""


@pytest.fixture(scope="module")
def bad_certificates(acorn: AcornSession) -> Observation:
    transport = acorn.transport
    if not transport.is_tls:
        return Observation(
            scenario=SCENARIO,
            exchanges=[],
            outcomes=[],
            settings={
                "not_applicable": "not a TLS run: the integration reached the simulator over "
                "plain HTTP, so no certificate was there to verify (run acorn run "
                "--transport tls or intercept to judge TLS-01)"
            },
        )
    probes: list[Any] = []
    exchanges: list[Any] = []
    outcomes: list[Any] = []
    for kind in BAD_KINDS:
        with transport.bad_certificate(kind) as probe_sim:
            run = ScenarioRun(
                probe_sim,
                acorn.spec,
                f"{SCENARIO}-{kind}",
                SimConfig(),
                work_dir=acorn.work_dir,
                needs=("sync_orders",),
                action_timeout=PROBE_TIMEOUT,
            )
            with run:
                run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
        for exchange in run.exchanges:
            exchange.facts["tls_probe"] = kind
        exchanges += run.exchanges
        probes.append(
            {"kind": kind, "description": BAD_DESCRIPTIONS[kind], "outcome": len(outcomes)}
        )
        outcomes += run.outcomes
    return Observation(
        scenario=SCENARIO,
        exchanges=exchanges,
        outcomes=outcomes,
        expected={"tls_probes": probes},
        settings={"transport": transport.transport},
    )


def test_tls_01_bad_certificate_refused(
    bad_certificates: Observation, acorn_check: AcornCheck
) -> None:
    acorn_check(TLS_01, bad_certificates)
