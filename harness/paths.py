"""Where the bundled data lives, in a wheel and in a checkout: the one place that knows.

The checkout keeps ``contracts/``, ``scenarios/``, ``cassettes/`` and ``examples/`` at its top,
where people edit them; the wheel maps them into the package as ``harness/_bundled/<name>``
(pyproject.toml, ``[tool.hatch.build.targets.wheel.force-include]``). Both are found from the
``harness`` package with :mod:`importlib.resources`, never from the working directory, so an
installed ``acorn`` runs from any folder. An editable install (``pip install -e .``) imports
``harness`` from the checkout, which has no ``_bundled`` folder: the data beside the package is
used, and edits to it take effect at once.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from harness.errors import AcornUsageError

__all__ = ["BUNDLED", "bundled", "models_commit"]

BUNDLED = ("contracts", "scenarios", "cassettes", "examples")
"""The top-level folders of the checkout that a run needs and the wheel carries."""


def _package_dir() -> Path:
    root = resources.files("harness")
    if not isinstance(root, Path):  # a zip import: pytest cannot run scenarios from it
        raise AcornUsageError(
            f"ACORN is installed as {root!r}, not as files on disk",
            fix="install ACORN with pip (pip install acorn-harness) rather than from a zip",
        )
    return root


def bundled(name: str) -> Path:
    """``contracts``, ``scenarios``, ``cassettes``, ``examples`` or a path below one of them,
    e.g. ``examples/reference``: from the installed package, else from the checkout."""
    top = name.split("/", 1)[0]
    if top not in BUNDLED:
        raise ValueError(f"{name!r} is not bundled data; the bundled folders are {BUNDLED}")
    package = _package_dir()
    installed = package / "_bundled" / top
    base = installed if installed.is_dir() else package.parent / top
    if not base.is_dir():
        raise AcornUsageError(
            f"ACORN's bundled {top}/ folder is missing (looked in {installed} and "
            f"{package.parent / top})",
            fix="reinstall ACORN (pip install --force-reinstall acorn-harness) or, from a "
            "checkout, pip install -e .",
        )
    return base.joinpath(*name.split("/")[1:]) if "/" in name else base


def models_commit() -> str:
    """The commit of amzn/selling-partner-api-models the bundled contracts agree with, or
    ``unknown`` (contracts/models_commit.txt: the first line that is not a comment)."""
    try:
        text = (bundled("contracts") / "models_commit.txt").read_text(encoding="utf-8")
    except (OSError, AcornUsageError):
        return "unknown"
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            return line
    return "unknown"
