"""The action schemas: one Python source, shipped files equal to it, and every result checked.

The good results below are the shapes the bundled examples and the field glue return (nulls
where a library leaves a value out, extra fields of their own, Amazon's status lists): a schema
that refuses one of them is too strict. The bad ones are what a team's glue gets wrong.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from harness.cli.actions import SCHEMA_FILES
from harness.drive.action_schema import action_schemas, result_problem
from harness.drive.config import IntegrationSpec
from harness.drive.results import check_result, parse_result
from harness.drive.scope import ACTIONS
from harness.errors import DriverError

SPEC = IntegrationSpec(
    name="glue", version="0", driver="command", root=Path("."), source=Path("acorn.toml")
)
ACORN = [sys.executable, "-m", "harness.cli.main"]


def test_the_shipped_files_are_the_python_source() -> None:
    files = {p.name for p in SCHEMA_FILES.glob("*.json")}
    assert files == {f"{a}.{p}.json" for a in ACTIONS for p in ("arguments", "result")}
    for action, parts in action_schemas().items():
        for part, schema in parts.items():
            shipped = json.loads((SCHEMA_FILES / f"{action}.{part}.json").read_text())
            assert shipped == schema, (
                f"{action}.{part}.json is stale: run "
                "acorn actions schema --write harness/drive/action_schemas"
            )


@pytest.mark.parametrize("action", ACTIONS)
def test_every_schema_is_valid_json_schema(action: str) -> None:
    for schema in action_schemas((action,))[action].values():
        Draft202012Validator.check_schema(schema)


GOOD: list[tuple[str, dict[str, Any]]] = [
    ("sync_orders", {"ok": True, "errors": [], "orders": []}),
    ("sync_orders", {"ok": True, "orders": ["111-1", "111-2"]}),  # ids only (orders.py reads)
    (
        "sync_orders",
        {
            "ok": True,
            "errors": [],
            "orders": [
                {
                    "amazon_order_id": "111-1",
                    "marketplace_id": None,
                    "order_status": "Unshipped",
                    "items": [{"seller_sku": "S", "quantity": 1}],
                    "ship_to": {"name": None, "address_line1": None, "city": None},
                    "note": "a field of the team's own",
                }
            ],
        },
    ),
    (
        "sync_orders",
        {
            "ok": False,
            "errors": [
                {"operation": "getOrders", "status": 429, "request_id": None, "message": "x"},
                {"operation": "LWA", "status": None, "action_required": "reauthorize"},
                "invalid_grant",
            ],
        },
    ),
    ("sync_orders", {"ok": False, "errors": [{"operation": "ApiException", "status": None}]}),
    (
        "publish_listing",
        {
            "ok": True,
            "submissions": [
                {"marketplace_id": "X", "status": None, "submission_id": None, "issues": None}
            ],
        },
    ),
    (
        "listing_status",
        {
            "ok": True,
            "listings": [
                {"marketplace_id": "X", "status": ["BUYABLE"], "issues": []},
                {"marketplace_id": "Y", "issues": [{"code": "1", "severity": "WARNING"}]},
            ],
        },
    ),
    ("update_inventory", {"ok": True, "errors": [], "updated": ["X"], "issues": []}),
    ("update_price", {"ok": False, "updated": [], "issues": [{"code": "1"}]}),
    ("confirm_shipment", {"ok": True, "confirmed": ["111-1"]}),
    (
        "sync_inventory",
        {"ok": True, "updated": [{"sku": "S", "marketplace_id": "X", "quantity": 3}]},
    ),
    ("reprice", {"ok": True, "updated": [{"sku": "S", "marketplace_id": "X"}]}),
    (
        "submit_feed",
        {
            "ok": False,
            "feeds": [
                {
                    "feed_id": "1",
                    "status": "DONE",
                    "accepted": [],
                    "rejected": [{"sku": "S", "message_id": 2, "issues": [{"code": "90220"}]}],
                    "summary": {"messagesAccepted": 1},
                },
                {"feed_id": None, "status": None, "rejected": []},
            ],
            "resubmitted": [{"sku": "S", "message_id": 2}],
            "still_rejected": [{"sku": "T", "message_id": None, "codes": ["1"], "reason": "r"}],
        },
    ),
]


@pytest.mark.parametrize(
    ("action", "result"), GOOD, ids=[f"{a}-{i}" for i, (a, _) in enumerate(GOOD)]
)
def test_results_the_examples_and_field_glue_return_are_accepted(
    action: str, result: dict[str, Any]
) -> None:
    assert result_problem(action, result) is None
    assert check_result(SPEC, action, result) is result


BAD = [
    ("sync_orders", {"ok": True, "orders": {"111-1": {}}}, "/orders is an object, expected array"),
    (
        "sync_orders",
        {"ok": True, "orders": [{"amazon_order_id": 1234}]},
        "/orders/0/amazon_order_id is a number, expected string",
    ),
    ("sync_orders", {"ok": True, "orders": [{"id": "1"}]}, "'amazon_order_id' is a required"),
    ("sync_orders", {"ok": False, "errors": "boom"}, "/errors is a string, expected array"),
    ("sync_orders", {"ok": False, "errors": [42]}, "/errors/0 is a number, expected string or"),
    ("update_inventory", {"ok": True, "updated": "ATVPDKIKX0DER"}, "/updated is a string"),
    (
        "sync_inventory",
        {"ok": True, "updated": [{"sku": "S", "marketplace_id": "X", "quantity": "3"}]},
        "/updated/0/quantity is a string, expected integer",
    ),
    (
        "submit_feed",
        {"ok": True, "feeds": [{"rejected": [{"message_id": 1}]}]},
        "'sku' is a required property",
    ),
]


@pytest.mark.parametrize(("action", "result", "said"), BAD, ids=[b[2][:30] for b in BAD])
def test_a_result_that_breaks_the_schema_is_a_harness_error_naming_action_field_fix(
    action: str, result: dict[str, Any], said: str
) -> None:
    with pytest.raises(DriverError) as caught:
        check_result(SPEC, action, result)
    message = str(caught.value)
    assert f"the {action!r} action of integration 'glue'" in message
    assert said in message
    assert f"acorn actions schema {action}" in message  # the fix


def test_the_schema_error_never_repeats_the_value_it_refused() -> None:
    """A buyer's name in the wrong place must not reach the report through the error."""
    result = {"ok": True, "orders": [{"amazon_order_id": "1", "ship_to": "Jane Buyer, 1 Road"}]}
    with pytest.raises(DriverError) as caught:
        parse_result(SPEC, "sync_orders", json.dumps(result))
    assert "/orders/0/ship_to is a string, expected object or null" in str(caught.value)
    assert "Jane" not in str(caught.value)


def test_acorn_actions_schema_prints_the_schemas() -> None:
    one = subprocess.run(
        [*ACORN, "actions", "schema", "sync_orders"], capture_output=True, text=True, check=False
    )
    assert one.returncode == 0, one.stderr
    assert json.loads(one.stdout) == action_schemas(("sync_orders",))["sync_orders"]
    part = subprocess.run(
        [*ACORN, "actions", "schema", "--part", "result"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert set(json.loads(part.stdout)) == set(ACTIONS)
    bad = subprocess.run(
        [*ACORN, "actions", "schema", "sync_order"], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2
    assert "did you mean 'sync_orders'?" in bad.stderr
