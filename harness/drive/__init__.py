"""Drivers: how the harness makes an integration act (Python adapter or shell commands)."""

from __future__ import annotations

from harness.drive.base import ActionOutcome, Driver, OutputCapture
from harness.drive.command import CommandDriver
from harness.drive.config import ACTIONS, ENV_NAMES, IntegrationSpec, load_integration
from harness.drive.python import PythonDriver
from harness.drive.run_config import RunConfig, resolve_run_config

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


def driver_for(spec: IntegrationSpec) -> Driver:
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
