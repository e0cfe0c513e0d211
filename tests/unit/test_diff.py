"""The drift report: agreement semantics proved both ways on a small synthetic model, then on
Amazon's real models (an import agrees with them; a one-field edit is found exactly)."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from harness.cli.main import app
from harness.contracts.diff import DriftReport, diff_contracts
from harness.contracts.importer import import_models
from harness.contracts.swagger import read_models
from harness.paths import bundled

PLAN = "**Usage Plan:**\n\n| Rate (requests per second) | Burst |\n| ---- | ---- |\n| 2 | 10 |\n"


def _model() -> dict[str, Any]:
    return {
        "swagger": "2.0",
        "info": {"title": "Widgets", "version": "2024-01-01"},
        "host": "sellingpartnerapi-na.amazon.com",
        "schemes": ["https"],
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "paths": {
            "/widgets/2024-01-01/widgets": {
                "get": {
                    "operationId": "listWidgets",
                    "description": "List widgets.\n\n" + PLAN,
                    "parameters": [
                        {
                            "name": "marketplaceIds",
                            "in": "query",
                            "required": True,
                            "type": "array",
                            "items": {"type": "string"},
                            "maxItems": 1,
                        },
                        {"name": "pageSize", "in": "query", "type": "integer", "maximum": 20},
                    ],
                    "responses": {
                        "200": {"schema": {"$ref": "#/definitions/WidgetList"}},
                        "400": {"schema": {"$ref": "#/definitions/ErrorList"}},
                    },
                },
                "post": {
                    "operationId": "createWidget",
                    "description": "Create.\n\n" + PLAN,
                    "parameters": [
                        {
                            "name": "body",
                            "in": "body",
                            "required": True,
                            "schema": {"$ref": "#/definitions/Widget"},
                        }
                    ],
                    "responses": {"201": {"schema": {"$ref": "#/definitions/Widget"}}},
                },
            }
        },
        "definitions": {
            "WidgetList": {
                "type": "object",
                "properties": {
                    "widgets": {"type": "array", "items": {"$ref": "#/definitions/Widget"}}
                },
            },
            "Widget": {
                "type": "object",
                "required": ["id", "color"],
                "properties": {
                    "id": {"type": "string", "maxLength": 20},
                    "color": {"type": "string", "enum": ["RED", "BLUE"]},
                    "note": {"type": "string"},
                },
            },
            "ErrorList": {
                "type": "object",
                "properties": {"errors": {"type": "array", "items": {"type": "object"}}},
            },
        },
    }


def _contract(model_file: dict[str, Any] | None = None) -> dict[str, Any]:
    """A hand-written contract that declares less than the model (no ``note``, no pageSize)."""
    widget = {
        "type": "object",
        "required": ["id", "color"],
        "properties": {
            "id": {"type": "string", "maxLength": 20},
            "color": {"type": "string", "enum": ["RED", "BLUE"]},
        },
    }
    data: dict[str, Any] = {
        "api": "widgets",
        "version": "2024-01-01",
        "title": "Widgets",
        "envelope": "bare",
        "definitions": {
            "Widget": widget,
            "WidgetList": {
                "type": "object",
                "properties": {
                    "widgets": {"type": "array", "items": {"$ref": "#/definitions/Widget"}}
                },
            },
        },
        "operations": {
            "listWidgets": {
                "method": "GET",
                "path": "/widgets/2024-01-01/widgets",
                "usage_plan": {"rate": 2, "burst": 10},
                "parameters": [
                    {
                        "name": "marketplaceIds",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "array", "items": {"type": "string"}, "maxItems": 1},
                    }
                ],
                "request_body": None,
                "responses": {"200": {"$ref": "#/definitions/WidgetList"}},
                "errors": [400],
            }
        },
    }
    if model_file:
        data["model"] = model_file
    return data


def _write(tmp: Path, model: dict[str, Any], contract: dict[str, Any]) -> tuple[Path, Path]:
    models = tmp / "checkout"
    folder = models / "models" / "widgets-api-model"
    folder.mkdir(parents=True)
    (folder / "widgets_2024-01-01.json").write_text(json.dumps(model))
    contracts = tmp / "contracts"
    (contracts / "apis").mkdir(parents=True)
    shutil.copy(bundled("contracts") / "marketplaces.json", contracts / "marketplaces.json")
    (contracts / "apis" / "widgets.json").write_text(json.dumps(contract))
    return models, contracts


def _drift(tmp: Path, model: dict[str, Any], contract: dict[str, Any]) -> DriftReport:
    models, contracts = _write(tmp, model, contract)
    return diff_contracts(models, contracts)


def _messages(report: DriftReport) -> list[str]:
    return [f"{d.kind} {d.pointer}: {d.message}" for d in report.differences]


def test_a_partial_contract_that_declares_less_agrees(tmp_path: Path) -> None:
    report = _drift(tmp_path, _model(), _contract())
    assert report.agree, _messages(report)
    assert report.compared == 1
    assert report.not_covered == ["POST /widgets/2024-01-01/widgets (createWidget)"]


@pytest.mark.parametrize(
    ("edit", "pointer", "words"),
    [
        (
            lambda c: c["definitions"]["Widget"]["properties"]["color"].update(
                enum=["RED", "GREEN"]
            ),
            "/definitions/Widget/properties/color/enum",
            "allows 'GREEN'",
        ),
        (
            lambda c: c["definitions"]["Widget"]["properties"]["id"].update(type="integer"),
            "/definitions/Widget/properties/id/type",
            "type 'integer'",
        ),
        (
            lambda c: c["definitions"]["Widget"]["properties"]["id"].update(maxLength=30),
            "/definitions/Widget/properties/id/maxLength",
            "Amazon's says 20",
        ),
        (
            lambda c: c["definitions"]["Widget"]["properties"].update(size={"type": "integer"}),
            "/definitions/Widget/properties/size",
            "not in Amazon's model",
        ),
        (
            lambda c: c["definitions"]["Widget"].update(required=["id"]),
            "/definitions/Widget/required",
            "does not require 'color'",
        ),
        (
            lambda c: c["operations"]["listWidgets"].update(usage_plan={"rate": 1, "burst": 10}),
            "/operations/listWidgets/usage_plan",
            "Amazon's model says rate 2.0 burst 10",
        ),
        (
            lambda c: c["operations"]["listWidgets"].update(parameters=[]),
            "/operations/listWidgets/parameters",
            "requires",
        ),
        (
            lambda c: c["operations"]["listWidgets"]["parameters"][0]["schema"].update(maxItems=5),
            "/operations/listWidgets/parameters/0/schema/maxItems",
            "maxItems 5",
        ),
        (
            lambda c: c["operations"]["listWidgets"]["errors"].append(404),
            "/operations/listWidgets/errors/1",
            "error status 404",
        ),
        (
            lambda c: c.update(envelope="payload"),
            "/operations/listWidgets/envelope",
            "is not wrapped",
        ),
        (
            lambda c: c["operations"]["listWidgets"]["responses"].update({"204": {}}),
            "/operations/listWidgets/responses/204",
            "Amazon's model has none",
        ),
    ],
)
def test_every_declared_disagreement_is_found_at_its_pointer(
    tmp_path: Path, edit: Any, pointer: str, words: str
) -> None:
    contract = _contract()
    edit(contract)
    report = _drift(tmp_path, _model(), contract)
    assert not report.agree
    hits = [d for d in report.differences if d.pointer == pointer]
    assert hits, _messages(report)
    assert words in hits[0].message, hits[0].message
    assert len(report.differences) == 1, _messages(report)


def test_an_operation_amazon_removed_is_reported(tmp_path: Path) -> None:
    model = _model()
    del model["paths"]["/widgets/2024-01-01/widgets"]["get"]
    report = _drift(tmp_path, model, _contract())
    assert [d.kind for d in report.differences] == ["removed"]
    assert "listWidgets" in report.differences[0].operation


def test_a_complete_contract_must_mirror_the_model(tmp_path: Path) -> None:
    """Declared ``complete``: what it leaves out (an operation, an optional parameter or
    property) is drift; the same contract without the claim agrees (previous tests)."""
    contract = _contract(
        {"file": "models/widgets-api-model/widgets_2024-01-01.json", "complete": True}
    )
    report = _drift(tmp_path, _model(), contract)
    messages = _messages(report)
    assert any(m.startswith("added ") for m in messages), messages
    assert any("'pageSize'" in m for m in messages), messages
    assert any("'note'" in m for m in messages), messages
    assert any("lacks the 400 response" in m for m in messages), messages


def test_text_and_json_say_the_same(tmp_path: Path) -> None:
    contract = _contract()
    contract["operations"]["listWidgets"]["usage_plan"]["burst"] = 11
    report = _drift(tmp_path, _model(), contract)
    data = report.to_json()
    assert data["agree"] is False
    assert data["summary"]["differences"] == 1 == len(data["differences"])
    text = report.to_text()
    assert "DIFFER: 1 operations, 1 differences" in text
    assert data["differences"][0]["pointer"] in text


def test_cli_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    models, contracts = _write(tmp_path, _model(), _contract())
    agree = runner.invoke(app, ["contracts", "diff", str(models), "--contracts", str(contracts)])
    assert agree.exit_code == 0, agree.output
    assert "AGREE" in agree.output
    bad = _contract()
    bad["operations"]["listWidgets"]["usage_plan"]["rate"] = 3
    (contracts / "apis" / "widgets.json").write_text(json.dumps(bad))
    differ = runner.invoke(
        app, ["contracts", "diff", str(models), "--contracts", str(contracts), "--json"]
    )
    assert differ.exit_code == 1, differ.output
    assert json.loads(differ.output)["summary"]["differences"] == 1
    not_models = runner.invoke(app, ["contracts", "diff", str(contracts)])
    assert not_models.exit_code == 2
    assert "does not look like Amazon's models checkout" in not_models.output
    assert "Traceback" not in not_models.output


def test_a_contract_naming_an_unknown_schema_is_refused_with_file_and_pointer(
    tmp_path: Path,
) -> None:
    contract = _contract()
    contract["operations"]["listWidgets"]["responses"]["200"] = {"$ref": "#/definitions/Nope"}
    models, contracts = _write(tmp_path, _model(), contract)
    result = CliRunner().invoke(
        app, ["contracts", "diff", str(models), "--contracts", str(contracts)]
    )
    assert result.exit_code == 2
    out = " ".join(result.output.split())
    assert "widgets.json" in out
    assert "/operations/listWidgets/responses/200/$ref" in out
    assert "Traceback" not in result.output


# -- Amazon's real models ------------------------------------------------------------------


@pytest.fixture(scope="module")
def imported(amazon_models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("imported")
    import_models(amazon_models_dir, out)
    return out


def test_an_import_agrees_with_its_models(amazon_models_dir: Path, imported: Path) -> None:
    report = diff_contracts(amazon_models_dir, imported)
    assert report.agree, report.to_text()[:3000]
    assert report.compared == report.model_operations == 370


def test_one_edit_to_an_import_is_found_exactly(
    amazon_models_dir: Path, imported: Path, tmp_path: Path
) -> None:
    copy_dir = tmp_path / "edited"
    shutil.copytree(imported, copy_dir)
    path = copy_dir / "apis" / "orders-v0.json"
    data = json.loads(path.read_text())
    original = copy.deepcopy(data)
    data["operations"]["getOrders"]["usage_plan"]["burst"] = 21
    del data["operations"]["getOrder"]
    data["definitions"]["Order"]["properties"]["OrderStatus"]["enum"].append("Lost")
    path.write_text(json.dumps(data))
    report = diff_contracts(amazon_models_dir, copy_dir)
    found = {
        (d.kind, d.operation.split(" (")[1].rstrip(")"), d.pointer) for d in report.differences
    }
    assert ("changed", "getOrders", "/operations/getOrders/usage_plan") in found
    assert ("added", "getOrder", "/operations") in found
    assert any(p == "/definitions/Order/properties/OrderStatus/enum" for _, _, p in found), found
    assert original != data


def test_models_layout_and_counts(amazon_models_dir: Path) -> None:
    models = read_models(amazon_models_dir)
    assert len(models.files) == 66
    assert len(list(models.operations)) == 370
    assert models.static_cases() == 913


def test_a_contract_naming_a_model_file_that_is_not_there_is_refused(tmp_path: Path) -> None:
    contract = _contract({"file": "models/widgets-api-model/gone.json"})
    models, contracts = _write(tmp_path, _model(), contract)
    result = CliRunner().invoke(
        app, ["contracts", "diff", str(models), "--contracts", str(contracts)]
    )
    assert result.exit_code == 2
    out = " ".join(result.output.split())
    assert "widgets.json" in out
    assert "field /model/file" in out
    assert "Traceback" not in result.output
