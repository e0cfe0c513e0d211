"""Allure results a QA lead can read: each check titled by its id and name, labelled by area,
marketplace and severity, linked to Amazon's documentation, with the status readiness.json says.

Two moments. While a scenario runs, :func:`label_check` names the test case through
allure-pytest's dynamic API. After the run, :func:`reconcile_results` makes every result agree
with the verdict's own statuses (a check that is not proven is ``skipped`` with the reason, an
error is ``broken``), labels results whose scenario died before it judged anything, and writes a
result for a check that never got one (an interrupted run). The texts of the status messages
are the ones categories.json matches (see :mod:`harness.report.allure_run`).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.checks.docs import docs_for
from harness.report.charts import content_of

if TYPE_CHECKING:
    from harness.checks import CheckResult
    from harness.report.model import Readiness

__all__ = [
    "ALLURE_STATUS",
    "SEVERITY",
    "allure_labels",
    "label_check",
    "reconcile_results",
    "status_message",
    "title",
]

ALLURE_STATUS = {
    "passed": "passed",
    "failed": "failed",
    "skipped": "skipped",
    "not_applicable": "skipped",
    "error": "broken",
    "waived": "skipped",
}
"""ACORN status -> Allure status: not proven and out of scope are both skipped (with different
messages), an error is broken (the harness, not the integration, could not finish)."""
SEVERITY = {"blocker": "blocker", "critical": "critical", "normal": "normal", "minor": "minor"}
"""ACORN severity -> Allure severity (Allure also knows ``trivial``, which ACORN never uses)."""
CHECK_LABEL = "check_id"
SCENARIO_LABEL = "acorn_scenario"
KIND_LABEL = "acorn"
"""``acorn`` = ``check`` on every check's result, ``verdict`` / ``fidelity`` on the run's own."""
_OWN = {
    "epic",
    "feature",
    "story",
    "severity",
    "tag",
    "parentSuite",
    "suite",
    "subSuite",
    CHECK_LABEL,
    SCENARIO_LABEL,
    KIND_LABEL,
}


def title(result: CheckResult) -> str:
    """ "AUTH-03 Concurrent calls share one token refresh"."""
    return f"{result.id} {result.title}"


def _features(result: CheckResult) -> list[str]:
    """The marketplaces of a per-marketplace check (its ``marketplaces`` metric), else its
    scenario: Allure's Behaviors view then shows what is blocked where."""
    marketplaces = result.metrics.get("marketplaces")
    if isinstance(marketplaces, list) and marketplaces:
        return [str(m) for m in marketplaces]
    return [result.scenario]


def allure_labels(result: CheckResult, scope: str, integration: str = "") -> list[tuple[str, str]]:
    """The labels of one check's test case, in Allure's label vocabulary."""
    labels = [
        ("epic", result.area),
        *(("feature", f) for f in _features(result)),
        ("story", title(result)),
        ("severity", SEVERITY[result.severity]),
        ("tag", f"scope: {scope}"),
        (CHECK_LABEL, result.id),
        (SCENARIO_LABEL, result.scenario),
        (KIND_LABEL, "check"),
        ("suite", result.area),
        ("subSuite", result.scenario),
    ]
    if integration:
        labels.append(("parentSuite", f"ACORN readiness: {integration}"))
    return labels


def status_message(result: CheckResult) -> str:
    """The first words are what categories.json matches: keep them in step with it."""
    if result.status == "failed":
        return f"{result.severity.upper()} {result.id} failed: {result.summary}"
    if result.status == "skipped":
        return f"Not proven: {result.id} ({result.severity}) was not exercised: {result.summary}"
    if result.status == "not_applicable":
        return f"Not applicable: {result.summary}"
    if result.status == "error":
        return f"Harness error: {result.id} could not be judged: {result.summary}"
    return f"{result.id} passed: {result.summary}"


def label_check(result: CheckResult, scope: str, integration: str = "") -> None:
    """Title, labels, links, description and evidence of the running test, through
    allure-pytest's dynamic API; a no-op when allure-pytest is not installed."""
    try:
        import allure
    except ImportError:  # allure-pytest is a dependency, but the plugin must not need it
        return
    allure.dynamic.title(title(result))
    allure.dynamic.description(result.requirement)
    for name, value in allure_labels(result, scope, integration):
        allure.dynamic.label(name, value)
    for name, url in docs_for(result.id):
        allure.dynamic.link(url, name=name)
    allure.attach(
        result.explain(), name=f"{result.id} evidence", attachment_type=allure.attachment_type.TEXT
    )
    kinds = {t.mime_type: t for t in allure.attachment_type}
    for item in result.attachments:
        allure.attach(
            content_of(item),
            name=item.name,
            attachment_type=kinds.get(item.mime, item.mime),
            extension=item.extension,
        )


def _label(data: dict[str, Any], name: str) -> str | None:
    for label in data.get("labels") or []:
        if isinstance(label, dict) and label.get("name") == name:
            return str(label.get("value"))
    return None


def _key_of(data: dict[str, Any]) -> tuple[str, str] | None:
    """(check id, scenario) of an allure-pytest result: from ACORN's labels, else from the test
    function's name and module (a scenario that died before it judged its check)."""
    from harness.checks.registry import check_for_test

    check_id = _label(data, CHECK_LABEL)
    scenario = _label(data, SCENARIO_LABEL)
    full = str(data.get("fullName") or "")
    module, _, function = full.partition("#")
    if check_id is None:
        check = check_for_test(function or str(data.get("name") or ""))
        if check is None:
            return None
        check_id = check.id
    return check_id, scenario or module.rsplit(".", 1)[-1]


def _status(readiness: Readiness, result: CheckResult) -> tuple[str, str]:
    """(Allure status, message); a waived failure is skipped with "waived by OWNER until ..."."""
    waiver = readiness.waiver_of(result)
    if waiver is not None:
        return "skipped", str(waiver["text"])
    return ALLURE_STATUS[result.status], status_message(result)


def _apply(
    data: dict[str, Any],
    result: CheckResult,
    scope: str,
    integration: str,
    status: tuple[str, str],
) -> None:
    data["name"] = title(result)
    data["titlePath"] = [result.area]  # Allure 3's tree: by area, not by scenario file
    data["status"] = status[0]
    details = dict(data.get("statusDetails") or {})
    details["message"] = status[1]
    data["statusDetails"] = details
    data.setdefault("description", result.requirement)
    kept = [
        label
        for label in data.get("labels") or []
        if isinstance(label, dict) and label.get("name") not in _OWN
    ]
    data["labels"] = kept + [
        {"name": n, "value": v} for n, v in allure_labels(result, scope, integration)
    ]
    if not data.get("links"):
        data["links"] = [{"type": "link", "name": n, "url": u} for n, u in docs_for(result.id)]


def _stable_id(*parts: str) -> str:
    return hashlib.md5("\x1f".join(parts).encode(), usedforsecurity=False).hexdigest()


def new_result(name: str, status: str, message: str, **extra: Any) -> dict[str, Any]:
    """A minimal Allure 2 result (also read by Allure 3) for what no pytest test produced."""
    start = int(extra.pop("start", 0))
    return {
        "uuid": str(uuid.uuid4()),
        "historyId": _stable_id("acorn", name),
        "testCaseId": _stable_id("acorn", name),
        "name": name,
        "fullName": f"acorn#{name}",
        "status": status,
        "statusDetails": {"message": message},
        "stage": "finished",
        "start": start,
        "stop": start,
        "labels": [],
        "links": [],
        "attachments": [],
        **extra,
    }


def reconcile_results(readiness: Readiness, results_dir: Path) -> int:
    """Make the Allure results say what readiness.json says; return how many were rewritten
    or added. A check without a result file gets one (its scenario never reported)."""
    scope = str(readiness.scope.get("areas") or "every action")
    integration = str(readiness.integration.get("name") or "")
    wanted: dict[tuple[str, str], CheckResult] = {(r.id, r.scenario): r for r in readiness.results}
    by_id: dict[str, list[CheckResult]] = {}
    for r in readiness.results:
        by_id.setdefault(r.id, []).append(r)
    changed = 0
    seen: set[int] = set()
    for path in sorted(results_dir.glob("*-result.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        key = _key_of(data)
        if key is None or _label(data, KIND_LABEL) in ("verdict", "fidelity"):
            continue
        result = wanted.get(key)
        if result is None and len(by_id.get(key[0], [])) == 1:
            result = by_id[key[0]][0]
        if result is None:
            continue
        seen.add(id(result))
        before = json.dumps(data, sort_keys=True)
        _apply(data, result, scope, integration, _status(readiness, result))
        if json.dumps(data, sort_keys=True) != before:
            path.write_text(json.dumps(data), encoding="utf-8")
            changed += 1
    for result in readiness.results:
        if id(result) in seen:
            continue
        status = _status(readiness, result)
        data = new_result(
            title(result),
            *status,
            fullName=f"acorn#{result.id}#{result.scenario}",
            historyId=_stable_id("acorn", result.id, result.scenario),
            testCaseId=_stable_id("acorn", result.id, result.scenario),
        )
        _apply(data, result, scope, integration, status)
        (results_dir / f"{data['uuid']}-result.json").write_text(json.dumps(data), "utf-8")
        changed += 1
    return changed
