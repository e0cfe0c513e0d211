"""SP-API and LWA error bodies, exactly as Amazon sends them (facts sheet section 1.4 and 2.2)."""

from __future__ import annotations

from typing import Any

__all__ = [
    "ACCESS_DENIED",
    "BAD_REQUEST_CODE",
    "DETAILS_EXPIRED",
    "DETAILS_INVALID",
    "DETAILS_MISSING",
    "bad_request_code",
    "lwa_error",
    "sp_error",
]

ACCESS_DENIED = "Access to requested resource is denied."
DETAILS_EXPIRED = "The access token you provided has expired."
DETAILS_INVALID = "The access token you provided is revoked, malformed or invalid."
DETAILS_MISSING = "Access token is missing in the request header."

# The `code` Amazon uses for a 400 differs per API; integrations must key on the status.
BAD_REQUEST_CODE: dict[str, tuple[str, str]] = {
    "orders": ("InvalidInput", "Invalid Input"),
    "sellers": ("InvalidInput", "Invalid Input"),
    "listings-items": ("BAD_REQUEST", "Invalid input"),
    "definitions": ("BAD_REQUEST", "Invalid input"),
    "tokens": ("InvalidRequest", "Request is missing or has invalid parameters"),
    "feeds": ("400", "Invalid input"),
    "reports": ("400", "Invalid input"),
    "fba-inventory": ("InvalidInput", "Invalid Input"),
    "product-pricing": ("InvalidInput", "Invalid Input"),
    "notifications": ("InvalidInput", "Invalid Input"),
}


def bad_request_code(api: str) -> tuple[str, str]:
    """The 400 ``code`` and default message of ``api`` (``InvalidInput`` for one not listed)."""
    return BAD_REQUEST_CODE.get(api, ("InvalidInput", "Invalid Input"))


def sp_error(code: str, message: str, details: str | None = "") -> dict[str, Any]:
    """The ``errors[]`` envelope; ``details`` is often an empty string at Amazon."""
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"errors": [error]}


def lwa_error(error: str, description: str | None) -> dict[str, Any]:
    """LWA's flat OAuth error body, not the SP-API envelope."""
    body: dict[str, Any] = {"error": error}
    if description is not None:
        body["error_description"] = description
    return body
