"""The admin API on the LWA port, the journal file and the per-request line (real HTTP on
loopback), and acorn judge's refusals of files that are not ACORN journals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from harness.cli.main import app
from harness.cli.serve import build_simulator
from harness.drive.setups import setup_named
from harness.errors import AcornUsageError
from harness.plugin import canaries_of
from harness.sim import Simulator
from harness.sim.admin import ObservedApp, request_line
from harness.sim.app import SimulatorApp
from harness.sim.journal_file import JournalWriter, read_journal

FAULTS = """
seed = 1
client_timeout = 0.4

[[fault]]
name = "order list unavailable once"
operation = "getOrders"
on_calls = [1]
preset = "service_unavailable"
"""
US = "ATVPDKIKX0DER"


class Served:
    def __init__(self, tmp: Path) -> None:
        self.journal = tmp / "j.jsonl"
        self.lines: list[str] = []
        self.sim: Simulator = build_simulator(setup_named("small-sync-throughput"), seed=3)
        self.writer = JournalWriter(self.journal, scenario="small-sync-throughput", settings={})

        def reset(name: str | None) -> str | None:
            self.sim.reset(setup_named(name or "small-sync-throughput").config())
            return name or "small-sync-throughput"

        def wrap(inner: SimulatorApp) -> ObservedApp:
            return ObservedApp(
                inner,
                scenario="small-sync-throughput",
                reset=reset,
                writer=self.writer,
                report=lambda e: self.lines.append(request_line(e)),
            )

        self.sim.wrap = wrap
        self.sim.start()
        env = self.sim.env()
        self.env = env
        self.admin = env["ACORN_LWA_TOKEN_URL"].rsplit("/auth/", 1)[0] + "/__acorn"
        self.http = httpx.Client(timeout=5)

    def token(self) -> str:
        answer = self.http.post(
            self.env["ACORN_LWA_TOKEN_URL"],
            data={
                "grant_type": "refresh_token",
                "refresh_token": self.env["ACORN_REFRESH_TOKEN"],
                "client_id": self.env["ACORN_CLIENT_ID"],
                "client_secret": self.env["ACORN_CLIENT_SECRET"],
            },
        )
        return str(answer.json()["access_token"])

    def orders(self, token: str, **params: str) -> httpx.Response:
        return self.http.get(
            self.env["ACORN_ENDPOINT_NA"] + "/orders/v0/orders",
            params={"MarketplaceIds": US, "CreatedAfter": "2026-02-20T00:00:00Z", **params},
            headers={"x-amz-access-token": token},
        )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    s = Served(tmp_path)
    yield s
    s.http.close()
    s.sim.stop()
    s.writer.close()


def test_health_faults_reset_and_journal(served: Served) -> None:
    health = served.http.get(served.admin + "/health").json()
    assert health == {"status": "ok", "scenario": "small-sync-throughput", "exchanges": 0}
    loaded = served.http.post(served.admin + "/faults", content=FAULTS)
    assert loaded.json() == {"loaded": 1, "client_timeout": 0.4}
    token = served.token()
    assert served.orders(token).status_code == 503
    assert served.orders(token).status_code == 200
    journal = served.http.get(served.admin + "/journal").json()
    assert journal["format"] == "acorn-journal"
    assert [e["operation"] for e in journal["exchanges"]] == [
        "lwa:refresh_token",
        "getOrders",
        "getOrders",
    ]  # the admin requests are not integration traffic
    assert served.lines[1].startswith(" NA GET /orders/v0/orders getOrders -> 503")
    assert "fault status (rule 'order list unavailable once')" in served.lines[1]
    reset = served.http.post(served.admin + "/reset", json={"scenario": "daily-work"})
    assert reset.json() == {"reset": True, "scenario": "daily-work"}
    assert served.http.get(served.admin + "/health").json()["exchanges"] == 0
    served.orders(served.token())
    segments = read_journal(served.journal)
    assert [(s.scenario, len(s.exchanges)) for s in segments] == [
        ("small-sync-throughput", 3),
        ("daily-work", 2),
    ]


def test_bad_fault_plan_and_unknown_route_are_refused(served: Served) -> None:
    bad = served.http.post(served.admin + "/faults", content="[[fault]]\noperation = 'getOrdrs'")
    assert bad.status_code == 400
    assert "getOrdrs" in bad.json()["error"]
    as_json = served.http.post(served.admin + "/faults", json={"fault": [{"times": "x"}]})
    assert as_json.status_code == 400
    missing = served.http.get(served.admin + "/nothing")
    assert missing.status_code == 404
    assert "GET /__acorn/health" in missing.json()["routes"]
    unknown = served.http.post(served.admin + "/reset", json={"scenario": "nope"})
    assert unknown.status_code == 400
    assert "--list-scenarios" in unknown.json()["error"]


def test_contract_findings_are_printed_and_the_file_is_masked(served: Served) -> None:
    token = served.token()
    served.orders(token, MaxResultsPerPage="1000")  # over the contract's maximum
    assert any("contract:" in line for line in served.lines), served.lines
    text = served.journal.read_text()
    canaries = canaries_of(served.sim.core)
    for values in (*canaries.secrets.values(), *canaries.pii.values()):
        for value in values:
            assert value not in text
    assert token not in text


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        ("", "is not an ACORN journal"),
        ('{"seq": 1}\n', "is not an ACORN journal"),
        ("not json\n", "is not an ACORN journal"),
        ('{"format": "acorn-journal", "version": 99}\n', "format version 99"),
    ],
)
def test_a_file_that_is_not_acorns_journal_is_refused(
    tmp_path: Path, content: str, phrase: str
) -> None:
    file = tmp_path / "j.jsonl"
    file.write_text(content)
    with pytest.raises(AcornUsageError, match=phrase):
        read_journal(file)
    result = CliRunner().invoke(app, ["judge", str(file), "--report-dir", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert "Fix:" in result.output


def test_a_cut_off_last_line_is_tolerated(tmp_path: Path) -> None:
    file = tmp_path / "j.jsonl"
    header: dict[str, Any] = {"format": "acorn-journal", "version": 1, "scenario": None}
    file.write_text(json.dumps(header) + '\n{"type": "exchange", "seq": 1, "requ')
    assert read_journal(file) == []


def test_transport_faults_still_reach_the_connection(served: Served) -> None:
    """The wrapper keeps what fault_wire needs to reset a connection (send's transport)."""
    plan = FAULTS.replace('preset = "service_unavailable"', 'transport = "reset"')
    assert served.http.post(served.admin + "/faults", content=plan).status_code == 200
    token = served.token()
    with pytest.raises(httpx.TransportError):
        served.orders(token)
    assert served.orders(token).status_code == 200
    assert "fault reset" in served.lines[1]


def test_judge_proves_only_what_the_recorded_scenarios_exercise(served: Served) -> None:
    from harness.report.observed import OBSERVE_NOT_APPLICABLE, judge_journals

    token = served.token()
    served.orders(token)
    readiness = judge_journals([served.journal], ["sync_orders"])
    results = {r.id: r for r in readiness.results}
    assert results["THR-04"].scenario == "small-sync-throughput"  # judged on its own traffic
    assert results["AUTH-01"].status == "skipped"  # its scenario was not recorded
    assert "acorn serve --scenario token-lifetime" in results["AUTH-01"].summary
    assert results["ERR-04"].status == "not_applicable"
    assert OBSERVE_NOT_APPLICABLE in results["ERR-04"].summary
    assert results["LST-01"].status == "not_applicable"
    assert "out of scope" in results["LST-01"].summary
