"""Access tokens and Restricted Data Tokens the simulator has issued, and their lifetimes.

Lifetimes run on the virtual clock; what the integration is told (``expires_in``) is the same
lifetime in wall seconds, so an integration that honours ``expires_in`` is never surprised.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from dataclasses import dataclass, field
from typing import Literal

from harness.sim.clock import VirtualClock

__all__ = ["IssuedToken", "RestrictedResource", "TokenStore", "fingerprint"]

TokenKind = Literal["access", "grantless", "rdt"]
_PARAM = re.compile(r"\{[^}/]+\}")


def fingerprint(token: str) -> str:
    """A short, stable, non-reversible name for a token, safe to show in reports."""
    prefix = token.split("|", 1)[0] + "|" if "|" in token else ""
    return prefix + hashlib.sha256(token.encode()).hexdigest()[:8]


@dataclass(frozen=True)
class RestrictedResource:
    method: str
    path: str
    data_elements: tuple[str, ...] = ()

    def covers(self, method: str, path: str) -> bool:
        if method.upper() != self.method.upper():
            return False
        if "{" not in self.path:
            return path.rstrip("/") == self.path.rstrip("/")
        literal_parts = (re.escape(part) for part in _PARAM.split(self.path.rstrip("/")))
        return re.fullmatch("[^/]+".join(literal_parts) + "/?", path) is not None


@dataclass
class IssuedToken:
    value: str
    kind: TokenKind
    issued_at: float  # virtual
    lifetime: float  # virtual seconds
    issued_wall: float  # wall seconds since the simulator started
    expires_in: int  # what the integration was told, in wall seconds
    scope: str | None = None
    resources: tuple[RestrictedResource, ...] = ()
    revoked: bool = False

    @property
    def id(self) -> str:
        return fingerprint(self.value)

    def expired(self, now: float) -> bool:
        return now >= self.issued_at + self.lifetime

    def covering(self, method: str, path: str) -> RestrictedResource | None:
        return next((r for r in self.resources if r.covers(method, path)), None)


@dataclass
class TokenStore:
    clock: VirtualClock
    access_lifetime: float = 3600.0
    rdt_lifetime: float = 3600.0
    expires_in_override: int | None = None
    _tokens: dict[str, IssuedToken] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _told(self, lifetime: float) -> int:
        if self.expires_in_override is not None:
            return self.expires_in_override
        return max(1, int(self.clock.to_wall(lifetime)))

    def _issue(
        self,
        prefix: str,
        kind: TokenKind,
        lifetime: float,
        scope: str | None = None,
        resources: tuple[RestrictedResource, ...] = (),
    ) -> IssuedToken:
        token = IssuedToken(
            value=prefix + secrets.token_urlsafe(120),
            kind=kind,
            issued_at=self.clock.now(),
            lifetime=lifetime,
            issued_wall=self.clock.wall_elapsed(),
            expires_in=self._told(lifetime),
            scope=scope,
            resources=resources,
        )
        with self._lock:
            self._tokens[token.value] = token
        return token

    def issue_access(self, scope: str | None = None) -> IssuedToken:
        kind: TokenKind = "grantless" if scope else "access"
        return self._issue("Atza|", kind, self.access_lifetime, scope=scope)

    def issue_rdt(self, resources: tuple[RestrictedResource, ...]) -> IssuedToken:
        return self._issue("Atz.sprdt|", "rdt", self.rdt_lifetime, resources=resources)

    def lookup(self, value: str) -> IssuedToken | None:
        with self._lock:
            return self._tokens.get(value)

    def expire_all(self, kinds: frozenset[TokenKind] | None = None) -> None:
        """Make every issued token (of ``kinds``; None: all) expired now (a scenario's "the
        hour is over")."""
        now = self.clock.now()
        with self._lock:
            for token in self._tokens.values():
                if kinds is None or token.kind in kinds:
                    token.lifetime = min(token.lifetime, now - token.issued_at)

    def revoke_all(self) -> None:
        with self._lock:
            for token in self._tokens.values():
                token.revoked = True

    def all(self) -> list[IssuedToken]:
        with self._lock:
            return list(self._tokens.values())
