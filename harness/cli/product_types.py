"""``acorn product-types pull``: download Amazon's product-type schemas with your credentials.

For each marketplace and product type it calls getDefinitionsProductType (one marketplace per
call, as Amazon requires), downloads the schema from the presigned link, checks the link's
base64 MD5 checksum, and writes ``<out>/<PRODUCT_TYPE>/<COUNTRY>.json`` plus the meta-schema
and a ``definition.json`` (display name, version, property groups), the layout
``contracts/product-types`` uses, so ``acorn validate`` and the simulator can use them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import httpx
import typer
from rich.console import Console

from harness.cassettes.guard import refuse_production, request_hook
from harness.contracts.product_types import META_SCHEMA_FILE
from harness.errors import AcornUsageError

__all__ = ["pull_product_types", "register"]

AMAZON_TOKEN_URL = "https://api.amazon.com/auth/o2/token"
AMAZON_ENDPOINTS = {
    "NA": "https://sellingpartnerapi-na.amazon.com",
    "EU": "https://sellingpartnerapi-eu.amazon.com",
    "FE": "https://sellingpartnerapi-fe.amazon.com",
}
META_FILE = META_SCHEMA_FILE  # one name for the file, from the one catalog


def _resolve(refs: str) -> list[Any]:
    from harness.contracts import find_marketplace, load_contracts

    known = load_contracts().marketplaces
    found = []
    for ref in (r.strip() for r in refs.split(",") if r.strip()):
        mp = find_marketplace(known, ref)
        if mp is None:
            raise AcornUsageError(
                f"unknown marketplace {ref!r}",
                where="--marketplaces",
                fix="give marketplace ids or country codes, e.g. US,GB,DE,FR,IT,ES,JP",
            )
        found.append(mp)
    if not found:
        raise AcornUsageError("no marketplace given", where="--marketplaces", fix="e.g. DE,FR")
    return found


class _Session:
    """LWA access token plus SP-API GETs with backoff on 429 (PTD: 5/s, burst 10)."""

    def __init__(self, http: httpx.Client, token_url: str, creds: dict[str, str]) -> None:
        self.http = http
        response = http.post(token_url, data={"grant_type": "refresh_token", **creds})
        if response.status_code != 200:
            try:
                reason = str(response.json().get("error", "unknown"))
            except ValueError:
                reason = "unreadable answer"
            raise AcornUsageError(
                f"Login with Amazon refused the credentials (HTTP {response.status_code}, "
                f"{reason})",
                fix="check --client-id, --client-secret and --refresh-token (or the ACORN_* "
                "environment variables)",
            )
        self.token = str(response.json()["access_token"])

    def get(self, url: str, params: dict[str, str]) -> httpx.Response:
        for attempt in range(6):
            response = self.http.get(url, params=params, headers={"x-amz-access-token": self.token})
            if response.status_code not in (429, 500, 503):
                return response
            time.sleep(min(0.2 * 2**attempt, 5.0))
        return response


def _download(http: httpx.Client, link: dict[str, Any]) -> bytes:
    url = (link.get("link") or {}).get("resource")
    if not url:
        raise ValueError("the answer has no schema link")
    response = http.get(url)
    if response.status_code != 200:
        raise ValueError(f"the schema link answered HTTP {response.status_code}")
    digest = base64.b64encode(hashlib.md5(response.content).digest()).decode()
    if link.get("checksum") and digest != link["checksum"]:
        raise ValueError("the downloaded schema does not match its checksum")
    json.loads(response.content)  # refuse anything that is not JSON before writing it
    return response.content


def pull_product_types(
    marketplaces: str,
    product_types: str,
    out: Path,
    *,
    token_url: str,
    endpoints: dict[str, str],
    creds: dict[str, str],
    console: Console,
    allow_production: bool = False,
) -> int:
    """Download every (product type, marketplace) schema; return the number of failures.

    Every request passes the production guard before it connects (an httpx event hook), so a
    schema link to an Amazon host is refused like an endpoint unless ``allow_production``.
    """
    targets = _resolve(marketplaces)
    names = [p.strip().upper() for p in product_types.split(",") if p.strip()]
    if not names:
        raise AcornUsageError("no product type given", where="--product-types", fix="e.g. LUGGAGE")
    failures = 0
    hook = request_hook(allow=allow_production, doing="call")
    with httpx.Client(timeout=60.0, trust_env=False, event_hooks={"request": [hook]}) as http:
        session = _Session(http, token_url, creds)
        for name in names:
            definition: dict[str, Any] = {"productType": name, "marketplaces": {}}
            for mp in targets:
                url = f"{endpoints[mp.region].rstrip('/')}/definitions/2020-09-01/productTypes/"
                response = session.get(
                    url + quote(name, safe=""), {"marketplaceIds": mp.id, "requirements": "LISTING"}
                )
                request_id = response.headers.get("x-amzn-RequestId", "-")
                if response.status_code != 200:
                    failures += 1
                    console.print(
                        f"{name} {mp.country}: HTTP {response.status_code} "
                        f"(x-amzn-RequestId {request_id}), skipped",
                        highlight=False,
                    )
                    continue
                body = response.json()
                try:
                    content = _download(http, body.get("schema") or {})
                    meta = out / "meta-schema" / META_FILE
                    if body.get("metaSchema") and not meta.exists():
                        meta.parent.mkdir(parents=True, exist_ok=True)
                        meta.write_bytes(_download(http, body["metaSchema"]))
                except (ValueError, httpx.HTTPError) as exc:
                    failures += 1
                    console.print(f"{name} {mp.country}: {exc}; skipped", highlight=False)
                    continue
                target = out / name / f"{mp.country}.json"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
                definition["marketplaces"][mp.country] = mp.id
                for key in ("displayName", "productTypeVersion", "propertyGroups"):
                    definition.setdefault(key, body.get(key))
                console.print(
                    f"{name} {mp.country}: {len(content):,} bytes -> {target}", highlight=False
                )
            if definition["marketplaces"]:
                (out / name / "definition.json").write_text(
                    json.dumps(definition, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
                )
    return failures


def _refuse_production(urls: dict[str, str], *, allow: bool) -> None:
    """ACORN talks to Amazon's production hosts only when the user says so explicitly.

    Here LWA counts as production too: the pull sends the app's client secret to it. The same
    guard runs again on every request the pull makes (schema links included), see
    :func:`pull_product_types`.
    """
    refuse_production(
        urls,
        allow=allow,
        doing="call",
        where="--endpoint-na/--endpoint-eu/--endpoint-fe/--token-url",
        fix="point the endpoints at a simulator (`acorn serve` prints them as ACORN_* variables)",
    )


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Product-type schemas (Product Type Definitions API).")
    app.add_typer(group, name="product-types")

    @group.command("pull")
    def pull(
        marketplaces: Annotated[str, typer.Option(help="Ids or country codes: US,GB,DE,...")],
        product_types: Annotated[str, typer.Option(help="e.g. LUGGAGE,TOY_FIGURE")],
        out: Annotated[Path, typer.Option(help="Where the schemas go.")] = Path(
            "contracts/product-types"
        ),
        client_id: Annotated[str, typer.Option(envvar="ACORN_CLIENT_ID")] = "",
        client_secret: Annotated[
            str, typer.Option(envvar="ACORN_CLIENT_SECRET", show_default=False)
        ] = "",
        refresh_token: Annotated[
            str, typer.Option(envvar="ACORN_REFRESH_TOKEN", show_default=False)
        ] = "",
        token_url: Annotated[str, typer.Option(envvar="ACORN_LWA_TOKEN_URL")] = AMAZON_TOKEN_URL,
        endpoint_na: Annotated[str, typer.Option(envvar="ACORN_ENDPOINT_NA")] = AMAZON_ENDPOINTS[
            "NA"
        ],
        endpoint_eu: Annotated[str, typer.Option(envvar="ACORN_ENDPOINT_EU")] = AMAZON_ENDPOINTS[
            "EU"
        ],
        endpoint_fe: Annotated[str, typer.Option(envvar="ACORN_ENDPOINT_FE")] = AMAZON_ENDPOINTS[
            "FE"
        ],
        allow_production: Annotated[
            bool,
            typer.Option(
                "--allow-production",
                help="Allow calls to Amazon's production hosts (the default endpoints).",
            ),
        ] = False,
    ) -> None:
        """Download schemas through SP-API with your app's credentials (exit 1 if some failed)."""
        console = Console()
        try:
            missing = [
                n
                for n, v in (
                    ("--client-id", client_id),
                    ("--client-secret", client_secret),
                    ("--refresh-token", refresh_token),
                )
                if not v
            ]
            if missing:
                raise AcornUsageError(
                    f"missing {', '.join(missing)}",
                    fix="pass them or set ACORN_CLIENT_ID, ACORN_CLIENT_SECRET, "
                    "ACORN_REFRESH_TOKEN",
                )
            _refuse_production(
                {"LWA": token_url, "NA": endpoint_na, "EU": endpoint_eu, "FE": endpoint_fe},
                allow=allow_production,
            )
            failures = pull_product_types(
                marketplaces,
                product_types,
                out,
                token_url=token_url,
                endpoints={"NA": endpoint_na, "EU": endpoint_eu, "FE": endpoint_fe},
                creds={
                    "client_id": client_id,
                    "client_secret": client_secret,
                    "refresh_token": refresh_token,
                },
                console=console,
                allow_production=allow_production,
            )
        except AcornUsageError as exc:
            Console(stderr=True).print(f"[bold red]acorn: cannot run.[/] {exc}", highlight=False)
            raise typer.Exit(2) from None
        except httpx.HTTPError as exc:
            Console(stderr=True).print(
                f"[bold red]acorn: cannot run.[/] SP-API unreachable ({type(exc).__name__}); "
                "check the endpoints and your network.",
                highlight=False,
            )
            raise typer.Exit(2) from None
        raise typer.Exit(1 if failures else 0)
