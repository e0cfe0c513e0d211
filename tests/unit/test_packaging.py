"""Where ACORN finds its bundled data, its version line, and the extras' errors.

The wheel itself is proven in tests/e2e/test_wheel.py; these are the fast parts.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import harness
from harness import paths
from harness.errors import AcornUsageError

ROOT = Path(__file__).resolve().parents[2]


def test_an_editable_install_uses_the_checkouts_folders() -> None:
    for name in paths.BUNDLED:
        assert paths.bundled(name) == ROOT / name
    assert (paths.bundled("examples/reference") / "acorn.toml").is_file()
    assert paths.bundled("contracts/product-types") == ROOT / "contracts" / "product-types"


def test_an_installed_package_uses_its_own_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "site-packages" / "harness"
    (package / "_bundled" / "scenarios").mkdir(parents=True)
    (tmp_path / "site-packages" / "scenarios").mkdir()  # not this one: not ACORN's
    monkeypatch.setattr(paths, "_package_dir", lambda: package)
    assert paths.bundled("scenarios") == package / "_bundled" / "scenarios"


def test_missing_bundled_data_is_a_usage_error_saying_how_to_reinstall(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paths, "_package_dir", lambda: tmp_path / "harness")
    with pytest.raises(AcornUsageError, match="bundled contracts/ folder is missing") as caught:
        paths.bundled("contracts")
    assert "pip install --force-reinstall acorn-harness" in str(caught.value)
    with pytest.raises(ValueError, match="not bundled data"):
        paths.bundled("reports")


def test_acorn_version_names_the_models_commit() -> None:
    assert re.fullmatch(r"[0-9a-f]{40}", paths.models_commit())
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli.main", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"acorn {harness.__version__}",
        f"contracts agree with amzn/selling-partner-api-models at {paths.models_commit()}",
    ]


def test_vcr_support_without_the_vcr_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from harness.cassettes import Scrubber
    from harness.cassettes.vcr_support import ScanningPersister

    monkeypatch.setitem(sys.modules, "vcr.serialize", None)  # as if vcrpy were not installed
    with pytest.raises(AcornUsageError) as caught:
        ScanningPersister(Scrubber()).save_cassette("x.yaml", {}, None)
    assert "pip install 'acorn-harness[vcr]'" in str(caught.value)
