"""``acorn judge JOURNAL...``: the readiness report from traffic ``acorn serve`` recorded.

Observe mode's second half: an integration ACORN did not drive (an SDK, a staging job, a
team's own end-to-end tests) ran against ``acorn serve --scenario NAME --journal FILE``; the
same report ``acorn run`` writes is made from those files alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from xml.etree import ElementTree as ET

import typer
from rich.console import Console

from harness.errors import AcornUsageError

__all__ = ["register", "write_junit"]


def write_junit(readiness: object, path: Path) -> None:
    """junit.xml for CI: one test case per check (``acorn run`` gets it from pytest)."""
    from harness.report import Readiness

    assert isinstance(readiness, Readiness)
    counts = readiness.counts()
    suite = ET.Element(
        "testsuite",
        {
            "name": "acorn-judge",
            "tests": str(len(readiness.results)),
            "failures": str(counts["failed"]),
            "errors": str(counts["error"]),
            "skipped": str(counts["skipped"] + counts["not_applicable"]),
            "time": f"{readiness.duration_s:.3f}",
        },
    )
    for r in readiness.results:
        case = ET.SubElement(
            suite, "testcase", {"classname": f"observed.{r.area}", "name": f"{r.id} {r.title}"}
        )
        if r.status == "failed":
            ET.SubElement(case, "failure", {"message": r.summary[:500]}).text = r.explain()
        elif r.status == "error":
            ET.SubElement(case, "error", {"message": r.summary[:500]})
        elif r.status in ("skipped", "not_applicable"):
            ET.SubElement(case, "skipped", {"message": f"{r.status}: {r.summary}"[:500]})
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def judge(
    journals: Annotated[
        list[Path], typer.Argument(help="Journal files written by `acorn serve --journal`.")
    ],
    scope: Annotated[
        list[str] | None,
        typer.Option(
            "--scope",
            help="An action the integration implements (repeatable, or comma-separated); "
            "checks needing others are not applicable. Default: every action.",
        ),
    ] = None,
    report_dir: Annotated[
        Path,
        typer.Option(help="Where readiness.md/json/html, junit.xml and allure-results go."),
    ] = Path("reports"),
    overwrite: Annotated[
        bool,
        typer.Option("--overwrite", help="Clear a non-empty --report-dir ACORN did not write."),
    ] = False,
) -> None:
    """Judge recorded traffic; exit 0 GO, 1 NO-GO, 2 bad input or INCOMPLETE."""
    from harness.report import terminal_table, write_reports
    from harness.report.allure_run import finish_allure
    from harness.report.folder import mark_junit, prepare_report_dir
    from harness.report.observed import judge_journals

    console = Console()
    actions = [a.strip() for item in scope or [] for a in item.split(",") if a.strip()]
    try:
        readiness = judge_journals(journals, actions or None)
        prepare_report_dir(report_dir, overwrite=overwrite)
        paths = write_reports(readiness, report_dir)
        paths["junit"] = report_dir / "junit.xml"
        write_junit(readiness, paths["junit"])
        mark_junit(paths["junit"], readiness)
        # Allure too, as `acorn run` writes it: a result per check (no pytest test made one),
        # the verdict, environment, executor and categories.
        paths["allure"] = report_dir / "allure-results"
        finish_allure(readiness, paths["allure"])
    except AcornUsageError as exc:
        Console(stderr=True).print(
            f"[bold red]acorn: cannot judge.[/] {exc}", highlight=False, soft_wrap=True
        )
        raise typer.Exit(2) from None
    terminal_table(readiness, console)
    console.print()
    for kind, path in paths.items():
        console.print(f"{kind:>8}: {path}", highlight=False)
    raise typer.Exit({"GO": 0, "NO-GO": 1}.get(readiness.verdict, 2))


def register(app: typer.Typer) -> None:
    app.command(name="judge")(judge)
