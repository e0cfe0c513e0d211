"""Judging and drawing are separate: THR judges attach the timeline as data, the report draws.

Drawing the PNG while judging made a unit file of THR judgements take seconds; the judges now
hand the report a TimelineSpec and harness.report.charts renders it when the report is written.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from test_throttling_judgements import Journal

from harness.checks import THR_01, THR_02
from harness.report.charts import content_of

HERE = Path(__file__).parent


def _busy() -> Journal:
    journal = Journal(getOrders=(0.5, 2), getOrderItems=(2.0, 5))
    for i in range(12):
        journal.call(i * 0.05, "getOrderItems", str(i))
    for t in (0.9, 0.95, 0.97, 3.0):
        journal.call(t, "getOrders")
    return journal


def test_the_judge_attaches_the_timeline_as_data() -> None:
    result = THR_02.evaluate(_busy().observe())
    [chart] = result.attachments
    assert chart.content == b""
    assert chart.chart is not None
    assert [lane.operation for lane in chart.chart.lanes] == ["getOrderItems", "getOrders"]
    assert chart.chart.requests == 16
    assert chart.chart.refused == sum(1 for e in _busy().exchanges if e.status == 429)


def test_the_report_draws_one_png_per_scenario() -> None:
    obs = _busy().observe()
    one, two = THR_01.evaluate(obs).attachments[0], THR_02.evaluate(obs).attachments[0]
    assert one.chart == two.chart
    png = content_of(one)
    assert png.startswith(b"\x89PNG")
    assert content_of(two) is png  # drawn once, shared by the checks of a scenario


def test_judging_never_imports_matplotlib() -> None:
    code = textwrap.dedent(
        """
        import sys
        from test_throttling_judgements import Journal
        from harness.checks import THR_01, THR_02, THR_03, THR_04, THR_05
        journal = Journal(getOrderItems=(2.0, 5))
        for i in range(12):
            journal.call(i * 0.05, "getOrderItems", str(i))
        for check in (THR_01, THR_02, THR_03, THR_04, THR_05):
            check.evaluate(journal.observe())
        assert "matplotlib" not in sys.modules, "a judge drew a chart"
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=HERE, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
