"""How long contract validation adds to one getOrders exchange (target: median < 1 ms).

A getOrders request as integrations send it (marketplaces, dates, statuses, page size) and the
response to it, validated the way the simulator does (harness.sim.validate): the request
against the operation's parameters, the body against the 200 schema. The response is Amazon's
published getOrders example (the static sandbox case) with its orders repeated to a full page.
Figures go to stdout; nothing is asserted (a benchmark, not a timed test).

    .venv/bin/python benchmarks/bench_validation.py [MODELS_DIR]
"""

from __future__ import annotations

import copy
import json
import statistics
import time
from typing import Any

from _models import models_dir

from harness.contracts import load_contracts
from harness.contracts.swagger import read_models
from harness.sim.http import SimRequest
from harness.sim.validate import validate_request, validate_response

RUNS = 2000


def _published_orders() -> dict[str, Any]:
    models = read_models(models_dir())
    op = next(o for o in models.operations if o.route == ("GET", "/orders/v0/orders"))
    case = next(c for c in op.sandbox if c.status == 200)
    return copy.deepcopy(case.body)


def _page(orders: int) -> dict[str, Any]:
    body = _published_orders()
    template = body["payload"]["Orders"]
    body["payload"]["Orders"] = [
        {**copy.deepcopy(template[i % len(template)]), "AmazonOrderId": f"902-{i:07d}-5435065"}
        for i in range(orders)
    ]
    body["payload"]["NextToken"] = "2YgYW55IGNhcm5hbCBwbGVhc3VyZS4"
    return body


def _request() -> SimRequest:
    return SimRequest(
        method="GET",
        path="/orders/v0/orders",
        query={
            "MarketplaceIds": ["A1PA6795UKMFR9,A13V1IB3VIYZZH,APJ6JRA9NG5V4"],
            "CreatedAfter": ["2026-03-01T00:00:00Z"],
            "OrderStatuses": ["Unshipped,PartiallyShipped"],
            "FulfillmentChannels": ["MFN"],
            "MaxResultsPerPage": ["100"],
        },
        headers={"x-amz-access-token": "Atza|benchmark", "user-agent": "bench/1.0"},
        body=b"",
    )


def _measure(op: Any, request: SimRequest, body: Any) -> tuple[float, list[float]]:
    started = time.perf_counter()
    first = validate_request(op, request, {}) + validate_response(op, 200, body)
    cold = (time.perf_counter() - started) * 1000
    assert first == [], first  # the exchange is valid: we time the common path
    samples = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        validate_request(op, request, {})
        validate_response(op, 200, body)
        samples.append((time.perf_counter() - t0) * 1000)
    return cold, samples


def main() -> None:
    op = load_contracts().operation("orders/v0/getOrders")
    request = _request()
    print(f"getOrders request + response validation, {RUNS} runs each (ms)")
    for orders in (2, 20, 100):
        body = _page(orders)
        size = len(json.dumps(body))
        cold, samples = _measure(op, request, body)
        q = statistics.quantiles(samples, n=100)
        median = statistics.median(samples)
        print(
            f"  {orders:>3} orders ({size / 1024:6.1f} KiB): median {median:.3f}"
            f"  p90 {q[89]:.3f}  p99 {q[98]:.3f}  first call (compiles) {cold:.2f}"
        )


if __name__ == "__main__":
    main()
