"""Reading Amazon's models: usage-plan tables, schema conversion, sandbox cases, bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from harness.cli.main import app
from harness.contracts import UsagePlan
from harness.contracts.swagger import read_models
from harness.contracts.swagger_schema import convert_schema, parse_usage_plan
from harness.errors import ContractError

SIMPLE = """Returns orders.

**Usage Plan:**

| Rate (requests per second) | Burst |
| ---- | ---- |
| 0.0167 | 20 |

The `x-amzn-RateLimit-Limit` response header..."""

PLAN_TYPES = """Search.

**Usage Plans:**

| Plan type | Rate (requests per second) | Burst |
| ---- | ---- | ---- |
|Default| 5 | 10 |
|Selling partner specific| Variable | Variable |
"""


def test_usage_plan_tables_in_both_layouts() -> None:
    assert parse_usage_plan(SIMPLE) == UsagePlan(0.0167, 20)
    assert parse_usage_plan(PLAN_TYPES) == UsagePlan(5.0, 10)
    assert parse_usage_plan("No table here.") is None
    assert parse_usage_plan(SIMPLE.replace("| 0.0167 | 20 |", "| Variable | Variable |")) is None


def test_schema_conversion_keeps_constraints_and_turns_exclusive_bounds_into_numbers() -> None:
    schema = {
        "type": "object",
        "description": "dropped",
        "example": {"x": 1},
        "x-docgen-enum-table-extension": [],
        "properties": {
            "n": {"type": "number", "maximum": 5, "exclusiveMaximum": True, "minimum": 0},
            "ref": {"$ref": "#/definitions/Other"},
        },
        "required": ["n"],
    }
    out = convert_schema(schema, {"Other": {}}, "f.json", "/definitions/X")
    assert out == {
        "type": "object",
        "properties": {
            "n": {"type": "number", "exclusiveMaximum": 5, "minimum": 0},
            "ref": {"$ref": "#/definitions/Other"},
        },
        "required": ["n"],
    }


def _checkout(tmp: Path, model: Any, name: str = "widgets_2024-01-01.json") -> Path:
    folder = tmp / "checkout" / "models" / "widgets-api-model"
    folder.mkdir(parents=True)
    text = model if isinstance(model, str) else json.dumps(model)
    (folder / name).write_text(text)
    return tmp / "checkout"


def _model(**extra_defs: Any) -> dict[str, Any]:
    return {
        "swagger": "2.0",
        "info": {"title": "Widgets", "version": "2024-01-01"},
        "paths": {
            "/widgets/2024-01-01/widgets/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": True, "type": "string"}],
                "get": {
                    "operationId": "getWidget",
                    "description": SIMPLE,
                    "parameters": [{"name": "full", "in": "query", "type": "boolean"}],
                    "responses": {
                        "200": {
                            "schema": {"$ref": "#/definitions/Widget"},
                            "x-amzn-api-sandbox": {
                                "static": [
                                    {
                                        "request": {"parameters": {"id": {"value": "w1"}}},
                                        "response": {"id": "w1"},
                                    },
                                    {"request": {"parameters": {"id": {}}}},
                                ]
                            },
                        }
                    },
                },
            }
        },
        "definitions": {"Widget": {"type": "object"}, **extra_defs},
    }


def test_a_small_model_is_read_with_path_parameters_and_cases(tmp_path: Path) -> None:
    models = read_models(_checkout(tmp_path, _model()))
    (op,) = models.operations
    assert op.route == ("GET", "/widgets/2024-01-01/widgets/{id}")
    assert [(p.name, p.location, p.required) for p in op.parameters] == [
        ("id", "path", True),
        ("full", "query", False),
    ]
    assert op.usage_plan == UsagePlan(0.0167, 20)
    assert [c.parameters for c in op.sandbox] == [{"id": {"value": "w1"}}, {"id": {}}]
    assert op.sandbox[0].has_body
    assert not op.sandbox[1].has_body
    assert models.files[0].name == "widgets-2024-01-01"


def _refused(path: Path) -> str:
    with pytest.raises(ContractError) as info:
        read_models(path)
    return str(info.value)


def test_a_broken_ref_names_the_file_and_the_pointer(tmp_path: Path) -> None:
    model = _model(Widget={"type": "object", "properties": {"p": {"$ref": "#/definitions/Gone"}}})
    message = _refused(_checkout(tmp_path, model))
    assert "widgets_2024-01-01.json" in message
    assert "field /definitions/Widget/properties/p/$ref" in message
    assert "'#/definitions/Gone'" in message


def test_a_broken_ref_in_a_response_names_its_pointer(tmp_path: Path) -> None:
    model = _model()
    responses = model["paths"]["/widgets/2024-01-01/widgets/{id}"]["get"]["responses"]
    responses["200"]["schema"] = {"$ref": "#/definitions/Missing"}
    message = _refused(_checkout(tmp_path, model))
    assert "field /paths/~1widgets~12024-01-01~1widgets~1{id}/get/responses/200/schema/$ref" in (
        message
    )


def test_a_folder_that_is_not_amazons_layout_is_refused(tmp_path: Path) -> None:
    (tmp_path / "apis").mkdir()
    (tmp_path / "apis" / "x.json").write_text("{}")
    message = _refused(tmp_path)
    assert str(tmp_path) in message
    assert "does not look like Amazon's models checkout" in message
    assert "does not exist" in _refused(tmp_path / "missing")


def test_a_file_that_is_not_swagger_or_not_json_is_refused(tmp_path: Path) -> None:
    message = _refused(_checkout(tmp_path / "a", {"openapi": "3.0.0", "paths": {}}))
    assert "widgets_2024-01-01.json" in message
    assert "field /swagger" in message
    message = _refused(_checkout(tmp_path / "b", '{"swagger": "2.0",'))
    assert "not valid JSON at line 1" in message


def test_the_cli_refuses_bad_models_without_a_traceback(tmp_path: Path) -> None:
    model = _model(Widget={"$ref": "#/definitions/Gone"})
    checkout = _checkout(tmp_path, model)
    result = CliRunner().invoke(
        app, ["contracts", "import", str(checkout), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    out = " ".join(result.output.split())
    assert "field /definitions/Widget/$ref" in out
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


# -- Amazon's real models ------------------------------------------------------------------


def test_every_usage_plan_matches_the_published_table(amazon_models_dir: Path) -> None:
    """An independent reading (usage_plans_all.csv beside the models) agrees, row by row."""
    table = amazon_models_dir.parents[1] / "docs" / "usage_plans_all.csv"
    if not table.exists():
        pytest.skip(f"{table} is not available")
    with table.open(encoding="utf-8") as handle:
        rows = {(r["model_file"], r["method"], r["path"]): r for r in csv.DictReader(handle)}
    models = read_models(amazon_models_dir)
    mismatched = []
    for op in models.operations:
        row = rows[(op.file.relpath, op.method, op.path)]
        expected = (
            UsagePlan(float(row["rate_per_s"]), int(row["burst"])) if row["rate_per_s"] else None
        )
        if op.usage_plan != expected:
            mismatched.append((op.file.relpath, op.operation_id, op.usage_plan, expected))
        assert len(op.sandbox) == int(row["sandbox_static_cases"] or 0), op.operation_id
    assert mismatched == []


def test_import_covers_every_operation_and_loads_fast(
    amazon_models_dir: Path, tmp_path: Path
) -> None:
    from harness.contracts import load_contracts
    from harness.contracts.importer import import_models

    result = import_models(amazon_models_dir, tmp_path)
    assert (result.files, result.operations, result.sandbox_cases) == (66, 370, 913)
    contracts = load_contracts(tmp_path)
    assert len(contracts.operations) == 370
    assert sum(len(op.sandbox) for op in contracts.operations) == 913
    unpublished = [op for op in contracts.operations if not op.usage_plan.published]
    assert len(unpublished) == 71
    orders = contracts.operation("orders/v0/getOrders")
    assert (orders.usage_plan.rate, orders.usage_plan.burst) == (0.0167, 20)
    assert orders.envelope == "payload"
    assert contracts.operation("listings-items/2021-08-01/getListingsItem").envelope == "bare"
    # Amazon mixes: Pricing v0 wraps in payload, except its batch operations.
    assert contracts.operation("product-pricing/v0/getPricing").envelope == "payload"
    assert contracts.operation("product-pricing/v0/getItemOffersBatch").envelope == "bare"


def test_import_into_a_file_instead_of_a_folder_is_refused(
    amazon_models_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "a-file"
    target.write_text("not a folder")
    result = CliRunner().invoke(
        app, ["contracts", "import", str(amazon_models_dir), "--out", str(target)]
    )
    assert result.exit_code == 2
    assert "cannot write the contracts" in " ".join(result.output.split())
    assert "Traceback" not in result.output
