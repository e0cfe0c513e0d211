"""The action protocol as JSON Schemas: each action's arguments and its result.

This module is the one source: ``acorn actions schema`` prints it, the files in
``harness/drive/action_schemas/`` are written from it (a unit test keeps them equal), and
:func:`result_problem` checks every result an integration returns. The result schemas describe
what the checks read, no more: every field beyond ``ok`` is optional, objects may carry fields
of their own, and a value a library may leave out (a status, an address line) may be null.
A result that breaks them would otherwise surface as a cryptic check failure far from its cause.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from harness.drive.scope import ACTIONS

__all__ = ["SCHEMA_DIALECT", "action_schemas", "result_problem", "schema_of"]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

_STR = {"type": "string"}
_OPT_STR = {"type": ["string", "null"]}
_NUM = {"type": ["number", "null"]}
_STRS = {"type": "array", "items": _STR}
_MARKETPLACES = {"type": "array", "items": _STR, "minItems": 1}
_ISO = {"type": "string", "description": "ISO 8601 date-time, e.g. 2026-01-01T00:00:00Z"}
_ISSUES = {
    "type": ["array", "null"],
    "description": "Amazon's issues as it returned them ({code, message, severity, ...})",
}
_MESSAGE_ID = {"type": ["integer", "string", "null"]}


def _obj(props: dict[str, Any], required: tuple[str, ...] = (), doc: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        out["required"] = list(required)
    if doc:
        out["description"] = doc
    return out


def _list(item: dict[str, Any], doc: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"type": "array", "items": item}
    if doc:
        out["description"] = doc
    return out


_ERROR = {
    "anyOf": [
        _STR,
        _obj(
            {
                "operation": _OPT_STR,
                "status": {"type": ["integer", "string", "null"]},
                "request_id": _OPT_STR,
                "message": _OPT_STR,
                "action_required": {
                    "type": "string",
                    "description": "reauthorize or rotate_client_credentials: a person must act",
                },
            }
        ),
    ]
}
_PRODUCT = _obj(
    {
        "base": {"type": "object"},
        "texts": {"type": "object"},
        "prices": {"type": "object"},
        "quantity": {"type": "integer"},
        "compliance": {"type": "object"},
    },
    doc="the seller's product data, from which each marketplace's attributes are built",
)

ARGUMENTS: dict[str, dict[str, Any]] = {
    "sync_orders": _obj(
        {
            "marketplace_ids": _MARKETPLACES,
            "created_after": _ISO,
            "concurrency": {"type": "integer", "minimum": 1, "default": 1},
        },
        ("marketplace_ids", "created_after"),
    ),
    "publish_listing": _obj(
        {
            "sku": _STR,
            "product_type": _STR,
            "marketplace_ids": _MARKETPLACES,
            "attributes": {"type": "object", "description": "the seller's US listing"},
            "product": _PRODUCT,
        },
        ("sku", "product_type", "marketplace_ids", "attributes"),
    ),
    "update_inventory": _obj(
        {
            "sku": _STR,
            "product_type": _STR,
            "marketplace_ids": _MARKETPLACES,
            "quantity": {"type": "integer", "minimum": 0},
        },
        ("sku", "product_type", "marketplace_ids", "quantity"),
    ),
    "update_price": _obj(
        {
            "sku": _STR,
            "product_type": _STR,
            "marketplace_id": _STR,
            "amount": {"type": ["number", "string"]},
            "currency": _STR,
        },
        ("sku", "product_type", "marketplace_id", "amount", "currency"),
    ),
    "listing_status": _obj(
        {"sku": _STR, "marketplace_ids": _MARKETPLACES}, ("sku", "marketplace_ids")
    ),
    "fetch_report": _obj(
        {
            "report_type": {"type": "string", "description": "a Reports API 2021-06-30 type"},
            "marketplace_ids": _MARKETPLACES,
            "data_start_time": _ISO,
            "data_end_time": _ISO,
            "give_up_after_s": {
                "type": "number",
                "description": "wall seconds to wait for processing; a report still in flight "
                "then is resumed by the next fetch_report of the same report and period",
            },
        },
        ("report_type", "marketplace_ids"),
    ),
    "subscribe": _obj(
        {"notification_types": _list(_STR, "e.g. ORDER_CHANGE, FEED_PROCESSING_FINISHED")},
        ("notification_types",),
    ),
    "process_notifications": _obj(
        {
            "max_wait_s": {
                "type": "number",
                "description": "seconds it may keep reading the queue",
            }
        }
    ),
    "sync_inventory": _obj(
        {
            "stock": _list(
                _obj(
                    {
                        "sku": _STR,
                        "product_type": _STR,
                        "on_hand": {"type": "integer"},
                        "marketplace_ids": _MARKETPLACES,
                    },
                    ("sku", "product_type", "on_hand", "marketplace_ids"),
                )
            ),
            "created_after": _ISO,
        },
        ("stock", "created_after"),
    ),
    "reprice": _obj(
        {
            "prices": _list(
                _obj(
                    {
                        "sku": _STR,
                        "product_type": _STR,
                        "marketplace_id": _STR,
                        "amount": {"type": ["number", "string"]},
                        "currency": _STR,
                    },
                    ("sku", "product_type", "marketplace_id", "amount", "currency"),
                )
            )
        },
        ("prices",),
    ),
    "submit_feed": _obj(
        {
            "marketplace_ids": _MARKETPLACES,
            "messages": _list({"type": "object"}, "JSON_LISTINGS_FEED messages"),
            "give_up_after_s": {"type": "number"},
            "products": {"type": "object", "additionalProperties": _PRODUCT},
        },
        ("marketplace_ids", "messages", "give_up_after_s"),
    ),
    "confirm_shipment": _obj(
        {
            "amazon_order_id": _STR,
            "marketplace_id": _STR,
            "package_reference_id": _STR,
            "carrier_code": _STR,
            "tracking_number": _STR,
            "ship_date": _ISO,
        },
        (
            "amazon_order_id",
            "marketplace_id",
            "package_reference_id",
            "carrier_code",
            "tracking_number",
            "ship_date",
        ),
    ),
}

_ORDER = _obj(
    {
        "amazon_order_id": _STR,
        "marketplace_id": _OPT_STR,
        "order_status": _OPT_STR,
        "items": {
            "type": ["array", "null"],
            "items": _obj({"seller_sku": _OPT_STR, "quantity": _NUM}),
        },
        "ship_to": {"type": ["object", "null"]},
    },
    ("amazon_order_id",),
)
_REJECTED = _obj({"sku": _STR, "message_id": _MESSAGE_ID, "issues": _ISSUES}, ("sku",))

RESULTS: dict[str, dict[str, Any]] = {
    "sync_orders": {
        "orders": _list({"anyOf": [_ORDER, _STR]}, "the orders fetched (or their ids)"),
    },
    "publish_listing": {
        "submissions": _list(
            _obj(
                {
                    "marketplace_id": _STR,
                    "status": _OPT_STR,
                    "submission_id": _OPT_STR,
                    "issues": _ISSUES,
                }
            )
        )
    },
    "update_inventory": {"updated": _list(_STR, "marketplace ids updated")},
    "update_price": {"updated": _list(_STR, "marketplace ids updated")},
    "listing_status": {
        "listings": _list(
            _obj(
                {
                    "marketplace_id": _STR,
                    "status": {"description": 'Amazon\'s status, e.g. ["BUYABLE"]'},
                    "issues": _ISSUES,
                }
            )
        )
    },
    "sync_inventory": {
        "updated": _list(
            _obj({"sku": _STR, "marketplace_id": _STR, "quantity": {"type": "integer"}})
        )
    },
    "reprice": {"updated": _list(_obj({"sku": _STR, "marketplace_id": _STR}))},
    "submit_feed": {
        "feeds": _list(
            _obj(
                {
                    "feed_id": _OPT_STR,
                    "status": _OPT_STR,
                    "rejected": _list(_REJECTED),
                    "summary": {},
                }
            ),
            "the feeds submitted, the original first",
        ),
        "resubmitted": _list(_obj({"sku": _STR, "message_id": _MESSAGE_ID})),
        "still_rejected": _list(
            _obj(
                {
                    "sku": _STR,
                    "message_id": _MESSAGE_ID,
                    "codes": {"type": "array"},
                    "reason": _OPT_STR,
                },
                ("sku",),
            )
        ),
    },
    "confirm_shipment": {"confirmed": _list(_STR, "order ids confirmed")},
    "fetch_report": {
        "report_id": _OPT_STR,
        "status": {
            "type": ["string", "null"],
            "description": "the report's processingStatus: DONE, CANCELLED (cancelled, or no "
            "data), FATAL, or IN_QUEUE/IN_PROGRESS at the deadline",
        },
        "rows": _list({"type": "object"}, "the document's data rows, parsed, one per line"),
    },
    "subscribe": {
        "destination_id": _OPT_STR,
        "subscriptions": {
            "type": "object",
            "description": "notification type -> subscription id",
        },
        "created": _list(_STR, "what this run created; a second run creates nothing"),
    },
    "process_notifications": {
        "applied": _list(
            _obj(
                {
                    "notification_id": _OPT_STR,
                    "notification_type": _OPT_STR,
                    "subject": {"description": "what it is about, e.g. the order id"},
                    "state": {"description": "the state applied, e.g. the order status"},
                    "event_time": _OPT_STR,
                }
            ),
            "in the order applied (NOT-02 reads it: applying never reaches the wire)",
        ),
        "ignored": _list({"type": "object"}, "notifications not applied, with the reason"),
    },
}


def schema_of(action: str, part: str) -> dict[str, Any]:
    """The JSON Schema of ``action``'s ``arguments`` or ``result``."""
    if part == "arguments":
        body = ARGUMENTS[action]
    else:
        body = _obj(
            {
                "ok": {
                    "type": "boolean",
                    "description": "true only if everything the action was asked to do succeeded",
                },
                "errors": _list(_ERROR, "one entry per SP-API call that failed for good"),
                **RESULTS[action],
            },
            ("ok",),
        )
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": f"https://acorn.invalid/actions/{action}.{part}.json",
        "title": f"{action} {part}",
        **body,
    }


def action_schemas(actions: tuple[str, ...] = ACTIONS) -> dict[str, dict[str, Any]]:
    """``{action: {"arguments": schema, "result": schema}}`` in the protocol's order."""
    return {a: {p: schema_of(a, p) for p in ("arguments", "result")} for a in actions}


_VALIDATORS: dict[str, Draft202012Validator] = {}


def _where(error: ValidationError) -> str:
    return "/" + "/".join(str(p) for p in error.absolute_path) if error.absolute_path else "/"


def result_problem(action: str, value: Any) -> tuple[str, str] | None:
    """``(field, what is wrong)`` for a result that breaks ``action``'s schema, else None."""
    if action not in RESULTS:
        return None
    validator = _VALIDATORS.get(action)
    if validator is None:
        validator = _VALIDATORS[action] = Draft202012Validator(schema_of(action, "result"))
    error = best_match(validator.iter_errors(value))
    if error is None:
        return None
    if error.validator in ("anyOf", "oneOf") and error.context:
        deepest = max(error.context, key=lambda e: len(e.absolute_path))
        if deepest.absolute_path == error.absolute_path:  # no shape fits at all
            wanted = [str(e.validator_value) for e in error.context if e.validator == "type"]
            return _where(error), f"is {_json_type(error.instance)}, expected " + " or ".join(
                wanted
            )
        error = deepest
    # The value itself may be a buyer's address or a token: only its JSON type is named.
    shown = _json_type(error.instance)
    if error.validator == "type":
        kinds = error.validator_value
        expected = " or ".join(kinds) if isinstance(kinds, list) else str(kinds)
        return _where(error), f"is {shown}, expected {expected}"
    if error.validator == "required":
        return _where(error), str(error.message)
    return _where(error), f"is {shown} that fails {error.validator} {error.validator_value!r}"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
