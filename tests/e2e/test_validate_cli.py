"""``acorn validate`` end to end: a generated 10,000-listing catalog through the real command."""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from harness.contracts import load_product_types
from harness.contracts.listing_samples import MUTATIONS, merge_marketplaces, sample_attributes

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PT_ROOT = ROOT / "contracts" / "product-types"
TARGETS = ("DE", "FR", "JP")


def acorn(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli.main", "validate", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {}), "COLUMNS": "160"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _issues(out: Path) -> dict[tuple[int, str], set[tuple[str, str]]]:
    found: dict[tuple[int, str], set[tuple[str, str]]] = {}
    with (out / "issues.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            key = (int(row["line"]), row["marketplaceId"])
            found.setdefault(key, set()).add((row["code"], row["attributeNames"]))
    return found


class Catalog:
    """A generated catalog and what each line should produce."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.expected: dict[tuple[int, str], tuple[str, str]] = {}
        self.valid: set[tuple[int, str]] = set()
        self.lines = 0


def _write_catalog(path: Path, count: int) -> Catalog:
    catalog = load_product_types()
    rng = random.Random(20261126)
    ids = {c: catalog.marketplace(c).id for c in (*TARGETS, "US")}
    pool: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for pt in catalog.product_types:
        for country in (*TARGETS, "US"):
            schema = catalog.schema(pt, country).schema
            pool[(pt, country)] = [
                sample_attributes(schema, random.Random(f"{pt}-{country}-{i}")) for i in range(6)
            ]
    out = Catalog(path)
    mutations = sorted(MUTATIONS)
    with path.open("w", encoding="utf-8") as handle:

        def emit(payload: Any) -> int:
            handle.write(json.dumps(payload, ensure_ascii=False) + "\n")
            out.lines += 1
            return out.lines

        for i in range(count):
            pt = catalog.product_types[i % len(catalog.product_types)]
            if i % 50 == 0:  # one payload for all targets, items carry their marketplace_id
                merged = merge_marketplaces([rng.choice(pool[(pt, c)]) for c in TARGETS])
                line = emit({"sku": f"M-{i}", "productType": pt, "attributes": merged})
                out.valid.update((line, ids[c]) for c in TARGETS)
                continue
            if i % 50 == 25:  # the naive export: US attributes sent to Germany
                us = rng.choice(pool[(pt, "US")])
                line = emit(
                    {"sku": f"US-{i}", "productType": pt, "marketplaceIds": [ids["DE"]],
                     "attributes": us}
                )  # fmt: skip
                out.expected[(line, ids["DE"])] = ("90220", "item_name")
                continue
            country = TARGETS[i % len(TARGETS)]
            attrs = rng.choice(pool[(pt, country)])
            payload: dict[str, Any] = {"sku": f"S-{i}", "productType": pt,
                                       "marketplaceIds": [ids[country]]}  # fmt: skip
            mutated = None
            if i % 7 == 0:
                schema = catalog.schema(pt, country).schema
                mutated = MUTATIONS[mutations[(i // 7) % len(mutations)]](attrs, schema, rng)
            payload["attributes"] = mutated[0] if mutated else attrs
            line = emit(payload)
            if mutated:
                out.expected[(line, ids[country])] = (mutated[1].code, mutated[1].attribute)
            else:
                out.valid.add((line, ids[country]))
        handle.write("{this line is not JSON\n")
        handle.write(json.dumps({"sku": "X-1", "productType": "SOFA", "attributes": {}}) + "\n")
        handle.write(json.dumps({"sku": "X-2", "productType": "LUGGAGE"}) + "\n")
    return out


@pytest.fixture(scope="module")
def big_catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return _write_catalog(tmp_path_factory.mktemp("catalog") / "catalog.jsonl", 10_000)


@pytest.fixture(scope="module")
def big_run(
    big_catalog: Catalog, tmp_path_factory: pytest.TempPathFactory
) -> tuple[subprocess.CompletedProcess[str], Path, float]:
    out = tmp_path_factory.mktemp("out")
    started = time.perf_counter()
    result = acorn(
        str(big_catalog.path), "--marketplaces", "DE,FR,JP", "--processes", "2", "--out", str(out)
    )
    return result, out, time.perf_counter() - started


def test_ten_thousand_listings_each_get_their_issues(
    big_catalog: Catalog, big_run: tuple[subprocess.CompletedProcess[str], Path, float]
) -> None:
    result, out, seconds = big_run
    assert result.returncode == 2, result.stderr  # input problems, rest validated
    summary = json.loads((out / "summary.json").read_text())
    assert summary["lines"] == big_catalog.lines + 3
    assert big_catalog.lines >= 10_000
    expected_checks = len(big_catalog.expected) + len(big_catalog.valid)
    assert summary["listing_checks"] == expected_checks
    found = _issues(out)
    for key, (code, attribute) in big_catalog.expected.items():
        assert (code, attribute) in found.get(key, set()), (key, code, attribute, found.get(key))
    for key in big_catalog.valid:
        assert key not in found, (key, found[key])
    assert summary["not_ready"] == len(big_catalog.expected)
    assert set(summary["marketplaces"]) == set(TARGETS)
    print(f"\n10k catalog: {seconds:.1f} s wall with 2 processes ({summary['seconds']} s inside)")


def test_bad_lines_are_reported_and_do_not_stop_the_run(
    big_catalog: Catalog, big_run: tuple[subprocess.CompletedProcess[str], Path, float]
) -> None:
    result, out, _ = big_run
    problems = json.loads((out / "issues.json").read_text())["problems"]
    by_line = {p.get("line"): p["message"] for p in problems}
    n = big_catalog.lines
    assert "is not JSON" in by_line[n + 1]
    assert "unknown product type 'SOFA'" in by_line[n + 2]
    assert "Fix" in by_line[n + 2] or "fix" in by_line[n + 2]
    assert "no 'attributes' object" in by_line[n + 3]
    assert f"line {n + 1} is not JSON" in result.stderr
    assert "Traceback" not in result.stderr
    markdown = (out / "summary.md").read_text()
    assert "# Catalog readiness: INPUT ERRORS" in markdown
    assert "| DE |" in markdown


def test_one_process_gives_the_same_answer(
    big_catalog: Catalog,
    big_run: tuple[subprocess.CompletedProcess[str], Path, float],
    tmp_path: Path,
) -> None:
    small = tmp_path / "small.jsonl"
    lines = big_catalog.path.read_text(encoding="utf-8").splitlines(keepends=True)[:1500]
    small.write_text("".join(lines), encoding="utf-8")
    result = acorn(str(small), "--marketplaces", "DE,FR,JP", "--out", str(tmp_path / "o"))
    assert result.returncode == 1, result.stderr  # listings with issues, no input problems
    _, big_out, _ = big_run
    whole = {k: v for k, v in _issues(big_out).items() if k[0] <= 1500}
    assert _issues(tmp_path / "o") == whole


def test_a_clean_catalog_is_ready(tmp_path: Path) -> None:
    catalog = load_product_types()
    path = tmp_path / "clean.jsonl"
    rows = []
    for i, pt in enumerate(catalog.product_types):
        per = [
            sample_attributes(catalog.schema(pt, c).schema, random.Random(i)) for c in ("GB", "IT")
        ]
        rows.append(
            json.dumps({"sku": f"C-{i}", "productType": pt, "attributes": merge_marketplaces(per)})
        )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = acorn(str(path), "--marketplaces", "UK,IT", "--out", str(tmp_path / "o"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Catalog readiness: READY" in result.stdout
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["listing_checks"] == 2 * len(catalog.product_types)


def test_a_broken_schema_is_reported_and_other_marketplaces_still_checked(tmp_path: Path) -> None:
    root = tmp_path / "pt"
    shutil.copytree(PT_ROOT / "meta-schema", root / "meta-schema")
    shutil.copytree(PT_ROOT / "LUGGAGE", root / "LUGGAGE")
    schema = json.loads((root / "LUGGAGE" / "DE.json").read_text())
    schema["properties"]["brand"]["maxUniqueItems"] = "one"
    (root / "LUGGAGE" / "DE.json").write_text(json.dumps(schema))
    catalog = load_product_types()
    per = [
        sample_attributes(catalog.schema("LUGGAGE", c).schema, random.Random(1))
        for c in ("DE", "FR")
    ]
    path = tmp_path / "c.jsonl"
    path.write_text(
        json.dumps({"sku": "L", "productType": "LUGGAGE", "attributes": merge_marketplaces(per)})
        + "\n"
    )
    result = acorn(
        str(path), "--marketplaces", "DE,FR", "--out", str(tmp_path / "o"),
        env={"ACORN_PRODUCT_TYPES_DIR": str(root)},
    )  # fmt: skip
    assert result.returncode == 2
    assert "LUGGAGE in A1PA6795UKMFR9 not checked" in result.stderr
    assert "/properties/brand/maxUniqueItems" in result.stderr
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["marketplaces"]["FR"]["ready"] == 1
    assert "DE" not in summary["marketplaces"]


def test_usage_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    result = acorn(str(tmp_path / "missing.jsonl"), "--marketplaces", "DE")
    assert result.returncode == 2
    assert "does not exist" in result.stderr
    path = tmp_path / "c.jsonl"
    path.write_text("{}\n")
    result = acorn(str(path), "--marketplaces", "XX,YY")
    assert result.returncode == 2
    assert "no known marketplace" in result.stderr
    assert "Traceback" not in result.stderr
