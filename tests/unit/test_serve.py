"""acorn serve: scenarios served as the suite sets them up, stable endpoints, clear errors."""

from __future__ import annotations

import ast
import importlib.util
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from harness.cli.main import app
from harness.cli.serve import build_simulator
from harness.drive.setups import load_setups, setup_named
from harness.errors import ConfigError
from harness.sim.credentials import seeded_credentials
from harness.sim.loopback import PortUnavailable

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
runner = CliRunner()


def _scenario_module() -> Any:
    spec = importlib.util.spec_from_file_location("setups_under_test", SCENARIOS / "setups.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _started_names() -> list[ast.expr]:
    """The name argument of every ``start(acorn, NAME)`` in the suite's modules."""
    names = []
    for path in sorted(SCENARIOS.glob("test_*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "scenario":
                pytest.fail(f"{path.name}:{node.lineno} starts a world outside setups.py")
            if isinstance(func, ast.Name) and func.id == "start":
                names.append(node.args[1])
    return names


def test_every_scenario_the_suite_runs_is_listable() -> None:
    setups = load_setups()
    started = _started_names()
    assert len(started) >= 20
    for node in started:
        if isinstance(node, ast.Constant):
            assert node.value in setups
        else:  # f"transient-failures-{kind}": the literal prefix names a family of set-ups
            assert isinstance(node, ast.JoinedStr)
            prefix = node.values[0]
            assert isinstance(prefix, ast.Constant)
            assert any(n.startswith(str(prefix.value)) for n in setups), prefix.value
    listed = runner.invoke(app, ["serve", "--list-scenarios"])
    assert listed.exit_code == 0
    for name, setup in setups.items():
        assert f"{name}\n    {setup.rehearses}" in listed.output


@pytest.mark.parametrize("name", sorted(load_setups()))
def test_served_world_is_the_scenarios_world(name: str) -> None:
    setup = setup_named(name)
    served = build_simulator(setup)
    assert served.core.config == setup.config()
    with served:  # servable: it starts and answers (no token: Amazon's 403, before any fault)
        answer = httpx.get(served.endpoints.regions["NA"] + "/orders/v0/orders", timeout=5)
        assert answer.status_code == 403

    class Acorn:  # what the suite's start() hands to acorn.scenario(...)
        def __init__(self) -> None:
            self.sim = build_simulator(None)
            self.seen: dict[str, Any] = {}

        @contextmanager
        def scenario(self, name: str, config: Any, **kwargs: Any) -> Iterator[Any]:
            self.seen = {"name": name, "config": config, **kwargs}
            self.sim.reset(config)
            yield self

    acorn = Acorn()
    sys.path.insert(0, str(SCENARIOS))
    try:
        with _scenario_module().start(acorn, name):
            pass
    finally:
        sys.path.remove(str(SCENARIOS))
    assert acorn.seen["config"] == served.core.config
    assert acorn.seen["needs"] == setup.needs
    assert acorn.seen["action_timeout"] == setup.action_timeout
    # Start events (a revoked grant, a rotated secret) happen in both worlds.
    assert bool(served.core.credentials.revoked_refresh_tokens) == bool(
        acorn.sim.core.credentials.revoked_refresh_tokens
    )
    assert bool(served.core.credentials.retired_client_secrets) == bool(
        acorn.sim.core.credentials.retired_client_secrets
    )


def test_unknown_scenario_suggests_the_nearest() -> None:
    with pytest.raises(ConfigError, match="did you mean 'token-lifetime'"):
        setup_named("token-lifetim")
    result = runner.invoke(app, ["serve", "--scenario", "rate-header-mising"])
    assert result.exit_code == 2
    assert "did you mean 'rate-header-missing'" in result.output
    assert "--list-scenarios" in result.output


def test_port_in_use_names_the_port_and_the_fix() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"port {port} on 127.0.0.1 (for LWA) is already in use" in result.output
    assert "--port" in result.output.split("Fix:")[1]


def _run_twice_on_fixed_ports(seed: int) -> tuple[int, list[dict[str, str]]]:
    """Start a simulator twice on the same fixed ports (LWA and the three regions after it).

    Another process (a parallel test worker) can take one of the four ports between our probe
    and the start; then the same test is tried on other ports, a few times."""
    for _attempt in range(5):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        envs = []
        try:
            for sim in [build_simulator(None, seed=seed, port=port) for _ in range(2)]:
                sim.start()
                try:
                    envs.append(sim.env())
                finally:
                    sim.stop()
        except PortUnavailable:
            continue
        return port, envs
    pytest.fail("no four free consecutive ports on 127.0.0.1 in five tries")


def test_fixed_ports_and_seeded_credentials_are_stable() -> None:
    port, envs = _run_twice_on_fixed_ports(seed=42)
    assert envs[0] == envs[1]
    assert envs[0]["ACORN_LWA_TOKEN_URL"] == f"http://127.0.0.1:{port}/auth/o2/token"
    assert envs[0]["ACORN_ENDPOINT_FE"] == f"http://127.0.0.1:{port + 3}"
    assert seeded_credentials(42) != seeded_credentials(43)


def test_non_loopback_host_needs_the_explicit_flag() -> None:
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "--allow-non-loopback" in result.output


def test_options_that_would_change_a_scenarios_world_are_refused() -> None:
    result = runner.invoke(app, ["serve", "--scenario", "token-lifetime", "--clock-speed", "9"])
    assert result.exit_code == 2
    assert "--clock-speed would change it" in result.output


def _names_started_in(func: ast.FunctionDef, setups: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for node in ast.walk(func):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "start"
        ):
            name = node.args[1]
            if isinstance(name, ast.Constant):
                found.append(str(name.value))
            elif isinstance(name, ast.JoinedStr) and isinstance(name.values[0], ast.Constant):
                prefix = str(name.values[0].value)
                found += [n for n in setups if n.startswith(prefix)]
    return found


def test_each_set_up_names_the_checks_its_scenario_feeds() -> None:
    """acorn judge judges a check on the worlds whose set-up lists it: the list must be the
    suite's own wiring (test -> fixture -> scenario started), neither more nor less."""
    from harness.checks.registry import check_for_test

    setups = load_setups()
    fed: dict[str, set[str]] = {name: set() for name in setups}
    for path in sorted(SCENARIOS.glob("test_*.py")):
        functions = [n for n in ast.parse(path.read_text()).body if isinstance(n, ast.FunctionDef)]
        started = {f.name: _names_started_in(f, setups) for f in functions}
        for test in (f for f in functions if f.name.startswith("test_")):
            check = check_for_test(test.name)
            assert check is not None
            for arg in test.args.args:
                for name in started.get(arg.arg, []):
                    fed[name].add(check.id)
    assert {name: set(setup.checks) for name, setup in setups.items()} == fed


def test_a_served_simulator_keeps_a_shorter_journal_in_memory_in_every_world() -> None:
    """A load test fills any journal; a full collection walks what it holds in memory."""
    from harness.sim.journal import SERVED_JOURNAL_MEMORY, SPILL_AFTER

    served = build_simulator(None)
    assert served.core.journal._spill_after == SERVED_JOURNAL_MEMORY < SPILL_AFTER
    served.reset(setup_named("daily-work").config())  # the admin API's reset to a scenario
    assert served.core.journal._spill_after == SERVED_JOURNAL_MEMORY
