"""Shared plumbing for the Node field probes: run one glue action against node_stub.Stub.

A probe scripts the stub's answers for one behaviour, runs ``node glue.js <action>`` in an
integration folder exactly as ACORN's command driver would (JSON on stdin, result on stdout,
one process), and returns what happened: the stub's request log, the result, stderr and time.
The probe scripts (probe_<name>.py) then state what the ground truth says and check it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from node_stub import Answer, Request, Stub

__all__ = [
    "CA",
    "CANARIES",
    "DE",
    "JP",
    "US",
    "Run",
    "default_answer",
    "lwa_error",
    "run_action",
    "sp_error",
]

FIELD = Path(__file__).resolve().parent.parent
US, CA, DE, JP = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1PA6795UKMFR9", "A1VC38T7YXB528"
CLIENT_ID = "amzn1.application-oa2-client.probe"
CANARIES = {
    "client_secret": "probe-client-secret-CANARY-7f3a",
    "refresh_token": "Atzr|probe-refresh-CANARY-9c1e",
    "buyer_name": "Canary Buyerperson",
    "street": "17 Canary Wharf Lane",
    "access_token": "Atza|probe-access",
    "rdt": "Atz.sprdt|probe-rdt",
}
ORDERS_PATH = "/orders/v0/orders"


def lwa_error(status: int, code: str, description: str) -> Answer:
    return Answer(status, {"error": code, "error_description": description})


def sp_error(status: int, code: str, message: str, details: str = "") -> Answer:
    return Answer(status, {"errors": [{"code": code, "message": message, "details": details}]})


def order(marketplace_id: str, n: int = 1) -> dict[str, Any]:
    return {
        "AmazonOrderId": f"111-000000{n}-{marketplace_id[-4:]}",
        "MarketplaceId": marketplace_id,
        "OrderStatus": "Unshipped",
        "PurchaseDate": "2026-03-01T10:00:00Z",
        "LastUpdateDate": "2026-03-01T10:00:00Z",
        "ShippingAddress": {
            "Name": CANARIES["buyer_name"],
            "AddressLine1": CANARIES["street"],
            "City": "Seattle",
            "PostalCode": "98101",
            "CountryCode": "US",
        },
    }


def default_answer(request: Request, nth: int) -> Answer:
    """What a healthy Amazon would answer; each probe overrides the exchange it studies."""
    path = request.path
    if request.label == "lwa":
        token = f"{CANARIES['access_token']}-{nth}"
        return Answer(body={"access_token": token, "token_type": "bearer", "expires_in": 3600})
    if path == "/tokens/2021-03-01/restrictedDataToken":
        return Answer(body={"restrictedDataToken": f"{CANARIES['rdt']}-{nth}", "expiresIn": 3600})
    if path == ORDERS_PATH:
        marketplace = (request.query.get("MarketplaceIds") or [US])[0].split(",")[0]
        return Answer(body={"payload": {"Orders": [order(marketplace)]}})
    m = re.fullmatch(r"/orders/v0/orders/([^/]+)/orderItems", path)
    if m:
        item = {
            "ASIN": "B000PROBE1",
            "SellerSKU": "PROBE-SKU-1",
            "OrderItemId": "1001",
            "QuantityOrdered": 2,
        }
        return Answer(body={"payload": {"AmazonOrderId": m.group(1), "OrderItems": [item]}})
    if path.endswith("/shipmentConfirmation"):
        return Answer(204)
    if path.startswith("/listings/2021-08-01/items/") and request.method in ("PUT", "PATCH"):
        sku = path.rsplit("/", 1)[-1]
        return Answer(
            body={"sku": sku, "status": "ACCEPTED", "submissionId": f"sub-{nth}", "issues": []}
        )
    if path.startswith("/listings/2021-08-01/items/"):
        sku = path.rsplit("/", 1)[-1]
        marketplace = (request.query.get("marketplaceIds") or [US])[0]
        summary = {"marketplaceId": marketplace, "asin": "B000PROBE1", "status": ["BUYABLE"]}
        return Answer(body={"sku": sku, "summaries": [summary], "issues": []})
    return sp_error(404, "NotFound", f"the probe stub has no answer for {path}")


@dataclass
class Run:
    stub: Stub
    result: dict[str, Any] | None
    stderr: str
    elapsed: float
    killed: bool

    def sp(self, path: str | None = None) -> list[Request]:
        return [r for r in self.stub.requests(path=path) if r.label != "lwa"]

    def lwa(self) -> list[Request]:
        return self.stub.requests("lwa")

    def message(self) -> str:
        errors = (self.result or {}).get("errors") or [{}]
        return str(errors[0].get("message"))


def run_action(
    folder: str,
    command: list[str],
    action: str,
    args: dict[str, Any],
    answer: Callable[[Request, int], Answer | None] = lambda r, n: None,
    *,
    env: dict[str, str] | None = None,
    timeout: float = 120.0,
) -> Run:
    """Run one action of the integration in ``tests/field/<folder>`` against a fresh stub."""

    def scripted(request: Request, nth: int) -> Answer:
        return answer(request, nth) or default_answer(request, nth)

    with Stub(scripted) as stub:
        full_env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", ""),
            "LWA_CLIENT_ID": CLIENT_ID,
            "LWA_CLIENT_SECRET": CANARIES["client_secret"],
            "LWA_REFRESH_TOKEN": CANARIES["refresh_token"],
            "SPAPI_SELLER_ID": "A2PROBESELLER",
            "SPAPI_LWA_TOKEN_URL": stub.url("lwa"),
            "SPAPI_ENDPOINT_NA": stub.url("na"),
            "SPAPI_ENDPOINT_EU": stub.url("eu"),
            "SPAPI_ENDPOINT_FE": stub.url("fe"),
            **(env or {}),
        }
        started = time.monotonic()
        proc = subprocess.Popen(
            [*command, action],
            cwd=FIELD / folder,
            env=full_env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        killed = False
        try:
            out, err = proc.communicate(json.dumps(args).encode(), timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            killed = True
        elapsed = time.monotonic() - started
    text = out.decode(errors="replace").strip()
    result = json.loads(text) if text else None
    return Run(stub, result, err.decode(errors="replace"), elapsed, killed)
