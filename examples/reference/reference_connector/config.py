"""Settings read from the connector's own environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import ConfigError

DEFAULT_TOKEN_URL = "https://api.amazon.com/auth/o2/token"
DEFAULT_ENDPOINTS = {
    "NA": "https://sellingpartnerapi-na.amazon.com",
    "EU": "https://sellingpartnerapi-eu.amazon.com",
    "FE": "https://sellingpartnerapi-fe.amazon.com",
}
REQUIRED = ("LWA_CLIENT_ID", "LWA_CLIENT_SECRET", "SPAPI_REFRESH_TOKEN", "SPAPI_SELLER_ID")


@dataclass(frozen=True)
class Settings:
    token_url: str
    endpoints: dict[str, str]
    client_id: str
    client_secret: str
    refresh_token: str
    seller_id: str
    log_file: str | None

    def __repr__(self) -> str:  # never show the secrets, even in a traceback
        return (
            f"Settings(token_url={self.token_url!r}, endpoints={self.endpoints!r}, "
            f"seller_id={self.seller_id!r}, log_file={self.log_file!r})"
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str:
            return env.get(name, "").strip()

        missing = [name for name in REQUIRED if not get(name)]
        if missing:
            raise ConfigError("missing required environment variable(s): " + ", ".join(missing))
        endpoints = {
            region: (get(f"SPAPI_ENDPOINT_{region}") or default).rstrip("/")
            for region, default in DEFAULT_ENDPOINTS.items()
        }
        token_url = get("SPAPI_LWA_TOKEN_URL") or DEFAULT_TOKEN_URL
        urls = [("SPAPI_LWA_TOKEN_URL", token_url)]
        urls += [(f"SPAPI_ENDPOINT_{region}", url) for region, url in endpoints.items()]
        for name, url in urls:
            if not url.startswith(("https://", "http://")):
                raise ConfigError(f"{name} is not an http(s) URL: {url!r}")
        return cls(
            token_url=token_url,
            endpoints=endpoints,
            client_id=get("LWA_CLIENT_ID"),
            client_secret=get("LWA_CLIENT_SECRET"),
            refresh_token=get("SPAPI_REFRESH_TOKEN"),
            seller_id=get("SPAPI_SELLER_ID"),
            log_file=get("CONNECTOR_LOG_FILE") or None,
        )
