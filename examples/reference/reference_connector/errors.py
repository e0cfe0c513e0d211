"""Exceptions raised inside the connector.

Actions never let these escape: they turn them into entries of the result's ``errors`` list.
"""

from __future__ import annotations


class ConnectorError(Exception):
    """Root of every error this connector raises on purpose."""


class ConfigError(ConnectorError):
    """A required environment variable is missing or malformed."""


class AuthError(ConnectorError):
    """Login with Amazon (LWA) did not hand out an access token.

    Without a token no SP-API call can succeed, so an action stops at the first one.
    """

    operation = "lwaTokenRefresh"
    action_required: str | None = None  # what a person must do; None: nothing, it may pass

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ReauthorizationRequired(AuthError):
    """LWA answered ``invalid_grant``: the seller must authorize the application again."""

    action_required = "reauthorize"


class ClientCredentialsRejected(AuthError):
    """LWA answered ``invalid_client``: the client id/secret are wrong or expired."""

    action_required = "rotate_client_credentials"


class LwaRequestRejected(AuthError):
    """LWA rejected the request for another reason (no retry helps)."""


class LwaUnavailable(AuthError):
    """LWA kept failing with server errors or connection problems after every retry."""


class CallFailed(ConnectorError):
    """An SP-API call failed for good (after any retries it was allowed)."""

    def __init__(
        self, operation: str, status: int | None, request_id: str | None, message: str
    ) -> None:
        super().__init__(f"{operation} failed ({status}): {message}")
        self.operation = operation
        self.status = status
        self.request_id = request_id
        self.message = message


class OutcomeUnknown(CallFailed):
    """A write failed in a way that does not say whether Amazon applied it (timeout, reset,
    5xx, an unreadable 2xx). Read the resource back before sending it again."""
