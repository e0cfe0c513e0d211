"""A secret the integration writes into its own files is PII-03's finding, not ACORN's error.

The leaky integration is the reference with one flaw: at start it writes its refresh token into
a debug file beside its log, in the report's work/ folder. PII-03's own scenario reads only
the log file it declares, so only the run's leak scan of every file it leaves behind can see
it: the run must be NO-GO (exit 1) with PII-03 failed on file, line and label (never the
value), not a harness error (exit 2). The reference, scanned the same way, stays GO.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SELECT = "pii_03 or ord_01"
ACORN_RUN = (sys.executable, "-m", "harness.cli.main", "run")


def _acorn(integration: Path, report: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run(
        [
            *ACORN_RUN,
            "--integration",
            str(integration),
            "--select",
            SELECT,
            "--report-dir",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=400,
        env=env,
        cwd=ROOT,
        check=False,
    )


def _leaky(tmp: Path) -> Path:
    folder = tmp / "leaky"
    folder.mkdir()
    toml = (ROOT / "examples/reference/acorn.toml").read_text()
    (folder / "acorn.toml").write_text(
        toml.replace('name = "reference"', 'name = "leaky"').replace(
            "reference_connector:Connector", "leaky:Connector"
        )
    )
    (folder / "leaky.py").write_text(
        textwrap.dedent(
            f"""
            import os, sys
            from pathlib import Path
            sys.path.insert(0, {str(ROOT / "examples/reference")!r})
            from reference_connector import Connector as Reference

            class Connector(Reference):
                def __init__(self):
                    super().__init__()
                    debug = Path(os.environ["CONNECTOR_LOG_FILE"]).with_name("leaky-debug.log")
                    with debug.open("a") as out:
                        out.write("starting\\n")
                        out.write("refresh_token=" + os.environ["SPAPI_REFRESH_TOKEN"] + "\\n")
            """
        )
    )
    return folder


def test_a_refresh_token_in_the_integrations_files_fails_pii_03(tmp_path: Path) -> None:
    report = tmp_path / "r"
    run = _acorn(_leaky(tmp_path), report)

    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]
    data = json.loads((report / "readiness.json").read_text())
    assert data["verdict"] == "NO-GO"
    pii_03 = next(c for c in data["checks"] if c["id"] == "PII-03")
    assert pii_03["status"] == "failed"
    assert "work/leaky-debug.log" in pii_03["summary"]
    assert any(line.startswith("work/leaky-debug.log:2: ") for line in pii_03["evidence"])
    assert data["output_scan"]["clean"] is True  # ACORN's own report is clean
    assert data["output_scan"]["integration_findings"]
    # Never the value, in any format ACORN writes.
    leak = (report / "work/leaky-debug.log").read_text()
    assert "refresh_token=Atzr|" in leak
    secret = leak.splitlines()[1].split("=", 1)[1]
    for name in ("readiness.json", "readiness.md", "junit.xml"):
        assert secret not in (report / name).read_text(), name
    assert secret not in run.stdout + run.stderr
    # junit.xml and Allure say failed too.
    cases = {
        c.get("name", ""): c for c in ET.parse(report / "junit.xml").getroot().iter("testcase")
    }
    case = next(c for name, c in cases.items() if name.startswith("test_pii_03"))
    assert case.find("failure") is not None
    allure = [json.loads(p.read_text()) for p in (report / "allure-results").glob("*-result.json")]
    assert [a["status"] for a in allure if "test_pii_03" in a.get("fullName", "")] == ["failed"]


def test_the_reference_scanned_the_same_way_stays_go(tmp_path: Path) -> None:
    report = tmp_path / "r"
    run = _acorn(ROOT / "examples/reference", report)

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    data = json.loads((report / "readiness.json").read_text())
    assert data["verdict"] == "GO"
    assert data["output_scan"]["integration_findings"] == []
    assert "under work/" in data["output_scan"]["summary"]
    assert list((report / "work").iterdir())  # its logs were there, and were scanned
