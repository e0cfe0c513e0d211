"""readiness.json for machines, readiness.md for the compliance lead, a table for the terminal."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness.report.charts import content_of
from harness.report.compliance import POLICY_NAMES, STATE_WORDS, area_states
from harness.report.model import Readiness
from harness.report.reproducibility import reproducibility
from harness.report.views import (
    STATE_CODES,
    STATE_MEANING,
    blockers_first,
    marketplace_matrix,
)

__all__ = ["count_line", "render_markdown", "terminal_table", "write_reports"]

_ICON = {
    "passed": "PASS",
    "failed": "FAIL",
    "waived": "WAIVED",
    "skipped": "NOT PROVEN",
    "not_applicable": "N/A",
    "error": "ERROR",
}


def count_line(readiness: Readiness) -> str:
    """ "12 passed, 1 failed, 2 not proven, 9 not applicable (out of scope)"."""
    counts = readiness.counts()
    parts = [f"{counts['passed']} passed", f"{counts['failed']} failed"]
    if counts["waived"]:
        parts.append(f"{counts['waived']} waived (accepted risk)")
    if counts["skipped"]:
        parts.append(f"{counts['skipped']} not proven (skipped)")
    if counts["not_applicable"]:
        parts.append(f"{counts['not_applicable']} not applicable (out of scope)")
    if counts["error"]:
        parts.append(f"{counts['error']} could not run")
    return ", ".join(parts)


def _scope_lines(readiness: Readiness) -> list[str]:
    scope = readiness.scope
    if not scope:
        return []
    actions = ", ".join(f"`{a}`" for a in scope.get("actions", []))
    said = "declared in acorn.toml" if scope.get("declared") else "not declared: every action"
    lines = [f"**Scope** ({said}): {scope.get('areas', '')} — actions {actions}."]
    if scope.get("marketplaces"):
        lines.append(f"Seller's marketplaces: {', '.join(scope['marketplaces'])}.")
    for scenario, uncovered in scope.get("uncovered", {}).items():
        *marketplaces, why = uncovered
        lines.append(f"Scenario `{scenario}` could not cover {', '.join(marketplaces)}: {why}.")
    return [" ".join(lines), ""]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _matrix_lines(readiness: Readiness) -> list[str]:
    """Marketplace x area, the worst state per cell, and what blocks where (why)."""
    m = marketplace_matrix(readiness.results, readiness.scope)
    if not m.areas:
        return []
    whose = "the seller's (acorn.toml)" if m.declared else "ACORN's cross-border seller"
    lines = [
        "## By marketplace",
        "",
        f"Marketplaces: {whose}. A check applies to the marketplaces its evidence names, "
        "otherwise to every marketplace. Each cell shows the worst result of the area's checks "
        "there, and which checks.",
        "",
        "| Marketplace | " + " | ".join(m.areas) + " |",
        "|---|" + "---|" * len(m.areas),
    ]
    for mp in m.marketplaces:
        row = []
        for area in m.areas:
            cell = m.cells[(mp, area)]
            shown = STATE_CODES[cell.state]
            if cell.state not in ("passed", "not_applicable", "not_covered") and cell.checks:
                shown += " " + ", ".join(cell.checks)
            row.append(shown)
        lines.append(f"| {mp} | " + " | ".join(row) + " |")
    used = {c.state for c in m.cells.values()}
    lines += [
        "",
        "Legend: "
        + "; ".join(f"{STATE_CODES[s]} = {STATE_MEANING[s]}" for s in STATE_MEANING if s in used)
        + ".",
        "",
    ]
    if m.everywhere:
        lines.append(
            "**Blocked in every marketplace** by: "
            + ", ".join(f"{r.id} ({r.severity}, {_ICON[r.status]})" for r in m.everywhere)
            + "."
        )
        lines.append("")
    for mp, items in m.where.items():
        lines.append(f"**{mp}** also blocked by:")
        lines += [f"- {r.id} ({r.severity}): {_cell(finding)}" for r, finding in items]
        lines.append("")
    return lines


def _compliance_lines(readiness: Readiness) -> list[str]:
    lines = [
        "## Compliance evidence (Amazon DPP / AUP)",
        "",
        "Which policy areas the checks give evidence for. ACORN judges behaviour on the wire "
        "and in the integration's output; it does not audit infrastructure, so this supports a "
        "policy review and does not replace it.",
        "",
        "| Area | Policy | State | Checks |",
        "|---|---|---|---|",
    ]
    for area in area_states(readiness.results):
        checks = ", ".join(
            f"{i} {_ICON.get(s, s)}"
            for i, s in dict.fromkeys((c["id"], c["status"]) for c in area["checks"])
        )
        lines.append(
            f"| {area['title']} | {area['policy']} | {STATE_WORDS[area['state']]} "
            f"| {checks or 'none'} |"
        )
    lines += [
        "",
        "Policies: " + "; ".join(f"{k} = {v}" for k, v in POLICY_NAMES.items()) + ".",
        "",
    ]
    return lines


def render_markdown(readiness: Readiness, json_sha256: str | None = None) -> str:
    r = readiness
    lines = [
        f"# Readiness report: {r.headline}",
        "",
        f"Integration **{r.integration.get('name')}** {r.integration.get('version', '')} "
        f"(driver {r.integration.get('driver')}), tested {r.generated_at} with ACORN "
        f"{r.harness_version} in {r.duration_s:.1f} s. Run `{r.run_id}`"
        + (f"; readiness.json SHA-256 `{json_sha256}`." if json_sha256 else "."),
        "",
        f"**Verdict: {r.headline}** — {count_line(r)}. GO requires every blocker and critical "
        "check in scope to pass; one that could not be exercised is not proven and blocks GO.",
        "",
        *_scope_lines(r),
        *(
            [
                f"**Partial run:** only the scenarios matching `{r.selection}` ran; checks of "
                "the others are not in this report.",
                "",
            ]
            if r.selection
            else []
        ),
    ]
    reasons = r.reasons()
    if reasons and r.verdict != "GO":
        title = "Why the run is INCOMPLETE" if r.verdict == "INCOMPLETE" else "Why NO-GO"
        lines += [f"## {title}", "", *(f"- {reason}" for reason in reasons), ""]
    ordered = blockers_first(r.results)
    lines += [
        *_matrix_lines(r),
        "## Checks, blockers first",
        "",
        "| Check | Area | Scenario | Severity | Result | Summary |",
        "|---|---|---|---|---|---|",
    ]
    for c in ordered:
        summary = c.summary.replace("|", "\\|")
        lines.append(
            f"| {c.id} {c.title} | {c.area} | {c.scenario} | {c.severity} "
            f"| {_ICON[r.status_of(c)]} | {summary} |"
        )
    failed = [c for c in ordered if r.status_of(c) == "failed"]
    lines += waiver_lines(r)
    if failed:
        lines += ["", "## What failed and how to fix it", ""]
        for c in failed:
            lines += [
                f"### {c.id} {c.title} ({c.severity})",
                "",
                f"- **Requirement:** {c.requirement}",
                f"- **What happened** (scenario `{c.scenario}`): {c.summary}",
                f"- **Why it matters in production:** {c.why}",
                f"- **How to fix:** {c.remediation}",
                "",
                "Evidence from the simulator journal (request ids are x-amzn-RequestId values):",
                "",
                "```",
                *c.evidence,
                "```",
                "",
            ]
    lines += ["", *_compliance_lines(r)]
    attached = [(c, a) for c in r.results for a in c.attachments]
    if attached:
        lines += ["", "## Charts and matrices", ""]
        for c, a in attached:
            target = f"attachments/{attachment_file(c.id, a.name, a.extension)}"
            link = (
                f"![{a.name}]({target})" if a.mime.startswith("image/") else f"[{a.name}]({target})"
            )
            lines += [f"- {c.id} ({c.scenario}): {link}"]
    if r.fidelity:
        lines += [
            "",
            "## Not verified against Amazon",
            "",
            "The simulator accepted these requests because no Amazon model, sandbox case or "
            "documented fact shows Amazon refusing them. They are not failures; confirm them "
            "in Amazon's sandbox or production before relying on them.",
            "",
            *(
                f"- `{note.get('code')}` {note.get('text', '')} ({note.get('count', 1)}x, first "
                f"{note.get('first_request_id', '')} in scenario `{note.get('scenario', '')}`)"
                for note in r.fidelity
            ),
        ]
    if r.scan:
        lines += ["", "## Output scan", "", f"{r.scan.get('summary', '')}", ""]
    lines += [
        "",
        "## Reproducibility",
        "",
        *(f"- {label}: `{value}`" for label, value in reproducibility(r, json_sha256)),
        "",
        "## Contracts",
        "",
        *(f"- {name}: {version}" for name, version in sorted(r.contracts.items())),
        "",
    ]
    return "\n".join(lines)


def write_reports(readiness: Readiness, report_dir: Path) -> dict[str, Path]:
    report_dir.mkdir(parents=True, exist_ok=True)
    from harness.report.html import render_html

    paths = {
        "json": report_dir / "readiness.json",
        "markdown": report_dir / "readiness.md",
        "html": report_dir / "readiness.html",
    }
    data = (json.dumps(readiness.to_dict(), indent=2) + "\n").encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()
    paths["json"].write_bytes(data)
    paths["markdown"].write_text(render_markdown(readiness, digest), encoding="utf-8")
    paths["html"].write_text(render_html(readiness, digest), encoding="utf-8")
    for c in readiness.results:
        for a in c.attachments:
            target = report_dir / "attachments" / attachment_file(c.id, a.name, a.extension)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content_of(a))
    return paths


def attachment_file(check_id: str, name: str, extension: str) -> str:
    """A stable, filesystem-safe file name for one check's attachment."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{check_id}-{name}").strip("-")
    return f"{stem}.{extension}"


def terminal_table(readiness: Readiness, console: Console) -> None:
    table = Table(title=f"ACORN readiness: {readiness.integration.get('name')}")
    table.add_column("Check", no_wrap=True)
    table.add_column("Requirement", overflow="fold", ratio=1)
    table.add_column("Scenario", overflow="fold")
    table.add_column("Severity", no_wrap=True)
    table.add_column("Result", no_wrap=True)
    style = {
        "passed": "green",
        "failed": "bold red",
        "skipped": "yellow",
        "not_applicable": "dim",
        "error": "bold magenta",
        "waived": "cyan",
    }
    for c in readiness.results:
        status = readiness.status_of(c)
        result = f"[{style[status]}]{_ICON[status]}[/]"
        table.add_row(c.id, escape(c.title), escape(c.scenario), c.severity, result)
    console.print(table)
    colour = {"GO": "green", "NO-GO": "red"}.get(readiness.verdict, "magenta")
    console.print(
        f"[bold {colour}]Verdict: {escape(readiness.headline)}[/] ({count_line(readiness)})"
    )
    if readiness.verdict != "GO":
        for reason in readiness.reasons()[:8]:
            console.print(f"  - {escape(reason)}", highlight=False)
    if readiness.selection:
        console.print(
            f"[yellow]Partial run:[/] only scenarios matching {escape(readiness.selection)!r}.",
            highlight=False,
        )
    waivers = readiness.waiver_report()
    for problem in (waivers or {}).get("problems", []):
        console.print(f"[yellow]Waiver problem:[/] {escape(problem)}", highlight=False)
    for c in readiness.results:
        if readiness.status_of(c) == "failed":
            console.print(
                f"\n[bold red]{c.id}[/] {escape(c.title)}: {escape(c.summary)}", highlight=False
            )
            for line in c.evidence[:4]:
                console.print(f"    {line}", markup=False, highlight=False)
            console.print(f"  [bold]Fix:[/] {escape(c.remediation)}", highlight=False)


# -- waivers: accepted risks and what is wrong with the waivers file ------------------------
def waiver_lines(readiness: Readiness) -> list[str]:
    """The "Accepted risks" and "Waiver problems" sections of readiness.md."""
    report = readiness.waiver_report()
    if report is None:
        return []

    def cell(text: object) -> str:
        return str(text if text is not None else "").replace("|", "\\|")

    lines = ["", "## Accepted risks (waivers)", "", f"Waivers file: `{report['file']}`.", ""]
    summaries = {c.id: c.summary for c in readiness.results}
    if report["applied"]:
        lines += [
            "A waived check failed; the risk was accepted by its owner until the expiry date "
            "and does not block GO. Waivers cover failures only, never a check that was not "
            "proven.",
            "",
            "| Check | Marketplace | Owner | Expiry | Ticket | Approved by | Reason "
            "| What failed |",
            "|---|---|---|---|---|---|---|---|",
            *(
                f"| {w['check']} | {cell(w['marketplace'] or 'all')} | {cell(w['owner'])} "
                f"| {w['expiry']} | {cell(w['ticket'])} | {cell(w['approved_by'] or '-')} "
                f"| {cell(w['reason'])} | {cell(summaries.get(w['check'], ''))} |"
                for w in report["applied"]
            ),
        ]
    else:
        lines.append("No waiver applied to this run.")
    if report["unused"]:
        lines += ["", "Unused waivers (nothing to waive):", ""]
        lines += [
            f"- {w['check']} (owner {w['owner']}, until {w['expiry']}): {w['why_unused']}"
            for w in report["unused"]
        ]
    if report["problems"]:
        lines += [
            "",
            "## Waiver problems",
            "",
            "These waivers do not count (the checks they name keep their own status):",
            "",
            *(f"- {p}" for p in report["problems"]),
        ]
    return [*lines, ""]


# -- end waivers ----------------------------------------------------------------------------
