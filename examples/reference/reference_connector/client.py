"""SP-API HTTP client: headers, retries with backoff, pacing and expired-token recovery."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from .auth import TokenSource
from .errors import CallFailed, OutcomeUnknown
from .log import FailureLog
from .timing import Pacer, backoff_delay

USER_AGENT = (
    "AcornReferenceConnector/1.0 "
    f"(Language=Python/{sys.version_info.major}.{sys.version_info.minor})"
)
MAX_ATTEMPTS = 5
BACKOFF_BASE = 0.2
BACKOFF_CAP = 5.0
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
EXPIRED_TOKEN_DETAILS = "The access token you provided has expired."
# POSTs that change nothing at Amazon: safe to repeat after an ambiguous failure.
SAFE_POSTS = frozenset({"createRestrictedDataToken"})
# Failures that happen before the request left: repeating it cannot duplicate anything.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class ApiResponse:
    status: int
    body: Any
    request_id: str | None


def _json_or_none(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _first_error(body: Any) -> dict[str, Any]:
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return errors[0]
    return {}


def error_message(status: int, body: Any) -> str:
    """A short human message from an SP-API error body (``errors[0]``), keyed on status."""
    first = _first_error(body)
    parts = [str(first.get(key)) for key in ("code", "message") if first.get(key)]
    details = first.get("details")
    if details:
        parts.append(f"({details})")
    return " ".join(parts) if parts else f"HTTP {status}"


def is_expired_token(status: int, body: Any) -> bool:
    return status == 403 and _first_error(body).get("details") == EXPIRED_TOKEN_DETAILS


class SpApiClient:
    def __init__(
        self,
        http: httpx.Client,
        endpoints: dict[str, str],
        lwa: TokenSource,
        log: FailureLog,
    ) -> None:
        self._http = http
        self._endpoints = endpoints
        self._lwa = lwa
        self._log = log
        self._pacer = Pacer()

    def call(
        self,
        operation: str,
        method: str,
        region: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json_body: Any = None,
        token_source: TokenSource | None = None,
    ) -> ApiResponse:
        """Make one SP-API call and return its 2xx response, or raise ``CallFailed``.

        ``path`` must already be percent-encoded. ``token_source`` replaces the LWA access
        token (used for Restricted Data Tokens).

        Reads are retried after 5xx, 429, timeouts, resets and unreadable answers. A write is
        never re-sent after a failure that may have happened *after* Amazon applied it (a
        timeout, a reset, a 5xx, an unreadable 2xx): it raises ``OutcomeUnknown`` so the
        caller can read the resource back first (no duplicate writes).
        """
        idempotent = method in ("GET", "HEAD") or operation in SAFE_POSTS
        tokens = token_source or self._lwa
        url = self._endpoints[region] + path
        attempt = 0
        refreshed = False
        while True:
            attempt += 1
            self._pacer.wait_turn(operation)
            token = tokens.get()
            headers = {
                "x-amz-access-token": token,
                "x-amz-date": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
                "user-agent": USER_AGENT,
                "accept": "application/json",
            }
            try:
                response = self._http.request(
                    method, url, params=params, json=json_body, headers=headers
                )
            except httpx.TransportError as exc:
                unsent = isinstance(exc, _NOT_SENT)
                reason = f"transport error ({type(exc).__name__})"
                self._failed_without_answer(
                    operation, None, None, reason, attempt, idempotent or unsent
                )
                continue
            except httpx.HTTPError as exc:
                reason = f"HTTP error ({type(exc).__name__})"
                self._log.failure(operation, None, None, f"{reason}; giving up")
                raise CallFailed(operation, None, None, reason) from None

            status = response.status_code
            request_id = response.headers.get("x-amzn-RequestId")
            self._pacer.observe(operation, response.headers.get("x-amzn-RateLimit-Limit"))
            if status == 429:
                self._pacer.throttled(operation)
            body = _json_or_none(response)
            if 200 <= status < 300 and response.content and body is None:
                # A 2xx whose JSON does not parse (cut off on the way): never read as "empty".
                reason = "unreadable answer (malformed JSON)"
                self._failed_without_answer(
                    operation, status, request_id, reason, attempt, idempotent
                )
                continue
            if 200 <= status < 300:
                return ApiResponse(status, body, request_id)

            message = error_message(status, body)
            if is_expired_token(status, body) and not refreshed:
                # Refresh once and retry once; a second "expired" is a failure, not a loop.
                refreshed = True
                attempt -= 1
                self._log.failure(operation, status, request_id, "token expired; refreshing")
                tokens.invalidate(token)
                continue
            if status >= 500 and not idempotent:
                self._log.failure(operation, status, request_id, "outcome unknown")
                raise OutcomeUnknown(operation, status, request_id, message)
            if status in RETRYABLE_STATUS and attempt < MAX_ATTEMPTS:
                self._retry_later(operation, status, request_id, attempt, f"HTTP {status}")
                continue
            self._log.failure(operation, status, request_id, "giving up")
            raise CallFailed(operation, status, request_id, message)

    def _failed_without_answer(
        self,
        operation: str,
        status: int | None,
        request_id: str | None,
        reason: str,
        attempt: int,
        repeatable: bool,
    ) -> None:
        """No usable answer: wait and let the caller retry, or raise.

        A request that may have been applied (``repeatable`` false) is never re-sent here.
        """
        if not repeatable:
            self._log.failure(operation, status, request_id, f"{reason}; outcome unknown")
            raise OutcomeUnknown(operation, status, request_id, reason)
        if attempt >= MAX_ATTEMPTS:
            self._log.failure(operation, status, request_id, f"{reason}; giving up")
            raise CallFailed(operation, status, request_id, reason)
        self._retry_later(operation, status, request_id, attempt, reason)

    def _retry_later(
        self,
        operation: str,
        status: int | None,
        request_id: str | None,
        attempt: int,
        reason: str,
    ) -> None:
        delay = backoff_delay(attempt, BACKOFF_BASE, BACKOFF_CAP)
        self._log.failure(
            operation,
            status,
            request_id,
            f"attempt {attempt}/{MAX_ATTEMPTS} failed ({reason}); retrying in {delay:.2f}s",
        )
        time.sleep(delay)
