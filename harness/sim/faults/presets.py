"""Amazon's real error answers as fault-plan presets (docs/fidelity.md §2.2)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from harness.sim.errors import ACCESS_DENIED
from harness.sim.http import Reply

__all__ = ["LISTING_WRITES", "PRESETS", "Preset", "listing_invalid"]


@dataclass(frozen=True)
class Preset:
    """One of Amazon's real error answers (docs/fidelity.md §2.2)."""

    status: int
    code: str | None  # None: the API's own 400 code (InvalidInput, BAD_REQUEST, "400", ...)
    message: str | None
    details: str | None = None
    listings_only: bool = False


PRESETS: dict[str, Preset] = {
    # Lacking role, wrong region, seller not authorized: Amazon says nothing more.
    "forbidden_empty_details": Preset(403, "Unauthorized", ACCESS_DENIED, ""),
    "bad_request": Preset(400, None, None, ""),
    "not_found": Preset(404, "NotFound", "The requested resource doesn't exist."),
    # Amazon documents the message (models) but no code; the code is ours.
    "payload_too_large": Preset(
        413, "RequestEntityTooLarge", "The request size exceeded the maximum accepted size."
    ),
    "unsupported_media_type": Preset(
        415, "UnsupportedMediaType", "The request payload is in an unsupported format."
    ),
    "quota_exceeded": Preset(
        429, "QuotaExceeded", "You exceeded your quota for the requested resource."
    ),
    "internal_failure": Preset(
        500, "InternalFailure", "We encountered an internal error. Please try again."
    ),
    "service_unavailable": Preset(
        503, "ServiceUnavailable", "Service is temporarily unavailable. Please try again."
    ),
    # Listings answer HTTP 200 and put the verdict in the body.
    "listing_invalid": Preset(200, None, None, listings_only=True),
}
LISTING_WRITES = ("putListingsItem", "patchListingsItem")


def listing_invalid(sku: str) -> Reply:
    """Amazon's HTTP 200 that refuses the listing: nothing is stored."""
    issue = {
        "code": "90220",
        "message": "'brand' is required but not supplied.",
        "severity": "ERROR",
        "attributeNames": ["brand"],
        "categories": ["MISSING_ATTRIBUTE"],
    }
    body = {"sku": sku, "status": "INVALID", "submissionId": uuid.uuid4().hex, "issues": [issue]}
    return Reply(200, body, facts={"submission_status": "INVALID"})
