"""Listings Items API 2021-08-01: put (publish) and patch (inventory, price) one SKU."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .client import SpApiClient
from .errors import CallFailed, OutcomeUnknown
from .regions import UnknownMarketplace, region_for
from .results import ErrorEntry, entry, from_call

SUCCESS_STATUSES = frozenset({"ACCEPTED", "VALID"})
MAX_UNKNOWN_OUTCOMES = 2  # ambiguous failures of one write before reporting it


def listing_path(seller_id: str, sku: str) -> str:
    return f"/listings/2021-08-01/items/{quote(seller_id, safe='')}/{quote(sku, safe='')}"


def _issue_summary(issues: list[Any]) -> str:
    parts = []
    for issue in issues[:5]:
        if isinstance(issue, dict):
            parts.append(
                f"[{issue.get('severity', '?')}] {issue.get('code', '?')}: "
                f"{issue.get('message', '')}".strip()
            )
    more = f" (+{len(issues) - 5} more)" if len(issues) > 5 else ""
    return "; ".join(parts) + more if parts else "no issues given"


class ListingsWriter:
    """Submits one listings request per marketplace and records what came back."""

    def __init__(self, client: SpApiClient, seller_id: str, errors: list[ErrorEntry]) -> None:
        self._client = client
        self._seller_id = seller_id
        self._errors = errors

    def submit(
        self,
        operation: str,
        method: str,
        sku: str,
        marketplace_id: str,
        body: dict[str, Any],
        *,
        preview: bool = False,
    ) -> dict[str, Any] | None:
        """Send the request; return ``{marketplace_id, status, submission_id, issues}``.

        Returns None when the call itself failed. A 200 whose status is INVALID is returned
        (so the caller can show its issues) and also recorded as an error.
        """
        try:
            region = region_for(marketplace_id)
        except UnknownMarketplace:
            self._errors.append(entry(operation, f"unknown marketplace id {marketplace_id!r}"))
            return None
        params = {"marketplaceIds": marketplace_id, "includedData": "issues"}
        if preview:
            params["mode"] = "VALIDATION_PREVIEW"  # Amazon validates, nothing is applied
        unknown = 0
        while True:
            try:
                response = self._client.call(
                    operation,
                    method,
                    region,
                    listing_path(self._seller_id, sku),
                    params=params,
                    json_body=body,
                )
                break
            except OutcomeUnknown as exc:
                # Amazon may have applied it: look before sending it again.
                unknown += 1
                landed = self._landed(region, sku, marketplace_id, body)
                if landed:
                    return {
                        "marketplace_id": marketplace_id,
                        "status": "ACCEPTED",
                        "submission_id": None,  # the answer was lost; the read-back confirms it
                        "issues": [],
                    }
                if landed is None or unknown >= MAX_UNKNOWN_OUTCOMES:
                    self._errors.append(from_call(exc))
                    return None
            except CallFailed as exc:
                self._errors.append(from_call(exc))
                return None
        reply = response.body if isinstance(response.body, dict) else {}
        issues = reply.get("issues")
        issues = issues if isinstance(issues, list) else []
        status = reply.get("status")
        submission = {
            "marketplace_id": marketplace_id,
            "status": status,
            "submission_id": reply.get("submissionId"),
            "issues": issues,
        }
        if preview:
            submission["preview"] = True
        if status not in SUCCESS_STATUSES:
            self._errors.append(
                {
                    "operation": operation,
                    "status": response.status,
                    "request_id": response.request_id,
                    "message": f"submission {status or 'without status'}: "
                    + _issue_summary(issues),
                }
            )
        return submission

    def _landed(
        self, region: str, sku: str, marketplace_id: str, body: dict[str, Any]
    ) -> bool | None:
        """Does the listing already hold what ``body`` writes? None: cannot tell."""
        try:
            response = self._client.call(
                "getListingsItem",
                "GET",
                region,
                listing_path(self._seller_id, sku),
                params={"marketplaceIds": marketplace_id, "includedData": "attributes"},
            )
        except CallFailed as exc:
            if exc.status == 404:
                return False
            return None
        item = response.body if isinstance(response.body, dict) else {}
        stored = item.get("attributes")
        if not isinstance(stored, dict):
            return False
        if "attributes" in body:  # put: every attribute as sent
            wanted = body["attributes"]
        else:  # patch: every replaced attribute
            wanted = {
                str(p.get("path", "")).rsplit("/", 1)[-1]: p.get("value")
                for p in body.get("patches", [])
                if isinstance(p, dict) and p.get("op") in ("replace", "add")
            }
        return all(stored.get(name) == value for name, value in wanted.items())

    @staticmethod
    def succeeded(submission: dict[str, Any] | None) -> bool:
        return submission is not None and submission["status"] in SUCCESS_STATUSES
