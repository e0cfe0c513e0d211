"""Where the benchmarks find Amazon's models: argv[1], ACORN_MODELS_DIR, or ../shared."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def models_dir() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    env = os.environ.get("ACORN_MODELS_DIR")
    if env:
        return Path(env)
    fallback = ROOT.parent / "shared" / "reference" / "sp-api-models"
    if fallback.is_dir():
        return fallback
    sys.exit("give the models folder as the first argument or set ACORN_MODELS_DIR")
