"""ERR-07 and ERR-08 proven both ways: small purpose-built httpx clients, real loopback HTTP.

ERR-07: a client with read timeouts gives up on a stalled getOrders (and a held LWA token
request) and reports the operation; a client without one waits until the simulator gives up.
ERR-08: a client that handles a refused connection per region syncs the other regions and
reports the refused one; one that stops at the refusal, or swallows it, fails. The refused
endpoint is a loopback port nothing listens on, as in the refused-connection scenario.
Last, a bare urllib client run by the real command driver: without a timeout the driver kills
it (ERR-07 fails: a check never passes on a killed action); with one it passes.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from harness.checks import ERR_07, ERR_08, Observation
from harness.checks.errors_transport import REFUSED
from harness.checks.model import CheckResult
from harness.drive.base import ActionOutcome
from harness.drive.config import IntegrationSpec
from harness.drive.scenario import ScenarioRun
from harness.drive.setups import closed_loopback_port
from harness.sim import SimConfig
from harness.sim.faults import FaultPlan, FaultRule

US, DE, JP = "ATVPDKIKX0DER", "A1PA6795UKMFR9", "A1VC38T7YXB528"
ORDERS = "/orders/v0/orders"
SINCE = "2026-02-20T00:00:00Z"
HOLD = 10.0  # the shortest hold ERR-07 counts as a stall: a patient client costs this long


class Run:
    """One purpose-built integration's actions against the simulator, as a scenario sees them."""

    def __init__(self, world: Any, config: SimConfig) -> None:
        world.reset(config)
        self.world = world
        self.sim = world.sim
        self.outcomes: list[ActionOutcome] = []
        self.windows: list[tuple[float, float]] = []

    def act(self, args: dict[str, Any], body: Callable[[], dict[str, Any]]) -> None:
        start = self.sim.core.clock.wall_elapsed()
        try:
            result = body()
        except Exception as exc:  # an action that raises reports failure by its exception
            outcome = ActionOutcome("sync_orders", args, "raised", error=f"{exc!r}")
        else:
            status = "ok" if result.get("ok") else "failed"
            outcome = ActionOutcome("sync_orders", args, status, result=result)  # type: ignore[arg-type]
        self.windows.append((start, self.sim.core.clock.wall_elapsed()))
        self.outcomes.append(outcome)

    def judged(self, check: Any, expected: dict[str, Any] | None = None) -> CheckResult:
        obs = Observation(
            scenario="purpose-built",
            exchanges=self.sim.journal.all(),
            outcomes=self.outcomes,
            expected=expected or {},
            action_windows=self.windows,
        )
        result: CheckResult = check.evaluate(obs)
        return result


def orders(client: httpx.Client, base: str, token: str, marketplace: str) -> httpx.Response:
    return client.get(
        base + ORDERS,
        params={"MarketplaceIds": marketplace, "CreatedAfter": SINCE},
        headers={"x-amz-access-token": token},
    )


# -- ERR-07: every call is bounded in time ---------------------------------------------------


def stalled_orders(world: Any) -> Run:
    rule = FaultRule("getOrders", transport="stall", hold=HOLD)
    return Run(world, SimConfig(faults=FaultPlan((rule,), client_timeout=0.3)))


def test_err_07_passes_a_client_that_times_out_retries_and_reports(world) -> None:
    run = stalled_orders(world)
    token = world.access_token()

    def sync() -> dict[str, Any]:
        with httpx.Client(timeout=0.3, trust_env=False) as client:
            for attempt in range(3):
                try:
                    orders(client, world.base("NA"), token, US)
                except httpx.TimeoutException:
                    time.sleep(0.1 * 2**attempt)
                    continue
                return {"ok": True}
        return {"ok": False, "errors": [{"operation": "getOrders", "message": "read timeout"}]}

    run.act({"marketplace_ids": [US]}, sync)
    result = run.judged(ERR_07)

    assert result.status == "passed", result.explain()
    assert result.metrics["sp_api_stalls"] == 3
    assert result.metrics["longest_wait_s"] < 2.0


def test_err_07_fails_a_client_without_a_read_timeout(world) -> None:
    """It waits until the simulator closes the stalled connection, then even reports it."""
    run = stalled_orders(world)
    token = world.access_token()

    def sync() -> dict[str, Any]:
        with httpx.Client(timeout=None, trust_env=False) as client:
            try:
                orders(client, world.base("NA"), token, US)
            except httpx.HTTPError as exc:
                return {"ok": False, "errors": [{"operation": "getOrders", "message": repr(exc)}]}
        return {"ok": True}

    started = time.monotonic()
    run.act({"marketplace_ids": [US]}, sync)
    result = run.judged(ERR_07)

    assert time.monotonic() - started >= HOLD - 0.5  # the client really waited the stall out
    assert result.status == "failed"
    assert "getOrders was stalled for 10s" in result.summary
    assert "no read timeout" in result.summary


def test_err_07_judges_the_lwa_token_request_too(world) -> None:
    """The SP-API calls are bounded but the LWA call is not: the check fails; bounded, passes."""

    def token_then_orders(timeout: float | None) -> Callable[[], dict[str, Any]]:
        def sync() -> dict[str, Any]:
            with httpx.Client(timeout=timeout, trust_env=False) as client:
                for _ in range(2):
                    try:
                        token = client.post(world.lwa_url, data=world.refresh_form())
                    except httpx.TimeoutException:
                        continue
                    with httpx.Client(timeout=0.3, trust_env=False) as sp_api:
                        orders(sp_api, world.base("NA"), token.json()["access_token"], US)
                    return {"ok": True}
            return {"ok": False, "errors": [{"operation": "lwaTokenRefresh"}]}

        return sync

    bounded = Run(world, SimConfig(lwa_delay=HOLD))
    bounded.act({"marketplace_ids": [US]}, token_then_orders(0.3))
    passed = bounded.judged(ERR_07)
    unbounded = Run(world, SimConfig(lwa_delay=HOLD))
    unbounded.act({"marketplace_ids": [US]}, token_then_orders(None))
    failed = unbounded.judged(ERR_07)

    assert passed.status == "passed", passed.explain()
    assert passed.metrics["lwa_stalls"] == 2
    assert failed.status == "failed"
    assert "the LWA token request was stalled" in failed.summary


# -- ERR-08: a refused region costs only its marketplaces ------------------------------------


def multi_region(world: Any, on_refused: str) -> CheckResult:
    """Sync JP (refused FE endpoint, tried first), US and DE; ``on_refused`` says what the
    client does with the ConnectError: "record" and go on, "raise", or "swallow"."""
    run = Run(world, SimConfig(orders_per_marketplace=2, throttling=False))
    port = closed_loopback_port()
    bases = {"FE": f"http://127.0.0.1:{port}", "NA": world.base("NA"), "EU": world.base("EU")}
    token = world.access_token()

    def sync() -> dict[str, Any]:
        errors: list[dict[str, Any]] = []
        synced: list[str] = []
        with httpx.Client(timeout=2.0, trust_env=False) as client:
            for region, marketplace in (("FE", JP), ("NA", US), ("EU", DE)):
                try:
                    page = orders(client, bases[region], token, marketplace)
                except httpx.ConnectError as exc:
                    if on_refused == "raise":
                        raise
                    if on_refused == "record":
                        errors.append(
                            {"operation": "getOrders", "region": region,
                             "marketplace_ids": [marketplace], "message": repr(exc)}
                        )  # fmt: skip
                    continue
                for order in page.json()["payload"]["Orders"]:
                    oid = order["AmazonOrderId"]
                    client.get(
                        f"{bases[region]}{ORDERS}/{oid}/orderItems",
                        headers={"x-amz-access-token": token},
                    )
                    synced.append(oid)
        return {"ok": not errors, "errors": errors, "orders": synced}

    run.act({"marketplace_ids": [JP, US, DE]}, sync)
    refused = {"region": "FE", "marketplaces": [JP], "countries": ["JP"], "port": port}
    return run.judged(ERR_08, {REFUSED: refused})


def test_err_08_passes_a_client_that_records_the_refused_region_and_goes_on(world) -> None:
    result = multi_region(world, "record")

    assert result.status == "passed", result.explain()


def test_err_08_fails_a_client_that_stops_at_the_refused_connection(world) -> None:
    result = multi_region(world, "raise")

    assert result.status == "failed"
    assert f"orders of {US}, {DE} (other regions) were never listed" in result.summary


def test_err_08_fails_a_client_that_swallows_the_refused_connection(world) -> None:
    result = multi_region(world, "swallow")

    assert result.status == "failed"
    assert "reported ok although the FE endpoint refused" in result.summary


# -- ERR-07 through the real command driver: a killed action never passes -------------------

BARE_CLIENT = """
import json, os, sys, urllib.parse, urllib.request

timeout = float(sys.argv[1]) if len(sys.argv) > 1 else None  # none: urllib waits for ever
kw = {} if timeout is None else {"timeout": timeout}
args = json.load(sys.stdin)
env = os.environ
form = {"grant_type": "refresh_token", "refresh_token": env["ACORN_REFRESH_TOKEN"],
        "client_id": env["ACORN_CLIENT_ID"], "client_secret": env["ACORN_CLIENT_SECRET"]}
body = urllib.parse.urlencode(form).encode()
token = json.load(urllib.request.urlopen(env["ACORN_LWA_TOKEN_URL"], data=body))["access_token"]
query = urllib.parse.urlencode(
    {"MarketplaceIds": args["marketplace_ids"][0], "CreatedAfter": args["created_after"]})
request = urllib.request.Request(env["ACORN_ENDPOINT_NA"] + "/orders/v0/orders?" + query,
                                 headers={"x-amz-access-token": token})
try:
    urllib.request.urlopen(request, **kw)
except OSError as exc:
    print(json.dumps({"ok": False, "errors": [{"operation": "getOrders", "message": str(exc)}]}))
else:
    print(json.dumps({"ok": True}))
"""


def driven(world: Any, tmp_path: Path, command_args: str) -> CheckResult:
    """Run the bare urllib client as a command integration (3 s action timeout) against a
    stalled getOrders, through ScenarioRun and the command driver, and judge ERR-07."""
    (tmp_path / "bare_client.py").write_text(BARE_CLIENT)
    spec = IntegrationSpec(
        name="bare urllib client",
        version="0",
        driver="command",
        root=tmp_path,
        source=tmp_path / "acorn.toml",
        commands={"sync_orders": f"{sys.executable} bare_client.py {command_args}"},
        action_timeout=3.0,
    )
    rule = FaultRule("getOrders", transport="stall", hold=HOLD)
    config = SimConfig(faults=FaultPlan((rule,), client_timeout=0.3))
    with ScenarioRun(world.sim, spec, "stall", config, work_dir=tmp_path) as run:
        run.act("sync_orders", marketplace_ids=[US], created_after=SINCE)
    obs = Observation(
        scenario="stall",
        exchanges=run.exchanges,
        outcomes=run.outcomes,
        action_windows=run.action_windows,
    )
    result: CheckResult = ERR_07.evaluate(obs)
    return result


def test_err_07_fails_when_the_driver_has_to_kill_the_action(world, tmp_path: Path) -> None:
    result = driven(world, tmp_path, "")

    assert result.status == "failed"
    assert "the driver killed it after 3s while getOrders was stalled" in result.summary


def test_err_07_passes_the_same_client_with_a_timeout(world, tmp_path: Path) -> None:
    result = driven(world, tmp_path, "0.3")

    assert result.status == "passed", result.explain()
