"""Probes for tests/field/sp_api_sdk_node (@sp-api-sdk/*): each behaviour of GROUND_TRUTH.md.

    python tests/field/probes/probe_sp_api_sdk_node.py <behaviour>   # or: all (skips slow ones)

Each probe scripts node_stub (a bare request-logging stub, not ACORN's simulator), runs one
glue action as ACORN's command driver would, prints what the wire showed and exits 0 when the
ground-truth row holds, 1 when it does not. Needs `npm ci` in tests/field/sp_api_sdk_node.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from typing import Any

from node_probes import CA, CANARIES, DE, JP, ORDERS_PATH, US, Run, lwa_error, run_action, sp_error
from node_stub import Answer, Request, free_port

SINCE = "2026-01-01T00:00:00Z"
ITEMS = "/orderItems"
LISTING = "/listings/2021-08-01/items/"
EXPIRED = "The access token you provided has expired."


def run(action: str, args: dict[str, Any], answer: Any = None, **kw: Any) -> Run:
    return run_action(
        "sp_api_sdk_node",
        ["node", "glue.js"],
        action,
        args,
        answer or (lambda r, n: None),
        env={"NODE_EXTRA_CA_CERTS": "network/ca.pem", **kw.pop("env", {})},
        **kw,
    )


def sync(marketplaces: list[str], answer: Any = None, **kw: Any) -> Run:
    return run(
        "sync_orders", {"marketplace_ids": marketplaces, "created_after": SINCE}, answer, **kw
    )


def publish(marketplaces: list[str], answer: Any = None) -> Run:
    attributes = {"item_name": [{"value": "Probe mug", "marketplace_id": US}]}
    args = {
        "sku": "PROBE-SKU-1",
        "product_type": "HOME",
        "marketplace_ids": marketplaces,
        "attributes": attributes,
    }
    return run("publish_listing", args, answer)


def paged_items(
    pages: int, delay: float, headers: dict[str, str] | None = None
) -> Callable[[Request, int], Answer | None]:
    """getOrderItems answers ``pages`` pages, each after ``delay`` seconds."""

    def answer(r: Request, n: int) -> Answer | None:
        if not r.path.endswith(ITEMS):
            return None
        more = {"NextToken": f"page-{n + 1}"} if n < pages else {}
        item = {"SellerSKU": f"SKU-{n}", "OrderItemId": str(n), "QuantityOrdered": 1}
        body = {"payload": {"AmazonOrderId": "x", "OrderItems": [item], **more}}
        return Answer(body=body, delay=delay, headers=headers or {})

    return answer


def gaps(requests: list[Request]) -> list[float]:
    return [round(b.t - a.t, 2) for a, b in itertools.pairwise(requests)]


def ok(got: Run) -> Any:
    return (got.result or {}).get("ok")


def show(**facts: Any) -> None:
    for key, value in facts.items():
        print(f"  {key}: {value}")


# -- auth ---------------------------------------------------------------------------------


def refresh_before_expiry() -> bool:
    """LWA says expires_in=2; getOrderItems pages take 0.8 s each: the token is renewed when
    its lifetime is over, and no call carries it after that (auth dist/index.js:88,105)."""

    def answer(r: Request, n: int) -> Answer | None:
        if r.label == "lwa":
            body = {
                "access_token": f"Atza|probe-access-{n}",
                "token_type": "bearer",
                "expires_in": 2,
            }
            return Answer(body=body)
        return paged_items(6, 0.8)(r, n)

    got = sync([US], answer)
    grants = got.lwa()
    late = []
    for call in got.sp():
        token = call.headers.get("x-amz-access-token", "")
        if token.startswith("Atza|probe-access-"):
            k = int(token.rsplit("-", 1)[1])
            if call.t > grants[k - 1].t + 2:
                late.append((call.path, round(call.t - grants[k - 1].t, 2)))
    show(token_requests=[round(g.t, 2) for g in grants], calls_after_expiry=late, ok=got.result)
    return len(grants) >= 2 and not late


def expired_token_403() -> bool:
    """The first getOrderItems answers 403 'expired': the library throws; no refresh, no retry
    (common dist/index.js:74-75 retries only 429; :97-99 wraps the error)."""

    def answer(r: Request, n: int) -> Answer | None:
        if r.path.endswith(ITEMS) and n == 1:
            return sp_error(403, "Unauthorized", "Access to requested resource is denied.", EXPIRED)
        return None

    got = sync([US], answer)
    items = got.sp(ITEMS)
    show(lwa_requests=len(got.lwa()), getOrderItems_requests=len(items), message=got.message())
    return len(items) == 1 and len(got.lwa()) == 1 and not (got.result or {}).get("ok")


def token_caching() -> bool:
    """Two marketplaces, several calls: one LWA request per process (auth dist/index.js:105);
    the tokens client (common 2.1.31) and the orders client (common 4.0.4) share it."""
    got = sync([US, CA], paged_items(3, 0.0))
    show(lwa_requests=len(got.lwa()), sp_api_calls=len(got.sp()), ok=(got.result or {}).get("ok"))
    return len(got.lwa()) == 1 and len(got.sp()) >= 8


def _lwa_refusal(status: int, code: str, description: str) -> bool:
    refuse = lambda r, n: lwa_error(status, code, description) if r.label == "lwa" else None  # noqa: E731
    got = sync([US], refuse)
    listed = publish([US], refuse)
    show(
        lwa_requests=[len(got.lwa()), len(listed.lwa())],
        sp_api_calls=len(got.sp() + listed.sp()),
        sync_orders_errors=(got.result or {}).get("errors"),
        publish_listing_errors=(listed.result or {}).get("errors"),
    )
    stopped = all(
        len(r.lwa()) == 1 and not r.sp() and (r.result or {}).get("ok") is False
        for r in (got, listed)
    )
    # The first call of sync_orders goes through the tokens client (common 2.1.31), whose
    # error wrapper throws TypeError 'Invalid URL' on the auth error; the listings client
    # (common 4.0.4) passes on 'access-token error: Response code <status>'. Neither says why.
    said = (
        got.message() == "Invalid URL"
        and listed.message() == f"access-token error: Response code {status}"
    )
    return stopped and said and code not in got.message() + listed.message()


def invalid_grant() -> bool:
    """LWA 400 invalid_grant: one token request, no retry, the action ends and reports a message
    that does not say why: 'Invalid URL' in sync_orders (tokens-api's common 2.1.31
    dist/es/axios.js:52-55 wraps the auth error, dist/es/errors.js:20 new URL('/o2/token')
    throws), 'access-token error: Response code 400' in publish_listing (auth dist/index.js:15)."""
    return _lwa_refusal(400, "invalid_grant", "The request has an invalid grant parameter")


def invalid_client() -> bool:
    """LWA 401 invalid_client: the same, 'Invalid URL' / 'access-token error: ... code 401'."""
    return _lwa_refusal(401, "invalid_client", "Client authentication failed")


# -- throttling ------------------------------------------------------------------------------


def throttle_backoff() -> bool:
    """getOrderItems always 429 (no rate header, as Amazon's 429s): axios-retry waits
    1000/0.5 + 1500 = 3.5 s each time (common dist/index.js:76-90; orders dist/index.js:1207),
    the same wait every time, 3 retries (axios-retry's default), then throws."""
    got = sync(
        [US],
        lambda r, n: (
            sp_error(429, "QuotaExceeded", "You exceeded your quota for the requested resource.")
            if r.path.endswith(ITEMS)
            else None
        ),
    )
    items = got.sp(ITEMS)
    waits = gaps(items)
    show(getOrderItems_requests=len(items), waits_s=waits, message=got.message())
    return len(items) == 4 and all(3.4 <= w <= 4.2 for w in waits) and ok(got) is False


def throttle_getorders_61s() -> bool:
    """getOrders 429 once: the retry comes 1000/0.0167 + 1500 = 61.4 s later (orders
    dist/index.js:1184 rate .0167; common dist/index.js:82-83). Slow: about 62 s."""
    got = sync(
        [US],
        lambda r, n: (
            sp_error(429, "QuotaExceeded", "You exceeded your quota for the requested resource.")
            if r.path == ORDERS_PATH and n == 1
            else None
        ),
        timeout=90,
    )
    waits = gaps([r for r in got.sp(ORDERS_PATH) if r.path == ORDERS_PATH])
    show(getOrders_waits_s=waits, action_s=round(got.elapsed, 1), ok=(got.result or {}).get("ok"))
    return len(waits) == 1 and 61.0 <= waits[0] <= 62.5


def rate_header_pacing() -> bool:
    """getOrderItems runs under a 2/s plan (bucket of 5) and every 200 says so in
    x-amzn-RateLimit-Limit: 2.0. The library never paces to the header (it reads it only on a
    429, common dist/index.js:79): it calls at full speed, is refused, waits its fixed
    1000/0.5 + 1500 = 3.5 s (the published 0.5/s, not the header), and repeats: about one
    request in eight is refused, above THR-03's 10 % bound."""
    rate, burst, pages = 2.0, 5.0, 40
    bucket: dict[str, float] = {"tokens": burst, "at": -1.0}

    def answer(r: Request, n: int) -> Answer | None:
        if not r.path.endswith(ITEMS):
            return None
        if bucket["at"] >= 0:
            bucket["tokens"] = min(burst, bucket["tokens"] + (r.t - bucket["at"]) * rate)
        bucket["at"] = r.t
        if bucket["tokens"] < 1:
            return sp_error(
                429, "QuotaExceeded", "You exceeded your quota for the requested resource."
            )
        bucket["tokens"] -= 1
        served = sum(1 for q in got_log if q.status == 200) + 1
        got_log.append(Answer(200))
        more = {"NextToken": f"page-{served + 1}"} if served < pages else {}
        item = {"SellerSKU": f"SKU-{served}", "OrderItemId": str(served), "QuantityOrdered": 1}
        body = {"payload": {"AmazonOrderId": "x", "OrderItems": [item], **more}}
        return Answer(body=body, headers={"x-amzn-RateLimit-Limit": "2.0"})

    got_log: list[Answer] = []
    got = sync([US], answer, timeout=120)
    items = got.sp(ITEMS)
    refused = len(items) - len(got_log)
    share = refused / max(1, len(items))
    show(
        getOrderItems_requests=len(items),
        refused=refused,
        share=round(share, 3),
        first_gaps_s=gaps(items)[:8],
        ok=(got.result or {}).get("ok"),
    )
    return len(got_log) == pages and share > 0.10


# -- errors ----------------------------------------------------------------------------------


def _one_failure(status: int, code: str) -> bool:
    got = sync(
        [US],
        lambda r, n: sp_error(status, code, "probe failure") if r.path.endswith(ITEMS) else None,
    )
    items = got.sp(ITEMS)
    show(getOrderItems_requests=len(items), errors=(got.result or {}).get("errors"))
    return len(items) == 1 and ok(got) is False and str(status) in got.message()


def err_500() -> bool:
    """getOrderItems 500: no retry (retryCondition is 429 only, common dist/index.js:75)."""
    return _one_failure(500, "InternalFailure")


def err_503() -> bool:
    """getOrderItems 503: no retry either."""
    return _one_failure(503, "ServiceUnavailable")


def read_timeout() -> bool:
    """getOrderItems holds the connection 30 s: the SP-API axios instance has no timeout
    (common dist/index.js:72), so the action is still waiting when the probe kills it at 12 s.
    (LWA calls are bounded: 30 s, auth dist/index.js:31.)"""
    got = sync([US], lambda r, n: Answer(stall=30) if r.path.endswith(ITEMS) else None, timeout=12)
    show(killed_after_s=round(got.elapsed, 1), killed=got.killed, getOrderItems=len(got.sp(ITEMS)))
    return got.killed and len(got.sp(ITEMS)) == 1


def dropped_after_write() -> bool:
    """putListingsItem: the stub reads the request, then closes without answering. The library
    throws 'listings (2021-08-01) error: No response' and never sends the PUT again."""
    got = publish([US], lambda r, n: Answer(drop=True) if r.method == "PUT" else None)
    puts = [r for r in got.sp(LISTING) if r.method == "PUT"]
    show(put_requests=len(puts), errors=(got.result or {}).get("errors"))
    return len(puts) == 1 and ok(got) is False


def refused_connection() -> bool:
    """The EU endpoint refuses connections; DE comes first, then US. The action reports the
    failure ('... error: No response') and ends: US is never synced."""
    got = sync([DE, US], env={"SPAPI_ENDPOINT_EU": f"http://127.0.0.1:{free_port()}"})
    result = got.result or {}
    show(
        na_requests=len(got.stub.requests("na")),
        errors=result.get("errors"),
        orders=len(result.get("orders", [])),
    )
    return result.get("ok") is False and not got.stub.requests("na")


def err_400_404() -> bool:
    """getOrderItems 400 and getListingsItem 404: each sent once, reported, never repeated."""
    bad = _one_failure(400, "InvalidInput")
    got = run(
        "listing_status",
        {"sku": "PROBE-SKU-1", "marketplace_ids": [US]},
        lambda r, n: sp_error(404, "NotFound", "not found") if r.method == "GET" else None,
    )
    gets = got.sp(LISTING)
    show(getListingsItem_requests=len(gets), errors=(got.result or {}).get("errors"))
    return bad and len(gets) == 1 and ok(got) is False


# -- PII, listings, regions ------------------------------------------------------------------


def rdt_for_pii() -> bool:
    """createRestrictedDataToken for GET /orders/v0/orders with dataElements [shippingAddress],
    then getOrders with that RDT in x-amz-access-token (integration.js ordersWithAddresses;
    common dist/index.js:94); getOrderItems with the LWA token."""
    got = sync([US])
    grants = got.sp("/tokens/2021-03-01/restrictedDataToken")
    orders = got.sp(ORDERS_PATH)
    show(
        rdt_request=grants[0].body if grants else None,
        getOrders_token=[
            r.headers.get("x-amz-access-token") for r in orders if r.path == ORDERS_PATH
        ],
        ship_to=(got.result or {}).get("orders", [{}])[0].get("ship_to"),
    )
    rdt_used = all(
        r.headers.get("x-amz-access-token", "").startswith("Atz.sprdt|")
        for r in orders
        if r.path == ORDERS_PATH
    )
    return bool(grants) and rdt_used


def logs_secrets_pii() -> bool:
    """The README's request/response/error loggers (on stderr) print method, URL, request body,
    status and response headers: no secret, token or buyer data (common dist/index.js:101-148)."""
    got = sync(
        [US, DE],
        lambda r, n: (
            sp_error(400, "InvalidInput", "probe")
            if r.label == "eu" and r.path.endswith(ITEMS)
            else None
        ),
    )
    leaked = [name for name, value in CANARIES.items() if value in got.stderr]
    show(stderr_lines=len(got.stderr.splitlines()), leaked=leaked)
    return bool(got.stderr) and not leaked


def invalid_200() -> bool:
    """putListingsItem answers HTTP 200 with status INVALID: the glue copies the status and
    issues, ok is false (glue.js accepted()); the PUT is not repeated."""
    issue = {
        "code": "90220",
        "message": "'item_name' is required but not supplied.",
        "severity": "ERROR",
        "attributeNames": ["item_name"],
    }
    got = publish(
        [US],
        lambda r, n: (
            Answer(
                body={
                    "sku": "PROBE-SKU-1",
                    "status": "INVALID",
                    "submissionId": "s1",
                    "issues": [issue],
                }
            )
            if r.method == "PUT"
            else None
        ),
    )
    result = got.result or {}
    show(ok=result.get("ok"), submissions=result.get("submissions"))
    puts = [r for r in got.sp(LISTING) if r.method == "PUT"]
    return result.get("ok") is False and "90220" in str(result) and len(puts) == 1


def validate_before_submit() -> bool:
    """publish_listing sends putListingsItem straight away: no mode=VALIDATION_PREVIEW, no
    product-type definition read first (the ground truth is 'no')."""
    got = publish([US, DE])
    calls = [(r.method, r.path, r.query) for r in got.sp()]
    show(calls=calls)
    previews = [c for c in calls if c[2].get("mode") == ["VALIDATION_PREVIEW"]]
    definitions = [c for c in calls if "definitions" in c[1]]
    return len(calls) == 2 and not previews and not definitions


def regional_endpoints() -> bool:
    """US -> NA, DE -> EU, JP -> FE (region from @bizon/amazon-ids), NextToken followed."""

    def answer(r: Request, n: int) -> Answer | None:
        if r.path == ORDERS_PATH and r.label == "na" and "NextToken" not in r.query:
            return Answer(body={"payload": {"Orders": [], "NextToken": "more"}})
        return None

    got = sync([US, DE, JP], answer)
    where = [
        (r.label, r.query.get("NextToken") or r.query.get("MarketplaceIds"))
        for r in got.sp(ORDERS_PATH)
        if r.path == ORDERS_PATH
    ]
    show(getOrders=where, orders=len((got.result or {}).get("orders", [])))
    expected = [("na", [US]), ("na", ["more"]), ("eu", [DE]), ("fe", [JP])]
    return where == expected and len((got.result or {}).get("orders", [])) == 3


PROBES: dict[str, Callable[[], bool]] = {
    "refresh-before-expiry": refresh_before_expiry,
    "expired-token-403": expired_token_403,
    "token-caching": token_caching,
    "invalid-grant": invalid_grant,
    "invalid-client": invalid_client,
    "429-backoff": throttle_backoff,
    "429-getorders-61s": throttle_getorders_61s,
    "rate-header-pacing": rate_header_pacing,
    "500": err_500,
    "503": err_503,
    "read-timeout": read_timeout,
    "dropped-after-write": dropped_after_write,
    "refused-connection": refused_connection,
    "400-404": err_400_404,
    "rdt-for-pii": rdt_for_pii,
    "logs-secrets-pii": logs_secrets_pii,
    "200-invalid": invalid_200,
    "validate-before-submit": validate_before_submit,
    "regional-endpoints": regional_endpoints,
}
SLOW = {"429-getorders-61s"}


def main(argv: list[str]) -> int:
    names = argv[1:] or ["all"]
    if names == ["all"]:
        names = [n for n in PROBES if n not in SLOW]
    unknown = [n for n in names if n not in PROBES]
    if unknown:
        print(f"unknown probe(s) {unknown}; known: {', '.join(PROBES)}")
        return 2
    failed = []
    for name in names:
        print(f"{name}: {(PROBES[name].__doc__ or '').strip().splitlines()[0]}")
        holds = PROBES[name]()
        print(f"  -> ground truth {'HOLDS' if holds else 'DOES NOT HOLD'}")
        if not holds:
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
