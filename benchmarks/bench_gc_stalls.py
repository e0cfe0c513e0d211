"""How long the garbage collector can stall a simulator that shares its process.

An ``acorn run`` hosts the simulators in the pytest process, beside the harness, the contracts
and whatever the run has loaded. A full collection walks all of it while the simulator answers
nothing. This starts a ``Simulator`` in a process holding OBJECTS other tracked objects, keeps
the process allocating as a test run does, and sends getOrders at a steady 200 req/s; the
latency of each request counts from when it was due. Run once as ACORN runs (the older heap
frozen while the simulator serves, harness.sim.collector) and once without the freeze.
Figures go to stdout; nothing is asserted.

    .venv/bin/python benchmarks/bench_gc_stalls.py [--objects 800000] [--requests 3000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from pathlib import Path
from unittest import mock

import httpx

from harness.sim import SimConfig, SimCore, Simulator, collector

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _servers import ORDERS_PATH, paced_latencies

RATE = 200.0


def _latencies(requests: int) -> list[float]:
    core = SimCore(config=SimConfig(throttling=False))
    creds = core.credentials
    stop = threading.Event()

    def churn() -> None:  # a test process keeps allocating: pytest, checks, the integration
        junk: list[list[dict[str, list[int]]]] = []
        while not stop.is_set():
            junk.append([{"a": [1]} for _ in range(200)])
            if len(junk) > 50:
                junk.clear()
            time.sleep(0.001)

    with Simulator(core=core) as sim:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": creds.refresh_token,
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
        }
        token = httpx.post(sim.endpoints.lwa_token_url, data=form).json()["access_token"]
        worker = threading.Thread(target=churn)
        worker.start()
        try:  # one connection: a stall holds back every request due after it
            got = paced_latencies(
                sim.endpoints.regions["NA"],
                {"x-amz-access-token": token},
                ORDERS_PATH,
                RATE,
                requests / RATE,
                conns=1,
            )
        finally:
            stop.set()
            worker.join()
    return [seconds * 1000 for seconds in got]


def _line(name: str, lat: list[float]) -> str:
    def at(q: float) -> float:
        return lat[min(len(lat) - 1, int(len(lat) * q))]

    return (
        f"{name:<34} p50 {at(0.5):6.2f}  p99 {at(0.99):6.2f}  p99.9 {at(0.999):7.2f}  "
        f"max {lat[-1]:7.2f} ms  ({len(lat)} requests)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=800_000)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2, help="fresh processes per way")
    parser.add_argument("--mode", choices=["frozen", "open"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode is None:  # each way in fresh processes, alternating, so neither inherits
        print(f"getOrders at {RATE:.0f} req/s beside {args.objects:,} other objects' dicts")
        for _ in range(args.rounds):
            for mode in ("frozen", "open"):
                argv = [sys.executable, __file__, "--mode", mode]
                argv += ["--objects", str(args.objects), "--requests", str(args.requests)]
                subprocess.run(argv, check=True)
        return
    heap = [{"k": [i, str(i)], "v": {"n": i}} for i in range(args.objects)]
    if args.mode == "frozen":
        print(_line("older heap frozen (as ACORN runs)", _latencies(args.requests)), flush=True)
    else:
        with mock.patch.object(collector, "serving"), mock.patch.object(collector, "served"):
            print(_line("no freeze", _latencies(args.requests)), flush=True)
    del heap


if __name__ == "__main__":
    main()
