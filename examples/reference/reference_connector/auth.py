"""Login with Amazon: exchange the refresh token for access tokens and cache them."""

from __future__ import annotations

import threading
import time
from typing import Any, Protocol

import httpx

from .errors import (
    AuthError,
    ClientCredentialsRejected,
    LwaRequestRejected,
    LwaUnavailable,
    ReauthorizationRequired,
)
from .log import FailureLog
from .timing import ExpiringValue, backoff_delay

LWA_MAX_ATTEMPTS = 4
LWA_BACKOFF_BASE = 0.25  # 0.125-0.25 s, 0.25-0.5 s, 0.5-1 s between the 4 attempts
LWA_BACKOFF_CAP = 5.0
# Used only when LWA omits expires_in (it documents 3600 s); short, so we never overstay.
FALLBACK_EXPIRES_IN = 900.0
_RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class TokenSource(Protocol):
    """Something that hands out a token for ``x-amz-access-token``."""

    def get(self) -> str:
        """A token believed to be valid now (fetching a new one if needed)."""
        ...

    def invalidate(self, token: str) -> None:
        """Forget ``token`` because SP-API said it expired."""
        ...


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def parse_expires_in(raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return FALLBACK_EXPIRES_IN
    try:
        value = float(raw)
    except ValueError:
        return FALLBACK_EXPIRES_IN
    return value if value > 0 else FALLBACK_EXPIRES_IN


class LwaTokenProvider:
    """Thread-safe LWA access-token cache with single-flight refresh.

    The token is refreshed proactively ``min(60 s, 10 %)`` before ``expires_in`` runs out; all
    callers that find it stale while a refresh is under way wait for that one refresh.
    """

    def __init__(
        self,
        http: httpx.Client,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        log: FailureLog,
    ) -> None:
        self._http = http
        self._token_url = token_url
        self._form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": client_id,
            "client_secret": client_secret,
        }
        self._log = log
        self._lock = threading.Lock()
        self._cached: ExpiringValue | None = None
        self._generation = 0  # bumped after every refresh attempt, successful or not
        self._last_error: AuthError | None = None

    def __repr__(self) -> str:
        return f"LwaTokenProvider(token_url={self._token_url!r})"

    def get(self) -> str:
        seen = self._generation
        with self._lock:
            cached = self._cached
            if cached is not None and cached.fresh():
                return cached.value
            if self._generation != seen and self._last_error is not None:
                # A refresh ran (and failed) while we waited for the lock: share its outcome
                # instead of hitting LWA again.
                raise self._last_error
            try:
                cached = self._cached = self._fetch()
            except AuthError as exc:
                self._last_error = exc
                raise
            else:
                self._last_error = None
            finally:
                self._generation += 1
            return cached.value

    def invalidate(self, token: str) -> None:
        with self._lock:
            # Only drop the token that was rejected: if another thread already replaced it,
            # the new one is kept and no second refresh happens.
            if self._cached is not None and self._cached.value == token:
                self._cached = None

    def _fetch(self) -> ExpiringValue:
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            try:
                response = self._http.post(
                    self._token_url,
                    data=self._form,
                    headers={"accept": "application/json"},
                )
            except httpx.TransportError as exc:
                failure: AuthError = LwaUnavailable(
                    f"LWA token endpoint unreachable ({type(exc).__name__})"
                )
                status: int | None = None
            else:
                if response.status_code == 200:
                    return self._accept(response, started)
                status = response.status_code
                failure = self._classify(response)
            if not isinstance(failure, LwaUnavailable) or attempt >= LWA_MAX_ATTEMPTS:
                self._log.failure(AuthError.operation, status, None, f"giving up: {failure}")
                raise failure
            delay = backoff_delay(attempt, LWA_BACKOFF_BASE, LWA_BACKOFF_CAP)
            self._log.failure(
                AuthError.operation,
                status,
                None,
                f"attempt {attempt}/{LWA_MAX_ATTEMPTS}, retrying in {delay:.2f}s",
            )
            time.sleep(delay)

    def _accept(self, response: httpx.Response, started: float) -> ExpiringValue:
        body = _json_object(response)
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            self._log.failure(AuthError.operation, 200, None, "no access_token in response")
            raise LwaRequestRejected("LWA answered 200 without an access_token", 200)
        return ExpiringValue(token, started, parse_expires_in(body.get("expires_in")))

    @staticmethod
    def _classify(response: httpx.Response) -> AuthError:
        status = response.status_code
        body = _json_object(response)
        code = str(body.get("error") or "")
        description = str(body.get("error_description") or "")
        detail = f"LWA {status} {code or 'error'}" + (f": {description}" if description else "")
        if code == "invalid_grant":
            return ReauthorizationRequired(
                f"re-authorization needed: the seller's refresh token was rejected ({detail})",
                status,
            )
        if code == "invalid_client" or status == 401:
            return ClientCredentialsRejected(
                f"rotate client credentials: LWA rejected the client id/secret ({detail})",
                status,
            )
        if status in _RETRYABLE_STATUS or code in ("server_error", "temporarily_unavailable"):
            return LwaUnavailable(f"LWA temporarily unavailable ({detail})", status)
        return LwaRequestRejected(f"LWA rejected the token request ({detail})", status)
