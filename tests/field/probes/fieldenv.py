"""Install a field integration's pinned dependencies the way its user would, once per pin set.

A Python integration gets ``python -m venv`` + ``pip install -r requirements.txt`` in a cache
directory keyed by the requirements' hash (``~/.cache/acorn-field/<name>-<hash>``, or under
``ACORN_FIELD_CACHE``), linked as ``.venv`` in the integration's folder: exactly where its
``run.sh`` (and a user) looks for it. Standard library only, so probes and the field test share
it without ACORN.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["ToolchainMissing", "cache_root", "ensure_python_env"]


class ToolchainMissing(RuntimeError):
    """What an integration needs to be installed is not on this machine."""


def cache_root() -> Path:
    base = os.environ.get("ACORN_FIELD_CACHE")
    return Path(base) if base else Path.home() / ".cache" / "acorn-field"


def _digest(requirements: Path) -> str:
    text = requirements.read_text() + f"\npython {sys.version_info[0]}.{sys.version_info[1]}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def ensure_python_env(folder: Path) -> Path:
    """The interpreter of ``folder``'s venv, installing it first if its pins changed."""
    requirements = folder / "requirements.txt"
    venv = cache_root() / f"{folder.name}-{_digest(requirements)}"
    python = venv / "bin" / "python"
    if not (venv / ".complete").exists():
        if venv.exists():
            shutil.rmtree(venv)
        venv.parent.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run(
                [str(python), "-m", "pip", "install", "-q", "-r", str(requirements)],
                check=True,
            )
        except (OSError, subprocess.CalledProcessError) as exc:
            shutil.rmtree(venv, ignore_errors=True)
            raise ToolchainMissing(f"could not install {requirements} into {venv}: {exc}") from exc
        (venv / ".complete").write_text("ok\n")
    link = folder / ".venv"
    if link.is_symlink() and Path(os.readlink(link)) != venv:
        link.unlink()
    if not link.exists() and not link.is_symlink():
        link.symlink_to(venv, target_is_directory=True)
    return python
