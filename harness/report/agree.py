"""Every format states what readiness.json states, after the run's last judgements.

Two things are decided after pytest has written junit.xml: the run's leak scan of the
integration's own files (``work/``), which PII-03 owns, and the waivers applied to that late
result. This module folds the scan into PII-03, brings junit.xml in line with the readiness
statuses check by check (Allure's results are reconciled by harness.report.allure), and puts
the waivers file's problems into junit.xml's and Allure's properties, so a reviewer never
reads PASS in one file and FAIL in another.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from harness.checks.registry import check_by_id, check_for_test
from harness.report.folder import set_junit_properties

if TYPE_CHECKING:
    from harness.checks import CheckResult
    from harness.report.model import Readiness

__all__ = ["apply_log_leaks", "sync_allure", "sync_formats", "sync_junit"]

LEAK_CHECK = "PII-03"
_SCAN_SCENARIO = "run output scan"


def apply_log_leaks(results: list[CheckResult], findings: list[str]) -> list[CheckResult]:
    """PII-03 failed with ``findings`` ("work/x.log:3: LWA refresh token"; never a value).

    Whatever PII-03 said before (passed on its scenario's log, not proven, out of scope, not
    selected): a secret or buyer PII in a file the integration wrote is the leak PII-03
    forbids, so it fails, with the earlier evidence kept."""
    if not findings:
        return results
    files = sorted({f.split(":", 1)[0] for f in findings})
    kinds = sorted({f.rsplit(": ", 1)[-1] for f in findings})
    summary = (
        f"The integration's own files in the report folder contain {', '.join(kinds)} "
        f"({len(findings)} finding(s) in {', '.join(files[:5])}). The values are not repeated "
        "here."
    )
    check = check_by_id(LEAK_CHECK)
    out = list(results)
    index = next((i for i, r in enumerate(out) if r.id == LEAK_CHECK), None)
    if index is None:
        base = check.unjudged(_SCAN_SCENARIO, "failed", summary)
        out.append(replace(base, remediation=check.remediation, evidence=findings[:25]))
        return out
    before = out[index]
    failed_before = before.status in ("failed", "waived")
    earlier = before.evidence if failed_before else []
    out[index] = replace(
        before,
        status="failed",
        waiver=None,
        summary=(before.summary + " " if failed_before else "") + summary,
        evidence=[*earlier, *findings][:25],
        remediation=check.remediation,
        metrics={**before.metrics, "run_scan_findings": len(findings)},
    )
    return out


# What each readiness status looks like in junit.xml (the test case's child element).
_JUNIT: dict[str, set[str | None]] = {
    "passed": {None},
    "failed": {"failure"},
    "waived": {"skipped"},
    "skipped": {"skipped"},
    "not_applicable": {"skipped"},
    "error": {"error", "failure"},
}


def sync_formats(readiness: Readiness, junit: Path, allure_results: Path) -> None:
    """junit.xml's test cases and both formats' waiver properties, after the report is
    written (Allure's statuses were reconciled by finish_allure before)."""
    sync_junit(junit, readiness)
    sync_allure(allure_results, readiness)


def _one_status(readiness: Readiness) -> dict[str, CheckResult]:
    """Check id -> its result, for checks whose every result (a check may be judged by more
    than one scenario) has the same status: only those can be matched to a test case without
    knowing which scenario it ran. The others were reported by pytest as judged, unchanged."""
    groups: dict[str, list[CheckResult]] = {}
    for r in readiness.results:
        groups.setdefault(r.id, []).append(r)
    return {
        check_id: found[0]
        for check_id, found in groups.items()
        if len({readiness.status_of(r) for r in found}) == 1
    }


def _message(readiness: Readiness, result: CheckResult) -> str:
    waiver = readiness.waiver_of(result)
    return str(waiver["text"]) if waiver is not None else f"{result.id}: {result.summary}"


def sync_junit(junit: Path, readiness: Readiness) -> list[str]:
    """Rewrite the test cases whose outcome disagrees with readiness; return their check ids.

    A failed check no scenario test stands for (PII-03 failed by the run's scan in a run that
    did not select it) gets a test case of its own."""
    if not junit.is_file():
        return []
    tree = ET.parse(junit)
    root = tree.getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    by_id = _one_status(readiness)
    changed: list[str] = []
    seen: set[str] = set()
    for suite in suites:
        for case in suite.iter("testcase"):
            check = check_for_test(case.get("name", ""))
            if check is not None:
                seen.add(check.id)
            result = by_id.get(check.id) if check is not None else None
            if result is None:
                continue
            status = readiness.status_of(result)
            kinds = [c for c in case if c.tag in ("failure", "error", "skipped")]
            now = kinds[0].tag if kinds else None
            if now in _JUNIT[status]:
                continue
            for child in kinds:
                case.remove(child)
            _junit_outcome(case, status, _message(readiness, result))
            changed.append(result.id)
    for result in readiness.results:
        if result.id not in seen and readiness.status_of(result) == "failed" and suites:
            name = f"test_{result.id.lower().replace('-', '_')}_{_SCAN_SCENARIO.replace(' ', '_')}"
            case = ET.SubElement(suites[0], "testcase", {"classname": "acorn", "name": name})
            _junit_outcome(case, "failed", _message(readiness, result))
            changed.append(result.id)
    problems = _waiver_properties(readiness)
    set_junit_properties(suites, problems, prefix="acorn.waiver")
    if changed:
        for suite in suites:
            cases = list(suite.iter("testcase"))
            for attr, tags in (("failures", {"failure"}), ("errors", {"error"})):
                suite.set(attr, str(sum(1 for c in cases for x in c if x.tag in tags)))
            suite.set("skipped", str(sum(1 for c in cases for x in c if x.tag == "skipped")))
            suite.set("tests", str(len(cases)))
    if changed or problems:
        tree.write(junit, encoding="utf-8", xml_declaration=True)
    return changed


def _waiver_properties(readiness: Readiness) -> dict[str, str]:
    """``acorn.waivers.*`` counts and one ``acorn.waiver_problem.N`` per waiver that does not
    count: a property, not a failed test case, so CI's counts still match the verdict."""
    report = readiness.waiver_report()
    if report is None:
        return {}
    out = {
        "acorn.waivers.file": str(report["file"]),
        "acorn.waivers.applied": str(len(report["applied"])),
        "acorn.waivers.unused": str(len(report["unused"])),
        "acorn.waivers.problems": str(len(report["problems"])),
    }
    for number, problem in enumerate(report["problems"], start=1):
        out[f"acorn.waiver_problem.{number}"] = problem
    return out


def _junit_outcome(case: ET.Element, status: str, message: str) -> None:
    if status == "failed":
        ET.SubElement(case, "failure", {"message": message}).text = message
    elif status == "error":
        ET.SubElement(case, "error", {"message": message}).text = message
    elif status != "passed":
        ET.SubElement(case, "skipped", {"type": "pytest.skip", "message": message}).text = message


def sync_allure(results_dir: Path, readiness: Readiness) -> None:
    """The waivers' counts and problems in Allure's Environment panel (environment.properties,
    whatever else it holds is kept). Statuses are :func:`harness.report.allure.reconcile_results`'
    (a waived failure is skipped there with its waiver's text)."""
    path = results_dir / "environment.properties"
    if not results_dir.is_dir():
        return
    ours = _waiver_properties(readiness)
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    kept = [line for line in lines if not line.startswith("acorn.waiver")]
    if not ours and kept == lines:
        return
    kept += [f"{key}={_escape(value)}" for key, value in ours.items()]
    path.write_text("\n".join(kept) + "\n", encoding="ascii")


def _escape(value: str) -> str:
    """A .properties value (ISO 8859-1 by the spec): escapes for \\, line breaks, non-ASCII."""
    out = value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
    return out.encode("ascii", "backslashreplace").decode("ascii").replace("\\x", "\\u00")
