"""The test application and seller credentials the simulator accepts.

They are canaries: ACORN knows their values, so it can prove they never leak into a URL, a
log, a report or a cassette. Values are random per simulator, in Amazon's formats.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

__all__ = ["Credentials", "new_credentials"]


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


def new_credentials() -> Credentials:
    return Credentials(
        client_id="amzn1.application-oa2-client." + secrets.token_hex(16),
        client_secret="amzn1.oa2-cs.v1." + secrets.token_hex(32),
        refresh_token="Atzr|" + secrets.token_urlsafe(96),
        seller_id="A" + secrets.token_hex(6).upper(),
        application_id="amzn1.sp.solution." + secrets.token_hex(16),
    )
