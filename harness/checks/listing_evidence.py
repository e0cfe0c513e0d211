"""The listing evidence on the wire: which SKU and marketplaces a putListingsItem named, what
Amazon answered (status, issues), and the per-SKU, per-marketplace cell the LST matrix shows.
Apart from harness.checks.listings (the judges) so the listing checks share one reading of
a submission; listing_text and listing_ops read it too.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from harness.checks.model import Observation
from harness.sim.journal import Exchange

__all__ = [
    "cell",
    "describe_issues",
    "is_preview",
    "listing_puts",
    "marketplace_of",
    "marketplaces_of",
    "names",
    "response_issues",
    "sku_of",
    "submission_status",
]


def sku_of(e: Exchange) -> str:
    return unquote(e.path.rstrip("/").rsplit("/", 1)[-1])


def marketplaces_of(e: Exchange) -> list[str]:
    """The marketplaceIds of a request, whether repeated or comma-separated."""
    return [v for raw in e.query.get("marketplaceIds", []) for v in raw.split(",") if v]


def marketplace_of(e: Exchange) -> str:
    values = marketplaces_of(e)
    return values[0] if values else "?"


def is_preview(e: Exchange) -> bool:
    return "VALIDATION_PREVIEW" in e.query.get("mode", [])


def submission_status(e: Exchange) -> str | None:
    body = e.response_body
    return str(body.get("status")) if isinstance(body, dict) and "status" in body else None


def response_issues(e: Exchange) -> list[dict[str, Any]]:
    body = e.response_body
    found = body.get("issues") if isinstance(body, dict) else None
    return [i for i in found or [] if isinstance(i, dict)]


def listing_puts(obs: Observation, *, preview: bool | None = None) -> list[Exchange]:
    """putListingsItem calls Amazon answered with a submission (HTTP 200)."""
    return [
        e
        for e in obs.sp_api()
        if e.operation == "putListingsItem"
        and e.status == 200
        and submission_status(e) is not None
        and (preview is None or is_preview(e) == preview)
    ]


def names(obs: Observation) -> dict[str, str]:
    names: dict[str, str] = obs.expected.get("marketplace_names", {})
    return names


def describe_issues(issues: list[dict[str, Any]]) -> str:
    missing = sorted(
        {a for i in issues if i.get("code") == "90220" for a in i.get("attributeNames") or []}
    )
    invalid = sorted(
        {
            f"{a} ({i.get('code')})"
            for i in issues
            if i.get("code") != "90220"
            for a in i.get("attributeNames") or ["?"]
        }
    )
    parts = []
    if missing:
        parts.append("missing " + ", ".join(missing))
    if invalid:
        parts.append("invalid " + ", ".join(invalid))
    return "; ".join(parts) or "no issues given"


def cell(obs: Observation, sku: str, mp: str) -> tuple[bool, str, Exchange | None]:
    real = [
        e for e in listing_puts(obs, preview=False) if sku_of(e) == sku and marketplace_of(e) == mp
    ]
    if real:
        last = real[-1]
        if submission_status(last) == "ACCEPTED":
            return True, "ACCEPTED", last
        return False, f"{submission_status(last)}: {describe_issues(response_issues(last))}", last
    previews = [
        e for e in listing_puts(obs, preview=True) if sku_of(e) == sku and marketplace_of(e) == mp
    ]
    if previews and submission_status(previews[-1]) == "INVALID":
        return (
            False,
            "not submitted (preview INVALID: "
            + describe_issues(response_issues(previews[-1]))
            + ")",
            (previews[-1]),
        )
    refused = [
        e
        for e in obs.sp_api()
        if e.operation == "putListingsItem"
        and e.status != 200
        and sku_of(e) == sku
        and marketplace_of(e) == mp
    ]
    if refused:
        code = refused[-1].error_code() or ""
        return (
            False,
            f"not created: {len(refused)} PUT(s) refused, last HTTP "
            + (f"{refused[-1].status} {code}".strip()),
            refused[-1],
        )
    return False, "not submitted", None
