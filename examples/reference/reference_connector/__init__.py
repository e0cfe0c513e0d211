"""A well-built Selling Partner API connector (the ACORN reference integration).

It knows only SP-API's public interface: pointed at Amazon's endpoints it works unchanged.
"""

from __future__ import annotations

from .actions import Connector
from .errors import (
    AuthError,
    CallFailed,
    ClientCredentialsRejected,
    ConfigError,
    ConnectorError,
    ReauthorizationRequired,
)

__all__ = [
    "AuthError",
    "CallFailed",
    "ClientCredentialsRejected",
    "ConfigError",
    "Connector",
    "ConnectorError",
    "ReauthorizationRequired",
]
