"""Request and response validation: every rule shown accepting and refusing, field + rule named."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.contracts import Operation, Parameter, UsagePlan, load_contracts
from harness.sim.http import SimRequest
from harness.sim.validate import validate_request, validate_response, validator_for

DEFINITIONS: dict[str, Any] = {
    "Item": {
        "type": "object",
        "required": ["sku", "kind"],
        "properties": {
            "sku": {"type": "string", "maxLength": 8},
            "kind": {"type": "string", "enum": ["A", "B"]},
            "count": {"type": "integer", "minimum": 1},
        },
    },
    "Body": {
        "type": "object",
        "required": ["items"],
        "properties": {
            "items": {"type": "array", "maxItems": 2, "items": {"$ref": "#/definitions/Item"}}
        },
    },
    "Answer": {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "string"}, "n": {"type": "integer"}},
    },
    "ErrorList": {
        "type": "object",
        "required": ["errors"],
        "properties": {
            "errors": {"type": "array", "items": {"type": "object", "required": ["code"]}}
        },
    },
}


def param(name: str, location: str, schema: dict[str, Any], required: bool = False) -> Parameter:
    return Parameter(name, location, required, schema)  # type: ignore[arg-type]


def operation(
    parameters: tuple[Parameter, ...] = (),
    body: dict[str, Any] | None = None,
    body_required: bool = True,
    responses: dict[str, Any] | None = None,
) -> Operation:
    return Operation(
        operation_id="doThing",
        api="things",
        version="v9",
        api_title="Things v9",
        envelope="bare",
        method="POST" if body is not None else "GET",
        path="/things/v9/{thingId}",
        usage_plan=UsagePlan(1.0, 1),
        rate_limit_header=True,
        restricted=False,
        grantless=False,
        parameters=parameters,
        request_body=body,
        request_body_required=body_required,
        responses=responses or {"200": {"$ref": "#/definitions/Answer"}},
        errors=(400,),
        definitions=DEFINITIONS,
    )


def request(
    query: dict[str, list[str]] | None = None,
    body: Any = None,
    content_type: str = "application/json",
    method: str = "GET",
) -> SimRequest:
    raw = b"" if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"content-type": content_type} if content_type else {}
    return SimRequest(method, "/things/v9/x", query or {}, headers, raw)


def found(
    op: Operation, req: SimRequest, path: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    return [(v.field, v.rule) for v in validate_request(op, req, path or {})]


# -- path parameters ---------------------------------------------------------------------------

PATH_OP = operation(
    (param("thingId", "path", {"type": "string", "pattern": "^[0-9]{3}-[0-9]{7}$"}, True),)
)


def test_path_parameter_matching_its_pattern_is_accepted() -> None:
    assert found(PATH_OP, request(), {"thingId": "123-4567890"}) == []


def test_path_parameter_breaking_its_pattern_is_named() -> None:
    assert found(PATH_OP, request(), {"thingId": "12-34"}) == [("path.thingId", "pattern")]


# -- query parameters ---------------------------------------------------------------------------

QUERY_OP = operation(
    (
        param("Ids", "query", {"type": "array", "items": {"type": "string"}, "maxItems": 1}, True),
        param("Size", "query", {"type": "integer", "minimum": 1, "maximum": 100}),
        param("Ratio", "query", {"type": "number"}),
        param("Details", "query", {"type": "boolean"}),
        param("Mode", "query", {"type": "string", "enum": ["FAST", "SLOW"]}),
        param("Kinds", "query", {"type": "array", "items": {"type": "string", "enum": ["A", "B"]}}),
        param("Pages", "query", {"type": "array", "items": {"type": "integer"}, "minItems": 2}),
    )
)


def q(**values: str) -> SimRequest:
    query = {"Ids": ["X1"]}
    query.update({k: [v] for k, v in values.items()})
    return request(query)


def test_valid_query_with_every_type_is_accepted() -> None:
    req = q(Size="50", Ratio="0.5", Details="true", Mode="FAST", Kinds="A,B", Pages="1,2")
    assert found(QUERY_OP, req) == []


def test_required_query_parameter_missing_or_empty() -> None:
    assert found(QUERY_OP, request({})) == [("query.Ids", "required")]
    assert found(QUERY_OP, request({"Ids": [""]})) == [("query.Ids", "required")]
    assert found(QUERY_OP, request({"Ids": [","]})) == [("query.Ids", "required")]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"Size": "ten"}, ("query.Size", "type")),
        ({"Ratio": "half"}, ("query.Ratio", "type")),
        ({"Details": "yes"}, ("query.Details", "type")),
        ({"Pages": "1,two"}, ("query.Pages", "type")),
        ({"Size": "0"}, ("query.Size", "minimum")),
        ({"Size": "101"}, ("query.Size", "maximum")),
        ({"Mode": "fast"}, ("query.Mode", "enum")),
        ({"Kinds": "A,C"}, ("query.Kinds[1]", "enum")),
        ({"Pages": "1"}, ("query.Pages", "minItems")),
    ],
)
def test_each_query_rule_refuses_a_bad_value(
    values: dict[str, str], expected: tuple[str, str]
) -> None:
    assert found(QUERY_OP, q(**values)) == [expected]


def test_one_marketplace_limit_counts_comma_separated_and_repeated_values() -> None:
    assert found(QUERY_OP, request({"Ids": ["X1,X2"]})) == [("query.Ids", "maxItems")]
    assert found(QUERY_OP, request({"Ids": ["X1", "X2"]})) == [("query.Ids", "maxItems")]
    message = validate_request(QUERY_OP, request({"Ids": ["X1,X2"]}), {})[0].message
    assert "at most 1" in message
    assert "got 2" in message


def test_unknown_query_keys_are_tolerated() -> None:
    assert found(QUERY_OP, q(SomethingElse="1")) == []


def test_several_violations_are_all_reported() -> None:
    assert found(QUERY_OP, request({"Ids": ["A,B"], "Mode": ["x"]})) == [
        ("query.Ids", "maxItems"),
        ("query.Mode", "enum"),
    ]


# -- bodies -----------------------------------------------------------------------------------

BODY_OP = operation(body={"$ref": "#/definitions/Body"})
GOOD_BODY = {"items": [{"sku": "S1", "kind": "A", "count": 2}]}


def test_valid_body_is_accepted_with_or_without_charset() -> None:
    assert found(BODY_OP, request(body=GOOD_BODY, method="POST")) == []
    charset = request(body=GOOD_BODY, content_type="application/json; charset=UTF-8")
    assert found(BODY_OP, charset) == []


def test_missing_required_body() -> None:
    assert found(BODY_OP, request(method="POST")) == [("body", "required")]
    optional = operation(body={"$ref": "#/definitions/Body"}, body_required=False)
    assert found(optional, request(method="POST")) == []


def test_wrong_content_type_is_a_415() -> None:
    violations = validate_request(BODY_OP, request(body=GOOD_BODY, content_type="text/plain"), {})
    assert [(v.field, v.rule, v.status) for v in violations] == [
        ("header.content-type", "content-type", 415)
    ]


def test_body_that_is_not_json() -> None:
    assert found(BODY_OP, request(body=b"{not json")) == [("body", "json")]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, ("body.items", "required")),
        ({"items": [{"kind": "A"}]}, ("body.items[0].sku", "required")),
        ({"items": [{"sku": "S1", "kind": "C"}]}, ("body.items[0].kind", "enum")),
        ({"items": [{"sku": "TOO-LONG-SKU", "kind": "A"}]}, ("body.items[0].sku", "maxLength")),
        ({"items": [{"sku": "S1", "kind": "A", "count": "2"}]}, ("body.items[0].count", "type")),
        ({"items": [{"sku": "S1", "kind": "A", "count": 0}]}, ("body.items[0].count", "minimum")),
        ({"items": [{"sku": "S", "kind": "A"}] * 3}, ("body.items", "maxItems")),
    ],
)
def test_each_body_rule_names_the_exact_field(body: Any, expected: tuple[str, str]) -> None:
    assert found(BODY_OP, request(body=body, method="POST")) == [expected]


# -- responses ---------------------------------------------------------------------------------

RESPONSE_OP = operation(
    responses={
        "200": {"$ref": "#/definitions/Answer"},
        "204": {},
        "400": {"$ref": "#/definitions/ErrorList"},
    }
)


def rules(status: int, body: Any) -> list[tuple[str, str]]:
    return [(v.field, v.rule) for v in validate_response(RESPONSE_OP, status, body)]


def test_conforming_responses() -> None:
    assert rules(200, {"id": "1", "n": 2}) == []
    assert rules(204, None) == []
    assert rules(400, {"errors": [{"code": "InvalidInput"}]}) == []


def test_nonconforming_responses() -> None:
    assert rules(200, {"n": 2}) == [("response.id", "required")]
    assert rules(200, {"id": "1", "n": "2"}) == [("response.n", "type")]
    assert rules(200, None) == [("response", "required")]
    assert rules(204, {"id": "1"}) == [("response", "empty")]
    assert rules(400, {"errors": [{}]}) == [("response.errors[0].code", "required")]
    assert rules(404, {"errors": []}) == [("status", "declared")]


# -- compilation --------------------------------------------------------------------------------


def test_each_operation_is_compiled_once() -> None:
    op = operation()
    assert validator_for(op) is validator_for(op)
    assert validator_for(operation()) is not validator_for(op)


def test_every_bundled_operation_compiles_and_accepts_its_own_error_body() -> None:
    contracts = load_contracts()
    error = {"errors": [{"code": "InvalidInput", "message": "Invalid Input", "details": ""}]}
    for op in contracts.operations:
        validator = validator_for(op)
        for status in op.errors:
            if str(status) in op.responses:
                assert validator.response(status, error) == [], (op.key, status)


def test_bundled_put_listings_item_takes_one_marketplace() -> None:
    op = load_contracts().operation("putListingsItem")
    req = SimRequest("PUT", "/", {"marketplaceIds": ["ATVPDKIKX0DER,A2EUQ1WTGCTBG2"]}, {}, b"")
    violations = validate_request(op, req, {"sellerId": "S", "sku": "K"})
    assert ("query.marketplaceIds", "maxItems") in [(v.field, v.rule) for v in violations]
