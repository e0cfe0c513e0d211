"""Shapes of the action results and of their ``errors`` entries."""

from __future__ import annotations

from typing import Any, TypedDict

from .errors import AuthError, CallFailed


class ErrorEntry(TypedDict, total=False):
    operation: str
    status: int | None
    request_id: str | None
    message: str
    action_required: str  # "reauthorize" | "rotate_client_credentials": a person must act
    region: str  # NA | EU | FE, when the failure cost a region's marketplaces
    marketplace_ids: list[str]  # the marketplaces the failed call was for


class ArgumentError(ValueError):
    """The action's arguments are missing or have the wrong type."""


def from_call(exc: CallFailed) -> ErrorEntry:
    return {
        "operation": exc.operation,
        "status": exc.status,
        "request_id": exc.request_id,
        "message": exc.message,
    }


def from_auth(exc: AuthError) -> ErrorEntry:
    result: ErrorEntry = {
        "operation": exc.operation,
        "status": exc.status,
        "request_id": None,
        "message": str(exc),
    }
    if exc.action_required:
        result["action_required"] = exc.action_required
    return result


def entry(operation: str, message: str, status: int | None = None) -> ErrorEntry:
    return {"operation": operation, "status": status, "request_id": None, "message": message}


def require_str(args: dict[str, Any], key: str) -> str:
    value = args.get(key)
    if not isinstance(value, str) or not value:
        raise ArgumentError(f"'{key}' must be a non-empty string")
    return value


def require_str_list(args: dict[str, Any], key: str) -> list[str]:
    value = args.get(key)
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(item, str) and item for item in value)
    ):
        raise ArgumentError(f"'{key}' must be a non-empty list of strings")
    return list(dict.fromkeys(value))  # drop duplicates, keep order


def require_object(args: dict[str, Any], key: str) -> dict[str, Any]:
    value = args.get(key)
    if not isinstance(value, dict):
        raise ArgumentError(f"'{key}' must be a JSON object")
    return value


def require_int(args: dict[str, Any], key: str, minimum: int = 0) -> int:
    value = args.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ArgumentError(f"'{key}' must be an integer >= {minimum}")
    return value


def require_amount(args: dict[str, Any], key: str) -> float | int:
    value = args.get(key)
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise ArgumentError(f"'{key}' must be a number") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ArgumentError(f"'{key}' must be a non-negative number")
    return value
