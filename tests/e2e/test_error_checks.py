"""ERR-01..06 proven both ways: small purpose-built httpx clients against the real simulator.

Each test runs a client that handles a fault plan well and one that makes the mistake the
check is about, over loopback HTTP, then judges both from the simulator's journal. A check
that passed both (or failed both) would be a check that cannot tell them apart.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from harness.checks import ERR_01, ERR_02, ERR_03, ERR_04, ERR_05, ERR_06, Observation
from harness.checks.model import Canaries, CheckResult
from harness.drive.base import ActionOutcome
from harness.sim import SimConfig
from harness.sim.faults import FaultPlan, FaultRule

US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"
ORDERS = "/orders/v0/orders"
SINCE = "2026-02-20T00:00:00Z"
RETRYABLE = {500, 502, 503, 504}


class Client:
    """A purpose-built SP-API client whose error handling each test chooses."""

    def __init__(self, world: Any, *rules: FaultRule, orders_per_marketplace: int = 2) -> None:
        world.reset(
            SimConfig(
                faults=FaultPlan(rules, seed=1, client_timeout=0.3),
                orders_per_marketplace=orders_per_marketplace,
                throttling=False,
            )
        )
        self.world = world
        self.sim = world.sim
        self.token = world.access_token()
        self.http = httpx.Client(timeout=0.3, trust_env=False)
        self.log: list[str] = []
        self.outcomes: list[ActionOutcome] = []
        self.windows: list[tuple[float, float]] = []
        self.rng = random.Random(7)  # seeded jitter: the test is deterministic

    def send(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {"x-amz-access-token": self.token}
        return self.http.request(method, self.world.base("NA") + path, headers=headers, **kw)

    def act(self, name: str, body: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        start = self.sim.core.clock.wall_elapsed()
        result = body()
        self.windows.append((start, self.sim.core.clock.wall_elapsed()))
        status = "ok" if result.get("ok") else "failed"
        self.outcomes.append(ActionOutcome(name, {}, status, result))  # type: ignore[arg-type]
        return result

    def observe(self) -> Observation:
        creds = self.sim.core.credentials
        buyers = [o.buyer for o in self.sim.core.state.orders.values()]
        return Observation(
            scenario="purpose-built",
            exchanges=self.sim.journal.all(),
            outcomes=self.outcomes,
            output={"log file": "\n".join(self.log)},
            canaries=Canaries(
                secrets={
                    "LWA client secret": (creds.client_secret,),
                    "access token": (self.token,),
                },
                pii={"buyer name": tuple(b.name for b in buyers)},
            ),
            action_windows=self.windows,
        )

    def close(self) -> None:
        self.http.close()


def judged(check: Any, client: Client) -> CheckResult:
    client.close()
    result: CheckResult = check.evaluate(client.observe())
    return result


def orders_params() -> dict[str, str]:
    return {"MarketplaceIds": US, "CreatedAfter": SINCE}


# -- ERR-01: 400/404/413/415 are not re-sent unchanged ---------------------------------------


def refused_items_client(world: Any) -> Client:
    return Client(world, FaultRule("getOrders", preset="bad_request", on_calls=(1,)))


def test_err_01_passes_when_the_refused_request_is_not_resent(world) -> None:
    client = refused_items_client(world)
    client.act("sync_orders", lambda: {"ok": client.send("GET", ORDERS, params=orders_params())
                                       .status_code == 200})  # fmt: skip

    result = judged(ERR_01, client)

    assert result.status == "passed", result.explain()


def test_err_01_passes_when_the_request_is_fixed_before_sending_again(world) -> None:
    client = refused_items_client(world)

    def body() -> dict[str, Any]:
        client.send("GET", ORDERS, params=orders_params())
        fixed = {**orders_params(), "MaxResultsPerPage": "50"}  # a different request
        return {"ok": client.send("GET", ORDERS, params=fixed).status_code == 200}

    client.act("sync_orders", body)

    assert judged(ERR_01, client).status == "passed"


def test_err_01_fails_when_a_400_is_resent_unchanged(world) -> None:
    client = refused_items_client(world)

    def body() -> dict[str, Any]:
        for _ in range(3):  # "maybe it was a glitch"
            response = client.send("GET", ORDERS, params=orders_params())
        return {"ok": response.status_code == 200}

    client.act("sync_orders", body)
    result = judged(ERR_01, client)

    assert result.status == "failed"
    assert "sent again unchanged" in result.summary
    assert "x-amzn-RequestId" in result.evidence[0]


# -- ERR-02: growing, jittered, bounded backoff -----------------------------------------------


def transient_client(world: Any) -> Client:
    return Client(
        world,
        FaultRule("getOrders", on_calls=(1, 2), preset="service_unavailable"),
        FaultRule("getOrderItems", on_calls=(1, 2, 4, 5), preset="internal_failure"),
        FaultRule("getOrderItems", on_calls=(7,), transport="reset"),
        FaultRule("getOrder", preset="service_unavailable"),  # never recovers
    )


def with_retries(
    client: Client, path: str, *, attempts: int, delay: Callable[[int], float] | None
) -> httpx.Response | None:
    response = None
    for attempt in range(1, attempts + 1):
        try:
            response = client.send("GET", path)
        except httpx.TransportError:
            response = None
        if response is not None and response.status_code not in RETRYABLE:
            return response
        if attempt < attempts and delay is not None:
            time.sleep(delay(attempt))
        elif delay is None:
            return response  # gives up at once
    return response


def run_transient(client: Client, attempts: int, delay: Callable[[int], float] | None) -> None:
    def body() -> dict[str, Any]:
        listing = with_retries(
            client, f"{ORDERS}?MarketplaceIds={US}&CreatedAfter={SINCE}", attempts=attempts,
            delay=delay,
        )  # fmt: skip
        ok = listing is not None and listing.status_code == 200
        orders = listing.json()["payload"]["Orders"] if listing is not None and ok else []
        ids = [o["AmazonOrderId"] for o in orders]
        for oid in ids[:3]:
            with_retries(client, f"{ORDERS}/{oid}/orderItems", attempts=attempts, delay=delay)
        if ids:
            with_retries(client, f"{ORDERS}/{ids[0]}", attempts=attempts, delay=delay)
        return {"ok": True}

    client.act("sync_orders", body)


def test_err_02_passes_with_exponential_jittered_bounded_backoff(world) -> None:
    client = transient_client(world)
    run_transient(
        client, 5, lambda n: (s := 0.12 * 2 ** (n - 1)) / 2 + client.rng.uniform(0, s / 2)
    )

    result = judged(ERR_02, client)

    assert result.status == "passed", result.explain()
    assert result.metrics["jitter_judged"] is True


def test_err_02_fails_on_immediate_unbounded_retries(world) -> None:
    client = transient_client(world)
    run_transient(client, 10, lambda n: 0.0)

    result = judged(ERR_02, client)

    assert result.status == "failed"
    assert "no backoff" in result.summary
    assert "unbounded" in result.summary


def test_err_02_fails_when_giving_up_on_the_first_503(world) -> None:
    client = transient_client(world)
    run_transient(client, 1, None)

    result = judged(ERR_02, client)

    assert result.status == "failed"
    assert "never retried" in result.summary


def test_err_02_fails_on_identical_delays_without_jitter(world) -> None:
    client = transient_client(world)
    # Waits long enough that a loaded machine's stalls (tens of ms) stay under the spread
    # ERR-02 reads as jitter (15 % of the wait): 0.3 s, 0.6 s, 1.2 s, the same for every request.
    run_transient(client, 4, lambda n: 0.3 * 2 ** (n - 1))

    result = judged(ERR_02, client)

    assert result.status == "failed", result.metrics
    assert "no jitter" in result.summary


# -- ERR-03: no duplicate writes after an ambiguous failure ------------------------------------


STOCK = [{"fulfillment_channel_code": "DEFAULT", "quantity": 9}]
PATCH = {
    "productType": "HOME_BED_AND_BATH",
    "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability", "value": STOCK}],
}


def ambiguous_write_client(world: Any) -> tuple[Client, str]:
    client = Client(
        world,
        FaultRule("patchListingsItem", on_calls=(1,), preset="internal_failure", after_write=True),
    )
    return client, f"/listings/2021-08-01/items/{world.creds.seller_id}/ACORN-MUG-01"


def test_err_03_passes_when_the_client_reads_back_before_retrying(world) -> None:
    client, path = ambiguous_write_client(world)

    def body() -> dict[str, Any]:
        response = client.send("PATCH", path, params={"marketplaceIds": US}, json=PATCH)
        if response.status_code >= 500:
            back = client.send(
                "GET", path, params={"marketplaceIds": US, "includedData": "attributes"}
            )
            landed = back.status_code == 200 and back.json()["attributes"].get(
                "fulfillment_availability") == STOCK  # fmt: skip
            if not landed:
                response = client.send("PATCH", path, params={"marketplaceIds": US}, json=PATCH)
        return {"ok": True}

    client.act("update_inventory", body)
    result = judged(ERR_03, client)

    assert result.status == "passed", result.explain()
    assert len(world.sim.core.state.listings["ACORN-MUG-01"].offers[US].submissions) == 1


def test_err_03_fails_when_the_write_is_retried_blindly(world) -> None:
    client, path = ambiguous_write_client(world)

    def body() -> dict[str, Any]:
        for _ in range(3):
            response = client.send("PATCH", path, params={"marketplaceIds": US}, json=PATCH)
            if response.status_code < 500:
                break
        return {"ok": True}

    client.act("update_inventory", body)
    result = judged(ERR_03, client)

    assert result.status == "failed"
    assert "applied 2 times" in result.summary
    assert len(world.sim.core.state.listings["ACORN-MUG-01"].offers[US].submissions) == 2


# -- ERR-04: failures are surfaced with the request id ----------------------------------------


def failing_sync(world: Any, report: Callable[[httpx.Response], dict[str, Any]]) -> CheckResult:
    client = Client(world, FaultRule("getOrders", preset="bad_request"))
    client.act("sync_orders", lambda: report(client.send("GET", ORDERS, params=orders_params())))
    return judged(ERR_04, client)


def test_err_04_passes_when_the_failure_is_reported_with_its_request_id(world) -> None:
    def report(response: httpx.Response) -> dict[str, Any]:
        rid = response.headers["x-amzn-RequestId"]
        error = {"operation": "getOrders", "status": response.status_code, "request_id": rid}
        return {"ok": False, "errors": [error]}

    result = failing_sync(world, report)

    assert result.status == "passed", result.explain()


def test_err_04_fails_when_the_action_pretends_success(world) -> None:
    result = failing_sync(world, lambda response: {"ok": True, "errors": [], "orders": []})

    assert result.status == "failed"
    assert "reported ok although getOrders failed" in result.summary


def test_err_04_fails_when_the_request_id_is_not_named(world) -> None:
    result = failing_sync(world, lambda response: {"ok": False, "errors": [{"status": 400}]})

    assert result.status == "failed"
    assert "did not name x-amzn-RequestId" in result.summary


# -- ERR-05: one failing item does not stop the batch ----------------------------------------


def batch_client(world: Any, *, stop_at_first_failure: bool) -> Client:
    client = Client(
        world, FaultRule("getOrderItems", on_calls=(1,), preset="bad_request"),
        orders_per_marketplace=3,
    )  # fmt: skip

    def body() -> dict[str, Any]:
        listing = client.send("GET", ORDERS, params=orders_params()).json()["payload"]["Orders"]
        orders, errors = [], []
        for order in listing:
            items = client.send("GET", f"{ORDERS}/{order['AmazonOrderId']}/orderItems")
            if items.status_code != 200:
                errors.append({"request_id": items.headers["x-amzn-RequestId"]})
                if stop_at_first_failure:
                    break
                continue
            orders.append({"amazon_order_id": order["AmazonOrderId"], "items": [{"q": 1}]})
        return {"ok": not errors, "errors": errors, "orders": orders}

    client.act("sync_orders", body)
    return client


def test_err_05_passes_when_the_other_orders_are_synced(world) -> None:
    result = judged(ERR_05, batch_client(world, stop_at_first_failure=False))

    assert result.status == "passed", result.explain()


def test_err_05_fails_when_one_order_stops_the_sync(world) -> None:
    result = judged(ERR_05, batch_client(world, stop_at_first_failure=True))

    assert result.status == "failed"
    assert "were not synced" in result.summary


# -- ERR-06: failed exchanges are logged, without secrets or PII ------------------------------


def logging_client(world: Any, log_line: Callable[[Client, httpx.Response], str | None]) -> Client:
    client = Client(world, FaultRule("getOrders", on_calls=(1,), preset="service_unavailable"))

    def body() -> dict[str, Any]:
        for _ in range(2):
            response = client.send("GET", ORDERS, params=orders_params())
            if response.status_code == 200:
                return {"ok": True}
            line = log_line(client, response)
            if line:
                client.log.append(line)
            time.sleep(0.1)
        return {"ok": False}

    client.act("sync_orders", body)
    return client


def good_line(client: Client, response: httpx.Response) -> str:
    rid = response.headers["x-amzn-RequestId"]
    return f"WARNING operation=getOrders status={response.status_code} request_id={rid} retrying"


def test_err_06_passes_with_one_usable_line_per_failure(world) -> None:
    result = judged(ERR_06, logging_client(world, good_line))

    assert result.status == "passed", result.explain()


def test_err_06_fails_when_failures_are_not_logged(world) -> None:
    result = judged(ERR_06, logging_client(world, lambda client, response: None))

    assert result.status == "failed"
    assert "is not in the log" in result.summary


def test_err_06_fails_when_the_log_leaks_the_token(world) -> None:
    def leaky(client: Client, response: httpx.Response) -> str:
        return good_line(client, response) + f" headers={{'x-amz-access-token': '{client.token}'}}"

    result = judged(ERR_06, logging_client(world, leaky))

    assert result.status == "failed"
    assert "secret 'access token' appears in log file" in result.summary
    assert all(result.summary.count(v) == 0 for v in (world.sim.core.credentials.client_secret,))


@pytest.mark.parametrize("check", [ERR_01, ERR_02, ERR_03, ERR_04, ERR_05, ERR_06])
def test_checks_skip_when_nothing_failed(world, check: Any) -> None:
    client = Client(world)
    client.act("sync_orders", lambda: {"ok": client.send("GET", ORDERS, params=orders_params())
                                       .status_code == 200})  # fmt: skip

    assert judged(check, client).status == "skipped"
