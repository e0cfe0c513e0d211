"""SP-API and LWA error bodies, exactly as Amazon sends them (docs/fidelity.md §1.4 and 2.2)."""

from __future__ import annotations

from typing import Any

__all__ = [
    "ACCESS_DENIED",
    "DETAILS_EXPIRED",
    "DETAILS_INVALID",
    "DETAILS_MISSING",
    "lwa_error",
    "sp_error",
]

ACCESS_DENIED = "Access to requested resource is denied."
DETAILS_EXPIRED = "The access token you provided has expired."
DETAILS_INVALID = "The access token you provided is revoked, malformed or invalid."
DETAILS_MISSING = "Access token is missing in the request header."


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
