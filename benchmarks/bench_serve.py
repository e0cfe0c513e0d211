"""The simulator against Prism, interleaved in one run (issue 18's goals).

Measures, for ``acorn serve --no-throttling`` (full semantics otherwise: token check, buckets
computed, request validation, journal) and Prism mocking Amazon's ordersV0.json (default
logging and ``-v silent``):

- getOrders GET: wrk, 1 thread, 10 connections, ``--rounds`` rounds with the servers
  interleaved (each round runs every server once, so machine noise hits all alike); median
  req/s and median p99 over the rounds;
- getOrders GET at a steady ``--rate`` req/s (open loop, latency from when each request was
  due; wrk2 is not packaged here): p50/p99/max;
- the validated listings PUT (ACORN validates the body against the request schema and the
  LUGGAGE product type; Prism against listingsItems_2021-08-01.json): median req/s;
- ``--soak MINUTES``: the simulator's RSS every minute at ``--rate`` req/s.

Prism is installed with npm into ``--scratch`` (default $TMPDIR/acorn-bench). Prints figures,
asserts nothing. Needs wrk (``apt-get install wrk``) and node/npm.

    .venv/bin/python benchmarks/bench_serve.py [--rounds 3] [--seconds 10] [--soak 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _servers import (
    ORDERS_PATH,
    PUT_BODY,
    Server,
    have,
    install_prism,
    paced,
    scratch_dir,
    start_acorn,
    start_prism,
    wrk,
)


def _models(arg: str | None) -> Path:
    root = Path(arg or os.environ.get("ACORN_MODELS_DIR") or "../shared/reference/sp-api-models")
    return root / "models"


def _line(name: str, values: list[float], unit: str) -> str:
    each = ", ".join(f"{v:.1f}" for v in values)
    return f"  {name:<52} median {statistics.median(values):8.1f} {unit}  ({each})"


def _start(args: argparse.Namespace, scratch: Path, servers: list[Server]) -> None:
    servers.append(start_acorn(18900, quiet=False, scratch=scratch))
    servers.append(start_acorn(18910, quiet=True, scratch=scratch))
    if args.before:
        servers.append(start_acorn(18930, quiet=False, scratch=scratch, source=args.before))
    if args.no_prism:
        return
    prism = install_prism(scratch)
    models = _models(args.models)
    orders = models / "orders-api-model" / "ordersV0.json"
    listings = models / "listings-items-api-model" / "listingsItems_2021-08-01.json"
    for port, model, silent, kind in (
        (18920, orders, False, "get"),
        (18921, orders, True, "get"),
        (18922, listings, False, "put"),
        (18923, listings, True, "put"),
    ):
        servers.append(start_prism(prism, model, port, silent=silent, scratch=scratch, kind=kind))


def _rounds(args: argparse.Namespace, servers: list[Server]) -> dict[str, dict[str, list[float]]]:
    """wrk on every server once per round, GETs then PUTs, so noise hits all alike."""
    results = {
        s.name: {"get_rps": [], "get_p99": [], "put_rps": [], "put_p99": []} for s in servers
    }
    for round_ in range(args.rounds):
        print(f"round {round_ + 1}/{args.rounds}", flush=True)
        for kind in ("get", "put"):
            for s in (s for s in servers if kind in s.kinds):
                url = s.base + (ORDERS_PATH if kind == "get" else s.put_path)
                r = wrk(
                    url,
                    s.headers,
                    seconds=args.seconds,
                    method="GET" if kind == "get" else "PUT",
                    body=None if kind == "get" else PUT_BODY,
                )
                if r.non2xx or r.errors:
                    print(f"  {s.name} {kind}: {r.non2xx} non-2xx, socket errors {r.errors}")
                results[s.name][f"{kind}_rps"].append(r.rps)
                results[s.name][f"{kind}_p99"].append(r.p99_ms)
    return results


def _soak(args: argparse.Namespace, target: Server) -> list[tuple[int, int]]:
    print(f"\nsoak: {target.name} at {args.rate:g} req/s for {args.soak:g} min, RSS")
    soak: list[tuple[int, int]] = []
    started = time.monotonic()
    minute = 0
    while (elapsed := time.monotonic() - started) < args.soak * 60 - 1:
        paced(target, ORDERS_PATH, args.rate, min(60.0, args.soak * 60 - elapsed))
        minute += 1
        rss = target.rss_kb()
        soak.append((minute, rss))
        print(f"  minute {minute:3d}: RSS {rss / 1024:7.1f} MiB", flush=True)
    if len(soak) >= 2:
        first, last = soak[0][1], soak[-1][1]
        print(f"  minute 1 -> {soak[-1][0]}: {100 * (last - first) / first:+.1f} %")
    return soak


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("models", nargs="?", help="Amazon's models checkout")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10, help="per wrk run")
    parser.add_argument("--rate", type=float, default=200.0, help="paced req/s")
    parser.add_argument("--paced-seconds", type=float, default=20.0)
    parser.add_argument("--soak", type=float, default=0.0, help="minutes of RSS soak (0: none)")
    parser.add_argument("--scratch", help="folder for Prism's npm install and server logs")
    parser.add_argument("--no-prism", action="store_true", help="measure the simulator only")
    parser.add_argument("--json", help="write the figures to this file too")
    parser.add_argument(
        "--before",
        type=Path,
        help="also serve ACORN from this source tree (e.g. `git archive` of an earlier commit)",
    )
    args = parser.parse_args()
    if not have("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    servers: list[Server] = []
    try:
        _start(args, scratch_dir(args.scratch), servers)
        results = _rounds(args, servers)
        for kind, title in (
            ()
            if not args.rounds
            else (
                ("get", f"getOrders GET, wrk -t1 -c10 -d{args.seconds}s"),
                ("put", "validated listings PUT (putListingsItem), wrk -t1 -c10"),
            )
        ):
            print(f"\n{title}, {args.rounds} rounds interleaved")
            for s in (s for s in servers if kind in s.kinds):
                print(_line(s.name + " req/s", results[s.name][f"{kind}_rps"], "req/s"))
                print(_line(s.name + " p99", results[s.name][f"{kind}_p99"], "ms"))
        print(f"\ngetOrders GET at a steady {args.rate:g} req/s for {args.paced_seconds:g} s")
        paced_results = {}
        for s in (s for s in servers if "get" in s.kinds):
            got = paced(s, ORDERS_PATH, args.rate, args.paced_seconds)
            paced_results[s.name] = got
            print(
                f"  {s.name:<52} p50 {got['p50_ms']:6.2f} ms  p99 {got['p99_ms']:6.2f} ms  "
                f"max {got['max_ms']:6.2f} ms  ({int(got['n'])} requests)"
            )
        soak = _soak(args, servers[1]) if args.soak > 0 else []
        if args.json:
            figures = {"wrk": results, "paced": paced_results, "soak": soak}
            Path(args.json).write_text(json.dumps(figures, indent=1))
    finally:
        for s in servers:
            s.stop()


if __name__ == "__main__":
    main()
