"""``acorn validate``: check a catalog export against each target marketplace's schema, offline.

The catalog is JSON Lines, one listing payload per line (``{"sku", "productType",
"attributes"}``, optionally ``"marketplaceIds"``), as a seller exports it before publishing to
several marketplaces. Items carrying another ``marketplace_id`` are left out for each
marketplace, so a payload written for the US alone shows exactly what Germany still needs.

Writes to ``--out``: ``issues.csv`` and ``issues.json`` (Amazon-style issues per listing and
marketplace), ``summary.json`` and ``summary.md`` (readiness per marketplace and the most
common missing attributes). Exit status: 0 every listing is ready, 1 some listings have issues,
2 some input could not be checked (the rest of the catalog is still validated and reported).
"""

from __future__ import annotations

import csv
import itertools
import json
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from harness.cli.catalog_check import (
    MAX_LINE_CHARS,
    ChunkResult,
    Job,
    ListingResult,
    Problem,
    check_chunk,
)
from harness.errors import AcornUsageError

__all__ = ["register", "validate_catalog"]

CHUNK_LINES = 500


def _lines(handle: TextIO) -> Iterator[str]:
    """Each line, cut to ``MAX_LINE_CHARS + 1`` characters: a 50 MB line is never held whole
    (the cut line is reported as too long by the check, the rest of it is skipped)."""
    while line := handle.readline(MAX_LINE_CHARS + 1):
        if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
            while (rest := handle.readline(1 << 20)) and not rest.endswith("\n"):
                pass
        yield line


def _chunks(path: Path) -> Iterator[list[tuple[int, str]]]:
    with path.open(encoding="utf-8", errors="replace") as handle:
        numbered = enumerate(_lines(handle), start=1)
        while chunk := list(itertools.islice(numbered, CHUNK_LINES)):
            yield chunk


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))


def _resolve_marketplaces(refs: str) -> tuple[list[Any], list[Problem]]:
    from harness.contracts import load_product_types

    catalog = load_product_types()
    found, problems = [], []
    for ref in (r.strip() for r in refs.split(",")):
        if not ref:
            continue
        try:
            mp = catalog.marketplace(ref)
        except AcornUsageError as exc:
            problems.append(Problem(f"--marketplaces: {exc}"))
            continue
        if mp not in found:
            found.append(mp)
    return found, problems


def validate_catalog(
    catalog_path: Path,
    marketplaces: str,
    *,
    product_type: str | None = None,
    processes: int = 1,
    strict: bool = False,
    progress: Progress | None = None,
) -> tuple[list[ListingResult], list[Problem], dict[str, int]]:
    """Validate the whole file; returns results, input problems and counters."""
    if not catalog_path.is_file():
        raise AcornUsageError(
            f"the catalog {catalog_path} does not exist",
            fix="pass a JSON Lines file with one listing payload per line",
        )
    mps, problems = _resolve_marketplaces(marketplaces)
    if not mps:
        raise AcornUsageError(
            f"no known marketplace in --marketplaces {marketplaces!r}",
            fix="pass country codes or marketplace ids, e.g. --marketplaces DE,FR,IT",
        )
    job = Job(tuple(m.id for m in mps), product_type=product_type, strict=strict)
    counters = {"lines": 0, "skipped": 0}
    results: list[ListingResult] = []
    task = progress.add_task("validating", total=_count_lines(catalog_path)) if progress else None

    def absorb(part: ChunkResult, size: int) -> None:
        results.extend(part.results)
        problems.extend(part.problems)
        counters["lines"] += part.lines
        counters["skipped"] += part.skipped
        if progress is not None and task is not None:
            progress.advance(task, size)

    if processes <= 1:
        for chunk in _chunks(catalog_path):
            absorb(check_chunk(job, chunk), len(chunk))
    else:
        with ProcessPoolExecutor(max_workers=processes, mp_context=get_context("spawn")) as pool:
            pending: list[tuple[Future[ChunkResult], int]] = []
            for chunk in _chunks(catalog_path):
                pending.append((pool.submit(check_chunk, job, chunk), len(chunk)))
                while len(pending) > processes * 4:
                    future, size = pending.pop(0)
                    absorb(future.result(), size)
            for future, size in pending:
                absorb(future.result(), size)
    unique: dict[str, Problem] = {}
    for problem in problems:
        unique.setdefault(f"{problem.line}|{problem.message}", problem)
    return results, list(unique.values()), counters


# ---------------------------------------------------------------- outputs


def summarise(
    results: list[ListingResult], problems: list[Problem], counters: dict[str, int]
) -> dict[str, Any]:
    from harness.contracts import load_contracts

    names = {m.id: m.country for m in load_contracts().marketplaces.values()}
    per: dict[str, dict[str, Any]] = {}
    missing: dict[str, Counter[str]] = {}
    invalid: dict[str, Counter[str]] = {}
    for r in results:
        row = per.setdefault(r.marketplace_id, {"checked": 0, "ready": 0, "not_ready": 0})
        row["checked"] += 1
        row["ready" if not r.issues else "not_ready"] += 1
        for issue in r.issues:
            bucket = missing if issue["code"] == "90220" else invalid
            for name in issue["attributeNames"] or ["(payload)"]:
                bucket.setdefault(r.marketplace_id, Counter())[name] += 1
    marketplaces = {}
    for mid, row in sorted(per.items(), key=lambda kv: names.get(kv[0], kv[0])):
        marketplaces[names.get(mid, mid)] = {
            "marketplaceId": mid,
            **row,
            "ready_percent": round(100.0 * row["ready"] / row["checked"], 1),
            "top_missing": dict(missing.get(mid, Counter()).most_common(5)),
            "top_invalid": dict(invalid.get(mid, Counter()).most_common(5)),
        }
    not_ready = sum(r["not_ready"] for r in per.values())
    verdict = "INPUT ERRORS" if problems else ("NOT READY" if not_ready else "READY")
    return {
        "verdict": verdict,
        "lines": counters["lines"],
        "skipped_other_product_types": counters["skipped"],
        "listing_checks": len(results),
        "not_ready": not_ready,
        "issues": sum(len(r.issues) for r in results),
        "input_problems": len(problems),
        "marketplaces": marketplaces,
    }


def write_outputs(
    out: Path, results: list[ListingResult], problems: list[Problem], summary: dict[str, Any]
) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "csv": out / "issues.csv",
        "json": out / "issues.json",
        "summary": out / "summary.json",
        "markdown": out / "summary.md",
    }
    with paths["csv"].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["line", "sku", "productType", "marketplaceId", "code", "severity", "categories",
             "attributeNames", "message"]
        )  # fmt: skip
        for r in results:
            for i in r.issues:
                writer.writerow(
                    [r.line, r.sku, r.product_type, r.marketplace_id, i["code"], i["severity"],
                     ";".join(i["categories"]), ";".join(i["attributeNames"]), i["message"]]
                )  # fmt: skip
    listings = [
        {"line": r.line, "sku": r.sku, "productType": r.product_type,
         "marketplaceId": r.marketplace_id, "status": "INVALID" if r.issues else "VALID",
         "issues": list(r.issues)}
        for r in results
    ]  # fmt: skip
    body = {"listings": listings, "problems": [p.to_dict() for p in problems]}
    paths["json"].write_text(json.dumps(body, ensure_ascii=False) + "\n", encoding="utf-8")
    paths["summary"].write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    paths["markdown"].write_text(_markdown(summary, problems), encoding="utf-8")
    return paths


def _markdown(summary: dict[str, Any], problems: list[Problem]) -> str:
    lines = [
        f"# Catalog readiness: {summary['verdict']}",
        "",
        f"{summary['lines']} catalog lines, {summary['listing_checks']} listing x marketplace "
        f"checks, {summary['not_ready']} not ready, {summary['issues']} issues, "
        f"{summary['input_problems']} input problems.",
        "",
        "| marketplace | checked | ready | not ready | ready % | most often missing |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for country, row in summary["marketplaces"].items():
        top = ", ".join(f"{k} ({v})" for k, v in row["top_missing"].items()) or "-"
        lines.append(
            f"| {country} | {row['checked']} | {row['ready']} | {row['not_ready']} | "
            f"{row['ready_percent']} | {top} |"
        )
    if problems:
        lines += ["", "## Input problems (not validated)", ""]
        lines += [f"- {p.message}" for p in problems[:200]]
    return "\n".join(lines) + "\n"


def _table(summary: dict[str, Any]) -> Table:
    table = Table(title=f"Catalog readiness: {summary['verdict']}")
    for column in ("marketplace", "checked", "ready", "not ready", "ready %", "most often missing"):
        table.add_column(column)
    for country, row in summary["marketplaces"].items():
        top = ", ".join(list(row["top_missing"])[:3]) or "-"
        table.add_row(
            country, str(row["checked"]), str(row["ready"]), str(row["not_ready"]),
            f"{row['ready_percent']}", top,
        )  # fmt: skip
    return table


def register(app: typer.Typer) -> None:
    """Add ``acorn validate`` to the CLI."""

    @app.command("validate")
    def validate(
        catalog: Annotated[Path, typer.Argument(help="JSON Lines file, one listing per line.")],
        marketplaces: Annotated[
            str, typer.Option(help="Target marketplaces: country codes or ids, e.g. DE,FR,IT.")
        ],
        product_type: Annotated[
            str | None,
            typer.Option(help="Only this product type; also used for lines that name none."),
        ] = None,
        processes: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
        out: Annotated[Path, typer.Option(help="Where the reports go.")] = Path("reports/validate"),
        strict: Annotated[
            bool,
            typer.Option(help="Amazon's backend rules: enum-only selectors and language tags."),
        ] = False,
    ) -> None:
        """Validate a catalog export against each marketplace's product type schema, offline."""
        console = Console()
        err = Console(stderr=True)
        started = time.perf_counter()
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn())  # fmt: skip
        try:
            with Progress(*columns, console=err, transient=True) as progress:
                results, problems, counters = validate_catalog(
                    catalog, marketplaces, product_type=product_type, processes=processes,
                    strict=strict, progress=progress,
                )  # fmt: skip
        except AcornUsageError as exc:
            err.print(f"[bold red]acorn: cannot run.[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        summary = summarise(results, problems, counters)
        summary["seconds"] = round(time.perf_counter() - started, 2)
        paths = write_outputs(out, results, problems, summary)
        console.print(_table(summary))
        for problem in problems[:10]:
            err.print(f"[red]input problem:[/] {problem.message}", highlight=False, soft_wrap=True)
        if len(problems) > 10:
            err.print(f"... {len(problems) - 10} more input problems in {paths['json']}")
        console.print(
            f"{summary['lines']} lines, {summary['listing_checks']} checks, "
            f"{summary['issues']} issues in {summary['seconds']} s",
            highlight=False,
        )
        for kind, path in paths.items():
            console.print(f"{kind:>8}: {path}", highlight=False)
        if problems:
            raise typer.Exit(2)
        raise typer.Exit(1 if summary["not_ready"] else 0)
