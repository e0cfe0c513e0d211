"""The test application and seller credentials the simulator accepts.

They are canaries: ACORN knows their values, so it can prove they never leak into a URL, a
log, a report or a cassette. Values are random per simulator, in Amazon's formats.
"""

from __future__ import annotations

import base64
import binascii
import functools
import random
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote

from harness.redact import LiteralMatcher, encoded_forms
from harness.sim.http import SimRequest

__all__ = ["Credentials", "carried_finder", "exposure", "new_credentials", "seeded_credentials"]

# A bearer token (access token, RDT, refresh token) in a URL ends up in proxy and server logs.
_TOKEN_IN_URL = re.compile(r"Atz(?:a|r|\.sprdt)\|[A-Za-z0-9_\-+/=.]{8,}")


@dataclass
class Credentials:
    client_id: str
    client_secret: str
    refresh_token: str
    seller_id: str
    application_id: str
    revoked_refresh_tokens: set[str] = field(default_factory=set)
    retired_client_secrets: set[str] = field(default_factory=set)

    def secrets(self) -> list[str]:
        """Values that must never leave the token endpoint exchange."""
        return [self.client_secret, self.refresh_token, *self.retired_client_secrets]

    def labelled(self) -> dict[str, list[str]]:
        """The long-lived secrets by what they are (for findings that never show the value)."""
        return {
            "LWA client secret": [self.client_secret, *sorted(self.retired_client_secrets)],
            "refresh token": [self.refresh_token],
        }


def exposure(
    creds: Credentials, request: SimRequest, *, token_endpoint: bool
) -> dict[str, list[str]]:
    """Where this request carried a credential it must not: names only, never values.

    ``secrets_in_url``: a secret or bearer token in the path or query string (URLs are logged
    by every proxy); ``secrets_to_sp_api``: the client secret or refresh token sent anywhere
    to an SP-API host (they belong to the token endpoint alone).
    """
    url_parts = [request.path, unquote(request.path)]
    url_parts += [v for values in request.query.values() for v in values]
    url_parts += list(request.query)
    url = "\n".join(url_parts)
    carried = carried_finder(creds)

    found: dict[str, list[str]] = {}
    in_url = carried(url)
    if _TOKEN_IN_URL.search(url) and not in_url:
        in_url.append("bearer token")
    if in_url:
        found["secrets_in_url"] = in_url
    if not token_endpoint:
        headers = list(request.headers.values())
        rest = "\n".join([url, *headers, *_basic_credentials(headers)])
        rest += "\n" + request.body.decode("utf-8", errors="replace")
        sent = carried(rest)
        if sent:
            found["secrets_to_sp_api"] = sent
    return found


_Labelled = tuple[tuple[str, tuple[str, ...]], ...]


def carried_finder(creds: Credentials) -> Callable[[str], list[str]]:
    """Which of ``creds``' labels have any encoded form in a text (see _carried_finder)."""
    return _carried_finder(tuple((k, tuple(v)) for k, v in creds.labelled().items()))


@functools.lru_cache(maxsize=32)
def _carried_finder(labelled: _Labelled) -> Callable[[str], list[str]]:
    """Which labels have any encoded form in a text, in ``labelled``'s order.

    One automaton per state of the credentials (a rotation makes a new one), searched with
    overlapping matches, so a form inside another label's form still counts: the same answer
    as testing every form with ``in``, in one pass instead of dozens."""
    owners: dict[str, set[int]] = {}
    for rank, (_, values) in enumerate(labelled):
        for value in values:
            for form in encoded_forms(value):
                owners.setdefault(form, set()).add(rank)
    matcher = LiteralMatcher(owners, overlapping=True)

    def carried(text: str) -> list[str]:
        ranks = {rank for form, _, _ in matcher.find(text) for rank in owners[form]}
        return [label for rank, (label, _) in enumerate(labelled) if rank in ranks]

    return carried


_BASIC = re.compile(r"^\s*basic\s+([A-Za-z0-9+/_-]+=*)\s*$", re.IGNORECASE)


def _basic_credentials(headers: list[str]) -> list[str]:
    """The decoded ``client_id:client_secret`` of any HTTP Basic header: base64 of the pair
    does not contain base64 of the secret alone (it depends on where the secret starts), so
    the encoded forms would miss a client that sends its LWA credentials as Basic auth."""
    decoded = []
    for value in headers:
        match = _BASIC.match(value)
        if match is None:
            continue
        # Standard or URL-safe alphabet alike (b64decode would silently drop '-' and '_').
        raw = match.group(1).rstrip("=").replace("-", "+").replace("_", "/")
        try:
            pair = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
        except (ValueError, binascii.Error):
            continue
        decoded.append(pair.decode("utf-8", "replace"))
    return decoded


def new_credentials() -> Credentials:
    return Credentials(
        client_id="amzn1.application-oa2-client." + secrets.token_hex(16),
        client_secret="amzn1.oa2-cs.v1." + secrets.token_hex(32),
        refresh_token="Atzr|" + secrets.token_urlsafe(96),
        seller_id="A" + secrets.token_hex(6).upper(),
        application_id="amzn1.sp.solution." + secrets.token_hex(16),
    )


def seeded_credentials(seed: int) -> Credentials:
    """Test credentials that are the same for the same seed (``acorn serve --seed``), so an
    .env or docker-compose file keeps working across restarts. Still canaries: fake values,
    masked everywhere ACORN writes, never valid at Amazon."""
    draw = random.Random(f"acorn-credentials-{seed}")

    def hex_(n: int) -> str:
        return "".join(draw.choice("0123456789abcdef") for _ in range(2 * n))

    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return Credentials(
        client_id="amzn1.application-oa2-client." + hex_(16),
        client_secret="amzn1.oa2-cs.v1." + hex_(32),
        refresh_token="Atzr|" + "".join(draw.choice(alphabet) for _ in range(128)),
        seller_id="A" + hex_(6).upper(),
        application_id="amzn1.sp.solution." + hex_(16),
    )
