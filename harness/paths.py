"""Where the bundled data lives: the checkout ACORN was installed from (``pip install -e .``)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["PROJECT_ROOT", "bundled"]

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def bundled(name: str) -> Path:
    """``contracts``, ``scenarios`` or ``examples/reference`` beside the ``harness`` package."""
    return PROJECT_ROOT / name
