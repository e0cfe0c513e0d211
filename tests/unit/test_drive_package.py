"""harness.drive loads its drivers on first use, so integration processes start light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import harness.drive
from harness.drive import base, command, config, python, run_config


def test_every_public_name_is_the_object_its_module_defines() -> None:
    where = {"base": base, "command": command, "config": config, "python": python}
    where["run_config"] = run_config
    for name in harness.drive.__all__:
        if name == "driver_for":
            continue
        module = where[harness.drive._WHERE[name]]
        assert getattr(harness.drive, name) is getattr(module, name), name
    assert set(harness.drive.__all__) <= set(dir(harness.drive))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'NoSuchDriver'"):
        _ = harness.drive.NoSuchDriver  # type: ignore[attr-defined]


def test_the_worker_process_imports_neither_contracts_nor_jsonschema() -> None:
    # What `python -m harness.drive.worker` imports before it loads the adapter.
    probe = (
        "import sys, harness.drive.worker; "
        "print(sorted(m for m in ('jsonschema', 'harness.contracts', 'harness.drive.python') "
        "if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
