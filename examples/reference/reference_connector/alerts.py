"""Alerts for a person: one per incident, posted to a chat/incident webhook.

An incident is a failure no retry of ours will fix (a revoked grant, rotated client
credentials) or one that outlasted our retries (a run of 5xx, throttling that does not stop, a
feed past its deadline). Each is alerted once per (kind, operation, marketplaces) while the
connector runs, not once per failed request: an alert storm hides the next real incident.
Alerts carry the operation, the marketplaces, Amazon's request id and our own message; never
a token, a secret or buyer data (the messages are built from status codes and LWA's error).
"""

from __future__ import annotations

import os
from typing import Any

import httpx

from .log import FailureLog
from .results import ErrorEntry


def _kind(error: ErrorEntry) -> str:
    if error.get("action_required"):
        return str(error["action_required"])
    status = error.get("status")
    if status == 429:
        return "throttled"
    if isinstance(status, int) and status >= 500:
        return "server_errors"
    return "failure"


class Alerter:
    def __init__(self, http: httpx.Client, log: FailureLog) -> None:
        self._http = http
        self._log = log
        self._url = os.environ.get("ALERT_WEBHOOK_URL", "").strip()
        self._sent: set[tuple[str, str, tuple[str, ...]]] = set()

    def incidents(self, action: str, errors: list[ErrorEntry], marketplaces: list[str]) -> None:
        if not self._url:
            return
        for error in errors:
            kind = _kind(error)
            operation = str(error.get("operation") or action)
            where = tuple(sorted(error.get("marketplace_ids") or marketplaces))
            key = (kind, operation, where)
            if key in self._sent:
                continue
            self._sent.add(key)
            self._post(kind, operation, list(where), error)

    def _post(self, kind: str, operation: str, marketplaces: list[str], error: ErrorEntry) -> None:
        text = (
            f"SP-API incident ({kind}): {operation} for marketplace(s) "
            f"{', '.join(marketplaces) or 'unknown'}: {error.get('message', '')}"
        )
        body: dict[str, Any] = {
            "text": text,
            "incident": kind,
            "operation": operation,
            "marketplace_ids": marketplaces,
            "status": error.get("status"),
            "request_id": error.get("request_id"),
        }
        try:
            answer = self._http.post(self._url, json=body, timeout=5.0)
            if answer.status_code >= 300:
                self._log.failure("alert", answer.status_code, None, "alert webhook refused")
        except httpx.HTTPError as exc:
            self._log.failure(
                "alert", None, None, f"alert webhook unreachable ({type(exc).__name__})"
            )
