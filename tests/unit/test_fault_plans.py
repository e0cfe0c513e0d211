"""Fault plans: files with mistakes are refused with file, line and fix; triggers are seeded."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.contracts import load_contracts
from harness.errors import ConfigError
from harness.sim.faults import STALL_HOLD, FaultInjector, FaultPlan, FaultRule, load_fault_plan
from harness.sim.http import Reply

CONTRACTS = load_contracts()
SCENARIO_PLANS = Path(__file__).parents[2] / "scenarios" / "faults"
FAIL = 'preset = "internal_failure"\n'


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def refused(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        load_fault_plan(path, CONTRACTS)
    return raised.value


# -- loading -------------------------------------------------------------------------------


def test_a_toml_plan_loads_with_every_trigger(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "plan.toml",
        """
seed = 11
client_timeout = 0.5

[[fault]]
name = "orders down twice"
operation = "getOrders"
on_calls = [1, 2]
preset = "service_unavailable"

[[fault]]
operation = "*"
share = 0.25
window = [0, 3.5]
times = 2
status = 500
code = "InternalFailure"
message = "We encountered an internal error. Please try again."

[[fault]]
operation = "patchListingsItem"
path_contains = "ACORN-MUG-01"
from_call = 3
transport = "timeout"
after_write = true
hold = 2
""",
    )

    plan = load_fault_plan(path, CONTRACTS)

    assert plan.seed == 11
    assert plan.client_timeout == 0.5
    orders, anything, writes = plan.rules
    assert orders.on_calls == (1, 2)
    assert orders.label == "orders down twice"
    assert anything.window == (0.0, 3.5)
    assert anything.share == 0.25
    assert writes.after_write
    assert writes.runs_handler()
    assert writes.from_call == 3


def test_a_yaml_plan_loads(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "plan.yaml",
        """
seed: 4
faults:
  - operation: getOrderItems
    on_calls: [2]
    preset: bad_request
  - operation: getOrders
    transport: reset
""",
    )

    plan = load_fault_plan(path, CONTRACTS)

    assert [r.kind for r in plan.rules] == ["status", "reset"]


@pytest.mark.parametrize(
    "name",
    sorted(
        str(p.relative_to(SCENARIO_PLANS))
        for p in SCENARIO_PLANS.rglob("*")
        if p.suffix in (".toml", ".yaml")
    ),
)
def test_the_suites_own_plans_load(name: str) -> None:
    assert load_fault_plan(SCENARIO_PLANS / name, CONTRACTS).rules


# -- mistakes: file, line, rule and fix -----------------------------------------------------


def test_unknown_operation_names_the_line_and_suggests_the_operation(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "plan.toml",
        '\n[[fault]]\nname = "typo"\noperation = "getOrder_s"\npreset = "internal_failure"\n',
    )

    error = refused(path)

    assert f"{path}:4" in str(error)  # the operation line
    assert "unknown operation 'getOrder_s'" in str(error)
    assert "did you mean 'getOrders'" in str(error)
    assert "typo" in str(error)


def test_impossible_status_names_the_line_and_the_fix(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "plan.toml",
        '[[fault]]\noperation = "getOrders"\nstatus = 700\ncode = "Odd"\n',
    )

    error = refused(path)

    assert f"{path}:3" in str(error)
    assert "status 700 is impossible" in str(error)
    assert "400 to 599" in (error.fix or "")


def test_a_status_the_operation_never_sends_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path, "plan.toml", '[[fault]]\noperation = "getOrders"\npreset = "payload_too_large"\n'
    )

    error = refused(path)

    assert f"{path}:3" in str(error)  # the preset line
    assert "getOrders never answers 413" in str(error)
    assert "503" in str(error)  # the declared statuses are listed


@pytest.mark.parametrize("share", ["1.5", "0", "-0.2", '"half"'])
def test_bad_probability_names_the_line(tmp_path: Path, share: str) -> None:
    path = write(
        tmp_path,
        "plan.toml",
        f'seed = 1\n\n[[fault]]\noperation = "getOrders"\nshare = {share}\n{FAIL}',
    )

    error = refused(path)

    assert f"{path}:5" in str(error)
    assert "is not a probability" in str(error)
    assert "above 0 and at most 1" in (error.fix or "")


def test_yaml_mistakes_name_the_line_too(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "plan.yml",
        "faults:\n  - operation: getOrders\n    preset: internal_failure\n"
        "  - operation: getOrders\n    share: 2\n    preset: internal_failure\n",
    )

    error = refused(path)

    assert f"{path}:5" in str(error)
    assert "fault #2" in str(error)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", "exactly one of preset, status or transport"),
        ('preset = "boom"\ntransport = "reset"\n', "got preset, transport"),
        ('preset = "service_unavailabel"\n', "did you mean 'service_unavailable'"),
        ('transport = "hang"\n', "unknown transport fault 'hang'"),
        ("status = 503\n", "needs an SP-API error code"),
        ("on_calls = [0]\n" + FAIL, "counted from 1"),
        ("window = [3, 1]\n" + FAIL, "empty or negative"),
        ('preset = "listing_invalid"\n', "only applies to listings writes"),
        ('preset = "listing_invalid"\nafter_write = true\n', "cannot come after the write"),
        ("retries = 2\n" + FAIL, "unknown key 'retries'"),
    ],
)
def test_other_mistakes_are_explained(tmp_path: Path, body: str, expected: str) -> None:
    error = refused(write(tmp_path, "plan.toml", '[[fault]]\noperation = "getOrders"\n' + body))

    assert expected in str(error)
    assert error.fix
    assert str(tmp_path) in str(error)


def test_broken_syntax_and_unknown_suffix(tmp_path: Path) -> None:
    assert "not valid TOML" in str(refused(write(tmp_path, "a.toml", "[[fault]\n")))
    assert "not valid YAML" in str(refused(write(tmp_path, "a.yaml", "faults: [\n")))
    assert "neither TOML nor YAML" in str(refused(write(tmp_path, "a.json", "{}")))
    assert "cannot read" in str(refused(tmp_path / "missing.toml"))


def test_a_python_plan_is_checked_against_the_contracts_at_reset() -> None:
    from harness.sim.config import SimConfig
    from harness.sim.core import SimCore

    plan = FaultPlan((FaultRule("getOrdersss", preset="internal_failure"),))
    with pytest.raises(ConfigError, match="unknown operation 'getOrdersss'"):
        SimCore(CONTRACTS, SimConfig(faults=plan))


def test_python_rules_refuse_bad_values_at_once() -> None:
    with pytest.raises(ConfigError, match="not a probability"):
        FaultRule("getOrders", share=1.2, preset="internal_failure")
    with pytest.raises(ConfigError, match="client_timeout"):
        FaultPlan(client_timeout=0)


# -- triggers -------------------------------------------------------------------------------


def hits(injector: FaultInjector, n: int, operation: str = "getOrders", **kw: object) -> list[int]:
    return [i for i in range(1, n + 1) if injector.pick(operation, **kw) is not None]  # type: ignore[arg-type]


def test_nth_call_and_from_call() -> None:
    nth = FaultInjector(FaultPlan((FaultRule("getOrders", on_calls=(2, 4), preset="not_found"),)))
    outage = FaultInjector(FaultPlan((FaultRule("getOrders", from_call=3, preset="not_found"),)))

    assert hits(nth, 6, elapsed=0.0) == [2, 4]
    assert hits(outage, 5, elapsed=0.0) == [3, 4, 5]


def test_other_operations_neither_count_nor_get_hit() -> None:
    injector = FaultInjector(
        FaultPlan((FaultRule("getOrders", on_calls=(2,), preset="not_found"),))
    )

    assert injector.pick("getOrderItems", 0.0) is None
    assert injector.pick("getOrders", 0.0) is None
    assert injector.pick("getOrders", 0.0) is not None  # the second getOrders call


def test_window_and_times() -> None:
    injector = FaultInjector(
        FaultPlan((FaultRule("*", window=(1.0, 2.0), times=2, preset="internal_failure"),))
    )

    assert injector.pick("getOrders", 0.5) is None
    assert injector.pick("getOrders", 1.0) is not None
    assert injector.pick("getOrderItems", 1.5) is not None
    assert injector.pick("getOrders", 1.6) is None  # fired twice already
    assert injector.pick("getOrders", 2.0) is None


def test_share_is_seeded_and_roughly_the_share() -> None:
    def draw(seed: int) -> list[int]:
        plan = FaultPlan((FaultRule("getOrders", share=0.3, preset="internal_failure"),), seed=seed)
        return hits(FaultInjector(plan), 400, elapsed=0.0)

    first = draw(5)

    assert first == draw(5)  # same seed, same calls hit
    assert first != draw(6)
    assert 80 < len(first) < 160  # 30 % of 400, give or take


def test_path_filter_and_first_match_wins() -> None:
    plan = FaultPlan(
        (
            FaultRule("patchListingsItem", path_contains="MUG", preset="internal_failure"),
            FaultRule("*", preset="service_unavailable"),
        )
    )
    injector = FaultInjector(plan)

    mug = injector.pick("patchListingsItem", 0.0, "/listings/2021-08-01/items/S/ACORN-MUG-01")
    lamp = injector.pick("patchListingsItem", 0.0, "/listings/2021-08-01/items/S/ACORN-LAMP-02")

    assert mug is not None
    assert mug.preset == "internal_failure"
    assert lamp is not None
    assert lamp.preset == "service_unavailable"


def test_sticky_rules_refuse_the_same_request_every_time() -> None:
    plain = FaultInjector(FaultPlan((FaultRule("getOrders", on_calls=(1,), preset="bad_request"),)))
    sticky = FaultInjector(
        FaultPlan((FaultRule("getOrders", on_calls=(1,), preset="bad_request", sticky=True),))
    )

    def answers(injector: FaultInjector) -> list[bool]:
        calls = ["GET /a", "GET /a", "GET /b", "GET /a"]
        return [injector.pick("getOrders", 0.0, "/a", r) is not None for r in calls]

    assert answers(plain) == [True, False, False, False]
    assert answers(sticky) == [True, True, False, True]


def test_timeout_hold_defaults_to_three_client_timeouts() -> None:
    plan = FaultPlan((FaultRule("getOrders", transport="timeout"),), client_timeout=0.4)

    rule = FaultInjector(plan).pick("getOrders", 0.0)

    assert rule is not None
    assert rule.hold == pytest.approx(1.2)


def test_stall_hold_defaults_past_any_sane_read_timeout() -> None:
    plan = FaultPlan((FaultRule("getOrders", transport="stall"),), client_timeout=0.4)

    rule = FaultInjector(plan).pick("getOrders", 0.0)

    assert rule is not None
    assert rule.hold == STALL_HOLD
    assert STALL_HOLD > 30.0


# -- answers --------------------------------------------------------------------------------


def test_after_write_answer_records_that_the_write_was_applied() -> None:
    op = CONTRACTS.operation("patchListingsItem")
    rule = FaultRule("patchListingsItem", preset="internal_failure", after_write=True)

    reply = rule.answer(op, Reply(200, {"status": "ACCEPTED"}, facts={"x": 1}))

    assert reply.status == 500
    assert reply.body["errors"][0]["code"] == "InternalFailure"
    assert reply.facts["x"] == 1
    assert reply.facts["fault"]["write_applied"] is True
    assert reply.facts["fault"]["handler_status"] == 200


def test_bad_request_preset_uses_each_apis_code() -> None:
    rule = FaultRule("*", preset="bad_request")
    codes = {
        op: rule.answer(CONTRACTS.operation(op), None).body["errors"][0]["code"]
        for op in ("getOrders", "putListingsItem", "createRestrictedDataToken")
    }

    assert codes == {
        "getOrders": "InvalidInput",
        "putListingsItem": "BAD_REQUEST",
        "createRestrictedDataToken": "InvalidRequest",
    }
