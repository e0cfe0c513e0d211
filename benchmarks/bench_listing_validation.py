"""Listing payload validations per second against the largest product type schema.

Prints, per engine, payloads per second on one core (CPU time of this process, best of several
rounds, so other load on a shared machine counts less), for valid payloads and for invalid
payloads with every error collected; then throughput with 1..N worker processes.

Goal (issue 7): >= 20,000 valid/s and >= 4,000 all-errors/s per core with Amazon's keywords on,
and near-linear scaling with processes. Run::

    .venv/bin/python benchmarks/bench_listing_validation.py [--seconds 2] [--processes 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from collections.abc import Callable
from multiprocessing import get_context
from typing import Any

from harness.contracts import load_product_types
from harness.contracts.amazon_vocabulary import META_SCHEMA_URI, VOCABULARY_URI, rust_keywords
from harness.contracts.listing_samples import MUTATIONS, sample_attributes


def largest() -> tuple[str, str, int]:
    catalog = load_product_types()
    sizes = [
        (catalog.schema(pt, mp.id).size, pt, mp.country)
        for pt in catalog.product_types
        for mp in catalog.marketplaces_for(pt)
    ]
    size, pt, country = max(sizes)
    return pt, country, size


def payloads(pt: str, country: str, count: int) -> tuple[list[Any], list[Any]]:
    schema = load_product_types().schema(pt, country).schema
    valid = [sample_attributes(schema, random.Random(i), optional=0.5) for i in range(count)]
    broken = []
    for i, good in enumerate(valid):
        rng = random.Random(-i)
        attrs = good
        for name in sorted(MUTATIONS, reverse=True):  # drop-required last, so others apply
            result = MUTATIONS[name](attrs, schema, rng)
            if result is not None:
                attrs = result[0]
        broken.append(attrs)
    return valid, broken


def per_core(fn: Callable[[Any], Any], data: list[Any], seconds: float) -> float:
    """Best rate over rounds of the whole list, timed in process CPU time."""
    rates = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(rates) < 3:
        start = time.process_time()
        for item in data:
            fn(item)
        spent = time.process_time() - start
        rates.append(len(data) / spent if spent > 0 else float("inf"))
    return max(rates)


def _naive_rust(schema: dict[str, Any], meta: dict[str, Any]) -> Any:
    import jsonschema_rs

    return jsonschema_rs.Draft201909Validator(
        schema,
        registry=jsonschema_rs.Registry([(META_SCHEMA_URI, meta)]),
        keywords=rust_keywords(),
        vocabularies=[VOCABULARY_URI],
        validate_formats=False,
    )


def _worker(args: tuple[str, str, float, int]) -> tuple[int, float, float]:
    pt, country, seconds, count = args
    validator = load_product_types().validator(pt, country)
    valid, _ = payloads(pt, country, count)
    done = 0
    start, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        for item in valid:
            validator.issues(item)
        done += len(valid)
    return done, time.perf_counter() - start, time.process_time() - cpu


def scaling(
    pt: str, country: str, processes: int, seconds: float
) -> list[tuple[int, float, float]]:
    """(processes, payloads/s of wall time, payloads/s of CPU time summed over workers)."""
    out = []
    ctx = get_context("spawn")
    for n in range(1, processes + 1):
        with ctx.Pool(n) as pool:
            results = pool.map(_worker, [(pt, country, seconds, 100)] * n)
        total = sum(done for done, _, _ in results)
        wall = max(spent for _, spent, _ in results)
        cpu_rate = sum(done / cpu for done, _, cpu in results if cpu > 0)
        out.append((n, total / wall, cpu_rate))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per measurement")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--payloads", type=int, default=200)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    pt, country, size = largest()
    catalog = load_product_types()
    schema = catalog.schema(pt, country).schema
    valid, broken = payloads(pt, country, args.payloads)
    fast = catalog.validator(pt, country)
    reference = catalog.validator(pt, country, engine="reference")
    naive = _naive_rust(schema, catalog.meta_schema)
    mean_bytes = statistics.mean(len(json.dumps(p, ensure_ascii=False)) for p in valid)
    mean_issues = statistics.mean(len(fast.issues(p)) for p in broken)
    assert all(not fast.issues(p) for p in valid), "sample payloads must be valid"
    print(f"schema {pt}/{country}: {size:,} bytes; payloads {mean_bytes:,.0f} bytes on average")
    print(f"invalid payloads carry {mean_issues:.1f} issues on average\n")

    rows: list[tuple[str, Callable[[Any], Any], Callable[[Any], Any], int]] = [
        ("fast: ACORN fast path, issues()", fast.issues, fast.issues, len(valid)),
        (
            "jsonschema-rs + Amazon keywords, no fast-path plan (is_valid / iter_errors)",
            naive.is_valid,
            lambda p: list(naive.iter_errors(p)),
            len(valid),
        ),
        ("reference: python-jsonschema, issues()", reference.issues, reference.issues, 20),
    ]
    figures: dict[str, Any] = {"schema": f"{pt}/{country}", "schema_bytes": size}
    print("| engine | valid /s per core | all errors /s per core |")
    print("|---|---:|---:|")
    for label, on_valid, on_broken, count in rows:
        v = per_core(on_valid, valid[:count], args.seconds)
        b = per_core(on_broken, broken[:count], args.seconds)
        figures[label] = {"valid": round(v), "all_errors": round(b)}
        print(f"| {label} | {v:,.0f} | {b:,.0f} |")

    print(f"\nload average before scaling: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| processes | valid /s (wall) | speed-up | valid /s (sum of per-process CPU) |")
    print("|---:|---:|---:|---:|")
    base = None
    figures["scaling"] = []
    for n, rate, cpu_rate in scaling(pt, country, args.processes, args.seconds):
        base = base or rate
        figures["scaling"].append(
            {"processes": n, "wall_per_second": round(rate), "cpu_per_second": round(cpu_rate)}
        )
        print(f"| {n} | {rate:,.0f} | {rate / base:.2f}x | {cpu_rate:,.0f} |")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(figures, handle, indent=2)


if __name__ == "__main__":
    main()
