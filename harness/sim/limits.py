"""What one request may cost the simulator: body size, read time, connections.

Amazon's models declare 413 "The request size exceeded the maximum accepted size." on 252
operations (docs/fidelity.md §2.2) but no size; AWS API Gateway, in front of SP-API, caps
payloads at 10 MB. ACORN refuses bodies above these caps with 413 before reading them (refusal
BODY-TOO-LARGE, fidelity note BODY-SIZE-CAP: the exact limits are not documented), so a
hostile client cannot make the simulator hold its body in memory.

Slow senders are bounded at the protocol level (:mod:`harness.sim.loopback`): request headers
must arrive within :data:`HEADER_TIMEOUT`, the body within :data:`BODY_TIMEOUT`, and at most
:data:`MAX_CONNECTIONS` connections are served at once (uvicorn answers 503 beyond). None of
these touch answers: a stall fault holds its answer for 45 s on purpose, and a slow client
may take as long as it likes to read.
"""

from __future__ import annotations

from harness.sim.errors import lwa_error, sp_error
from harness.sim.fidelity import note_fact
from harness.sim.handlers.documents import PREFIX
from harness.sim.http import Reply
from harness.sim.refusals import refuse

__all__ = [
    "BODY_TIMEOUT",
    "HEADER_TIMEOUT",
    "MAX_CONNECTIONS",
    "body_limit",
    "too_large",
]

MiB = 1024 * 1024
LWA_BODY_LIMIT = 1 * MiB  # a token request is a few hundred bytes
SP_API_BODY_LIMIT = 10 * MiB  # API Gateway's payload cap
DOCUMENT_BODY_LIMIT = 64 * MiB  # feed documents go to S3-style URLs (held in memory here)

HEADER_TIMEOUT = 10.0  # seconds from connection (or previous answer) to complete headers
BODY_TIMEOUT = 30.0  # seconds from complete headers to complete body
MAX_CONNECTIONS = 1000  # open connections served at once; beyond, uvicorn answers 503


def body_limit(endpoint: str, path: str) -> int:
    """The body cap in bytes for a request to ``endpoint`` ("LWA" or a region) at ``path``."""
    if endpoint == "LWA":
        return LWA_BODY_LIMIT
    if path.startswith(PREFIX):
        return DOCUMENT_BODY_LIMIT
    return SP_API_BODY_LIMIT


def too_large(endpoint: str) -> Reply:
    """Amazon's 413 for a body over the cap: the SP-API ``errors[]`` envelope with the models'
    wording, or LWA's flat OAuth error (which has no documented 413 either)."""
    message = "The request size exceeded the maximum accepted size."
    body = (
        lwa_error("invalid_request", message)
        if endpoint == "LWA"
        else sp_error("RequestEntityTooLarge", message, "")
    )
    reply = refuse("BODY-TOO-LARGE", Reply(413, body, {"Connection": "close"}))
    reply.facts["fidelity"] = [note_fact("BODY-SIZE-CAP", endpoint)]
    return reply
