"""Static sandbox matching (harness.sim.sandbox) on synthetic operations, without HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.contracts import Operation, Parameter, UsagePlan
from harness.sim.http import SimRequest
from harness.sim.sandbox import NO_MATCH_MESSAGE, answer, match_case, sandbox_contracts


def _op(cases: list[dict[str, Any]], *, body: bool = False) -> Operation:
    return Operation(
        operation_id="getThings",
        api="things",
        version="v0",
        api_title="Things",
        envelope="payload",
        method="POST" if body else "GET",
        path="/things/v0/things/{id}",
        usage_plan=UsagePlan(0.0167, 20),
        rate_limit_header=True,
        restricted=False,
        grantless=False,
        parameters=(
            Parameter("id", "path", True, {"type": "string"}),
            Parameter("ids", "query", False, {"type": "array", "items": {"type": "string"}}),
            Parameter("size", "query", False, {"type": "integer"}),
            Parameter("x-amzn-flag", "header", False, {"type": "string"}),
        ),
        request_body={"type": "object"} if body else None,
        request_body_required=body,
        responses={"200": {}},
        errors=(400,),
        definitions={},
        sandbox=tuple(cases),
    )


def _request(query: dict[str, list[str]] | None = None, body: Any = None, **headers: str):
    return SimRequest(
        method="GET",
        path="/things/v0/things/T1",
        query=query or {},
        headers={k.replace("_", "-"): v for k, v in headers.items()},
        body=b"" if body is None else json.dumps(body).encode(),
    )


CATCH_ALL = {"status": 200, "parameters": {}, "response": {"payload": "any"}}
BY_ID = {"status": 200, "parameters": {"id": {"value": "T1"}}, "response": {"payload": "T1"}}
BY_ID_AND_IDS = {
    "status": 400,
    "parameters": {"id": {"value": "T1"}, "ids": {"value": ["a", "b"]}},
    "response": {"errors": []},
}


def test_the_most_specific_matching_case_wins() -> None:
    op = _op([CATCH_ALL, BY_ID, BY_ID_AND_IDS])
    assert match_case(op, _request(), {"id": "T1"}) is BY_ID
    assert match_case(op, _request({"ids": ["a,b"]}), {"id": "T1"}) is BY_ID_AND_IDS
    assert match_case(op, _request({"ids": ["b,a"]}), {"id": "T1"}) is BY_ID  # exact order
    assert match_case(op, _request(), {"id": "T2"}) is CATCH_ALL


def test_a_valued_parameter_beats_one_that_only_has_to_be_present() -> None:
    present = {"status": 202, "parameters": {"body": {}}, "response": {"ok": 1}}
    valued = {"status": 400, "parameters": {"body": {"value": {"bad": True}}}, "response": {}}
    op = _op([present, valued], body=True)
    assert match_case(op, _request(body={"bad": True}), {"id": "T1"}) is valued
    assert match_case(op, _request(body={"good": True}), {"id": "T1"}) is present
    assert match_case(op, _request(), {"id": "T1"}) is None  # listed body must be present


def test_values_compare_as_a_client_sends_them() -> None:
    sized = {"status": 200, "parameters": {"size": {"value": 5}}, "response": {}}
    flagged = {"status": 200, "parameters": {"x-amzn-flag": {"value": True}}, "response": {}}
    op = _op([sized, flagged])
    assert match_case(op, _request({"size": ["5"]}), {"id": "T1"}) is sized
    assert match_case(op, _request({"size": ["05"]}), {"id": "T1"}) is None
    assert match_case(op, _request(x_amzn_flag="true"), {"id": "T1"}) is flagged
    assert match_case(op, _request(x_amzn_flag="True"), {"id": "T1"}) is None


def test_no_match_is_amazons_invalid_input_answer() -> None:
    reply = answer(_op([BY_ID]), _request(), {"id": "other"})
    assert reply.status == 400
    assert reply.body == {
        "errors": [{"code": "InvalidInput", "message": NO_MATCH_MESSAGE, "details": ""}]
    }


def test_a_matched_case_is_answered_whole_with_its_headers_and_204_has_no_body() -> None:
    created = {
        "status": 201,
        "parameters": {},
        "response": {"id": "X"},
        "response_headers": {"Location": "X"},
    }
    reply = answer(_op([created]), _request(), {"id": "T1"})
    assert (reply.status, reply.body, reply.headers) == (201, {"id": "X"}, {"Location": "X"})
    gone = answer(_op([{"status": 204, "parameters": {}, "response": {}}]), _request(), {})
    assert (gone.status, gone.body) == (204, None)


def test_sandbox_contracts_use_rate_5_burst_15_and_route_empty_path_parameters() -> None:
    from harness.contracts import ContractSet

    sandboxed = sandbox_contracts(ContractSet([], [_op([CATCH_ALL])]))
    (op,) = sandboxed.operations
    assert (op.usage_plan.rate, op.usage_plan.burst, op.envelope) == (5.0, 15, "bare")
    match = sandboxed.match("GET", "/things/v0/things/")
    assert match is not None
    assert match.path_params == {"id": ""}


def test_a_sandbox_simulator_without_cases_is_a_usage_error() -> None:
    import pytest

    from harness.errors import ConfigError
    from harness.sim.sandbox import sandbox_simulator

    with pytest.raises(ConfigError, match="needs Amazon's models or imported contracts"):
        sandbox_simulator()


def test_serve_sandbox_without_cases_or_with_a_wrong_folder_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from harness.cli.main import app

    monkeypatch.delenv("ACORN_MODELS_DIR", raising=False)
    monkeypatch.delenv("ACORN_CONTRACTS_DIR", raising=False)
    runner = CliRunner()
    no_cases = runner.invoke(app, ["serve", "--sandbox"])
    assert no_cases.exit_code == 2
    assert "carry no sandbox cases" in no_cases.output
    wrong = runner.invoke(app, ["serve", "--sandbox", "--models", str(tmp_path)])
    assert wrong.exit_code == 2
    assert "does not look like Amazon's models checkout" in " ".join(wrong.output.split())
    both = runner.invoke(app, ["serve", "--sandbox", "--models", str(tmp_path), "--cassette", "x"])
    assert both.exit_code == 2
    assert "two different simulators" in both.output
