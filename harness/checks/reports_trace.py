"""One requested report as the journal saw it: creation, polls, document asks, downloads.

The reports checks (:mod:`harness.checks.reports`) judge these traces. Everything comes from
the wire: createReport (202, the request's type, marketplaces and period), each getReport of
the report id (its processingStatus), each getReportDocument of its document (with the token
kind it carried) and each presigned download of that document (``s3:GET``, found by the
document id in the URL path, so an expired-URL 403 is matched too). The simulator's facts add
what the integration cannot see: the document's row count and whether the same report was
already in flight when it was requested.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.checks.facts import facts_of
from harness.checks.model import Observation
from harness.drive.base import ActionOutcome
from harness.sim.journal import Exchange

__all__ = [
    "GET_REPORT_PLAN",
    "TERMINAL",
    "ReportTrace",
    "action_index",
    "report_traces",
    "result_status",
]

TERMINAL = ("DONE", "CANCELLED", "FATAL")
GET_REPORT_PLAN = (2.0, 15)
"""getReport's usage plan in the Reports 2021-06-30 model: 2 requests/s, burst 15."""


@dataclass
class ReportTrace:
    report_id: str
    key: tuple[str, tuple[str, ...], str, str]  # type, marketplaces, period start and end
    created: Exchange
    action: int  # index of the action it was requested in (-1: none, see action_of)
    polls: list[Exchange] = field(default_factory=list)  # getReport answers for it (any status)
    documents: list[Exchange] = field(default_factory=list)  # getReportDocument asks
    downloads: list[Exchange] = field(default_factory=list)  # s3:GET of its document

    @property
    def report_type(self) -> str:
        return self.key[0]

    @property
    def restricted(self) -> bool:
        return facts_of(self.created).restricted_report

    def terminal(self) -> Exchange | None:
        """The first getReport that told the integration the report had ended."""
        return next((p for p in self.polls if facts_of(p).processing_status in TERMINAL), None)

    def status(self) -> str | None:
        end = self.terminal()
        return str(facts_of(end).processing_status) if end is not None else None

    def document_id(self) -> str | None:
        end = self.terminal()
        return facts_of(end).document if end is not None else None

    def open_before(self, seq: int) -> bool:
        """Requested before exchange ``seq``, and not seen ending by the integration by then?"""
        end = self.terminal()
        return self.created.seq < seq and (end is None or end.seq > seq)

    def open_at_wall(self, wall: float) -> bool:
        """Requested before ``wall`` (simulator seconds), and not seen ending by then?"""
        end = self.terminal()
        return self.created.wall < wall and (end is None or end.wall >= wall)

    def polls_until_end(self) -> list[Exchange]:
        end = self.terminal()
        return [p for p in self.polls if end is None or p.seq <= end.seq]


def action_index(obs: Observation, exchange: Exchange) -> int:
    """:meth:`Observation.action_of` as an int (-1: before every action, or no windows)."""
    index = obs.action_of(exchange)
    return -1 if index is None else index


def _key(body: Any) -> tuple[str, tuple[str, ...], str, str]:
    body = body if isinstance(body, dict) else {}
    marketplaces = body.get("marketplaceIds")
    return (
        str(body.get("reportType", "")),
        tuple(sorted(str(m) for m in marketplaces)) if isinstance(marketplaces, list) else (),
        str(body.get("dataStartTime") or ""),
        str(body.get("dataEndTime") or ""),
    )


def report_traces(obs: Observation) -> list[ReportTrace]:
    """Every report the integration requested (202), in order, with what followed."""
    traces: dict[str, ReportTrace] = {}
    by_document: dict[str, ReportTrace] = {}
    for e in obs.exchanges:
        if e.operation == "createReport" and e.status == 202 and facts_of(e).report_id:
            report_id = str(facts_of(e).report_id)
            traces[report_id] = ReportTrace(
                report_id, _key(e.request_body), e, action_index(obs, e)
            )
        elif e.operation == "getReport":
            trace = traces.get(facts_of(e).report_id or e.path.rsplit("/", 1)[-1])
            if trace is not None:
                trace.polls.append(e)
                if facts_of(e).document:
                    by_document[str(facts_of(e).document)] = trace
        elif e.operation == "getReportDocument":
            trace = traces.get(facts_of(e).report_id or "")
            if trace is None:
                trace = by_document.get(e.path.rsplit("/", 1)[-1])
            if trace is not None:
                trace.documents.append(e)
        elif e.operation == "s3:GET":
            trace = next((t for d, t in by_document.items() if d in e.path), None)
            if trace is not None:
                trace.downloads.append(e)
    return list(traces.values())


def result_status(outcome: ActionOutcome | None) -> str:
    """The status the action's result gave (upper case; "" when it gave none)."""
    result = outcome.result if outcome is not None else None
    value = result.get("status") if isinstance(result, dict) else None
    return str(value).upper() if isinstance(value, str) else ""
