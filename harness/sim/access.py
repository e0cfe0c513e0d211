"""Which SP-API calls an access token admits, and the 403 Amazon gives the others.

Kept apart from the pipeline (:mod:`harness.sim.core`) because it is the one place that
decides a token's verdict: the journal's ``token`` fact and AUTH-* checks read what it says.
"""

from __future__ import annotations

from harness.contracts import Operation
from harness.sim.errors import (
    ACCESS_DENIED,
    DETAILS_EXPIRED,
    DETAILS_INVALID,
    DETAILS_MISSING,
    sp_error,
)
from harness.sim.http import Reply, SimRequest
from harness.sim.journal import TokenUse
from harness.sim.refusals import refuse
from harness.sim.tokens import IssuedToken, TokenStore, fingerprint

__all__ = ["authenticate"]


def _denied(details: str, rule: str) -> Reply:
    return refuse(rule, Reply(403, sp_error("Unauthorized", ACCESS_DENIED, details)))


def authenticate(
    tokens: TokenStore, now: float, request: SimRequest, op: Operation | None
) -> tuple[IssuedToken | None, TokenUse, Reply | None]:
    """(the token, how it was used, Amazon's 403 when it does not admit the call).

    ``op`` None: a path no contract knows; the token is still judged, since Amazon's gateway
    checks it before routing.
    """
    value = request.headers.get("x-amz-access-token", "").strip()
    if not value:
        return (
            None,
            TokenUse("-", "missing", "missing"),
            _denied(DETAILS_MISSING, "AUTH-TOKEN-MISSING"),
        )
    token = tokens.lookup(value)
    if token is None:
        unknown = TokenUse(fingerprint(value), "unknown", "invalid")
        return None, unknown, _denied(DETAILS_INVALID, "AUTH-TOKEN-INVALID")

    def use(outcome: str) -> TokenUse:
        assert token is not None
        return TokenUse(token.id, token.kind, outcome, token.issued_wall, token.expires_in)

    if token.revoked:
        return token, use("revoked"), _denied(DETAILS_INVALID, "AUTH-TOKEN-REVOKED")
    if token.expired(now):
        return token, use("expired"), _denied(DETAILS_EXPIRED, "AUTH-TOKEN-EXPIRED")
    if op is not None:
        if token.kind == "rdt" and token.covering(request.method, request.path) is None:
            return token, use("not_covered"), _denied("", "AUTH-RDT-NOT-COVERED")
        if op.grantless != (token.kind == "grantless"):
            return token, use("wrong_grant"), _denied("", "AUTH-WRONG-GRANT")
    return token, use("ok"), None
