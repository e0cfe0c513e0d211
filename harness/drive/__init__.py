"""Drivers: how the harness makes an integration act (Python adapter or shell commands).

The names below load on first use (PEP 562). Every integration process ACORN starts runs
``python -m harness.drive.worker``, which needs only :mod:`harness.drive.processes`; importing
the drivers here eagerly pulled in the contracts and jsonschema, about 120 ms of CPU in each
of the 40-odd processes a reference run starts.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.drive.base import ActionOutcome, Driver, OutputCapture
    from harness.drive.command import CommandDriver
    from harness.drive.config import ACTIONS, ENV_NAMES, IntegrationSpec, load_integration
    from harness.drive.python import PythonDriver
    from harness.drive.run_config import RunConfig, resolve_run_config

_WHERE = {
    "ActionOutcome": "base",
    "Driver": "base",
    "OutputCapture": "base",
    "CommandDriver": "command",
    "ACTIONS": "config",
    "ENV_NAMES": "config",
    "IntegrationSpec": "config",
    "load_integration": "config",
    "PythonDriver": "python",
    "RunConfig": "run_config",
    "resolve_run_config": "run_config",
}

__all__ = [
    "ACTIONS",
    "ENV_NAMES",
    "ActionOutcome",
    "CommandDriver",
    "Driver",
    "IntegrationSpec",
    "OutputCapture",
    "PythonDriver",
    "RunConfig",
    "driver_for",
    "load_integration",
    "resolve_run_config",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def driver_for(spec: IntegrationSpec) -> Driver:
    from harness.drive.command import CommandDriver
    from harness.drive.python import PythonDriver

    if spec.driver == "command":
        return CommandDriver(spec)
    if spec.driver == "python":
        return PythonDriver(spec)
    from harness.errors import DriverError

    raise DriverError(
        f"integration {spec.name!r} uses the observe-only driver, which cannot perform actions",
        where=str(spec.source),
        fix="use driver = 'python' or 'command' for acorn run",
    )
