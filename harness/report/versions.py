"""What makes a run reproducible: the run id and the versions of everything it depended on.

A reviewer who signs a GO, and an engineer who must re-run it six weeks later, need the same
facts: which ACORN, which commit of the integration, which commit of Amazon's models, which
seed, on which Python and OS. Reading them must never fail a run: a folder that is not a git
checkout, a missing ``git``, a hung repository all give ``None`` for that version.
"""

from __future__ import annotations

import os
import platform
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["git_commit", "new_run_id", "run_versions"]

_GIT_TIMEOUT_S = 5.0
_ACORN_ROOT = Path(__file__).resolve().parents[2]
_DEFAULT_SEED = 20260302
"""``SimConfig.seed``: the seeded seller's world (orders, buyers, listings) of every scenario."""


def new_run_id() -> str:
    """A unique, sortable run id: UTC time plus a random suffix (``20261206T041500Z-ab12cd34``)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{uuid.uuid4().hex[:8]}"


def git_commit(folder: Path | str | None) -> str | None:
    """The commit ``folder`` is checked out at, or None (not a checkout, no git, timeout).

    A work tree with uncommitted changes gets a ``+dirty`` suffix: a commit alone would claim
    a reproducibility the run does not have.
    """
    if not folder:
        return None
    path = Path(folder)
    if not path.is_dir():
        path = path.parent
    if not path.is_dir():
        return None
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
    try:
        head = subprocess.run(
            ["git", "-C", str(path), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT_S,
            env=env,
            check=False,
        )
        if head.returncode != 0:
            return None
        commit = head.stdout.strip()
        status = subprocess.run(
            ["git", "-C", str(path), "status", "--porcelain", "--untracked-files=no", "."],
            capture_output=True,
            text=True,
            timeout=_GIT_TIMEOUT_S,
            env=env,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if len(commit) not in (40, 64) or any(c not in "0123456789abcdef" for c in commit):
        return None
    dirty = status.returncode == 0 and status.stdout.strip() != ""
    return f"{commit}+dirty" if dirty else commit


def run_versions(
    integration: dict[str, str],
    *,
    harness_version: str,
    seed: int = _DEFAULT_SEED,
    models_dir: str | None = None,
) -> dict[str, Any]:
    """The ``versions`` block of readiness.json (every key always present; unknown is None)."""
    models = models_dir if models_dir is not None else os.environ.get("ACORN_MODELS_DIR")
    return {
        "acorn": harness_version,
        "acorn_commit": git_commit(_ACORN_ROOT) if (_ACORN_ROOT / ".git").exists() else None,
        "integration": {
            "name": integration.get("name"),
            "version": integration.get("version"),
            "commit": git_commit(integration.get("path")),
        },
        "amazon_models": {
            "dir": models or None,
            "commit": git_commit(models) if models else None,
        },
        "seed": seed,
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()} ({platform.machine()})",
    }
