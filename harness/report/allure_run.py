"""The run-level files of allure-results: Environment, Executors, Categories, trend, verdict.

Allure's panels are empty unless the results folder carries them: environment.properties (what
makes the run reproducible: integration version and commit, ACORN version, Amazon models commit,
seed, Python, OS), executor.json (the CI job that ran it, from its variables), categories.json
(blocker failures, not proven, fidelity notes, harness errors) and the previous report's history
(the trend). The verdict itself is a test case named "Verdict", so a reviewer who opens only
Allure still reads GO / NO-GO / INCOMPLETE and why.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.errors import ConfigError
from harness.report.allure import KIND_LABEL, new_result, reconcile_results

if TYPE_CHECKING:
    from harness.report.model import Readiness

__all__ = [
    "CATEGORIES",
    "environment",
    "executor",
    "finish_allure",
    "history_source",
    "load_history",
    "verdict_result",
    "write_environment",
    "write_history",
]

_ANY = r"[\s\S]*"  # Allure 2 matches the whole message (Java), Allure 3 searches it (JS)
CATEGORIES: list[dict[str, Any]] = [
    {"name": "Blocker failures", "matchedStatuses": ["failed"], "messageRegex": "BLOCKER " + _ANY},
    {
        "name": "Critical failures",
        "matchedStatuses": ["failed"],
        "messageRegex": "CRITICAL " + _ANY,
    },
    {
        "name": "Failures that do not block GO",
        "matchedStatuses": ["failed"],
        "messageRegex": "(NORMAL|MINOR) " + _ANY,
    },
    {"name": "Not proven", "matchedStatuses": ["skipped"], "messageRegex": "Not proven: " + _ANY},
    {
        "name": "Waived (accepted risks)",
        "matchedStatuses": ["skipped"],
        "messageRegex": "waived (in [A-Z]{2} )?by " + _ANY,
    },
    {
        "name": "Not applicable (outside the declared scope)",
        "matchedStatuses": ["skipped"],
        "messageRegex": "Not applicable: " + _ANY,
    },
    {
        "name": "Fidelity notes (not verified against Amazon)",
        "matchedStatuses": ["unknown"],
        "messageRegex": "Fidelity note: " + _ANY,
    },
    {
        "name": "Harness errors (run INCOMPLETE)",
        "matchedStatuses": ["broken"],
        "messageRegex": "(Harness error|Verdict INCOMPLETE): " + _ANY,
    },
    {
        "name": "Verdict NO-GO",
        "matchedStatuses": ["failed"],
        "messageRegex": "Verdict NO-GO: " + _ANY,
    },
]
"""Matched on the texts of :func:`harness.report.allure.status_message` and the verdict."""
_HISTORY_FILES = re.compile(r".*-trend\.json$|^history\.json$|^history\.jsonl$")


def _git_commit(folder: Path) -> str | None:
    """HEAD of the git checkout holding ``folder`` (None when it is not one, or git is absent)."""
    try:
        out = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    return commit if out.returncode == 0 and re.fullmatch(r"[0-9a-f]{40}", commit) else None


def _dirty(folder: Path) -> bool:
    try:
        out = subprocess.run(
            ["git", "-C", str(folder), "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and bool(out.stdout.strip())


def models_commit(models_dir: Path) -> str | None:
    """The commit of Amazon's models: a git checkout's HEAD, a COMMIT/REVISION file, or the
    commit a copy's README states ("at commit 34dc93fe...")."""
    if not models_dir.is_dir():
        return None
    commit = _git_commit(models_dir)
    if commit:
        return commit
    for name in ("COMMIT", ".commit", "REVISION", "README.md"):
        path = models_dir / name
        if path.is_file():
            found = re.search(r"\b[0-9a-f]{40}\b", path.read_text("utf-8", errors="replace")[:4000])
            if found:
                return found.group(0)
    return None


def environment(readiness: Readiness, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """What makes this run reproducible, as Allure's Environment panel shows it."""
    from harness.sim.config import SimConfig

    environ = os.environ if environ is None else environ
    integ = readiness.integration
    values = {
        "Integration": str(integ.get("name", "unknown")),
        "Integration.version": str(integ.get("version", "unknown")),
        "Integration.driver": str(integ.get("driver", "unknown")),
    }
    root = Path(str(integ.get("path") or "")) if integ.get("path") else None
    commit = _git_commit(root) if root is not None and root.exists() else None
    if commit:
        values["Integration.commit"] = commit + (" (uncommitted changes)" if _dirty(root) else "")  # type: ignore[arg-type]
    values["Verdict"] = readiness.headline
    values["Scope"] = str(readiness.scope.get("areas") or "every action")
    if readiness.scope.get("marketplaces"):
        values["Marketplaces"] = ", ".join(readiness.scope["marketplaces"])
    if readiness.selection:
        values["Selection (partial run)"] = readiness.selection
    values["ACORN.version"] = readiness.harness_version
    models = environ.get("ACORN_MODELS_DIR")
    found = models_commit(Path(models)) if models else None
    values["Amazon.models.commit"] = found or "unknown (set ACORN_MODELS_DIR to a checkout)"
    values["Simulator.seed"] = str(SimConfig().seed)
    values["Python"] = platform.python_version()
    values["OS"] = f"{platform.system()} {platform.release()} ({platform.machine()})"
    values["Generated"] = readiness.generated_at
    return values


def _escape_properties(text: str, *, key: bool = False) -> str:
    out = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
    if key:
        out = re.sub(r"([ :=#!])", r"\\\1", out)
    return out.encode("ascii", "backslashreplace").decode("ascii").replace("\\x", "\\u00")


def write_environment(values: Mapping[str, str], path: Path) -> None:
    lines = [
        f"{_escape_properties(k, key=True)}={_escape_properties(v)}" for k, v in values.items()
    ]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")


def executor(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Allure's executor.json from the CI job's own variables; a local executor otherwise."""
    env = os.environ if environ is None else environ
    if env.get("GITHUB_ACTIONS") == "true" and env.get("GITHUB_RUN_ID"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        repo = env.get("GITHUB_REPOSITORY", "")
        run_url = f"{server}/{repo}/actions/runs/{env['GITHUB_RUN_ID']}"
        return {
            "name": "GitHub Actions",
            "type": "github",
            "url": f"{server}/{repo}",
            "buildOrder": int(env.get("GITHUB_RUN_NUMBER", "0") or 0),
            "buildName": f"{env.get('GITHUB_WORKFLOW', 'workflow')} "
            f"#{env.get('GITHUB_RUN_NUMBER', '')}",
            "buildUrl": run_url,
            "reportUrl": "",
            "reportName": "ACORN readiness",
        }
    if env.get("GITLAB_CI") and env.get("CI_JOB_ID"):
        return {
            "name": "GitLab CI",
            "type": "gitlab",
            "url": env.get("CI_PROJECT_URL", ""),
            "buildOrder": int(env.get("CI_PIPELINE_IID", "0") or 0),
            "buildName": f"{env.get('CI_PROJECT_PATH', '')} {env.get('CI_JOB_NAME', '')} "
            f"#{env['CI_JOB_ID']}".strip(),
            "buildUrl": env.get("CI_JOB_URL", ""),
            "reportUrl": "",
            "reportName": "ACORN readiness",
        }
    if env.get("BUILD_URL") and env.get("JENKINS_URL"):
        return {
            "name": "Jenkins",
            "type": "jenkins",
            "url": env.get("JENKINS_URL", ""),
            "buildOrder": int(env.get("BUILD_NUMBER", "0") or 0),
            "buildName": env.get("BUILD_TAG")
            or f"{env.get('JOB_NAME', '')} #{env.get('BUILD_NUMBER', '')}",
            "buildUrl": env["BUILD_URL"],
            "reportUrl": "",
            "reportName": "ACORN readiness",
        }
    return {
        "name": f"local ({platform.node() or 'this machine'})",
        "type": "local",
        "buildName": f"acorn run {time.strftime('%Y-%m-%d %H:%M:%S')}",
        "reportName": "ACORN readiness",
    }


def history_source(folder: Path) -> Path:
    """The folder holding Allure history files in ``folder`` (``history/``, an earlier
    ``allure-report/history/``, or ``folder`` itself); ConfigError names what to keep."""
    candidates = [folder / "history", folder / "allure-report" / "history", folder]
    if not folder.is_dir():
        raise ConfigError(
            f"the --history folder {folder} does not exist",
            fix="keep the previous report's history between CI runs (allure-report/history/ "
            "for Allure 2, history.jsonl for Allure 3) and pass that folder; omit --history "
            "on the first run",
        )
    for candidate in candidates:
        if candidate.is_dir() and any(_HISTORY_FILES.match(p.name) for p in candidate.iterdir()):
            return candidate
    raise ConfigError(
        f"the --history folder {folder} holds no Allure history (no history.json, "
        "*-trend.json or history.jsonl in it, in history/ or in allure-report/history/)",
        fix="pass the folder you kept from the previous run's Allure report",
    )


def load_history(folder: Path) -> dict[str, bytes]:
    """The Allure history files kept in ``folder``, read before the report folder is cleared
    (``--history reports`` may name the very folder this run replaces)."""
    source = history_source(folder)
    return {
        p.name: p.read_bytes()
        for p in sorted(source.iterdir())
        if p.is_file() and _HISTORY_FILES.match(p.name)
    }


def write_history(files: Mapping[str, bytes], results_dir: Path) -> list[str]:
    """Put the kept history into ``allure-results/history/``, where Allure 2 reads the trend."""
    target = results_dir / "history"
    target.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (target / name).write_bytes(content)
    return sorted(files)


def verdict_result(readiness: Readiness) -> dict[str, Any]:
    """The "Verdict" test case: passed for GO, failed for NO-GO, broken for INCOMPLETE."""
    status = {"GO": "passed", "NO-GO": "failed"}.get(readiness.verdict, "broken")
    reasons = readiness.reasons()
    scope = str(readiness.scope.get("areas") or "every action")
    lines = [f"Verdict {readiness.verdict}: {readiness.headline} (scope: {scope})"]
    if readiness.selection:
        lines.append(f"Partial run: only scenarios matching {readiness.selection!r} ran.")
    lines += [f"- {reason}" for reason in reasons]
    counts = ", ".join(f"{v} {k}" for k, v in readiness.counts().items() if v)
    description = (
        f"GO needs every blocker and critical check in scope to pass; not proven is not GO. "
        f"Integration {readiness.integration.get('name')} "
        f"{readiness.integration.get('version', '')}: {counts}."
    )
    data = new_result(
        "Verdict",
        status,
        "\n".join(lines),
        start=int(time.time() * 1000),
        description=description,
        titlePath=["Verdict"],
    )
    data["labels"] = [
        {"name": KIND_LABEL, "value": "verdict"},
        {"name": "epic", "value": "Verdict"},
        {"name": "parentSuite", "value": f"ACORN readiness: {readiness.integration.get('name')}"},
        {"name": "suite", "value": "Verdict"},
        {"name": "severity", "value": "blocker"},
        {"name": "tag", "value": f"scope: {scope}"},
    ]
    return data


def _fidelity_result(readiness: Readiness, results_dir: Path) -> dict[str, Any] | None:
    if not readiness.fidelity:
        return None
    text = "\n".join(
        f"{n.get('code')}: {n.get('text', '')} ({n.get('count', 1)}x, scenario "
        f"{n.get('scenario', '')}, first {n.get('first_request_id', '')})"
        for n in readiness.fidelity
    )
    data = new_result(
        "Not verified against Amazon",
        "unknown",
        f"Fidelity note: {len(readiness.fidelity)} kind(s) of request the simulator accepted "
        "without a source showing Amazon does; confirm them in Amazon's sandbox.",
        start=int(time.time() * 1000),
    )
    source = f"{data['uuid']}-attachment.txt"
    (results_dir / source).write_text(text + "\n", encoding="utf-8")
    data["attachments"] = [{"name": "fidelity notes", "source": source, "type": "text/plain"}]
    data["labels"] = [
        {"name": KIND_LABEL, "value": "fidelity"},
        {"name": "epic", "value": "Verdict"},
        {"name": "suite", "value": "Verdict"},
    ]
    return data


def finish_allure(
    readiness: Readiness,
    results_dir: Path,
    *,
    history: Mapping[str, bytes] | None = None,
    environ: Mapping[str, str] | None = None,
) -> None:
    """Everything Allure needs beyond the per-test results, written after the verdict."""
    results_dir.mkdir(parents=True, exist_ok=True)
    reconcile_results(readiness, results_dir)
    write_environment(environment(readiness, environ), results_dir / "environment.properties")
    (results_dir / "executor.json").write_text(json.dumps(executor(environ), indent=2), "utf-8")
    (results_dir / "categories.json").write_text(json.dumps(CATEGORIES, indent=2), "utf-8")
    for data in (verdict_result(readiness), _fidelity_result(readiness, results_dir)):
        if data is not None:
            path = results_dir / f"{data['uuid']}-result.json"
            path.write_text(json.dumps(data), encoding="utf-8")
    if history:
        write_history(history, results_dir)
