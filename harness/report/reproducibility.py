"""The reproducibility block of a report: the (label, value) rows the markdown and the HTML
report both print. Its own module because both writers need it: in writers.py it made
writers and html import each other."""

from __future__ import annotations

from harness.report.model import Readiness

__all__ = ["reproducibility"]


def reproducibility(readiness: Readiness, json_sha256: str | None) -> list[tuple[str, str]]:
    """(label, value) rows of what makes the run reproducible, for md and html alike."""
    v = readiness.versions
    integ = v.get("integration") or {}
    models = v.get("amazon_models") or {}
    rows = [
        ("Run id", readiness.run_id),
        ("Generated", readiness.generated_at),
        (
            "ACORN",
            f"{v.get('acorn', readiness.harness_version)}"
            + (f" (commit {v['acorn_commit']})" if v.get("acorn_commit") else ""),
        ),
        (
            "Integration",
            f"{integ.get('name', readiness.integration.get('name'))} "
            f"{integ.get('version', readiness.integration.get('version', ''))}",
        ),
        ("Integration commit", integ.get("commit") or "unknown (not a git checkout)"),
        (
            "Amazon models commit",
            models.get("commit")
            or (
                "unknown (not a git checkout)"
                if models.get("dir")
                else "not used (bundled contracts)"
            ),
        ),
        ("Seed", str(v.get("seed", "unknown"))),
        ("Python", str(v.get("python", "unknown"))),
        ("OS", str(v.get("os", "unknown"))),
        ("Selection", readiness.selection or "whole suite"),
    ]
    if json_sha256:
        rows.append(("readiness.json SHA-256", json_sha256))
    return rows
