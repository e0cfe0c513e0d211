"""A client with Amazon's URLs compiled in: it never reads an endpoint from its environment.

Only what every HTTPS client reads from the environment points it at ACORN: HTTPS_PROXY (the
intercept proxy) and the CA variables (REQUESTS_CA_BUNDLE for requests, SSL_CERT_FILE for
httpx). Credentials come from ACORN's test variables. Prints one JSON line of what it got.
"""

from __future__ import annotations

import json
import os
import sys

import httpx
import requests

LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"
SP_API_NA = "https://sellingpartnerapi-na.amazon.com"
ORDERS = {"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "2020-01-01T00:00:00Z"}


def main() -> int:
    form = {
        "grant_type": "refresh_token",
        "refresh_token": os.environ["ACORN_REFRESH_TOKEN"],
        "client_id": os.environ["ACORN_CLIENT_ID"],
        "client_secret": os.environ["ACORN_CLIENT_SECRET"],
    }
    out: dict[str, object] = {}
    try:
        token = requests.post(LWA_TOKEN_URL, data=form, timeout=10)
        out["requests_token"] = token.status_code
        access = token.json()["access_token"]
        orders = requests.get(
            SP_API_NA + "/orders/v0/orders",
            params=ORDERS,
            headers={"x-amz-access-token": access},
            timeout=10,
        )
        out["requests_orders"] = [orders.status_code, len(orders.json()["payload"]["Orders"])]
        with httpx.Client(timeout=10) as client:  # trust_env (the default) reads the CA file
            again = client.post(LWA_TOKEN_URL, data=form)
            out["httpx_token"] = again.status_code
            more = client.get(
                SP_API_NA + "/orders/v0/orders",
                params=ORDERS,
                headers={"x-amz-access-token": again.json()["access_token"]},
            )
            out["httpx_orders"] = [more.status_code, len(more.json()["payload"]["Orders"])]
    except (requests.RequestException, httpx.HTTPError) as exc:
        out["error"] = f"{type(exc).__name__}: {str(exc)[:300]}"
    print(json.dumps(out))
    return 0 if "error" not in out else 1


if __name__ == "__main__":
    sys.exit(main())
