"""readiness.html: the one page a QA lead and a compliance lead read, attach and sign.

One self-contained file: inline CSS, no script, no font, image or stylesheet from anywhere,
so it renders the same offline, in a ticket attachment and printed to PDF. Everything it shows
comes from the same :class:`Readiness` as readiness.json and is escaped; it adds no value that
readiness.json does not hold, so the run's output scan of the report covers it too. Text is
escaped without turning quotes into entities (only in attributes), so a value the scan looks
for is not hidden behind ``&#x27;``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

from harness.checks import CheckResult
from harness.report.compliance import POLICY_NAMES, STATE_WORDS, area_states
from harness.report.model import Readiness
from harness.report.reproducibility import reproducibility
from harness.report.views import (
    STATE_CODES,
    STATE_MEANING,
    blockers_first,
    is_blocking,
    marketplace_matrix,
)

__all__ = ["render_html"]

_LABEL = {
    "passed": "PASS",
    "failed": "FAIL",
    "skipped": "NOT PROVEN",
    "not_applicable": "N/A",
    "error": "ERROR",
    "waived": "WAIVED",
}

_EVIDENCE_LINES = 8
"""Evidence lines per finding on the page; readiness.md and .json keep them all."""

_CSS = """
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
color:#1b1f24;margin:0;background:#fff}
main{max-width:1200px;margin:0 auto;padding:24px 28px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid
#d0d7de;padding-bottom:4px}h3{font-size:15px;margin:16px 0 4px}
p{margin:6px 0}.muted{color:#57606a}
table{border-collapse:collapse;width:100%;table-layout:fixed;margin:8px 0}
th,td{border:1px solid #d0d7de;padding:4px 6px;text-align:left;vertical-align:top;
overflow-wrap:anywhere;word-break:break-word}
th{background:#f6f8fa;font-weight:600}
pre{white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-all;background:#f6f8fa;
border:1px solid #d0d7de;padding:6px 8px;font:12px/1.35 ui-monospace,Menlo,Consolas,monospace;
margin:4px 0}
code{font:12px ui-monospace,Menlo,Consolas,monospace;overflow-wrap:anywhere}
.verdict{display:inline-block;padding:6px 14px;border-radius:6px;font-weight:700;font-size:20px;
color:#fff}
.v-GO{background:#1a7f37}.v-NO-GO{background:#cf222e}.v-INCOMPLETE{background:#8250df}
.s-passed,.m-passed,.c-evidenced{background:#dafbe1}
.s-failed,.m-blocked,.c-blocked{background:#ffebe9}
.s-skipped,.m-not_proven,.c-not_proven{background:#fff8c5}
.s-error,.m-error{background:#fbefff}
.s-waived,.m-waived{background:#ddf4ff}
.m-issues,.c-gaps{background:#fff1e5}
.s-not_applicable,.m-not_applicable,.m-not_covered,.c-not_applicable,.c-no_evidence{color:#57606a}
.matrix td,.matrix th{font-size:11px;text-align:center}.id{white-space:nowrap}
.matrix .id{white-space:normal}
.matrix td:first-child,.matrix th:first-child{text-align:left;font-weight:600}
.check{border:1px solid #d0d7de;border-left:6px solid #cf222e;padding:6px 12px;margin:10px 0;
break-inside:avoid-page}
.check.skipped{border-left-color:#bf8700}.check.error{border-left-color:#8250df}
.signoff td{height:44px}
dl.kv{display:grid;grid-template-columns:220px 1fr;gap:2px 12px;margin:6px 0}
dl.kv dt{font-weight:600}dl.kv dd{margin:0;overflow-wrap:anywhere}
@media print{main{max-width:none;padding:0}h2{break-after:avoid}tr{break-inside:avoid}
body{font-size:11px}.matrix td,.matrix th{font-size:10px}}
@page{size:A4 landscape;margin:12mm}
"""


def _t(value: object) -> str:
    """Escape text content (``& < >``); quotes stay as they are (see the module docstring)."""
    return html.escape(str(value), quote=False)


def _a(value: object) -> str:
    """Escape an attribute value."""
    return html.escape(str(value), quote=True)


def _table(
    head: Sequence[str], rows: Iterable[Sequence[str]], *, cls: str = "", widths: Sequence[str] = ()
) -> str:
    """A table; cells of ``rows`` are already-escaped HTML."""
    cols = "".join(f'<col style="width:{_a(w)}">' for w in widths)
    thead = "".join(f"<th>{_t(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    klass = f' class="{_a(cls)}"' if cls else ""
    return (
        f"<table{klass}><colgroup>{cols}</colgroup><thead><tr>{thead}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _clip(text: str, limit: int = 220) -> str:
    """A reason's first ``limit`` characters: the verdict section stays one screen long."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _status(status: str) -> str:
    return f'<span class="s-{_a(status)}">{_t(_LABEL.get(status, status))}</span>'


def _header(r: Readiness) -> str:
    counts = r.counts()
    scope = r.scope or {}
    parts = [
        f"<h1>ACORN readiness: {_t(r.integration.get('name'))} "
        f"{_t(r.integration.get('version', ''))}</h1>",
        f'<p><span class="verdict v-{_a(r.verdict)}">{_t(r.headline)}</span></p>',
        "<p>"
        + ", ".join(f"{n} {_t(_LABEL[s].lower())}" for s, n in counts.items() if n)
        + f". Tested {_t(r.generated_at)} with ACORN {_t(r.harness_version)} in "
        f"{r.duration_s:.1f} s (driver {_t(r.integration.get('driver'))}). "
        f"Run <code>{_t(r.run_id)}</code>.</p>",
        "<p>GO requires every blocker and critical check in scope to pass; one that could not "
        "be exercised is not proven and blocks GO.</p>",
    ]
    if scope:
        said = "declared in acorn.toml" if scope.get("declared") else "not declared: every action"
        actions = ", ".join(str(a) for a in scope.get("actions", []))
        areas = scope.get("areas", "")
        text = f"<strong>Scope</strong> ({_t(said)}): {_t(areas)}; actions {_t(actions)}."
        if scope.get("marketplaces"):
            text += f" Seller's marketplaces: {_t(', '.join(scope['marketplaces']))}."
        for scenario, uncovered in (scope.get("uncovered") or {}).items():
            *mps, why = uncovered
            text += f" Scenario {_t(scenario)} could not cover {_t(', '.join(mps))}: {_t(why)}."
        parts.append(f"<p>{text}</p>")
    if r.selection:
        parts.append(
            f"<p><strong>Partial run:</strong> only the scenarios matching "
            f"<code>{_t(r.selection)}</code> ran; checks of the others are not in this report.</p>"
        )
    reasons = r.reasons()
    if reasons and r.verdict != "GO":
        title = "Why the run is INCOMPLETE" if r.verdict == "INCOMPLETE" else "Why NO-GO"
        items = "".join(f"<li>{_t(_clip(x))}</li>" for x in reasons)
        parts.append(
            f"<h2>{_t(title)}</h2><ul>{items}</ul>"
            '<p class="muted">Each finding in full, with its evidence and fix, is under '
            "<em>What failed and how to fix it</em>.</p>"
        )
    return "\n".join(parts)


def _matrix(r: Readiness) -> str:
    m = marketplace_matrix(r.results, r.scope)
    if not m.areas:
        return ""
    whose = "the seller's (acorn.toml)" if m.declared else "ACORN's cross-border seller"
    rows = []
    for mp in m.marketplaces:
        row = [_t(mp)]
        for area in m.areas:
            cell = m.cells[(mp, area)]
            ids = ""
            if cell.state not in ("passed", "not_applicable", "not_covered") and cell.checks:
                ids = "<br>" + ", ".join(f'<span class="id">{_t(i)}</span>' for i in cell.checks)
            row.append(
                f'<span class="m-{_a(cell.state)}">{_t(STATE_CODES[cell.state])}</span>{ids}'
            )
        rows.append(row)
    used = [s for s in STATE_MEANING if any(c.state == s for c in m.cells.values())]
    legend = "; ".join(
        f"<strong>{_t(STATE_CODES[s])}</strong> {_t(STATE_MEANING[s])}" for s in used
    )
    out = [
        "<h2>By marketplace</h2>",
        f"<p>Marketplaces: {_t(whose)}. A check applies to the marketplaces its evidence names, "
        "otherwise to every marketplace. Each cell shows the worst result of the area's checks "
        "there.</p>",
        _table(
            ["Marketplace", *m.areas],
            rows,
            cls="matrix",
            widths=["9%"] + [f"{91 / len(m.areas):.2f}%"] * len(m.areas),
        ),
        f'<p class="muted">{legend}.</p>',
    ]
    if m.everywhere:
        out.append(
            "<p><strong>Blocked in every marketplace</strong> by: "
            + ", ".join(f"{_t(x.id)} ({_t(x.severity)}, {_status(x.status)})" for x in m.everywhere)
            + ".</p>"
        )
    for mp, items in m.where.items():
        out.append(f"<h3>{_t(mp)}: also blocked by</h3><ul>")
        out += [
            f"<li><strong>{_t(x.id)}</strong> ({_t(x.severity)}): {_t(f)}</li>" for x, f in items
        ]
        out.append("</ul>")
    return "\n".join(out)


def _checks(ordered: Sequence[CheckResult]) -> str:
    rows = [
        [
            f"<strong>{_t(c.id)}</strong> {_t(c.title)}",
            _t(c.area),
            _t(c.severity),
            _status(c.status),
            _t(_clip(c.summary, 300)),
        ]
        for c in ordered
    ]
    return "<h2>Checks, blockers first</h2>" + _table(
        ["Check", "Area", "Severity", "Result", "Summary"],
        rows,
        widths=["24%", "9%", "8%", "9%", "50%"],
    )


def _failures(ordered: Sequence[CheckResult]) -> str:
    shown = [c for c in ordered if c.status == "failed" or is_blocking(c)]
    if not shown:
        return "<h2>What failed and how to fix it</h2><p>Nothing failed.</p>"
    out = ["<h2>What failed and how to fix it</h2>"]
    for c in shown:
        fix = c.remediation or (
            "Exercise it: make the scenario reach this behaviour (see the summary), then re-run."
            if c.status == "skipped"
            else "See the summary; re-run once the cause is fixed."
        )
        shown_lines = c.evidence[:_EVIDENCE_LINES]
        more = len(c.evidence) - len(shown_lines)
        evidence = (
            "<p>Evidence from the simulator journal (request ids are x-amzn-RequestId values)"
            + (f"; {more} more line(s) in readiness.md" if more else "")
            + f":</p><pre>{_t(chr(10).join(shown_lines))}</pre>"
            if c.evidence
            else ""
        )
        out.append(
            f'<div class="check {_a(c.status)}"><h3>{_t(c.id)} {_t(c.title)} '
            f"({_t(c.severity)}, {_status(c.status)})</h3>"
            f"<p><strong>Requirement:</strong> {_t(c.requirement)}</p>"
            f"<p><strong>What happened</strong> (scenario {_t(c.scenario)}): {_t(c.summary)}</p>"
            + (
                f"<p><strong>Why it matters:</strong> {_t(c.why)}</p>"
                if c.status == "failed"
                else ""
            )
            + f"<p><strong>How to fix:</strong> {_t(fix)}</p>{evidence}</div>"
        )
    return "\n".join(out)


def _waiver_of(c: CheckResult) -> dict[str, Any] | None:
    waiver = getattr(c, "waiver", None)
    if isinstance(waiver, dict):
        return waiver
    if waiver is not None and hasattr(waiver, "__dict__"):
        return dict(vars(waiver))
    return None


def _accepted_risks(r: Readiness) -> str:
    rows = []
    for c in r.results:
        w = _waiver_of(c)
        # "waived" arrives with the waivers feature; str() keeps this ready for it.
        if str(c.status) != "waived" and w is None:
            continue
        w = w or {}
        rows.append(
            [
                f"<strong>{_t(c.id)}</strong> {_t(c.title)}",
                _t(w.get("marketplace") or "all"),
                _t(w.get("owner", "")),
                _t(w.get("expires", w.get("expiry", ""))),
                _t(w.get("approved_by") or ""),
                _t(w.get("ticket") or ""),
                _t(w.get("reason", "")),
            ]
        )
    body = (
        _table(
            ["Check", "Marketplace", "Owner", "Expires", "Approved by", "Ticket", "Reason"],
            rows,
            widths=["20%", "9%", "11%", "9%", "11%", "10%", "30%"],
        )
        if rows
        else "<p>None: no failure was accepted as a risk in this run.</p>"
    )
    return "<h2>Accepted risks</h2>" + body


def _compliance(r: Readiness) -> str:
    rows = []
    for area in area_states(r.results):
        pairs = dict.fromkeys((c["id"], c["status"]) for c in area["checks"])  # one per scenario
        checks = ", ".join(f"{_t(i)} {_status(s)}" for i, s in pairs)
        rows.append(
            [
                f"<strong>{_t(area['title'])}</strong><br>{_t(area['description'])}",
                _t(area["policy"]),
                f'<span class="c-{_a(area["state"])}">{_t(STATE_WORDS[area["state"]])}</span>',
                checks or "none",
            ]
        )
    names = "; ".join(f"{_t(k)} = {_t(v)}" for k, v in POLICY_NAMES.items())
    return (
        "<h2>Compliance evidence (Amazon DPP / AUP)</h2>"
        "<p>Which policy areas the checks give evidence for. ACORN judges behaviour on the wire "
        "and in the integration's output; it does not audit infrastructure, so this supports a "
        "policy review and does not replace it.</p>"
        + _table(["Area", "Policy", "State", "Checks"], rows, widths=["46%", "7%", "17%", "30%"])
        + f'<p class="muted">{names}.</p>'
    )


def _fidelity(r: Readiness) -> str:
    if not r.fidelity:
        return ""
    items = "".join(
        f"<li><code>{_t(n.get('code'))}</code> {_t(n.get('text', ''))} ({_t(n.get('count', 1))}x, "
        f"scenario {_t(n.get('scenario', ''))})</li>"
        for n in r.fidelity
    )
    return (
        "<h2>Not verified against Amazon</h2><p>The simulator accepted these requests because no "
        "Amazon model, sandbox case or documented fact shows Amazon refusing them. Confirm them in "
        f"Amazon's sandbox or production before relying on them.</p><ul>{items}</ul>"
    )


def _reproducibility(r: Readiness, json_sha256: str | None) -> str:
    rows = "".join(
        f"<dt>{_t(label)}</dt><dd><code>{_t(value)}</code></dd>"
        for label, value in reproducibility(r, json_sha256)
    )
    scan = f"<p>{_t(r.scan.get('summary', ''))}</p>" if r.scan else ""
    return f'<h2>Reproducibility</h2><dl class="kv">{rows}</dl>{scan}'


def _signoff() -> str:
    rows = [["", "", "", "", ""] for _ in range(3)]
    return (
        "<h2>Sign-off</h2><p>By signing, the reviewer accepts this verdict for the scope and "
        "marketplaces above, with the accepted risks listed.</p>"
        + _table(
            ["Reviewer", "Role", "Date", "Decision", "Signature"],
            rows,
            cls="signoff",
            widths=["24%", "18%", "14%", "14%", "30%"],
        )
    )


def render_html(readiness: Readiness, json_sha256: str | None = None) -> str:
    r = readiness
    ordered = blockers_first(r.results)
    title = f"ACORN readiness: {r.integration.get('name')} - {r.headline}"
    sections = [
        _header(r),
        _matrix(r),
        _checks(ordered),
        _failures(ordered),
        _accepted_risks(r),
        _compliance(r),
        _fidelity(r),
        _reproducibility(r, json_sha256),
        _signoff(),
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_t(title)}</title><style>{_CSS}</style></head>\n"
        f"<body><main>\n" + "\n".join(s for s in sections if s) + "\n</main></body></html>\n"
    )
