"""Canaries: a full ``acorn record`` run leaves none behind, and ``acorn scan`` finds each kind.

The upstream simulator's credentials, the tokens it issues and its buyers' PII are canaries:
random values ACORN knows. The reference integration syncs orders (with an RDT, so full
addresses) through ``acorn record --run``; afterwards no canary may appear in the cassette, in
what ``acorn record`` printed (its log), in the replay server's output, or in the text of the
exception a broken scrubber raises. Then each kind is planted by hand and ``acorn scan`` must
exit 1 naming the file, the line and the kind, never the value.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harness.cassettes import CassetteLeakError, Scrubber, load
from harness.cli.main import app
from harness.sim import SimConfig, Simulator
from harness.sim.proxy import RecordingProxy, Upstream

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "examples" / "reference"


@pytest.fixture(scope="module")
def upstream() -> Iterator[Simulator]:
    sim = Simulator(config=SimConfig(throttling=False))
    sim.start()
    try:
        yield sim
    finally:
        sim.stop()


def _canaries(sim: Simulator) -> list[str]:
    core = sim.core
    issued = [t.value for t in core.tokens.all()]
    values = [*core.credentials.secrets(), *issued, *core.state.pii_canaries()]
    return [v for v in values if v]


def _upstream_args(sim: Simulator) -> list[str]:
    e = sim.endpoints
    args = ["--upstream", f"LWA={e.lwa_token_url}"]
    for region, url in e.regions.items():
        args += ["--upstream", f"{region}={url}"]
    return args


@pytest.fixture(scope="module")
def recorded(
    upstream: Simulator, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, subprocess.CompletedProcess[str], list[str]]:
    """One full ``acorn record --run`` of the reference integration's order sync."""
    upstream.reset(SimConfig(throttling=False))
    root = tmp_path_factory.mktemp("record")
    args = root / "args.json"
    args.write_text(
        json.dumps(
            {
                "marketplace_ids": ["ATVPDKIKX0DER", "A1F83G8C2ARO7P", "A1VC38T7YXB528"],
                "created_after": "2020-01-01T00:00:00Z",
            }
        )
    )
    creds = upstream.core.credentials
    mapping = " ".join(
        f"{ours}=${theirs}"
        for ours, theirs in (
            ("SPAPI_LWA_TOKEN_URL", "ACORN_LWA_TOKEN_URL"),
            ("SPAPI_ENDPOINT_NA", "ACORN_ENDPOINT_NA"),
            ("SPAPI_ENDPOINT_EU", "ACORN_ENDPOINT_EU"),
            ("SPAPI_ENDPOINT_FE", "ACORN_ENDPOINT_FE"),
        )
    )
    command = (
        f"{mapping} {shlex.quote(sys.executable)} -m reference_connector.cli sync_orders "
        f"< {shlex.quote(str(args))}"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(REFERENCE),
        "LWA_CLIENT_ID": creds.client_id,
        "LWA_CLIENT_SECRET": creds.client_secret,
        "SPAPI_REFRESH_TOKEN": creds.refresh_token,
        "SPAPI_SELLER_ID": creds.seller_id,
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "harness.cli.main",
            "record",
            *_upstream_args(upstream),
            "--cassette",
            "orders",
            "--cassettes-dir",
            str(root / "cassettes"),
            "--run",
            command,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
        check=False,
    )
    return root / "cassettes", done, _canaries(upstream)


def test_the_record_run_succeeded_and_saw_buyer_pii(
    recorded: tuple[Path, subprocess.CompletedProcess[str], list[str]],
) -> None:
    folder, done, canaries = recorded
    assert done.returncode == 0, done.stderr
    assert "recorded" in done.stdout
    cassette = load(folder / "orders" / "cassette.yaml")
    operations = {i.operation for i in cassette.interactions}
    # Not vacuous: the run fetched PII with an RDT, so there was something to scrub.
    assert {"lwa", "getOrders", "createRestrictedDataToken"} <= operations
    assert any(i.response.body and '"[PII]"' in i.response.body for i in cassette.interactions)
    assert len(canaries) > 10


def test_no_canary_in_the_cassette_or_the_log(
    recorded: tuple[Path, subprocess.CompletedProcess[str], list[str]],
) -> None:
    folder, done, canaries = recorded
    texts = {str(p): p.read_text() for p in folder.rglob("*") if p.is_file()}
    texts["acorn record stdout"] = done.stdout
    texts["acorn record stderr"] = done.stderr
    leaks = [
        f"{where}: canary #{canaries.index(c)}"
        for where, text in texts.items()
        for c in canaries
        if c in text or c.replace("|", "%7C") in text
    ]
    assert leaks == []
    scan = CliRunner().invoke(app, ["scan", str(folder)])
    assert scan.exit_code == 0, scan.output


def test_no_canary_in_the_replay_servers_output(
    recorded: tuple[Path, subprocess.CompletedProcess[str], list[str]],
) -> None:
    import httpx

    folder, _, canaries = recorded
    server = subprocess.Popen(
        [sys.executable, "-m", "harness.cli.main", "serve", "--cassette", "orders"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "ACORN_CASSETTES_DIR": str(folder)},
    )
    try:
        assert server.stdout is not None
        printed = []
        for line in server.stdout:
            printed.append(line)
            if "Ctrl-C" in line:
                break
        na = next(line for line in printed if "ACORN_ENDPOINT_NA" in line).split("'")[1]
        # A miss: the finding lists the nearest recorded requests (scrubbed, so canary-free).
        httpx.get(na + "/orders/v0/orders", params={"MarketplaceIds": "ATVPDKIKX0DER"})
    finally:
        server.terminate()
        out, err = server.communicate(timeout=10)
    output = "".join(printed) + out + err
    assert "Could not match input arguments" in output
    assert [c for c in canaries if c in output] == []


def test_a_broken_scrubber_raises_without_the_secret(
    upstream: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fail-closed error names the entry and the kind; its text holds no canary."""
    import httpx

    upstream.reset(SimConfig(throttling=False))
    e = upstream.endpoints
    target = Upstream.parse([f"LWA={e.lwa_token_url}", f"NA={e.regions['NA']}"])
    creds = upstream.core.credentials
    with RecordingProxy(target, name="leaky") as proxy:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": creds.refresh_token,
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
        }
        httpx.post(proxy.env()["ACORN_LWA_TOKEN_URL"], data=form, trust_env=False)
    monkeypatch.setattr(Scrubber, "text", lambda self, value: value)
    monkeypatch.setattr(Scrubber, "json_value", lambda self, node, *a: node)
    path = tmp_path / "leaky" / "cassette.yaml"
    with pytest.raises(CassetteLeakError) as caught:
        proxy.save(path, secrets=creds.secrets())
    message = str(caught.value)
    assert "entry 0 (lwa)" in message
    assert "LWA access token" in message
    assert [c for c in _canaries(upstream) if c in message or c in repr(caught.value)] == []
    assert not path.exists()


# -- acorn scan finds each kind planted by hand -----------------------------------------------


def _body(text: str) -> str:
    """A response body line as a cassette holds it."""
    return f"      string: '{text}'"


def _url(query: str) -> str:
    return _body(f'{{"url": "https://s3.example/doc?{query}"}}')


PLANTED: dict[str, tuple[str, str, str]] = {
    # kind: (a line planted in a clean cassette, the kind acorn scan must name, the value)
    "refresh token": (
        "    body: grant_type=refresh_token&refresh_token=Atzr%7CIwEBIplanted0123456789",
        "LWA refresh token",
        "Atzr%7CIwEBIplanted0123456789",
    ),
    "access token": (
        _body('{"access_token": "Atza|IwEBIplanted0123456789abc"}'),
        "LWA access token",
        "Atza|IwEBIplanted0123456789abc",
    ),
    "RDT": (
        _body('{"restrictedDataToken": "Atz.sprdt|IwEBIplanted01"}'),
        "restricted data token",
        "Atz.sprdt|IwEBIplanted01",
    ),
    "client secret": (
        "    body: client_secret=amzn1.oa2-cs.v1.0123456789abcdef",
        "LWA client secret",
        "amzn1.oa2-cs.v1.0123456789abcdef",
    ),
    "client secret, other shape": (
        "    body: client_secret=s3cr3tPlantedValue",
        "LWA client secret",
        "s3cr3tPlantedValue",
    ),
    "x-amz-access-token": (
        "      x-amz-access-token:\n      - plantedOpaque123456",
        "credential header",
        "plantedOpaque123456",
    ),
    "Authorization": (
        "      Authorization:\n      - Bearer plantedBearer123456789",
        "credential header",
        "plantedBearer123456789",
    ),
    "X-Amz-Signature": (
        _url("X-Amz-Signature=ab12cd34ef56"),
        "presigned URL credential",
        "ab12cd34ef56",
    ),
    "X-Amz-Credential": (
        _url("X-Amz-Credential=ASIAPLANTED%2F2026"),
        "presigned URL credential",
        "ASIAPLANTED%2F2026",
    ),
    "X-Amz-Security-Token": (
        _url("X-Amz-Security-Token=IQoPlanted"),
        "presigned URL credential",
        "IQoPlanted",
    ),
    "buyer e-mail": (
        _body('{"BuyerInfo": {"BuyerEmail": "ada@example.org"}}'),
        "e-mail address",
        "ada@example.org",
    ),
    "buyer name": (
        _body('{"ShippingAddress": {"Name": "Ada Planted"}}'),
        "buyer PII field",
        "Ada Planted",
    ),
    "buyer phone": (
        _body('{"ShippingAddress": {"Phone": "+44 20 7946 0000"}}'),
        "buyer PII field",
        "+44 20 7946 0000",
    ),
    "address line": (
        _body('{"ShippingAddress": {"AddressLine1": "1 Planted Rd"}}'),
        "buyer PII field",
        "1 Planted Rd",
    ),
}


@pytest.fixture(scope="module")
def clean_cassette(
    recorded: tuple[Path, subprocess.CompletedProcess[str], list[str]],
) -> str:
    return (recorded[0] / "orders" / "cassette.yaml").read_text()


@pytest.mark.parametrize("kind", list(PLANTED))
def test_acorn_scan_catches_each_kind_planted_by_hand(
    kind: str, clean_cassette: str, tmp_path: Path
) -> None:
    line, expected, secret = PLANTED[kind]
    lines = clean_cassette.splitlines()
    at = len(lines) // 2
    planted = "\n".join([*lines[:at], line, *lines[at:]]) + "\n"
    target = tmp_path / "cassettes" / "planted" / "cassette.yaml"
    target.parent.mkdir(parents=True)
    target.write_text(planted)
    result = CliRunner().invoke(app, ["scan", str(tmp_path / "cassettes")])
    assert result.exit_code == 1, result.output
    # Named by file and line, or (a YAML header list) by file, entry and field.
    by_line = f"{target}:{at + 1}: {expected}" in result.output
    by_entry = re.search(rf"{re.escape(str(target))}: entry \d+ \S+: {expected}", result.output)
    assert by_line or by_entry, result.output
    # The planted value itself is never echoed.
    assert secret in line
    assert secret not in result.output


def test_acorn_scan_of_a_clean_folder_exits_0_and_of_a_missing_one_2(
    clean_cassette: str, tmp_path: Path
) -> None:
    (tmp_path / "cassette.yaml").write_text(clean_cassette)
    clean = subprocess.run(
        [sys.executable, "-m", "harness.cli.main", "scan", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
        check=False,
    )
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "1 file(s) scanned: no secrets or buyer PII found" in clean.stdout
    missing = CliRunner().invoke(app, ["scan", str(tmp_path / "nope")])
    assert missing.exit_code == 2
