"""Login with Amazon: ``POST /auth/o2/token`` with form or JSON bodies and flat OAuth errors."""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote_plus

from harness.sim.clock import VirtualClock
from harness.sim.credentials import Credentials
from harness.sim.errors import lwa_error
from harness.sim.fidelity import note_fact
from harness.sim.http import Reply, SimRequest, parse_json
from harness.sim.refusals import refuse
from harness.sim.tokens import TokenStore

__all__ = [
    "GRANTLESS_SCOPES",
    "LWA_ERRORS",
    "OAUTH_CODE_LIFETIME",
    "LwaFaults",
    "LwaWorld",
    "parse_token_request",
    "token_endpoint",
]

# docs/fidelity.md §1.2, plus the Application Management API's rotation scope
# (rotateApplicationClientSecret; python-amazon-sp-api's ApplicationManagement.grantless_scope).
# Another scope is refused as LWA refuses a scope the client may not have (docs/fidelity.md
# §1.4), with a fidelity note: Amazon adds scopes with new grantless APIs, and ACORN's list may lag.
GRANTLESS_SCOPES = frozenset(
    {
        "sellingpartnerapi::notifications",
        "sellingpartnerapi::migration",
        "sellingpartnerapi::client_credential:rotation",
    }
)
OAUTH_CODE_LIFETIME = 300.0  # the spapi_oauth_code is valid for five minutes
_HEADERS = {"cache-control": "no-store", "pragma": "no-cache"}
_GRANTS = ("refresh_token", "client_credentials", "authorization_code")

# OAuth error -> (HTTP status, error_description), docs/fidelity.md §1.4. LWA's outage
# answers carry no known description, so none is sent (clients must cope with that too).
LWA_ERRORS: dict[str, tuple[int, str | None]] = {
    "invalid_client": (401, "Client authentication failed"),
    "invalid_grant": (400, "The request has an invalid grant parameter : refresh_token"),
    "invalid_request": (400, "The request is missing a required parameter : refresh_token"),
    "unauthorized_client": (400, "Not authorized for requested operation"),
    "unsupported_grant_type": (
        400,
        "The authorization grant type is not supported by the authorization server",
    ),
    "access_denied": (400, None),  # code known from the SDK enums, text not observed
    "invalid_scope": (400, None),  # likewise
    "server_error": (500, None),
    "temporarily_unavailable": (503, None),
}
_OUTAGE_ERROR = {500: "server_error", 503: "temporarily_unavailable"}


@dataclass
class LwaFaults:
    """What is wrong with LWA right now: slow answers, an outage, a forced refusal.

    Built from the scenario's :class:`~harness.sim.config.SimConfig` at every reset and
    changed mid-scenario through :meth:`harness.sim.core.SimCore.lwa_outage`.
    """

    delay: float = 0.0
    """Wall seconds every token answer is held back (slow LWA widens refresh races)."""
    outage_status: int | None = None
    """500 (``server_error``) or 503 (``temporarily_unavailable``) while the outage lasts."""
    outage_requests: int | None = None
    """How many more token requests the outage refuses; None: until it is cleared."""
    forced_error: str | None = None
    """An OAuth error (a key of :data:`LWA_ERRORS`) every token request gets."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.outage_status is not None and self.outage_status not in _OUTAGE_ERROR:
            raise ValueError(
                f"an LWA outage answers 500 or 503, not {self.outage_status} "
                "(use forced_error for 4xx refusals)"
            )
        if self.forced_error is not None and self.forced_error not in LWA_ERRORS:
            known = ", ".join(sorted(LWA_ERRORS))
            raise ValueError(f"unknown LWA error {self.forced_error!r}; known: {known}")
        if self.delay < 0:
            raise ValueError(f"the LWA delay must be >= 0 seconds, got {self.delay}")

    def start_outage(self, status: int, requests: int | None) -> None:
        if status not in _OUTAGE_ERROR:
            raise ValueError(f"an LWA outage answers 500 or 503, not {status}")
        with self._lock:
            self.outage_status, self.outage_requests = status, requests

    def end_outage(self) -> None:
        with self._lock:
            self.outage_status, self.outage_requests = None, None

    def refusal(self) -> Reply | None:
        """The fault answer for the next token request, if LWA is failing (counts it)."""
        with self._lock:
            if self.outage_status is not None:
                status = self.outage_status
                if self.outage_requests is not None:
                    self.outage_requests -= 1
                    if self.outage_requests <= 0:
                        self.outage_status, self.outage_requests = None, None
                reply = _error(status, _OUTAGE_ERROR[status], None, rule=None)
                reply.facts["lwa_fault"] = "outage"
                return reply
            if self.forced_error is not None:
                status, description = LWA_ERRORS[self.forced_error]
                reply = _error(status, self.forced_error, description, rule=None)
                reply.facts["lwa_fault"] = "forced"
                return reply
        return None


def parse_token_request(request: SimRequest) -> dict[str, Any] | None:
    """Amazon's Python/JS helpers send a form; its Java/C#/PHP helpers send JSON."""
    text = request.body.decode("utf-8", errors="replace")
    if request.content_type == "application/json" or text.lstrip().startswith("{"):
        try:
            data = parse_json(text)
        except ValueError:  # malformed, or nested too deep to read (JsonTooDeep)
            return None
        return data if isinstance(data, dict) else None
    return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}


def _error(status: int, error: str, description: str | None, *, rule: str | None) -> Reply:
    """An LWA error; ``rule`` names the refusal (harness.sim.refusals), None for an injected
    fault (a scenario's outage or forced error is not a rule of the simulator's)."""
    reply = Reply(status, lwa_error(error, description), dict(_HEADERS))
    return reply if rule is None else refuse(rule, reply)


def _missing(name: str) -> Reply:
    return _error(
        400,
        "invalid_request",
        f"The request is missing a required parameter : {name}",
        rule="LWA-PARAM-MISSING",
    )


def basic_client(request: SimRequest) -> dict[str, str]:
    """Client credentials sent as ``Authorization: Basic base64(client_id:client_secret)``.

    Login with Amazon documents this way too ("If you are using the Authorization header to
    request access tokens, note that it should be a base-64 encoding of client_id:client
    secret", developer.amazon.com/docs/login-with-amazon/authorization-code-grant.html), and
    generic OAuth2 libraries use it by default. Values in the body win (RFC 6749 §2.3.1
    form-encodes each part before base64).
    """
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return {}
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return {}
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return {}
    return {"client_id": unquote_plus(client_id), "client_secret": unquote_plus(secret)}


class LwaWorld(Protocol):
    """What the token endpoint reads and changes (SimCore has it): the app's credentials, the
    token store, the outstanding OAuth codes, the clock and the LWA faults of the scenario.
    A protocol, so LWA does not import the core that routes to it."""

    credentials: Credentials
    tokens: TokenStore
    oauth_codes: dict[str, float]
    clock: VirtualClock
    lwa_faults: LwaFaults


def token_endpoint(core: LwaWorld, request: SimRequest) -> Reply:
    """Answer a token request; ``facts["grant_type"]`` names the grant, refused ones too."""
    if request.method != "POST":
        return _error(
            400, "invalid_request", "The request method must be POST.", rule="LWA-NOT-POST"
        )
    form = parse_token_request(request)
    if form is None:
        return _error(
            400,
            "invalid_request",
            "The request body could not be parsed.",
            rule="LWA-BODY-UNREADABLE",
        )
    faults = core.lwa_faults
    merged = dict(form)
    for name, value in basic_client(request).items():
        merged[name] = merged.get(name) or value
    reply = faults.refusal() or _answer(core, merged)
    if faults.delay > 0:
        reply.delay = faults.delay
        reply.facts["delay_s"] = faults.delay
    if form.get("grant_type"):
        reply.facts.setdefault("grant_type", str(form["grant_type"]))
    return reply


def _answer(core: LwaWorld, form: dict[str, Any]) -> Reply:
    grant = str(form.get("grant_type") or "")
    if not grant:
        return _missing("grant_type")
    if grant not in _GRANTS:
        return _error(
            400,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server",
            rule="LWA-GRANT-TYPE",
        )
    creds = core.credentials
    for name in ("client_id", "client_secret"):
        if not form.get(name):
            return _missing(name)
    if form["client_id"] != creds.client_id or form["client_secret"] != creds.client_secret:
        return _error(401, "invalid_client", "Client authentication failed", rule="LWA-CLIENT")
    facts: dict[str, Any] = {"grant_type": grant}
    if grant == "refresh_token":
        refresh = form.get("refresh_token")
        if not refresh:
            return _missing("refresh_token")
        if refresh != creds.refresh_token or refresh in creds.revoked_refresh_tokens:
            return _error(
                400,
                "invalid_grant",
                "The request has an invalid grant parameter : refresh_token",
                rule="LWA-REFRESH-TOKEN",
            )
        token = core.tokens.issue_access()
        body = {
            "access_token": token.value,
            "refresh_token": refresh,
            "token_type": "bearer",
            "expires_in": token.expires_in,
        }
    elif grant == "client_credentials":
        scope = str(form.get("scope") or "")
        if not scope:
            return _missing("scope")
        if not set(scope.split()) <= GRANTLESS_SCOPES:
            reply = _error(
                400,
                "unauthorized_client",
                "Not authorized for requested operation",
                rule="LWA-SCOPE",
            )
            reply.facts["fidelity"] = [note_fact("LWA-SCOPE-UNKNOWN", "lwa:client_credentials")]
            return reply
        token = core.tokens.issue_access(scope=scope)
        body = {"access_token": token.value, "token_type": "bearer", "expires_in": token.expires_in}
        facts["scope"] = scope
    else:
        code = form.get("code")
        if not code:
            return _missing("code")
        issued_at = core.oauth_codes.pop(str(code), None)
        if issued_at is None or core.clock.now() - issued_at > OAUTH_CODE_LIFETIME:
            return _error(
                400,
                "invalid_grant",
                "The request has an invalid grant parameter : code",
                rule="LWA-CODE",
            )
        token = core.tokens.issue_access()
        body = {
            "access_token": token.value,
            "refresh_token": creds.refresh_token,
            "token_type": "bearer",
            "expires_in": token.expires_in,
        }
    facts.update(issued_token=token.id, expires_in=token.expires_in)
    return Reply(200, body, dict(_HEADERS), facts)
