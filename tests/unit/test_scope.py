"""Scope and marketplaces in acorn.toml, and which checks a scope makes not applicable."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from harness.checks import ALL_CHECKS
from harness.checks.registry import NEEDS, check_for_test, missing_actions
from harness.drive import ENV_NAMES, load_integration
from harness.drive.scope import ACTIONS
from harness.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
HEAD = '[integration]\nname = "x"\nversion = "1"\n'
PYTHON = HEAD + 'driver = "python"\nadapter = "m:C"\n'
COMMAND = HEAD + 'driver = "command"\n'


def _load(tmp_path: Path, body: str):  # type: ignore[no-untyped-def]
    (tmp_path / "acorn.toml").write_text(body, encoding="utf-8")
    return load_integration(tmp_path)


def test_a_python_integration_without_scope_is_judged_on_every_action(tmp_path: Path) -> None:
    spec = _load(tmp_path, PYTHON)

    assert spec.scope.actions == ACTIONS
    assert not spec.scope.declared
    assert spec.scope.describe() == "every action"


def test_a_command_integration_is_scoped_to_its_commands(tmp_path: Path) -> None:
    spec = _load(
        tmp_path,
        COMMAND + '[integration.commands]\nupdate_price = "p"\nsync_orders = "s"\n',
    )

    assert spec.scope.actions == ("sync_orders", "update_price")  # ACORN's order
    assert spec.scope.declared
    assert spec.scope.describe() == "orders, listings"


def test_an_explicit_scope_narrows_the_python_driver(tmp_path: Path) -> None:
    spec = _load(tmp_path, PYTHON + 'scope = ["sync_orders", "confirm_shipment"]\n')

    assert spec.scope.actions == ("sync_orders", "confirm_shipment")
    assert spec.scope.missing(["sync_orders", "publish_listing"]) == ["publish_listing"]


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        (PYTHON + 'scope = ["sync_order"]\n', ["'sync_order'", "did you mean 'sync_orders'"]),
        (PYTHON + "scope = []\n", ["integration.scope is []"]),
        (PYTHON + 'scope = "sync_orders"\n', ["integration.scope is 'sync_orders'"]),
        (
            COMMAND + 'scope = ["reprice"]\n[integration.commands]\nsync_orders = "s"\n',
            ["'reprice' but [integration.commands] has no command", "add reprice ="],
        ),
        (PYTHON + 'marketplaces = ["DE", "XX"]\n', ["'XX'", "country code", "JP"]),
        (PYTHON + 'marketplaces = ["de", 3]\n', ["integration.marketplaces is"]),
        (PYTHON + "action_timeout = nan\n", ["action_timeout is nan", "finite"]),
        (PYTHON + "action_timeout = inf\n", ["action_timeout is inf", "finite"]),
    ],
    ids=[
        "unknown-action",
        "empty",
        "not-a-list",
        "no-command",
        "unknown-mp",
        "mp-type",
        "nan",
        "inf",
    ],
)
def test_bad_scope_marketplaces_or_timeout_name_the_key_and_the_fix(
    tmp_path: Path, body: str, fragments: list[str]
) -> None:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, body)

    message = str(info.value)
    assert message.startswith(str(tmp_path / "acorn.toml"))
    assert "Fix:" in message
    for fragment in fragments:
        assert fragment in message


def test_marketplaces_by_country_code_or_id_uk_meaning_gb(tmp_path: Path) -> None:
    spec = _load(tmp_path, PYTHON + 'marketplaces = ["us", "UK", "A1PA6795UKMFR9", "GB"]\n')

    assert spec.marketplaces == ("ATVPDKIKX0DER", "A1F83G8C2ARO7P", "A1PA6795UKMFR9")


def test_every_check_says_which_actions_it_needs() -> None:
    assert set(NEEDS) >= {c.id for c in ALL_CHECKS}
    for needs in NEEDS.values():
        for need in needs:
            if need.startswith("env:"):  # a variable the integration must map (alerting)
                assert need[4:] in ENV_NAMES
                continue
            assert set(need.split("|")) <= set(ACTIONS)


def test_an_env_need_is_met_by_mapping_the_variable() -> None:
    scope = ["sync_orders"]
    assert missing_actions("MON-01", scope) == [
        "an ACORN_ALERT_WEBHOOK mapping in [integration.env]"
    ]
    assert missing_actions("MON-01", scope, ["ACORN_ALERT_WEBHOOK"]) == []


def test_missing_actions_reads_alternatives() -> None:
    assert missing_actions("PRC-01", ["sync_orders"]) == ["reprice"]
    assert missing_actions("ERR-03", ["confirm_shipment"]) == []
    assert missing_actions("ERR-03", ["sync_orders"]) == [
        "publish_listing or update_inventory or update_price or confirm_shipment"
    ]


def _scenario_tests() -> list[str]:
    names = []
    for path in sorted((ROOT / "scenarios").glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names += [
            n.name
            for n in tree.body
            if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")
        ]
    return names


def test_every_scenario_test_names_the_check_it_judges_and_every_check_has_one() -> None:
    """The plugin owes the report a status for each selected check before its scenario runs;
    it finds the check from the test's name, so a misnamed test would silently drop it."""
    names = _scenario_tests()
    unmapped = [name for name in names if check_for_test(name) is None]
    judged = {check_for_test(name).id for name in names if check_for_test(name)}  # type: ignore[union-attr]

    assert unmapped == []
    assert judged == {c.id for c in ALL_CHECKS}
