"""Integration descriptions (acorn.toml [integration]) and run settings (CLI > env > file)."""

from __future__ import annotations

from pathlib import Path

import pytest

import harness
from harness.drive.config import ACTIONS, ENV_NAMES, load_integration
from harness.drive.run_config import resolve_run_config
from harness.errors import AcornUsageError, ConfigError

EXAMPLES = Path(harness.__file__).resolve().parents[1] / "examples"
REFERENCE = EXAMPLES / "reference"
NAIVE = EXAMPLES / "naive"

GOOD_PYTHON = """
[integration]
name = "tmp"
version = "2.0"
driver = "python"
adapter = "tmp_connector:Connector"
"""


def _write(folder: Path, text: str, name: str = "acorn.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# -- load_integration: the bundled examples --------------------------------------------------


def test_reference_example_loads_as_python_driver() -> None:
    spec = load_integration(REFERENCE)

    assert (spec.name, spec.version, spec.driver) == ("reference", "1.0.0", "python")
    assert spec.adapter == "reference_connector:Connector"
    assert spec.root == REFERENCE
    assert spec.source == REFERENCE / "acorn.toml"
    assert spec.commands == {}
    assert spec.action_timeout == 180.0  # longer than any documented library back-off
    assert set(spec.env_map) == set(ENV_NAMES)
    assert spec.env_map["ACORN_CLIENT_SECRET"] == "LWA_CLIENT_SECRET"
    assert spec.env_map["ACORN_LOG_FILE"] == "CONNECTOR_LOG_FILE"


def test_naive_example_loads_as_python_driver() -> None:
    spec = load_integration(str(NAIVE))

    assert (spec.name, spec.driver) == ("naive", "python")
    assert spec.adapter == "naive_connector:Connector"
    assert spec.env_map["ACORN_REFRESH_TOKEN"] == "SPAPI_REFRESH_TOKEN"


def test_reference_command_file_loads_as_command_driver() -> None:
    spec = load_integration(REFERENCE / "acorn-command.toml")

    assert spec.driver == "command"
    assert spec.adapter is None
    assert set(spec.commands) == set(ACTIONS)
    assert spec.commands["sync_orders"] == "python -m reference_connector.cli sync_orders"
    assert spec.root == REFERENCE
    assert spec.source.name == "acorn-command.toml"


def test_integration_env_adds_the_integrations_own_names() -> None:
    spec = load_integration(REFERENCE)

    env = spec.integration_env({"ACORN_CLIENT_ID": "cid", "ACORN_SELLER_ID": "A1"})

    assert env == {
        "ACORN_CLIENT_ID": "cid",
        "ACORN_SELLER_ID": "A1",
        "LWA_CLIENT_ID": "cid",
        "SPAPI_SELLER_ID": "A1",
    }


def test_minimal_file_gets_defaults(tmp_path: Path) -> None:
    folder = tmp_path / "my-connector"
    _write(folder, '[integration]\nadapter = "m:C"\naction_timeout = 5\n')

    spec = load_integration(folder)

    assert (spec.name, spec.version, spec.driver) == ("my-connector", "unknown", "python")
    assert spec.action_timeout == 5.0
    assert spec.env_map == {}


def test_app_roles_are_the_teams_to_declare(tmp_path: Path) -> None:
    """Undeclared (None) lets the simulator grant every data element; declared, it refuses
    the others; each scenario's world takes the declared roles unless it sets its own."""
    from harness.drive.scenario import ScenarioRun
    from harness.sim import SimConfig, Simulator

    assert load_integration(_write(tmp_path / "a", GOOD_PYTHON)).app_roles is None
    declared = load_integration(_write(tmp_path / "b", GOOD_PYTHON + 'app_roles = ["buyerInfo"]\n'))
    assert declared.app_roles == frozenset({"buyerInfo"})
    none = load_integration(_write(tmp_path / "c", GOOD_PYTHON + "app_roles = []\n"))
    assert none.app_roles == frozenset()

    sim = Simulator()
    run = ScenarioRun(sim, declared, "s", SimConfig(), work_dir=tmp_path)
    assert run.config.app_roles == frozenset({"buyerInfo"})
    own = SimConfig(app_roles=frozenset({"shippingAddress"}))
    assert ScenarioRun(sim, declared, "s", own, work_dir=tmp_path).config.app_roles == own.app_roles
    undeclared = load_integration(tmp_path / "a")
    assert ScenarioRun(sim, undeclared, "s", None, work_dir=tmp_path).config.app_roles is None


# -- load_integration: errors name the file and the key, and say how to fix it ---------------


def test_missing_folder_is_a_config_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"

    with pytest.raises(ConfigError) as info:
        load_integration(missing, source_hint="--integration")

    message = str(info.value)
    assert str(missing) in message
    assert "does not exist" in message
    assert "(from --integration)" in message
    assert info.value.fix
    assert "Fix:" in message
    assert isinstance(info.value, AcornUsageError)


def test_folder_without_acorn_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_integration(tmp_path)

    assert f"{tmp_path} has no acorn.toml" in str(info.value)
    assert "[integration]" in (info.value.fix or "")


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    file = _write(tmp_path, "[integration\nname = 'x'\n")

    with pytest.raises(ConfigError) as info:
        load_integration(tmp_path)

    assert info.value.where == str(file)
    assert str(file) in str(info.value)
    assert "not valid TOML" in str(info.value)
    assert info.value.fix


def test_file_without_integration_table(tmp_path: Path) -> None:
    file = _write(tmp_path, '[run]\nintegration = "x"\n')

    with pytest.raises(ConfigError) as info:
        load_integration(file)

    assert info.value.where == str(file)
    assert "no [integration] table" in str(info.value)


# (file body, fragments the message must contain, fragment the fix must contain)
ERROR_CASES = {
    "unknown-key-did-you-mean": (
        GOOD_PYTHON.replace("adapter =", "adaptor ="),
        ["unknown key integration.adaptor"],
        "did you mean 'adapter'?",
    ),
    "bad-driver": (
        GOOD_PYTHON.replace('driver = "python"', 'driver = "docker"'),
        ["integration.driver", "'docker'"],
        "'python', 'command' or 'observe'",
    ),
    "python-without-adapter": (
        '[integration]\ndriver = "python"\n',
        ["integration.adapter", "None", "module:object"],
        "adapter =",
    ),
    "python-adapter-without-colon": (
        GOOD_PYTHON.replace("tmp_connector:Connector", "tmp_connector.Connector"),
        ["integration.adapter", "'tmp_connector.Connector'", "module:object"],
        "adapter =",
    ),
    "command-without-commands": (
        '[integration]\ndriver = "command"\n',
        ["command driver needs an [integration.commands] table"],
        "sync_orders =",
    ),
    "command-unknown-action": (
        '[integration]\ndriver = "command"\n[integration.commands]\nsync_order = "./run"\n',
        ["integration.commands.sync_order is not an action"],
        "did you mean 'sync_orders'?",
    ),
    "command-empty-command": (
        '[integration]\ndriver = "command"\n[integration.commands]\nsync_orders = "  "\n',
        ["integration.commands.sync_orders must be a non-empty string"],
        "shell command",
    ),
    "env-unknown-acorn-name": (
        GOOD_PYTHON + '[integration.env]\nACORN_CLIENT_SECRETS = "SECRET"\n',
        ["integration.env.ACORN_CLIENT_SECRETS is not a variable ACORN provides"],
        "did you mean 'ACORN_CLIENT_SECRET'?",
    ),
    "env-empty-own-name": (
        GOOD_PYTHON + '[integration.env]\nACORN_CLIENT_ID = ""\n',
        ["integration.env.ACORN_CLIENT_ID is '', which is not an environment variable name"],
        "ACORN_CLIENT_ID =",
    ),
    "env-invalid-own-name": (
        GOOD_PYTHON + '[integration.env]\nACORN_READ_TIMEOUT = "SPAPI_READ=TIMEOUT"\n',
        ["'SPAPI_READ=TIMEOUT', which is not an environment variable name"],
        "ACORN_READ_TIMEOUT =",
    ),
    "env-not-a-table": (
        GOOD_PYTHON.replace('version = "2.0"', 'version = "2.0"\nenv = "X"'),
        ["integration.env must be a table"],
        "[integration.env]",
    ),
    "app-roles-not-a-list": (
        GOOD_PYTHON + 'app_roles = "buyerInfo"\n',
        ["integration.app_roles is 'buyerInfo'"],
        'app_roles = ["buyerInfo", "shippingAddress"]',
    ),
    "app-roles-unknown-role": (
        GOOD_PYTHON + 'app_roles = ["buyerInfo", "buyerTaxInformaton"]\n',
        ["integration.app_roles names 'buyerTaxInformaton', which is not a restricted role"],
        "did you mean 'buyerTaxInformation'?",
    ),
    "timeout-zero": (
        GOOD_PYTHON + "action_timeout = 0\n",
        ["integration.action_timeout is 0"],
        "positive, finite number",
    ),
    "timeout-negative": (
        GOOD_PYTHON + "action_timeout = -1.5\n",
        ["integration.action_timeout is -1.5"],
        "positive, finite number",
    ),
    "timeout-string": (
        GOOD_PYTHON + 'action_timeout = "60"\n',
        ["integration.action_timeout is '60'"],
        "positive, finite number",
    ),
}


@pytest.mark.parametrize(("body", "fragments", "fix"), ERROR_CASES.values(), ids=ERROR_CASES)
def test_bad_integration_file(tmp_path: Path, body: str, fragments: list[str], fix: str) -> None:
    file = _write(tmp_path, body)

    with pytest.raises(ConfigError) as info:
        load_integration(tmp_path)

    message = str(info.value)
    assert message.startswith(f"{file}: ")
    for fragment in fragments:
        assert fragment in message
    assert fix in (info.value.fix or "")
    assert f"Fix: {info.value.fix}" in message


def test_good_python_file_really_is_good(tmp_path: Path) -> None:
    """The error cases above are one edit away from this file, which loads."""
    _write(tmp_path, GOOD_PYTHON + '[integration.env]\nACORN_CLIENT_ID = "CID"\n')

    spec = load_integration(tmp_path)

    assert (spec.name, spec.adapter, dict(spec.env_map)) == (
        "tmp",
        "tmp_connector:Connector",
        {"ACORN_CLIENT_ID": "CID"},
    )


def test_boolean_action_timeout_is_rejected(tmp_path: Path) -> None:
    """BUG (harness/drive/config.py, load_integration timeout check): bool is an int.

    ``action_timeout = true`` passes ``isinstance(timeout, int | float) and timeout > 0`` and
    silently becomes a 1-second timeout instead of a config error.
    """
    _write(tmp_path, GOOD_PYTHON + "action_timeout = true\n")

    with pytest.raises(ConfigError, match="action_timeout"):
        load_integration(tmp_path)


# -- resolve_run_config: CLI > env > file > default ------------------------------------------


def _pyproject(folder: Path, body: str) -> Path:
    return _write(folder, "[project]\nname = 'x'\n\n[tool.acorn]\n" + body, "pyproject.toml")


def test_defaults_when_nothing_is_configured(tmp_path: Path) -> None:
    run = resolve_run_config(cwd=tmp_path, environ={})

    assert run.integration == REFERENCE
    assert run.report_dir == tmp_path / "reports"
    assert run.action_timeout is None
    assert run.jobs == 1
    assert dict(run.origins) == {
        "integration": "default",
        "report_dir": "default",
        "jobs": "default",
    }


def test_local_acorn_toml_run_table(tmp_path: Path) -> None:
    file = _write(
        tmp_path, '[run]\nintegration = "conn"\nreport_dir = "out"\naction_timeout = 12\n'
    )

    run = resolve_run_config(cwd=tmp_path, environ={})

    assert run.integration == tmp_path / "conn"
    assert run.report_dir == tmp_path / "out"
    assert run.action_timeout == 12.0
    assert run.origins["integration"] == f"{file} [run]"
    assert run.origins["report_dir"] == f"{file} [run]"


def test_pyproject_tool_acorn(tmp_path: Path) -> None:
    file = _pyproject(tmp_path, 'integration = "examples/mine"\n')

    run = resolve_run_config(cwd=tmp_path, environ={})

    assert run.integration == tmp_path / "examples" / "mine"
    assert run.origins["integration"] == f"{file} [tool.acorn]"
    assert run.origins["report_dir"] == "default"


def test_acorn_toml_run_wins_over_pyproject(tmp_path: Path) -> None:
    _pyproject(tmp_path, 'integration = "from-pyproject"\n')
    _write(tmp_path, '[run]\nintegration = "from-acorn-toml"\n')

    run = resolve_run_config(cwd=tmp_path, environ={})

    assert run.integration == tmp_path / "from-acorn-toml"


def test_acorn_toml_without_run_table_falls_back_to_pyproject(tmp_path: Path) -> None:
    """An integration folder's own acorn.toml is not a run configuration."""
    _write(tmp_path, GOOD_PYTHON)
    _pyproject(tmp_path, 'integration = "from-pyproject"\n')

    run = resolve_run_config(cwd=tmp_path, environ={})

    assert run.integration == tmp_path / "from-pyproject"


def test_an_integration_folder_alone_is_the_integration_under_test(tmp_path: Path) -> None:
    """`acorn init` then `acorn run` in that folder tests the team's integration, not the
    bundled reference: its acorn.toml [integration] is the one thing said."""
    _write(tmp_path, GOOD_PYTHON)

    run = resolve_run_config(cwd=tmp_path, environ={})

    assert run.integration == tmp_path
    assert run.origins["integration"] == f"{tmp_path / 'acorn.toml'} [integration]"


def test_a_run_table_beside_the_integration_defaults_to_it(tmp_path: Path) -> None:
    _write(tmp_path, GOOD_PYTHON + '\n[run]\nreport_dir = "out"\n')

    run = resolve_run_config(cwd=tmp_path, environ={})

    assert run.integration == tmp_path
    assert run.report_dir == tmp_path / "out"


def test_env_beats_file(tmp_path: Path) -> None:
    _write(tmp_path, '[run]\nintegration = "from-file"\nreport_dir = "file-reports"\n')
    environ = {
        "ACORN_INTEGRATION": "from-env",
        "ACORN_REPORT_DIR": str(tmp_path / "env-out"),
        "ACORN_JOBS": "2",
    }

    run = resolve_run_config(cwd=tmp_path, environ=environ)

    assert run.integration == tmp_path / "from-env"
    assert run.report_dir == tmp_path / "env-out"
    assert run.origins == {
        "integration": "env ACORN_INTEGRATION",
        "report_dir": "env ACORN_REPORT_DIR",
        "jobs": "env ACORN_JOBS",
    }


def test_env_and_cli_paths_are_relative_to_cwd_not_to_the_config_file(tmp_path: Path) -> None:
    config = _write(tmp_path / "ci", '[run]\nintegration = "file-conn"\n', "run.toml")
    environ = {"ACORN_CONFIG": str(config), "ACORN_INTEGRATION": "env-conn"}

    run = resolve_run_config(report_dir="cli-out", cwd=tmp_path, environ=environ)

    assert run.integration == tmp_path / "env-conn"
    assert run.report_dir == tmp_path / "cli-out"


def test_empty_env_value_is_ignored(tmp_path: Path) -> None:
    _write(tmp_path, '[run]\nintegration = "from-file"\n')

    run = resolve_run_config(cwd=tmp_path, environ={"ACORN_INTEGRATION": ""})

    assert run.integration == tmp_path / "from-file"


def test_cli_beats_env_and_file(tmp_path: Path) -> None:
    _write(tmp_path, '[run]\nintegration = "from-file"\nreport_dir = "file-reports"\n')
    environ = {"ACORN_INTEGRATION": "from-env", "ACORN_REPORT_DIR": "env-reports"}

    run = resolve_run_config(
        integration="from-cli", report_dir="cli-reports", cwd=tmp_path, environ=environ, jobs="2"
    )

    assert run.integration == tmp_path / "from-cli"
    assert run.report_dir == tmp_path / "cli-reports"
    assert set(run.origins.values()) == {"command line"}
    assert "integration=" in run.describe()
    assert "(command line)" in run.describe()


def test_acorn_config_env_paths_are_relative_to_that_file(tmp_path: Path) -> None:
    elsewhere = tmp_path / "ci" / "settings"
    config = _write(elsewhere, '[run]\nintegration = "../conn"\nreport_dir = "out"\n', "run.toml")
    _write(tmp_path, '[run]\nintegration = "ignored"\n')

    run = resolve_run_config(cwd=tmp_path, environ={"ACORN_CONFIG": str(config)})

    assert run.integration == tmp_path / "ci" / "conn"
    assert run.report_dir == elsewhere / "out"
    assert run.origins["integration"] == str(config)


def test_config_option_beats_acorn_config_env(tmp_path: Path) -> None:
    chosen = _write(tmp_path / "a", '[run]\nintegration = "chosen"\n', "run.toml")
    other = _write(tmp_path / "b", '[run]\nintegration = "other"\n', "run.toml")

    run = resolve_run_config(
        config_file=str(chosen), cwd=tmp_path, environ={"ACORN_CONFIG": str(other)}
    )

    assert run.integration == tmp_path / "a" / "chosen"


def test_config_option_may_be_a_pyproject(tmp_path: Path) -> None:
    file = _pyproject(tmp_path / "proj", 'report_dir = "r"\n')

    run = resolve_run_config(config_file=str(file), cwd=tmp_path, environ={})

    assert run.report_dir == tmp_path / "proj" / "r"


def test_config_option_may_be_an_integration_file(tmp_path: Path) -> None:
    file = _write(tmp_path / "conn", GOOD_PYTHON)

    run = resolve_run_config(config_file=str(file), cwd=tmp_path, environ={})

    assert run.integration == file
    assert load_integration(run.integration).adapter == "tmp_connector:Connector"


def test_relative_config_option_naming_an_integration_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BUG (harness/drive/config.py, _file_settings): the path is joined to its own folder.

    ``--config conn/acorn.toml`` (an integration file) yields settings
    ``{"integration": "conn/acorn.toml"}`` with base ``conn``, so the integration resolves to
    ``conn/conn/acorn.toml``.
    """
    monkeypatch.chdir(tmp_path)
    file = _write(tmp_path / "conn", GOOD_PYTHON)

    run = resolve_run_config(config_file="conn/acorn.toml", cwd=tmp_path, environ={})

    assert run.integration == file


def test_relative_config_option_is_relative_to_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BUG (harness/drive/config.py, resolve_run_config): a relative --config/ACORN_CONFIG is
    looked up in the process's working directory, not in ``cwd=``, unlike every other path.
    """
    project = tmp_path / "project"
    _write(project, '[run]\nintegration = "conn"\n', "run.toml")
    monkeypatch.chdir(tmp_path)  # somewhere the file is not

    run = resolve_run_config(config_file="run.toml", cwd=project, environ={})

    assert run.integration == project / "conn"


def test_missing_config_option_fails(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"

    with pytest.raises(ConfigError) as info:
        resolve_run_config(config_file=str(missing), cwd=tmp_path, environ={})

    assert str(missing) in str(info.value)
    assert "(from --config) does not exist" in str(info.value)
    assert info.value.fix


def test_missing_acorn_config_env_fails_naming_the_variable(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"

    with pytest.raises(ConfigError, match=r"\(from ACORN_CONFIG\) does not exist"):
        resolve_run_config(cwd=tmp_path, environ={"ACORN_CONFIG": str(missing)})


def test_unknown_key_in_tool_acorn_names_the_file(tmp_path: Path) -> None:
    file = _pyproject(tmp_path, 'reportdir = "r"\n')

    with pytest.raises(ConfigError) as info:
        resolve_run_config(cwd=tmp_path, environ={})

    message = str(info.value)
    assert info.value.where == f"{file} [tool.acorn]"
    assert message.startswith(f"{file} [tool.acorn]: unknown key 'reportdir'")
    assert "did you mean 'report_dir'?" in message


def test_unknown_key_in_run_table_names_the_file(tmp_path: Path) -> None:
    file = _write(tmp_path, '[run]\nintegraton = "x"\n')

    with pytest.raises(ConfigError, match="did you mean 'integration'") as info:
        resolve_run_config(cwd=tmp_path, environ={})

    assert str(file) in str(info.value)


def test_non_string_integration_in_file_fails(tmp_path: Path) -> None:
    file = _write(tmp_path, "[run]\nintegration = 3\n")

    with pytest.raises(ConfigError, match="integration must be a string") as info:
        resolve_run_config(cwd=tmp_path, environ={})

    assert str(file) in str(info.value)


@pytest.mark.parametrize("value", ["0", "-3", '"10"'])
def test_bad_action_timeout_in_run_file(tmp_path: Path, value: str) -> None:
    _write(tmp_path, f"[run]\naction_timeout = {value}\n")

    with pytest.raises(ConfigError, match="action_timeout is") as info:
        resolve_run_config(cwd=tmp_path, environ={})

    assert str(tmp_path / "acorn.toml") in str(info.value)


def test_invalid_toml_in_run_file(tmp_path: Path) -> None:
    file = _write(tmp_path, "[run\n")

    with pytest.raises(ConfigError, match="not valid TOML") as info:
        resolve_run_config(cwd=tmp_path, environ={})

    assert info.value.where == str(file)


# -- jobs: --jobs > ACORN_JOBS > file > 1 ------------------------------------------------------


def test_jobs_follow_the_one_precedence_order(tmp_path: Path) -> None:
    file = _write(tmp_path, "[run]\njobs = 3\n")
    assert resolve_run_config(cwd=tmp_path, environ={}).jobs == 3
    from_env = resolve_run_config(cwd=tmp_path, environ={"ACORN_JOBS": "2"})
    assert (from_env.jobs, from_env.origins["jobs"]) == (2, "env ACORN_JOBS")
    cli = resolve_run_config(cwd=tmp_path, environ={"ACORN_JOBS": "2"}, jobs="4")
    assert (cli.jobs, cli.origins["jobs"]) == (4, "command line")
    assert resolve_run_config(cwd=tmp_path, environ={}).origins["jobs"] == f"{file} [run]"


def test_auto_jobs_is_one_per_core_at_most_four(tmp_path: Path) -> None:
    import os

    run = resolve_run_config(cwd=tmp_path, environ={}, jobs="auto")
    assert run.jobs == max(1, min(4, os.cpu_count() or 1))


@pytest.mark.parametrize("bad", ["0", "-1", "2.5", "many", "17"])
def test_a_bad_jobs_value_names_the_choices(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ConfigError) as raised:
        resolve_run_config(cwd=tmp_path, environ={}, jobs=bad)
    message = str(raised.value)
    assert f"jobs is {bad!r}" in message
    assert "--jobs" in message
    assert "'auto'" in message


def test_jobs_in_the_file_must_be_a_number_or_auto(tmp_path: Path) -> None:
    file = _write(tmp_path, "[run]\njobs = true\n")
    with pytest.raises(ConfigError) as raised:
        resolve_run_config(cwd=tmp_path, environ={})
    assert "jobs is True" in str(raised.value)
    assert str(file) in str(raised.value)
