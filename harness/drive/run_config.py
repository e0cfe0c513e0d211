"""The run's own settings (which integration, where the report goes, how many workers), in one
precedence order: CLI > env > file (``acorn.toml`` [run] or ``[tool.acorn]``) > default.
An integration's own ``acorn.toml`` [integration] is harness.drive.config's.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.drive.config import _read_toml, _seconds, _suggest
from harness.errors import ConfigError

__all__ = ["RunConfig", "resolve_jobs", "resolve_run_config"]

_RUN_KEYS = {"integration", "report_dir", "action_timeout", "scenarios", "history", "jobs"}
MAX_JOBS = 16


@dataclass(frozen=True)
class RunConfig:
    integration: Path
    report_dir: Path
    action_timeout: float | None
    origins: Mapping[str, str]  # key -> where its value came from
    history: Path | None = None
    """The kept Allure history folder (``--history`` > ``history`` in the file > none)."""
    jobs: int = 1
    """Scenario workers (``--jobs`` > ACORN_JOBS > ``jobs`` in the file > 1)."""

    def describe(self) -> str:
        return ", ".join(f"{k}={getattr(self, k)} ({v})" for k, v in sorted(self.origins.items()))


def _file_settings(config_file: Path | None, cwd: Path) -> tuple[dict[str, Any], str, Path]:
    """The run settings from --config, else ./acorn.toml ([run]), else pyproject [tool.acorn]."""
    if config_file is not None:
        data = _read_toml(config_file)
        settings = data.get("run", data.get("tool", {}).get("acorn", {}))
        if "integration" in data and "run" not in data:
            # The file is itself an integration description.
            settings = {"integration": config_file.name}
        return settings, str(config_file), config_file.parent
    local = cwd / "acorn.toml"
    local_data = _read_toml(local) if local.is_file() else {}
    if local_data:
        data = local_data
        run = data.get("run")
        if isinstance(run, dict) and "integration" in data and "integration" not in run:
            # A team's own folder (acorn init): its [integration] is what `acorn run` tests.
            return {**run, "integration": "."}, f"{local} [run] and [integration]", cwd
        if run is not None:
            return run, f"{local} [run]", cwd
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file():
        data_pp = _read_toml(pyproject)
        settings = data_pp.get("tool", {}).get("acorn")
        if isinstance(settings, dict):
            return settings, f"{pyproject} [tool.acorn]", cwd
    if "integration" in local_data:
        # Run from the integration's own folder with nothing else said: test that folder.
        return {"integration": "."}, f"{local} [integration]", cwd
    return {}, "", cwd


def resolve_run_config(
    *,
    integration: str | None = None,
    config_file: str | None = None,
    report_dir: str | None = None,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
    history: str | None = None,
    jobs: str | None = None,
) -> RunConfig:
    """Apply CLI > env (ACORN_INTEGRATION, ACORN_REPORT_DIR, ACORN_CONFIG, ACORN_JOBS) > file >
    default."""
    cwd = cwd or Path.cwd()
    environ = os.environ if environ is None else environ
    config_path = config_file or environ.get("ACORN_CONFIG")
    if config_path:
        config_path = str(cwd / config_path)
    config_origin = "--config" if config_file else "ACORN_CONFIG"
    if config_path and not Path(config_path).is_file():
        raise ConfigError(
            f"the config file {config_path} (from {config_origin}) does not exist",
            fix="give the path of an acorn.toml",
        )
    settings, where, base = _file_settings(Path(config_path) if config_path else None, cwd)
    for key in settings:
        if key not in _RUN_KEYS:
            raise ConfigError(f"unknown key {key!r}", where=where, fix=_suggest(key, _RUN_KEYS))
    origins: dict[str, str] = {}

    def pick(key: str, cli: str | None, env_name: str, default: str) -> tuple[str, Path]:
        if cli is not None:
            origins[key] = "command line"
            return cli, cwd
        if environ.get(env_name):
            origins[key] = f"env {env_name}"
            return environ[env_name], cwd
        if key in settings:
            value = settings[key]
            if not isinstance(value, str):
                raise ConfigError(f"{key} must be a string, got {value!r}", where=where)
            origins[key] = where
            return value, base
        origins[key] = "default"
        return default, cwd

    integration_value, ibase = pick(
        "integration", integration, "ACORN_INTEGRATION", str(_bundled_reference())
    )
    report_value, rbase = pick("report_dir", report_dir, "ACORN_REPORT_DIR", "reports")
    timeout = settings.get("action_timeout")
    if timeout is not None and not _seconds(timeout):
        raise ConfigError(
            f"action_timeout is {timeout!r}", where=where, fix="give a finite number of seconds > 0"
        )
    history_path = None
    if history is not None:
        history_path, origins["history"] = (cwd / history).resolve(), "command line"
    elif "history" in settings:
        if not isinstance(settings["history"], str):
            raise ConfigError(f"history must be a string, got {settings['history']!r}", where=where)
        history_path, origins["history"] = (base / settings["history"]).resolve(), where
    if jobs is not None:
        jobs_value, origins["jobs"] = resolve_jobs(jobs, where="--jobs"), "command line"
    elif environ.get("ACORN_JOBS"):
        jobs_value = resolve_jobs(environ["ACORN_JOBS"], where="env ACORN_JOBS")
        origins["jobs"] = "env ACORN_JOBS"
    elif "jobs" in settings:
        jobs_value, origins["jobs"] = resolve_jobs(settings["jobs"], where=where), where
    else:
        jobs_value, origins["jobs"] = 1, "default"
    return RunConfig(
        integration=(ibase / integration_value).resolve(),
        report_dir=(rbase / report_value).resolve(),
        action_timeout=float(timeout) if timeout is not None else None,
        origins=origins,
        history=history_path,
        jobs=jobs_value,
    )


def resolve_jobs(value: object, *, where: str) -> int:
    """A number of scenario workers: a whole number from 1 to MAX_JOBS, or ``auto`` (one per
    CPU core, at most 4: the scenarios mostly wait on the integration, and more workers than
    cores make timing verdicts noisier than they need be)."""
    if value == "auto":
        return max(1, min(4, os.cpu_count() or 1))
    number: object = value
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= MAX_JOBS:
        raise ConfigError(
            f"jobs is {value!r}",
            where=where,
            fix=f"give a whole number from 1 to {MAX_JOBS} (1 runs the scenarios one after "
            "another), or 'auto' for one worker per CPU core",
        )
    return number


def _bundled_reference() -> Path:
    from harness.paths import bundled

    return bundled("examples/reference")
