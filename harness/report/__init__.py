"""The readiness report: verdict, readiness.json/.md, the terminal table."""

from harness.report.model import Readiness, Verdict, decide
from harness.report.writers import render_markdown, terminal_table, write_reports

__all__ = ["Readiness", "Verdict", "decide", "render_markdown", "terminal_table", "write_reports"]
