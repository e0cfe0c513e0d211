"""Record through ACORN's proxy, replay from the cassette: real HTTP on loopback throughout.

An upstream ACORN Simulator stands in for Amazon's sandbox (nothing here leaves 127.0.0.1).
A small purpose-built httpx client (LWA, orders with an RDT, a feed polled to DONE with its
presigned documents) and the bundled reference integration each run twice, once recorded and
once replayed, and must see the same answers. Plain vcrpy replays an ACORN cassette, and a
cassette vcrpy recorded in-process with ACORN's hooks replays in ACORN.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
import vcr

from harness.cassettes import CassetteError, Scrubber, load
from harness.drive import load_integration
from harness.drive.scenario import ScenarioRun
from harness.sim import SimConfig, Simulator
from harness.sim.proxy import RecordingProxy, Upstream
from harness.sim.replay import UNMATCHED_MESSAGE, replay_simulator

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SINCE = "2020-01-01T00:00:00Z"
ORDERS = {"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": SINCE}


def _fast() -> SimConfig:
    """A feed finishes in about a second of wall time; presigned URLs (300 virtual s) stay
    valid for a second too, long enough for the upload and download that follow at once."""
    return SimConfig(
        clock_speed=300, throttling=False, feed_queue_seconds=30, feed_processing_seconds=270
    )


@pytest.fixture(scope="module")
def upstream() -> Iterator[Simulator]:
    """The stand-in for Amazon's sandbox: feeds finish in about a second of wall time."""
    sim = Simulator(config=_fast())
    sim.start()
    try:
        yield sim
    finally:
        sim.stop()


def _upstream_of(sim: Simulator) -> Upstream:
    e = sim.endpoints
    return Upstream.parse([f"LWA={e.lwa_token_url}", *[f"{r}={u}" for r, u in e.regions.items()]])


def _bundled_module() -> Any:
    """cassettes/record_bundled.py: its clients record the bundled cassettes and drive these."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "record_bundled", ROOT / "cassettes" / "record_bundled.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUNDLED = _bundled_module()


def _flow(env: dict[str, str]) -> list[tuple[int, Any]]:
    """What an integration does: LWA, orders, an RDT for one address, a feed polled to DONE;
    returns every answer it saw."""
    client = BUNDLED.Client(env)
    client.login()
    orders = client.call("GET", "/orders/v0/orders", params=ORDERS)
    order_id = orders["payload"]["Orders"][0]["AmazonOrderId"]
    path = f"/orders/v0/orders/{order_id}/address"
    rdt = client.call(
        "POST",
        "/tokens/2021-03-01/restrictedDataToken",
        json={"restrictedResources": [{"method": "GET", "path": path}]},
    )["restrictedDataToken"]
    client.call("GET", path, headers={"x-amz-access-token": rdt})
    BUNDLED.submit_feed(client, poll=0.1, tries=60)
    seen: list[tuple[int, Any]] = client.seen
    return seen


def _record(upstream: Simulator, tmp_path: Path, name: str) -> tuple[Path, list[tuple[int, Any]]]:
    upstream.reset(_fast())
    proxy = RecordingProxy(_upstream_of(upstream), name=name)
    with proxy:
        env = {**upstream.env(), **proxy.env()}
        seen = _flow(env)
    creds = upstream.core.credentials
    path = tmp_path / name / "cassette.yaml"
    proxy.save(
        path,
        secrets=creds.secrets(),
        pii=upstream.core.state.pii_canaries(),
        seller_ids=[creds.seller_id],
    )
    return path, seen


@pytest.fixture(scope="module")
def flow(
    upstream: Simulator, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[tuple[int, Any]]]:
    """One recording of the client's flow, shared read-only by the tests below."""
    return _record(upstream, tmp_path_factory.mktemp("cassettes"), "client-flow")


def test_a_replay_answers_what_the_recording_saw_polling_included(
    flow: tuple[Path, list[tuple[int, Any]]],
) -> None:
    path, recorded = flow
    cassette = load(path)
    statuses = [
        json.loads(i.response.body or "{}").get("processingStatus")
        for i in cassette.interactions
        if i.operation == "getFeed"
    ]
    assert statuses[0] in ("IN_QUEUE", "IN_PROGRESS")
    assert statuses[-1] == "DONE"
    assert len(statuses) >= 2, "the feed was polled more than once"

    with replay_simulator(cassette) as replay:
        replayed = _flow(replay.env())
        misses = replay.core.misses  # type: ignore[attr-defined]
    assert misses == []
    assert len(replayed) == len(recorded)
    # Same statuses, and the replayed bodies are the recorded ones (scrubbed, pseudonymised).
    assert [s for s, _ in replayed] == [s for s, _ in recorded]
    polled = [
        b["processingStatus"]
        for s, b in replayed
        if isinstance(b, dict) and "processingStatus" in b
    ]
    assert polled == statuses
    recorded_orders = recorded[1][1]["payload"]["Orders"]
    replayed_orders = replayed[1][1]["payload"]["Orders"]
    assert [o["OrderStatus"] for o in replayed_orders] == [
        o["OrderStatus"] for o in recorded_orders
    ]
    assert replayed_orders[0]["AmazonOrderId"] == "000-0000000-0000001"
    assert replayed[3][1]["payload"]["ShippingAddress"]["Name"] == "[PII]"
    assert replayed[-1][1]["summary"] == recorded[-1][1]["summary"]  # the processing report


def test_an_unmatched_request_gets_sp_apis_400_and_a_near_miss(
    flow: tuple[Path, list[tuple[int, Any]]],
) -> None:
    path, _ = flow
    with replay_simulator(load(path)) as replay:
        env = replay.env()
        answer = httpx.get(
            env["ACORN_ENDPOINT_NA"] + "/orders/v0/orders",
            params={"MarketplaceIds": "A1PA6795UKMFR9", "CreatedAfter": SINCE},
            headers={"x-amz-access-token": "Atza|anything-at-all"},
            trust_env=False,
        )
        (exchange,) = replay.journal.all()
    assert answer.status_code == 400
    assert answer.json() == {
        "errors": [{"code": "InvalidInput", "message": UNMATCHED_MESSAGE, "details": ""}]
    }
    nearest = exchange.facts["replay"]["nearest"][0]
    assert nearest["differs"] == [
        "query MarketplaceIds: recorded ATVPDKIKX0DER, sent A1PA6795UKMFR9"
    ]


def test_the_reference_integration_replays_its_own_recording(
    upstream: Simulator, tmp_path: Path
) -> None:
    """Record sync_orders (RDT and PII included) through the proxy, replay it in a scenario."""
    spec = load_integration(ROOT / "examples" / "reference")
    args = {"marketplace_ids": ["ATVPDKIKX0DER", "A1PA6795UKMFR9"], "created_after": SINCE}
    upstream.reset(SimConfig(throttling=False))
    proxy = RecordingProxy(_upstream_of(upstream), name="reference")

    class Through:
        """The upstream simulator seen through the proxy: what ScenarioRun needs of a sim."""

        core = upstream.core
        journal = upstream.journal

        def reset(self, config: SimConfig | None = None) -> None:
            upstream.reset(SimConfig(throttling=False))

        def env(self) -> dict[str, str]:
            return {**upstream.env(), **proxy.env()}

    through = Through()
    with proxy, ScenarioRun(through, spec, "record", work_dir=tmp_path) as run:  # type: ignore[arg-type]
        recorded = run.act("sync_orders", **args)
    creds = upstream.core.credentials
    path = tmp_path / "reference" / "cassette.yaml"
    proxy.save(
        path,
        secrets=creds.secrets(),
        pii=upstream.core.state.pii_canaries(),
        seller_ids=[creds.seller_id],
    )
    assert recorded.ok, recorded.summary()

    with replay_simulator(load(path)) as replay:
        with ScenarioRun(replay, spec, "replay", work_dir=tmp_path) as run:
            replayed = run.act("sync_orders", **args)
        assert replay.core.misses == []  # type: ignore[attr-defined]
    assert replayed.ok, replayed.summary()
    assert recorded.result is not None
    assert replayed.result is not None
    ids = [o["amazon_order_id"] for o in replayed.result["orders"]]
    assert len(ids) == len(recorded.result["orders"]) > 0
    assert all(i.startswith("000-0000000-") for i in ids)
    assert {o["ship_to"]["name"] for o in replayed.result["orders"]} == {"[PII]"}


# -- vcrpy compatibility --------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection or DNS lookup beyond loopback fails the test."""
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"network access attempted: {address[0]}")
        return real_connect(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "::1", "localhost", None):
            raise AssertionError(f"DNS lookup attempted: {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_plain_vcrpy_replays_an_acorn_cassette(
    flow: tuple[Path, list[tuple[int, Any]]], tmp_path: Path, no_network: None
) -> None:
    # vcrpy may rewrite a cassette it played; give it a copy.
    path = tmp_path / "for-vcrpy.yaml"
    path.write_text(flow[0].read_text())
    recorded = flow[1]
    cassette = load(path)
    orders = next(i for i in cassette.interactions if i.operation == "getOrders")
    lwa = cassette.interactions[0]
    player = vcr.VCR(record_mode="none", match_on=["method", "scheme", "host", "path", "query"])
    with player.use_cassette(str(path)) as used, httpx.Client(trust_env=False) as client:
        token = client.post(lwa.request.uri, content=(lwa.request.body or "").encode())
        answer = client.get(orders.request.uri)
        assert used.play_count == 2
    # The URIs name Amazon's sandbox hosts; vcrpy answered without any network.
    assert orders.request.uri.startswith("https://sandbox.sellingpartnerapi-na.amazon.com/")
    assert token.json()["access_token"].startswith("Atza|***")
    assert answer.json() == json.loads(orders.response.body or "")
    assert answer.json()["payload"]["Orders"][0]["AmazonOrderId"] == "000-0000000-0000001"
    # The cassette differs from what the client saw live only where it was scrubbed.
    live = recorded[1][1]["payload"]["Orders"]
    assert [o["OrderStatus"] for o in answer.json()["payload"]["Orders"]] == [
        o["OrderStatus"] for o in live
    ]


def test_a_cassette_recorded_in_process_by_vcrpy_replays_in_acorn(
    upstream: Simulator, tmp_path: Path
) -> None:
    """The Python path: vcrpy records with ACORN's hooks (scrubbed), ACORN serves it."""
    upstream.reset(SimConfig(throttling=False))
    creds = upstream.core.credentials
    scrubber = Scrubber(secrets=creds.secrets(), seller_ids=[creds.seller_id])
    recorder = vcr.VCR(**scrubber.vcr_config(record_mode="once"))
    path = tmp_path / "in-process" / "cassette.yaml"
    env = upstream.env()
    with recorder.use_cassette(str(path)):
        client = BUNDLED.Client(env)
        client.login()
        client.call("GET", "/orders/v0/orders", params=ORDERS)
    text = path.read_text()
    for secret in [*creds.secrets(), *upstream.core.state.pii_canaries()]:
        assert secret not in text
    cassette = load(path)
    assert cassette.meta["format"] == 0  # vcrpy wrote it
    with replay_simulator(cassette) as replay:
        again = BUNDLED.Client(replay.env())
        again.login()
        again.call("GET", "/orders/v0/orders", params=ORDERS)
        assert replay.core.misses == []  # type: ignore[attr-defined]
    assert [s for s, _ in again.seen] == [s for s, _ in client.seen] == [200, 200]
    assert [b for _, b in again.seen] == [
        json.loads(i.response.body or "") for i in cassette.interactions
    ]
    assert again.seen[1][1]["payload"]["Orders"][0]["AmazonOrderId"].startswith("000-0000000-")


# -- the command line -----------------------------------------------------------------------


def _exports(stdout: IO[str]) -> dict[str, str]:
    """The ``export NAME='value'`` lines a running ``acorn serve``/``record`` prints, up to its
    "Ctrl-C" line."""
    env: dict[str, str] = {}
    for line in stdout:
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").strip().partition("=")
            env[name] = value.strip("'")
        if "Ctrl-C" in line:
            break
    return env


def _acorn(
    *args: str, env: dict[str, str] | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_production_hosts_are_refused_unless_allowed(tmp_path: Path) -> None:
    done = _acorn(
        "record",
        "--upstream",
        "https://sellingpartnerapi-eu.amazon.com",
        "--cassette",
        "prod",
        "--cassettes-dir",
        str(tmp_path),
    )
    assert done.returncode == 2, done.stderr
    assert "production" in done.stderr
    assert "--allow-production" in done.stderr
    assert not (tmp_path / "prod").exists()


def test_serve_cassette_replays_and_reports_misses(
    flow: tuple[Path, list[tuple[int, Any]]],
) -> None:
    path, recorded = flow
    server = subprocess.Popen(
        [sys.executable, "-m", "harness.cli.main", "serve", "--cassette", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert server.stdout is not None
        env = _exports(server.stdout)
        client = BUNDLED.Client(env)
        client.login()
        orders = client.call("GET", "/orders/v0/orders", params=ORDERS)
        missed = client.call("GET", "/sellers/v1/marketplaceParticipations")
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=10)
    recorded_orders = next(i for i in load(path).interactions if i.operation == "getOrders")
    assert orders == json.loads(recorded_orders.response.body or "")
    assert len(orders["payload"]["Orders"]) == len(recorded[1][1]["payload"]["Orders"])
    assert missed["errors"][0]["message"] == UNMATCHED_MESSAGE
    assert "no recorded answer for NA GET /sellers/v1/marketplaceParticipations" in stderr
    assert "nearest: entry" in stderr


def test_serve_with_a_broken_cassette_exits_2_naming_it(tmp_path: Path) -> None:
    broken = tmp_path / "broken" / "cassette.yaml"
    broken.parent.mkdir()
    broken.write_text("version: 1\ninteractions: [\n")
    done = _acorn("serve", "--cassette", str(broken))
    assert done.returncode == 2
    assert str(broken) in done.stderr
    assert "not valid YAML" in done.stderr
    assert "Traceback" not in done.stderr


def test_loading_a_cassette_of_another_api_version_fails_before_serving(tmp_path: Path) -> None:
    text = (
        "version: 1\ninteractions:\n- request: {method: GET, uri: "
        "'https://sandbox.sellingpartnerapi-na.amazon.com/orders/2099-01-01/orders', headers: {}, "
        "body: null}\n  response: {status: {code: 200, message: OK}, headers: {}, "
        "body: {string: '{}'}}\n"
    )
    path = tmp_path / "future" / "cassette.yaml"
    path.parent.mkdir()
    path.write_text(text)
    with pytest.raises(CassetteError, match=r"entry 0 \(GET /orders/2099-01-01/orders\)"):
        replay_simulator(load(path))


# -- the bundled cassettes replay to the clients that recorded them -------------------------


@pytest.mark.parametrize("name", ["sandbox-static-orders", "feed-polling"])
def test_a_bundled_cassette_replays_to_its_client(name: str) -> None:
    bundled = BUNDLED
    run = {"sandbox-static-orders": bundled.sandbox_orders, "feed-polling": bundled.feed_polling}[
        name
    ]
    cassette = load(ROOT / "cassettes" / name / "cassette.yaml")
    with replay_simulator(cassette) as replay:
        seen = run(replay.env(), poll=0) if name == "feed-polling" else run(replay.env())
        misses = replay.core.misses  # type: ignore[attr-defined]
        played = replay.core.player.played  # type: ignore[attr-defined]
    assert misses == []
    assert sorted(played) == list(range(len(cassette.interactions)))  # every entry was used
    assert [status for status, _ in seen] == [i.response.status for i in cassette.interactions]


def test_the_reference_integration_replays_the_bundled_order_sync() -> None:
    bundled = BUNDLED
    cassette = load(ROOT / "cassettes" / "reference-order-sync" / "cassette.yaml")
    with replay_simulator(cassette) as replay:
        result = bundled.reference_order_sync(replay.env())
        assert replay.core.misses == []  # type: ignore[attr-defined]
    assert {o["marketplace_id"] for o in result["orders"]} == set(
        bundled.REFERENCE_ARGS["marketplace_ids"]
    )
    assert all(o["ship_to"]["name"] == "[PII]" for o in result["orders"])


def test_pytest_recording_replays_a_bundled_acorn_cassette(tmp_path: Path) -> None:
    """@pytest.mark.vcr with ACORN's vcr_config, --record-mode=none and --block-network."""
    source = load(ROOT / "cassettes" / "reference-order-sync" / "cassette.yaml")
    orders = next(i for i in source.interactions if i.operation == "getOrders")
    expected = json.loads(orders.response.body or "")["payload"]["Orders"][0]["AmazonOrderId"]
    folder = tmp_path / "cassettes" / "test_replay"
    folder.mkdir(parents=True)
    (folder / "test_orders.yaml").write_text(
        (ROOT / "cassettes" / "reference-order-sync" / "cassette.yaml").read_text()
    )
    (tmp_path / "test_replay.py").write_text(
        "import httpx\nimport pytest\nfrom harness.cassettes import Scrubber\n\n\n"
        "@pytest.fixture(scope='module')\ndef vcr_config():\n"
        "    return Scrubber().vcr_config()\n\n\n"
        "@pytest.mark.vcr\ndef test_orders():\n"
        "    with httpx.Client(trust_env=False) as client:\n"
        f"        answer = client.get({orders.request.uri!r})\n"
        "    assert answer.status_code == 200\n"
        "    orders = answer.json()['payload']['Orders']\n"
        f"    assert orders[0]['AmazonOrderId'] == {expected!r}\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--record-mode=none",
            "--block-network",
            "test_replay.py",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_acorn_record_until_sigterm_writes_the_cassette(
    upstream: Simulator, tmp_path: Path
) -> None:
    """The interactive mode: print the endpoints, record until stopped, then save."""
    upstream.reset(_fast())
    e = upstream.endpoints
    args = ["--upstream", f"LWA={e.lwa_token_url}", "--upstream", f"NA={e.regions['NA']}"]
    recorder = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness.cli.main",
            "record",
            *args,
            "--cassette",
            "live",
            "--cassettes-dir",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert recorder.stdout is not None
        env = {**upstream.env(), **_exports(recorder.stdout)}
        client = BUNDLED.Client(env)
        client.login()
        client.call("GET", "/orders/v0/orders", params=ORDERS)
    finally:
        recorder.terminate()
        out, err = recorder.communicate(timeout=20)
    assert recorder.returncode == 0, err
    assert "recorded 2 exchanges" in out
    cassette = load(tmp_path / "live" / "cassette.yaml")
    assert [i.operation for i in cassette.interactions] == ["lwa", "getOrders"]
