"""Wire probes for tests/field/sp_api_python, against the bare stub (not ACORN's simulator).

Each probe scripts the stub, runs the integration's own command (``sh run.sh <action>``, JSON
on stdin, as ACORN's command driver does) with its URLs pointed at the stub, and prints what
the stub saw plus one ``FINDING:`` line. Usage::

    python tests/field/probes/probe_sp_api_python.py <probe> [<probe> ...]
    python tests/field/probes/probe_sp_api_python.py all

The first run installs the pinned library into ~/.cache/acorn-field (see fieldenv.py).
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fieldenv import ensure_python_env  # noqa: E402
from stub import (  # noqa: E402
    Stub,
    drop,
    json_answer,
    lwa_error,
    refused_url,
    sp_error,
    stall,
    token,
)

FOLDER = HERE.parent / "sp_api_python"
US, CA, DE, JP = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1PA6795UKMFR9", "A1VC38T7YXB528"
SECRET, REFRESH = "stub-client-secret-VALUE", "Atzr|stub-refresh-token-VALUE"
BUYER = {"Name": "Jane Canary", "AddressLine1": "1 Canary Wharf", "City": "Seattle"}
RDT = "/tokens/2021-03-01/restrictedDataToken"
ORDERS = "/orders/v0/orders"
ITEMS = r"/orders/v0/orders/[^/]+/orderItems"
ADDRESS = r"/orders/v0/orders/[^/]+/address"
LISTING = r"/listings/2021-08-01/items/[^/]+/[^/]+"


def order(n: int, marketplace: str = US) -> dict[str, Any]:
    return {
        "AmazonOrderId": f"111-0000000-{n:07d}",
        "MarketplaceId": marketplace,
        "OrderStatus": "Unshipped",
        "PurchaseDate": "2026-12-01T10:00:00Z",
        "LastUpdateDate": "2026-12-01T10:05:00Z",
        "ShippingAddress": {**BUYER, "PostalCode": "98101", "CountryCode": "US"},
    }


def orders_page(orders: list[dict[str, Any]], next_token: str | None = None, **headers: str):
    payload: dict[str, Any] = {"Orders": orders, "CreatedBefore": "2026-12-06T00:00:00Z"}
    if next_token:
        payload["NextToken"] = next_token
    return json_answer({"payload": payload}, headers=headers or None)


ITEMS_OK = json_answer(
    {
        "payload": {
            "AmazonOrderId": "111-0000000-0000001",
            "OrderItems": [
                {
                    "ASIN": "B000MUG001",
                    "OrderItemId": "1",
                    "SellerSKU": "MUG-1",
                    "QuantityOrdered": 1,
                }
            ],
        }
    }
)
ADDRESS_OK = json_answer(
    {
        "payload": {
            "AmazonOrderId": "111-0000000-0000001",
            "ShippingAddress": {**BUYER, "PostalCode": "98101", "CountryCode": "US"},
        }
    }
)
RDT_OK = json_answer({"restrictedDataToken": "Atz.sprdt|stub-rdt", "expiresIn": 3600})


def scripted(stub: Stub, *, expires_in: int = 3600) -> Stub:
    """The happy path every probe starts from."""
    stub.on("POST", "/auth/o2/token", token(expires_in))
    stub.on("POST", RDT, RDT_OK)
    stub.on("GET", ORDERS, orders_page([order(1)]))
    stub.on("GET", ITEMS, ITEMS_OK)
    stub.on("GET", ADDRESS, ADDRESS_OK)
    return stub


def run(
    action: str, args: dict[str, Any], stub: Stub, **endpoints: str
) -> tuple[dict[str, Any], str, float]:
    """Run the integration's command for ``action`` as ACORN's command driver would."""
    ensure_python_env(FOLDER)  # links FOLDER/.venv, where run.sh finds its interpreter
    env = {
        **os.environ,
        "LWA_APP_ID": "amzn1.application-oa2-client.stub",
        "LWA_CLIENT_SECRET": SECRET,
        "SP_API_REFRESH_TOKEN": REFRESH,
        "SPAPI_CLIENT_ID": "amzn1.application-oa2-client.stub",
        "SPAPI_CLIENT_SECRET": SECRET,
        "SPAPI_REFRESH_TOKEN": REFRESH,
        "GLUE_LWA_TOKEN_URL": stub.url + "/auth/o2/token",
        "GLUE_ENDPOINT_NA": endpoints.get("na", stub.url),
        "GLUE_ENDPOINT_EU": endpoints.get("eu", stub.url),
        "GLUE_ENDPOINT_FE": endpoints.get("fe", stub.url),
        "GLUE_SELLER_ID": "A3STUBSELLER",
    }
    started = time.monotonic()
    proc = subprocess.run(
        ["sh", "run.sh", action],
        check=False,
        cwd=FOLDER,
        input=json.dumps(args).encode(),
        capture_output=True,
        env=env,
        timeout=300,
    )
    took = time.monotonic() - started
    result = json.loads(proc.stdout or b"{}")
    return result, proc.stderr.decode(errors="replace"), took


def sync(stub: Stub, marketplaces: list[str] | None = None, **endpoints: str):
    args = {"marketplace_ids": marketplaces or [US], "created_after": "2026-11-01T00:00:00Z"}
    return run("sync_orders", args, stub, **endpoints)


def publish(stub: Stub, marketplaces: list[str] | None = None):
    args = {
        "sku": "MUG-1",
        "product_type": "HOME",
        "marketplace_ids": marketplaces or [US],
        "attributes": {"item_name": [{"value": "Mug", "marketplace_id": US}]},
    }
    return run("publish_listing", args, stub)


def show(stub: Stub, result: dict[str, Any], took: float) -> None:
    t0 = stub.log[0]["t"] if stub.log else 0.0
    for r in stub.log:
        tok = (r["token"] or "-")[-14:]
        at = f"+{r['t'] - t0:6.2f}s"
        print(f"  {at} {r['method']:5} {r['path']:48} token={tok:14} -> {r['answered']}")
    print(f"  result: ok={result.get('ok')} errors={json.dumps(result.get('errors'))[:300]}")
    print(f"  action took {took:.2f}s")


def finding(text: str) -> None:
    print(f"FINDING: {text}")


# -- probes ---------------------------------------------------------------------------------


def refresh_before_expiry() -> None:
    with Stub() as stub:
        scripted(stub, expires_in=2)
        stub.on("GET", ORDERS, *(orders_page([], f"page{i}") for i in range(1, 3)), orders_page([]))
        result, _err, took = sync(stub)
        show(stub, result, took)
        grants = stub.requests("POST", "/auth/o2/token")
        issued_at = {g.get("issued"): g["t"] for g in grants}
        late = [
            r for r in stub.log if r["token"] in issued_at and r["t"] - issued_at[r["token"]] > 2.0
        ]
        finding(
            f"{len(grants)} token request(s) for expires_in=2; {len(late)} call(s) sent an "
            f"access token after it expired -> refresh before expiry: {'no' if late else 'yes'}"
        )


def expired_token_403() -> None:
    with Stub() as stub:
        scripted(stub)
        # the first SP-API call, whichever it is, gets Amazon's expired-token 403
        stub.on("POST", RDT, sp_error(403, "expired"), RDT_OK)
        stub.on("GET", ORDERS, sp_error(403, "expired"), orders_page([order(1)]))
        result, _err, took = sync(stub)
        show(stub, result, took)
        grants = len(stub.requests("POST", "/auth/o2/token"))
        first = next(r for r in stub.log if r["path"] != "/auth/o2/token")
        again = len(stub.requests(first["method"], first["path"]))
        finding(
            f"after the expired-token 403 on {first['method']} {first['path']}: {grants} token "
            f"request(s) in all, that request sent {again} time(s) -> refresh + retry once: "
            f"{'yes' if grants == 2 and again == 2 else 'no'}"
        )


def token_caching() -> None:
    with Stub() as stub:
        scripted(stub)
        stub.on("GET", ORDERS, orders_page([order(1), order(2)], "p2"), orders_page([order(3)]))
        result, _err, took = sync(stub, [US, CA])
        show(stub, result, took)
        grants = len(stub.requests("POST", "/auth/o2/token"))
        calls = len([r for r in stub.log if r["path"] != "/auth/o2/token"])
        finding(f"{grants} token request(s) for {calls} SP-API calls in one action (process)")


def token_caching_two_regions() -> None:
    """The same, over NA and EU marketplaces in one action (ACORN's daily-work shape)."""
    with Stub() as stub:
        scripted(stub)
        stub.on("GET", ORDERS, orders_page([order(1)]))
        result, _err, took = sync(stub, [US, CA, DE])
        show(stub, result, took)
        grants = len(stub.requests("POST", "/auth/o2/token"))
        calls = len([r for r in stub.log if r["path"] != "/auth/o2/token"])
        finding(
            f"{grants} token request(s) for {calls} SP-API calls over two regions in one action"
        )


def _lwa_failure(error: str) -> None:
    with Stub() as stub:
        scripted(stub)
        stub.on("POST", "/auth/o2/token", lwa_error(error))
        result, _err, took = sync(stub, [US, CA])
        show(stub, result, took)
        grants = len(stub.requests("POST", "/auth/o2/token"))
        message = " ".join(e["message"] for e in result.get("errors", []))
        finding(
            f"{grants} token request(s); action ok={result.get('ok')}; reported: {message!r}; "
            f"names {error}: {'yes' if error in message else 'no'}"
        )


def invalid_grant() -> None:
    _lwa_failure("invalid_grant")


def invalid_client() -> None:
    _lwa_failure("invalid_client")


def backoff_429() -> None:
    print("getOrders answered 429 (no rate header):")
    with Stub() as stub:
        scripted(stub)
        stub.on("GET", ORDERS, sp_error(429), orders_page([order(1)]))
        result, _err, took = sync(stub)
        show(stub, result, took)
        first = len(stub.requests("GET", ORDERS))
    print("getOrderItems answered 429 twice, then 200:")
    with Stub() as stub:
        scripted(stub)
        stub.on("GET", ITEMS, sp_error(429), sp_error(429), ITEMS_OK)
        result, _err, took = sync(stub)
        show(stub, result, took)
        items = stub.requests("GET", ITEMS)
        waits = [round(b["t"] - a["t"], 2) for a, b in itertools.pairwise(items)]
    print("getOrders answered 429 with a non-standard 'Retry-After: 0' (Amazon sends none):")
    with Stub() as stub:
        scripted(stub)
        stub.on("GET", ORDERS, sp_error(429, headers={"Retry-After": "0"}))
        result, _err, took = sync(stub)
        show(stub, result, took)
        hinted = stub.requests("GET", ORDERS)
        gaps = [round(b["t"] - a["t"], 3) for a, b in itertools.pairwise(hinted)]
    finding(
        f"getOrders 429: {first} request(s) in all; getOrderItems 429, 429, 200: "
        f"{len(items)} request(s), waits {waits} s; getOrders 429 + Retry-After: 0: "
        f"{len(hinted)} request(s), waits {gaps} s"
    )


def rate_header() -> None:
    with Stub() as stub:
        scripted(stub)
        slow = {"x-amzn-RateLimit-Limit": "0.1"}
        stub.on(
            "GET",
            ORDERS,
            orders_page([], "p2", **slow),
            orders_page([], "p3", **slow),
            orders_page([], None, **slow),
        )
        result, _err, took = sync(stub)
        show(stub, result, took)
        pages = stub.requests("GET", ORDERS)
        gaps = [round(b["t"] - a["t"], 2) for a, b in itertools.pairwise(pages)]
        finding(
            f"x-amzn-RateLimit-Limit 0.1 (one call per 10 s) announced; getOrders pages "
            f"{gaps} s apart -> follows the header: "
            f"{'yes' if gaps and min(gaps) >= 9.5 else 'no'}"
        )


def _server_error(status: int) -> None:
    with Stub() as stub:
        scripted(stub)
        stub.on("GET", ORDERS, sp_error(status), orders_page([order(1)]))
        result, _err, took = sync(stub)
        show(stub, result, took)
        n = len(stub.requests("GET", ORDERS))
        finding(f"getOrders {status}: {n} request(s); retried: {'yes' if n > 1 else 'no'}")


def server_500() -> None:
    _server_error(500)


def server_503() -> None:
    _server_error(503)


HOLD_S = 15.0


def read_timeout() -> None:
    with Stub() as stub:
        scripted(stub)
        stub.on("GET", ORDERS, stall(HOLD_S))
        result, _err, took = sync(stub)
        show(stub, result, took)
        first = stub.requests("GET", ORDERS)[0]["t"]
        after = [r["t"] for r in stub.log if r["t"] > first]
        waited = (after[0] - first) if after else None
        bounded = took < HOLD_S or (waited is not None and waited < HOLD_S)
        finding(
            f"getOrders held {HOLD_S:.0f}s by the server: {len(stub.requests('GET', ORDERS))} "
            f"getOrders request(s); action over after {took:.1f}s, reported "
            f"{[e.get('operation') for e in result.get('errors', [])]}; the client gave up "
            f"before the server closed: {'yes' if bounded else 'no'}"
        )


def dropped_after_write() -> None:
    with Stub() as stub:
        scripted(stub)
        stub.on("PUT", LISTING, drop())
        result, _err, took = publish(stub)
        show(stub, result, took)
        puts = len(stub.requests("PUT", LISTING))
        finding(
            f"connection dropped after the PUT body was read: {puts} PUT(s) sent "
            f"(duplicate write: {'yes' if puts > 1 else 'no'}); reported ok={result.get('ok')}"
        )


def refused_connection() -> None:
    with Stub() as stub:
        scripted(stub)
        result, _err, took = sync(stub, [US, DE], na=refused_url())
        show(stub, result, took)
        de = [r for r in stub.requests("GET", ORDERS) if DE in str(r["query"])]
        finding(
            f"NA endpoint refused: reported ok={result.get('ok')} "
            f"{[e['operation'] for e in result.get('errors', [])]}; DE (EU endpoint, up) "
            f"synced afterwards: {'yes' if de else 'no'}"
        )


def bad_request() -> None:
    for status, path in ((400, ITEMS), (404, ITEMS)):
        with Stub() as stub:
            scripted(stub)
            stub.on("GET", path, sp_error(status))
            result, _err, took = sync(stub)
            show(stub, result, took)
            n = len(stub.requests("GET", path))
            finding(
                f"getOrderItems {status}: {n} request(s); sent again: {'yes' if n > 1 else 'no'}"
            )


def rdt_for_pii() -> None:
    with Stub() as stub:
        scripted(stub)
        result, _err, took = sync(stub)
        show(stub, result, took)
        rdt = stub.requests("POST", RDT)
        body = json.loads(rdt[0]["body"]) if rdt else {}
        # the calls that returned the buyer's name and street: getOrders and getOrderAddress
        pii = stub.requests("GET", ORDERS) + stub.requests("GET", ADDRESS)
        without = [r["path"] for r in pii if not (r["token"] or "").startswith("Atz.sprdt")]
        finding(
            f"RDT request body {json.dumps(body) if rdt else None}; {len(pii)} call(s) "
            f"answered with the address, {len(without)} without an RDT {without[:2]}"
        )


def secrets_in_logs() -> None:
    with Stub() as stub:
        scripted(stub)
        stub.on("GET", ITEMS, sp_error(400))  # a failure too: what does it print then?
        result, err, took = sync(stub)
        show(stub, result, took)
        issued = [r.get("issued") for r in stub.requests("POST", "/auth/o2/token")]
        canaries = [SECRET, REFRESH, "Atz.sprdt|stub-rdt", BUYER["Name"], BUYER["AddressLine1"]]
        leaked = [c for c in canaries + issued if c and c in err]
        print(f"  stderr ({len(err)} chars): {err[:300]!r}")
        finding(f"secrets / tokens / buyer PII on stderr: {leaked or 'none'}")


def listing_invalid() -> None:
    with Stub() as stub:
        scripted(stub)
        issue = {
            "code": "90220",
            "message": "'condition_type' is required but not supplied.",
            "severity": "ERROR",
            "attributeNames": ["condition_type"],
            "categories": ["MISSING_ATTRIBUTE"],
        }
        body = {"sku": "MUG-1", "status": "INVALID", "submissionId": "sub-1", "issues": [issue]}
        stub.on("PUT", LISTING, json_answer(body))
        result, _err, took = publish(stub)
        show(stub, result, took)
        print(f"  submissions: {json.dumps(result.get('submissions'))}")
        finding(
            f"200 + INVALID: the library raised nothing; action ok={result.get('ok')}, the "
            f"status and issues are only in the payload"
        )


def validate_before_submit() -> None:
    with Stub() as stub:
        scripted(stub)
        ok = {"sku": "MUG-1", "status": "ACCEPTED", "submissionId": "sub-1", "issues": []}
        stub.on("PUT", LISTING, json_answer(ok))
        result, _err, took = publish(stub)
        show(stub, result, took)
        puts = stub.requests("PUT", LISTING)
        modes = [r["query"].get("mode") for r in puts]
        print(f"  PUT query: {puts[0]['query'] if puts else None}")
        print(f"  PUT body: {puts[0]['body'][:300] if puts else None}")
        finding(
            f"{len(puts)} PUT(s), modes {modes}: validated (VALIDATION_PREVIEW) before "
            f"submitting: {'yes' if any(m == ['VALIDATION_PREVIEW'] for m in modes) else 'no'}"
        )


def regional_endpoints() -> None:
    with Stub() as na, Stub() as eu, Stub() as fe:
        for stub, mp in ((na, US), (eu, DE), (fe, JP)):
            scripted(stub)
            stub.on("GET", ORDERS, orders_page([order(1, mp)], "p2"), orders_page([order(2, mp)]))
        result, _err, took = sync(na, [US, DE, JP], na=na.url, eu=eu.url, fe=fe.url)
        seen = {}
        for name, stub in (("NA", na), ("EU", eu), ("FE", fe)):
            print(f"{name} stub:")
            show(stub, result, took)
            seen[name] = sorted(
                {
                    m
                    for r in stub.requests("GET", ORDERS)
                    for m in r["query"].get("MarketplaceIds", [])
                }
            )
        print(f"  orders returned: {len(result.get('orders', []))}")
        finding(f"getOrders per regional endpoint: {seen}; every page followed")


PROBES: dict[str, Callable[[], None]] = {
    "refresh-before-expiry": refresh_before_expiry,
    "expired-token-403": expired_token_403,
    "token-caching": token_caching,
    "token-caching-two-regions": token_caching_two_regions,
    "invalid-grant": invalid_grant,
    "invalid-client": invalid_client,
    "429-backoff": backoff_429,
    "rate-header": rate_header,
    "500": server_500,
    "503": server_503,
    "read-timeout": read_timeout,
    "dropped-after-write": dropped_after_write,
    "refused-connection": refused_connection,
    "400-404": bad_request,
    "rdt-for-pii": rdt_for_pii,
    "secrets-in-logs": secrets_in_logs,
    "listing-invalid": listing_invalid,
    "validate-before-submit": validate_before_submit,
    "regional-endpoints": regional_endpoints,
}


def main(argv: list[str]) -> int:
    names = list(PROBES) if argv == ["all"] else argv
    unknown = [n for n in names if n not in PROBES]
    if not names or unknown:
        print(f"usage: probe_sp_api_python.py all | {' | '.join(PROBES)}", file=sys.stderr)
        return 2
    for name in names:
        print(f"== {name}")
        PROBES[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
