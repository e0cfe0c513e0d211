"""Wide evidence as a grid a reviewer can read: short cell codes, a legend, details below.

The product x marketplace matrix of LST-01 had whole sentences in each cell, so Allure showed
two marketplaces of ten. Here each cell is a code (OK, INV, ERR...), the legend says what each
means, and the full text of every cell that is not OK follows the table, keyed by row and
column. The page is self-contained HTML (no script, no network), which Allure renders inline.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

__all__ = ["LISTING_LEGEND", "Cell", "listing_code", "render_grid_html"]


@dataclass(frozen=True)
class Cell:
    code: str
    """Short code shown in the grid ("OK", "INV", "—")."""
    detail: str = ""
    """The full text, listed under the grid when the cell is not OK."""
    ok: bool = False


_STYLE = (
    "body{font:13px system-ui,sans-serif;margin:8px}"
    "table{border-collapse:collapse}"
    "th,td{border:1px solid #ccc;padding:3px 8px;text-align:center;white-space:nowrap}"
    "th:first-child,td:first-child{text-align:left}"
    "td.ok{background:#e3f5e1}td.bad{background:#fbe1e1;font-weight:600}"
    "td.none{color:#999}dl{margin-top:10px}dt{font-weight:600}dd{margin:0 0 6px 16px}"
)


def render_grid_html(
    title: str,
    columns: list[str],
    rows: list[tuple[str, list[Cell]]],
    legend: dict[str, str],
) -> str:
    """One row per ``rows`` entry (label, cells aligned with ``columns``), codes in cells."""
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = []
    details = []
    for label, cells in rows:
        tds = []
        for column, cell in zip(columns, cells, strict=True):
            css = "ok" if cell.ok else "none" if not cell.detail else "bad"
            hint = f' title="{escape(cell.detail)}"' if cell.detail else ""
            tds.append(f'<td class="{css}"{hint}>{escape(cell.code)}</td>')
            if cell.detail and not cell.ok:
                details.append(
                    f"<dt>{escape(label)} — {escape(column)}: {escape(cell.code)}</dt>"
                    f"<dd>{escape(cell.detail)}</dd>"
                )
        body.append(f"<tr><th>{escape(label)}</th>{''.join(tds)}</tr>")
    keys = "".join(f"<li><b>{escape(k)}</b> {escape(v)}</li>" for k, v in legend.items())
    parts = [
        f'<!doctype html><html><head><meta charset="utf-8"><title>{escape(title)}</title>',
        f"<style>{_STYLE}</style></head><body>",
        f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>",
        f"<ul>{keys}</ul>",
    ]
    if details:
        parts.append(f"<dl>{''.join(details)}</dl>")
    parts.append("</body></html>\n")
    return "".join(parts)


LISTING_LEGEND = {
    "OK": "ACCEPTED by Amazon",
    "INV": "submitted, answered INVALID (issues listed below)",
    "PRE": "not submitted: its validation preview was INVALID",
    "ERR": "not created: the PUT was refused with an HTTP error",
    "NS": "never submitted",
    "\u2014": "not a target marketplace of this product",
}
"""The cell codes of the LST-01 matrix (one row per product, one column per marketplace)."""


def listing_code(text: str) -> str:
    """The LST-01 code of one product x marketplace outcome (the text of its cell)."""
    if text == "ACCEPTED":
        return "OK"
    if text.startswith("not submitted (preview"):
        return "PRE"
    if text.startswith("not created"):
        return "ERR"
    if text == "not submitted":
        return "NS"
    return "INV" if text.startswith("INVALID") else text.split(":", 1)[0][:8]
