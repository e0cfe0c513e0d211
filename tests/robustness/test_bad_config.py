"""Broken configuration never ends in a traceback, a hang or a verdict: it is a clear exit 2.

Probes from issue 13: acorn.toml files that are not UTF-8, nest 5,000 levels, hold a 50 MB
string, map an ACORN variable to a name no shell accepts, give nan/inf timeouts; report folders
that are files or cannot be created.
"""

from __future__ import annotations

import contextlib
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.drive import load_integration
from harness.errors import AcornUsageError

ROOT = Path(__file__).resolve().parents[2]
GOOD = (
    '[integration]\nname = "x"\nversion = "1"\ndriver = "command"\n'
    '[integration.commands]\nsync_orders = "true"\n'
)


def _with(line: str) -> bytes:
    """GOOD with ``line`` added to its [integration] table."""
    return GOOD.replace('version = "1"', f'version = "1"\n{line}').encode()


def _load(folder: Path, raw: bytes) -> None:
    (folder / "acorn.toml").write_bytes(raw)
    load_integration(folder)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b'[integration]\nname = "\xff\xfe"\n', "not UTF-8"),
        (b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n", "too deeply"),
        (b"x = " + b"{a = " * 3000 + b"1" + b"}" * 3000 + b"\n", "too deeply"),
        (b'x = "' + b"a" * 2_000_000 + b'"\n', "bytes; an ACORN configuration is far smaller"),
        (_with("action_timeout = nan"), "action_timeout is nan"),
        (_with("action_timeout = -inf"), "action_timeout is -inf"),
        (
            GOOD.encode() + b'[integration.env]\nACORN_READ_TIMEOUT = "SPAPI_READ=TIMEOUT"\n',
            "not an environment variable name",
        ),
        (GOOD.replace("sync_orders", "sync_order").encode(), "did you mean 'sync_orders'"),
        (_with('marketplaces = ["Germany"]'), "not a marketplace ACORN knows"),
    ],
    ids=[
        "not-utf8",
        "deep-arrays",
        "deep-tables",
        "huge-string",
        "nan",
        "inf",
        "bad-env-name",
        "unknown-action",
        "unknown-marketplace",
    ],
)
def test_a_broken_acorn_toml_is_a_usage_error_naming_the_problem(
    tmp_path: Path, raw: bytes, fragment: str
) -> None:
    with pytest.raises(AcornUsageError) as info:
        _load(tmp_path, raw)

    assert fragment in str(info.value)
    assert "Fix:" in str(info.value)


@given(st.binary(max_size=400))
def test_any_bytes_load_or_fail_as_a_usage_error(raw: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder, contextlib.suppress(AcornUsageError):
        _load(Path(folder), raw)


@given(
    st.recursive(
        st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
        ),
        max_leaves=12,
    )
)
def test_any_value_for_any_integration_key_is_handled(value: object) -> None:
    """Every key of [integration] given a value of any shape: loaded, or a usage error."""
    import json
    import tempfile

    for key in ("name", "driver", "adapter", "commands", "env", "scope", "marketplaces"):
        literal = json.dumps(value) if value is not None else '""'
        if isinstance(value, float) and math.isnan(value):
            literal = "nan"
        elif isinstance(value, float) and value in (float("inf"), float("-inf")):
            literal = "inf" if value > 0 else "-inf"
        body = _with(f"{key} = {literal}")
        with tempfile.TemporaryDirectory() as folder, contextlib.suppress(AcornUsageError):
            _load(Path(folder), body)


def _acorn(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run(
        [sys.executable, "-m", "harness.cli.main", "run", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=cwd,
        check=False,
    )


def test_acorn_run_on_a_non_utf8_config_exits_2_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "acorn.toml").write_bytes(b'[integration]\nname = "\xff"\n')

    proc = _acorn("--integration", str(tmp_path), "--report-dir", str(tmp_path / "r"), cwd=tmp_path)

    assert proc.returncode == 2
    assert "not UTF-8" in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr + proc.stdout


@pytest.mark.parametrize("kind", ["a-file", "under-proc"])
def test_an_unwritable_report_folder_is_refused_before_the_run(tmp_path: Path, kind: str) -> None:
    if kind == "a-file":
        target = tmp_path / "report.txt"
        target.write_text("not a folder")
        expected = "is a file, not a folder"
    else:
        target = Path("/proc/acorn-cannot-write-here")
        expected = "cannot write to the report folder"

    proc = _acorn(
        "--integration",
        str(ROOT / "examples" / "reference"),
        "--report-dir",
        str(target),
        cwd=tmp_path,
    )

    assert proc.returncode == 2
    assert expected in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr + proc.stdout
