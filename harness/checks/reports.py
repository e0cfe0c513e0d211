"""RPT-01..05: the Reports API 2021-06-30 lifecycle, judged from the journal.

A report is asked for (createReport, 0.0167/s: one a minute), processed for minutes to hours,
and read through a presigned URL that lives five minutes. What goes wrong in production: a
getReport storm that throttles the seller's other report traffic, a createReport per poll (each
one a new report, queued behind the last), a CANCELLED or FATAL report polled for ever, a URL
used after it expired, a GZIP document parsed as text, a restricted (buyer PII) report asked
for with the plain LWA token, and the same report requested again while one is in flight.
"""

from __future__ import annotations

from itertools import pairwise
from statistics import mean

from harness.checks.facts import facts_of
from harness.checks.model import Check, Judgement, Observation
from harness.checks.reports_trace import (
    GET_REPORT_PLAN,
    ReportTrace,
    report_traces,
    result_status,
)
from harness.drive.base import ActionOutcome

__all__ = ["RPT_01", "RPT_02", "RPT_03", "RPT_04", "RPT_05"]

_GROWTH = 1.3  # later waits average at least this much more than the first ones
_MIN_POLLS = 4  # fewer polls show no trend


def _outcome(obs: Observation, trace: ReportTrace) -> ActionOutcome | None:
    if 0 <= trace.action < len(obs.outcomes):
        return obs.outcomes[trace.action]
    return None


def _none_requested(obs: Observation) -> Judgement:
    runs = [o for o in obs.outcomes if o.action == "fetch_report"]
    said = "; ".join(o.summary() for o in runs[:3]) or "no fetch_report action ran"
    return Judgement(None, f"No report was requested (createReport 202) in this scenario ({said}).")


# -- RPT-01 -----------------------------------------------------------------------------------
def _waits(trace: ReportTrace) -> list[float]:
    polls = trace.polls_until_end()
    return [b.wall - a.wall for a, b in pairwise(polls)]


def _judge_polling(obs: Observation) -> Judgement:
    traces = report_traces(obs)
    if not traces:
        return _none_requested(obs)
    rate, burst = GET_REPORT_PLAN
    problems: list[str] = []
    evidence: list[str] = []
    proven = 0
    for t in traces:
        polls = t.polls_until_end()
        throttled = [p for p in t.polls if p.status == 429]
        label = f"report {t.report_id} ({t.report_type})"
        if throttled:
            problems.append(f"{label}: {len(throttled)} getReport refused with 429")
            evidence += [p.summary() for p in throttled[:3]]
        span = polls[-1].wall - polls[0].wall if polls else 0.0
        if len(polls) > burst + rate * span:
            problems.append(
                f"{label}: {len(polls)} getReport in {span:.2f}s, over the plan "
                f"({rate:g}/s, burst {burst})"
            )
        waits = _waits(t)
        if len(waits) + 1 >= _MIN_POLLS:
            half = len(waits) // 2
            early, late = mean(waits[:half]), mean(waits[half:])
            grew = late >= _GROWTH * early and late > 0
            evidence.append(
                f"{label}: {len(polls)} polls, waits {', '.join(f'{w:.2f}' for w in waits[:8])}s"
            )
            if grew:
                proven += 1
            else:
                problems.append(
                    f"{label}: waits between polls do not grow (first half {early:.3f}s, "
                    f"second half {late:.3f}s on average)"
                )
    creates: dict[tuple[int, tuple[str, tuple[str, ...], str, str]], list[ReportTrace]] = {}
    for t in traces:
        creates.setdefault((t.action, t.key), []).append(t)
    for (action, key), same in creates.items():
        polled_between = any(
            p.seq < later.created.seq for earlier, later in pairwise(same) for p in earlier.polls
        )
        if len(same) > 1 and polled_between:
            problems.append(
                f"action {action + 1}: createReport {len(same)} times for {key[0]} between "
                "polls (a new report per poll)"
            )
            evidence += [s.created.summary() for s in same[:3]]
    metrics = {"reports": len(traces), "polls": sum(len(t.polls) for t in traces)}
    if problems:
        return Judgement(False, "; ".join(problems) + ".", evidence, metrics)
    if not proven:
        return Judgement(
            None,
            f"No report was polled {_MIN_POLLS} times or more before it ended, so growing waits "
            "are not shown (the scenario's slow report should have made that happen).",
            evidence,
            metrics,
        )
    return Judgement(
        True,
        f"{len(traces)} report(s) polled within getReport's plan with growing waits, one "
        "createReport each.",
        evidence,
        metrics,
    )


RPT_01 = Check(
    id="RPT-01",
    title="Reports polled with growing waits, within the plan, one createReport per report",
    area="Reports",
    severity="critical",
    requirement="While a report is processed, getReport is polled with growing waits inside "
    "its usage plan (2/s, burst 15; no 429), and the report is not requested again per poll.",
    why="Reports take minutes to hours. A tight getReport loop empties the bucket the seller's "
    "other report jobs share; a createReport per poll queues a new report behind the last one "
    "(createReport allows one a minute), so the data arrives later, or never.",
    remediation="Request the report once, then poll getReport with exponential backoff (or "
    "wait for REPORT_PROCESSING_FINISHED), capped within the plan, until a terminal status.",
    judge=_judge_polling,
    needs=("fetch_report",),
    brief="Reports polled with growing waits inside getReport's plan (no 429), one createReport "
    "per report (none per poll).",
).register()


# -- RPT-02 -----------------------------------------------------------------------------------
_SAYS = {"CANCELLED": ("CANCELLED", "DONE_NO_DATA", "NO_DATA"), "FATAL": ("FATAL",)}


def _judge_endings(obs: Observation) -> Judgement:
    traces = report_traces(obs)
    if not traces:
        return _none_requested(obs)
    wanted = [str(s) for s in obs.expected.get("endings", ["CANCELLED", "FATAL"])]
    problems: list[str] = []
    evidence: list[str] = []
    seen: set[str] = set()
    for t in traces:
        status, end = t.status(), t.terminal()
        if status not in _SAYS or end is None:
            continue
        label = f"report {t.report_id} ended {status}"
        if status == "CANCELLED" and facts_of(end).no_data:
            label += " (no data)"
        seen.add(status)
        evidence.append(f"{label}: {end.summary()}")
        after = [p for p in t.polls if p.seq > end.seq]
        again = [
            o
            for o in report_traces(obs)
            if o.key == t.key and o.action == t.action and o.created.seq > end.seq
        ]
        if after or again:
            problems.append(
                f"{label}, yet the integration went on: {len(after)} more getReport, "
                f"{len(again)} more createReport in the same action"
            )
        outcome = _outcome(obs, t)
        said = result_status(outcome)
        if outcome is None or outcome.status not in ("ok", "failed"):
            state = outcome.status if outcome else "no action"
            problems.append(f"{label}: the action did not end with a result ({state})")
        elif said not in _SAYS[status]:
            problems.append(f"{label}: the action's result says status {said or 'nothing'!r}")
        elif status == "FATAL" and outcome.ok:
            problems.append(f"{label}: the action reported ok")
    missing = [w for w in wanted if w not in seen]
    metrics = {"endings_seen": sorted(seen)}
    if problems:
        return Judgement(False, "; ".join(problems) + ".", evidence, metrics)
    if missing:
        return Judgement(
            None,
            f"No getReport showed the integration a {' or '.join(missing)} report, so how it "
            "handles that ending is not proven.",
            evidence,
            metrics,
        )
    return Judgement(
        True,
        f"Each {', '.join(sorted(seen))} report ended its action with a result naming it; "
        "polling stopped at the first terminal status.",
        evidence,
        metrics,
    )


RPT_02 = Check(
    id="RPT-02",
    title="CANCELLED (no data) and FATAL reports end the action with a clear result",
    area="Reports",
    severity="critical",
    requirement="A report that ends CANCELLED (cancelled, or no data: the 2021-06-30 API's "
    "DONE_NO_DATA) or FATAL ends the action at once, with a result whose status names it "
    "(FATAL is a failure); polling stops.",
    why="A connector that only knows DONE polls a cancelled or failed report until it is "
    "killed, burning the plan, and the seller never learns the data is missing.",
    remediation="Treat DONE, CANCELLED and FATAL as terminal: stop polling, return CANCELLED "
    "as 'no data' and FATAL as a failure naming the report id (re-request later if needed).",
    judge=_judge_endings,
    needs=("fetch_report",),
    brief="A report that ends CANCELLED (no data, or cancelled) or FATAL ends the action at "
    "once with a result naming it; polling stops.",
).register()


# -- RPT-03 -----------------------------------------------------------------------------------
def _parsed_rows(outcome: ActionOutcome | None) -> int | None:
    result = outcome.result if outcome is not None else None
    rows = result.get("rows") if isinstance(result, dict) else None
    return len(rows) if isinstance(rows, list) else None


def _judge_download(obs: Observation) -> Judgement:
    traces = [t for t in report_traces(obs) if t.status() == "DONE" and t.document_id()]
    if not traces:
        return Judgement(None, "No report reached DONE in this scenario, so no document to read.")
    problems: list[str] = []
    evidence: list[str] = []
    gzip_proven = expiry_proven = False
    expiry_wanted = bool(obs.expected.get("url_expiry"))
    for t in traces:
        label = f"report {t.report_id} ({t.report_type})"
        if t.restricted and not any(d.status == 200 for d in t.documents):
            continue  # RPT-04 judges a restricted document never released
        got = [d for d in t.documents if d.status == 200]
        read = [d for d in t.downloads if d.status == 200]
        expired = [d for d in t.downloads if d.refusal == "S3-EXPIRED"]
        evidence += [e.summary() for e in (got[:2] + expired[:1] + read[:1])]
        if not got:
            problems.append(f"{label}: DONE, but getReportDocument was never answered 200")
            continue
        if not read:
            why = "its URL had expired" if expired else "it was never downloaded"
            problems.append(f"{label}: the document was not read ({why})")
            continue
        if expired:
            fresh = [d for d in got if d.seq > expired[0].seq]
            if not fresh:
                problems.append(f"{label}: downloaded after an expired URL without a fresh one")
                continue
            expiry_proven = True
        facts = facts_of(got[-1])
        rows = facts.rows
        parsed = _parsed_rows(_outcome(obs, t))
        if parsed != rows:
            form = "GZIP" if facts.gzip else "plain"
            problems.append(
                f"{label}: the result holds {parsed if parsed is not None else 'no'} parsed "
                f"rows, the {form} document {rows}"
            )
        elif facts.gzip:
            gzip_proven = True
    metrics = {"documents": len(traces), "gzip": gzip_proven, "url_expiry": expiry_proven}
    if problems:
        return Judgement(False, "; ".join(problems) + ".", evidence, metrics)
    unproven = [
        part
        for part, wanted, proven in (
            ("a GZIP document", True, gzip_proven),
            ("an expired URL", expiry_wanted, expiry_proven),
        )
        if wanted and not proven
    ]
    if unproven:
        return Judgement(
            None, f"Not proven: {' and '.join(unproven)} never reached the integration.",
            evidence, metrics,
        )  # fmt: skip
    return Judgement(
        True,
        f"{len(traces)} document(s) downloaded while their URL was valid (a fresh URL asked "
        "for after an expired one), GZIP and plain parsed to the document's rows.",
        evidence,
        metrics,
    )


RPT_03 = Check(
    id="RPT-03",
    title="Report documents downloaded before the URL expires, GZIP handled",
    area="Reports",
    severity="critical",
    requirement="The document of a DONE report is downloaded within its presigned URL's five "
    "minutes (a fresh getReportDocument after an expired one), and decompressed when "
    "compressionAlgorithm is GZIP: the parsed rows are the document's rows.",
    why="An expired URL answers 403 AccessDenied; a GZIP document read as text yields garbage "
    "or nothing. Either way the seller's data is silently missing or wrong.",
    remediation="Download right after getReportDocument; on a 403 'Request has expired' ask "
    "getReportDocument again; gunzip when compressionAlgorithm is GZIP before parsing.",
    judge=_judge_download,
    needs=("fetch_report",),
    brief="A report document is downloaded within its URL's five minutes (a fresh URL asked for "
    "after an expired one); GZIP handled: the parsed rows are the document's rows.",
).register()


# -- RPT-04 -----------------------------------------------------------------------------------
def _judge_rdt(obs: Observation) -> Judgement:
    traces = [t for t in report_traces(obs) if t.restricted and t.status() == "DONE"]
    if not traces:
        return Judgement(None, "No restricted report reached DONE in this scenario.")
    problems: list[str] = []
    evidence: list[str] = []
    for t in traces:
        label = f"restricted report {t.report_id} ({t.report_type})"
        with_rdt = [d for d in t.documents if d.status == 200 and d.token and d.token.kind == "rdt"]
        refused = [d for d in t.documents if d.refusal == "RPT-RESTRICTED-NO-RDT"]
        evidence += [d.summary() for d in (refused[:2] + with_rdt[:1])]
        if not with_rdt:
            how = f"{len(refused)} ask(s) with the LWA token, refused 403" if refused else "never"
            problems.append(f"{label}: document never fetched with an RDT ({how})")
    if problems:
        return Judgement(False, "; ".join(problems) + ".", evidence)
    return Judgement(
        True, f"{len(traces)} restricted report document(s) fetched with an RDT.", evidence
    )


RPT_04 = Check(
    id="RPT-04",
    title="Restricted report documents fetched with a Restricted Data Token",
    area="Reports",
    severity="blocker",
    requirement="getReportDocument of a restricted report type (buyer PII: order, tax, "
    "invoicing and shipping reports) carries an RDT for that document's path.",
    why="Amazon refuses these documents to the LWA token (403): without an RDT the tax and "
    "shipping reports a seller needs never arrive, and Amazon's data-protection review asks "
    "for PII to be fetched through RDTs only.",
    remediation="Before getReportDocument of a restricted type, get an RDT "
    "(createRestrictedDataToken) for the specific /reports/2021-06-30/documents/{id} path "
    "(generic paths are refused for reports) and send it as x-amz-access-token.",
    judge=_judge_rdt,
    needs=("fetch_report",),
    brief="A restricted report's document (buyer PII) is fetched with a Restricted Data Token.",
).register()


# -- RPT-05 -----------------------------------------------------------------------------------
def _judge_reuse(obs: Observation) -> Judgement:
    traces = report_traces(obs)
    if not traces:
        return _none_requested(obs)
    again: list[tuple[ReportTrace, str]] = []
    for t in traces:
        # In flight as the simulator knew it, or as the integration did: it asked for the
        # same report earlier and had not seen that one end.
        known = [str(r) for r in facts_of(t.created).in_flight_same]
        unseen = [e.report_id for e in traces if e.key == t.key and e.open_before(t.created.seq)]
        earlier = list(dict.fromkeys(known + unseen))
        if earlier:
            again.append((t, ", ".join(earlier)))
    if again:
        return Judgement(
            False,
            f"{len(again)} createReport for a report and period already in flight "
            f"({', '.join(sorted({t.report_type for t, _ in again}))}).",
            [f"{t.created.summary()} while {e} was in flight" for t, e in again[:5]],
            {"duplicates": len(again)},
        )
    windows = obs.action_windows
    had_chance = [
        n
        for n in (int(n) for n in obs.expected.get("repeat_actions", []))
        if n < len(windows) and any(t.open_at_wall(windows[n][0]) for t in traces)
    ]
    if not had_chance:
        return Judgement(
            None,
            "No action asked for a report while the same one was in flight, so reuse is not "
            "proven.",
        )
    actions = ", ".join(str(n + 1) for n in had_chance)
    return Judgement(
        True,
        f"Asked again while its report was in flight (action {actions}), the integration "
        "reused it instead of requesting it again.",
    )


RPT_05 = Check(
    id="RPT-05",
    title="The same report and period is not requested again while one is in flight",
    area="Reports",
    severity="normal",
    requirement="A report of the same type, marketplaces and period as one still IN_QUEUE or "
    "IN_PROGRESS is not requested again: the in-flight report is reused.",
    why="createReport allows one request a minute; a duplicate queues behind the first and "
    "delays both, and the seller pays the quota twice for the same data.",
    remediation="Remember the reportId of each requested report (type, marketplaces, period) "
    "until it ends, and resume polling it instead of calling createReport again.",
    judge=_judge_reuse,
    needs=("fetch_report",),
    brief="The same report (type, marketplaces, period) is not requested again while one is in "
    "flight.",
).register()
