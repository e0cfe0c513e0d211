"""Probes for tests/field/amazon_sp_api_js (Amazon's JS SDK 1.12.0): each GROUND_TRUTH.md row.

    python tests/field/probes/probe_amazon_sp_api_js.py <behaviour>   # or: all (skips slow ones)

Each probe scripts node_stub (a bare request-logging stub, not ACORN's simulator), runs one
glue action as ACORN's command driver would, prints what the wire showed and exits 0 when the
ground-truth row holds, 1 when it does not. Needs `npm ci` in tests/field/amazon_sp_api_js.
Source paths are under tests/field/amazon_sp_api_js/node_modules/@amazon-sp-api-release/
amazon-sp-api-sdk-js/ ("orders ApiClient" = src/orders_v0/ApiClient.js).
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from typing import Any

from node_probes import CANARIES, DE, JP, ORDERS_PATH, US, Run, lwa_error, run_action, sp_error
from node_stub import Answer, Request, free_port

SINCE = "2026-01-01T00:00:00Z"
ITEMS = "/orderItems"
LISTING = "/listings/2021-08-01/items/"
RDT_PATH = "/tokens/2021-03-01/restrictedDataToken"
EXPIRED = "The access token you provided has expired."
QUOTA = "You exceeded your quota for the requested resource."


def run(action: str, args: dict[str, Any], answer: Any = None, **kw: Any) -> Run:
    return run_action(
        "amazon_sp_api_js", ["node", "glue.js"], action, args, answer or (lambda r, n: None), **kw
    )


def sync(marketplaces: list[str], answer: Any = None, **kw: Any) -> Run:
    args = {"marketplace_ids": marketplaces, "created_after": SINCE}
    return run("sync_orders", args, answer, **kw)


def publish(marketplaces: list[str], answer: Any = None) -> Run:
    attributes = {"item_name": [{"value": "Probe mug", "marketplace_id": US}]}
    args = {
        "sku": "PROBE-SKU-1",
        "product_type": "HOME",
        "marketplace_ids": marketplaces,
        "attributes": attributes,
    }
    return run("publish_listing", args, answer)


def items_page(n: int, pages: int, **answer: Any) -> Answer:
    more = {"NextToken": f"page-{n + 1}"} if n < pages else {}
    item = {"SellerSKU": f"SKU-{n}", "OrderItemId": str(n), "QuantityOrdered": 1}
    return Answer(body={"payload": {"AmazonOrderId": "x", "OrderItems": [item], **more}}, **answer)


def gaps(requests: list[Request]) -> list[float]:
    return [round(b.t - a.t, 2) for a, b in itertools.pairwise(requests)]


def show(**facts: Any) -> None:
    for key, value in facts.items():
        print(f"  {key}: {value}")


def ok(got: Run) -> Any:
    return (got.result or {}).get("ok")


def errors(got: Run) -> Any:
    return (got.result or {}).get("errors")


# -- auth ---------------------------------------------------------------------------------


def refresh_before_expiry() -> bool:
    """LWA says expires_in=62; getOrderItems pages take 0.8 s each: the SDK drops a token 60 s
    before its expiry (orders ApiClient.js:70-71), so a new one is fetched about 2 s in, and no
    call carries a token past its lifetime."""

    def answer(r: Request, n: int) -> Answer | None:
        if r.label == "lwa":
            token = {"access_token": f"Atza|probe-access-{n}", "token_type": "bearer"}
            return Answer(body={**token, "expires_in": 62})
        return items_page(n, 6, delay=0.8) if r.path.endswith(ITEMS) else None

    got = sync([US], answer)
    grants = got.lwa()
    late = []
    for call in got.sp():
        token = call.headers.get("x-amz-access-token", "")
        if token.startswith("Atza|probe-access-"):
            k = int(token.rsplit("-", 1)[1])
            if call.t > grants[k - 1].t + 62:
                late.append(call.path)
    # The orders client's first token (the RDT client has its own) is renewed ~2 s later.
    item_tokens = [r.headers.get("x-amz-access-token") for r in got.sp(ITEMS)]
    show(token_requests=[round(g.t, 2) for g in grants], getOrderItems_tokens=item_tokens)
    return len(set(item_tokens)) >= 2 and not late and ok(got) is True


def expired_token_403() -> bool:
    """The first getOrderItems answers 403 'expired': superagent rejects ('Forbidden'), the SDK
    neither drops the token nor retries (orders ApiClient.js callApi :715 rejects)."""

    def answer(r: Request, n: int) -> Answer | None:
        if r.path.endswith(ITEMS) and n == 1:
            return sp_error(403, "Unauthorized", "Access to requested resource is denied.", EXPIRED)
        return None

    got = sync([US], answer)
    items = got.sp(ITEMS)
    show(lwa_requests=len(got.lwa()), getOrderItems_requests=len(items), errors=errors(got))
    return len(items) == 1 and ok(got) is False and got.message() == "Forbidden"


def token_caching() -> bool:
    """Each ApiClient keeps its own token cache (orders ApiClient.js:344 makes a new
    LwaOAuthClient per client; the RDT helper makes another, :137): a sync of US and DE fetches
    four tokens (RDT + orders client, per region); a token living 60 s or less is never reused
    (:70-71), one LWA request per SP-API call."""
    got = sync([US, DE])
    short = sync(
        [US],
        lambda r, n: (
            Answer(body={"access_token": f"Atza|t-{n}", "expires_in": 60})
            if r.label == "lwa"
            else (items_page(n, 3) if r.path.endswith(ITEMS) else None)
        ),
    )
    show(
        lwa_requests_us_de=len(got.lwa()),
        sp_api_calls_us_de=len(got.sp()),
        lwa_requests_60s_tokens=len(short.lwa()),
        sp_api_calls_60s_tokens=len(short.sp()),
    )
    return len(got.lwa()) == 4 and len(short.lwa()) == len(short.sp()) - 1


def _lwa_refusal(status: int, code: str, description: str, text: str) -> bool:
    def refuse(r: Request, n: int) -> Answer | None:
        return lwa_error(status, code, description) if r.label == "lwa" else None

    got = sync([US], refuse)
    show(lwa_requests=len(got.lwa()), sp_api_calls=len(got.sp()), errors=errors(got))
    return len(got.lwa()) == 1 and not got.sp() and ok(got) is False and got.message() == text


def invalid_grant() -> bool:
    """LWA 400 invalid_grant: one token request, no retry, the action ends reporting superagent's
    'Bad Request' (status 400): nothing says invalid_grant (it is only in the response body)."""
    return _lwa_refusal(
        400, "invalid_grant", "The request has an invalid grant parameter", "Bad Request"
    )


def invalid_client() -> bool:
    """LWA 401 invalid_client: the same, reported as 'Unauthorized' (status 401)."""
    return _lwa_refusal(401, "invalid_client", "Client authentication failed", "Unauthorized")


# -- throttling ------------------------------------------------------------------------------


def throttle_backoff() -> bool:
    """getOrderItems answers 429: the SDK has no retry (callApi rejects), and the sample app's
    retry (integration.js withRateLimiterRetry) only catches the SDK limiter's own 'Rate limit'
    error, not superagent's 'Too Many Requests': one request, the action ends."""
    got = sync(
        [US], lambda r, n: sp_error(429, "QuotaExceeded", QUOTA) if r.path.endswith(ITEMS) else None
    )
    items = got.sp(ITEMS)
    show(getOrderItems_requests=len(items), errors=errors(got))
    return len(items) == 1 and ok(got) is False and got.message() == "Too Many Requests"


def rate_limiter_local() -> bool:
    """The SDK's default limiter (helper/SuperagentRateLimiter.mjs:23-31: Bottleneck reservoir =
    burst, highWater 0, BLOCK) drops a call locally when its bucket is empty: 32 pages of
    getOrderItems (burst 30, 1 per 2 s, helper/DefaultRateLimitMap.mjs:171) go out at once, the
    31st is dropped without reaching the wire, the sample's retry waits 5 s (2 tokens back).
    Not a ground-truth row: it explains why ACORN's scenarios rarely throttle this client."""
    got = sync([US], lambda r, n: items_page(n, 34) if r.path.endswith(ITEMS) else None, timeout=60)
    items = got.sp(ITEMS)
    waits = gaps(items)
    pauses = [w for w in waits if w > 1.0]
    show(getOrderItems_requests=len(items), pauses_s=pauses, ok=ok(got))
    # Dropped twice (31st and 33rd page): each time the sample's 5 s retry finds 2 tokens back.
    return len(items) == 34 and len(pauses) == 2 and all(4.5 < p < 6.5 for p in pauses)


def rate_header_pacing() -> bool:
    """Under a 2/s plan (bucket 5) whose 200s say x-amzn-RateLimit-Limit: 2.0, the SDK keeps its
    published-rate limiter (burst 30) and never reads the header: the 6th page is refused, and
    the 429 ends the sync (nothing in the SDK reads the header: callApi has no such code)."""
    rate, burst = 2.0, 5.0
    bucket = {"tokens": burst, "at": -1.0}

    def answer(r: Request, n: int) -> Answer | None:
        if not r.path.endswith(ITEMS):
            return None
        if bucket["at"] >= 0:
            bucket["tokens"] = min(burst, bucket["tokens"] + (r.t - bucket["at"]) * rate)
        bucket["at"] = r.t
        if bucket["tokens"] < 1:
            return sp_error(429, "QuotaExceeded", QUOTA)
        bucket["tokens"] -= 1
        return items_page(n, 40, headers={"x-amzn-RateLimit-Limit": "2.0"})

    got = sync([US], answer)
    items = got.sp(ITEMS)
    show(getOrderItems_requests=len(items), gaps_s=gaps(items), errors=errors(got))
    return len(items) == 6 and max(gaps(items)) < 0.5 and ok(got) is False


# -- errors ----------------------------------------------------------------------------------


def _one_failure(status: int, code: str, text: str) -> bool:
    got = sync(
        [US],
        lambda r, n: sp_error(status, code, "probe failure") if r.path.endswith(ITEMS) else None,
    )
    items = got.sp(ITEMS)
    show(getOrderItems_requests=len(items), errors=errors(got))
    return len(items) == 1 and ok(got) is False and got.message() == text


def err_500() -> bool:
    """getOrderItems 500: not retried, 'Internal Server Error' (callApi rejects on any error)."""
    return _one_failure(500, "InternalFailure", "Internal Server Error")


def err_503() -> bool:
    """getOrderItems 503: not retried, 'Service Unavailable'."""
    return _one_failure(503, "ServiceUnavailable", "Service Unavailable")


def read_timeout() -> bool:
    """LWA holds the token request 30 s: the LWA call has no timeout (orders ApiClient.js:99-101,
    no .timeout()), so the action still waits when the probe kills it at 12 s. (Likewise the
    RDT call, :168-176; SP-API calls are bounded at 60 s, :235 and :662: see read-timeout-sp.)"""
    got = sync([US], lambda r, n: Answer(stall=30) if r.label == "lwa" else None, timeout=12)
    show(killed_after_s=round(got.elapsed, 1), killed=got.killed, lwa_requests=len(got.lwa()))
    return got.killed and len(got.lwa()) == 1 and not got.sp()


def read_timeout_sp() -> bool:
    """getOrderItems held 70 s: superagent gives up at 60 s ('Timeout of 60000ms exceeded',
    orders ApiClient.js:235,662). Slow: about 62 s."""
    got = sync([US], lambda r, n: Answer(stall=70) if r.path.endswith(ITEMS) else None, timeout=90)
    items = got.sp(ITEMS)
    show(action_s=round(got.elapsed, 1), getOrderItems_requests=len(items), errors=errors(got))
    return len(items) == 1 and "Timeout of 60000ms exceeded" in got.message()


def dropped_after_write() -> bool:
    """putListingsItem read, then the connection closed unanswered: 'socket hang up', one PUT."""
    got = publish([US], lambda r, n: Answer(drop=True) if r.method == "PUT" else None)
    puts = [r for r in got.sp(LISTING) if r.method == "PUT"]
    show(put_requests=len(puts), errors=errors(got))
    return len(puts) == 1 and ok(got) is False


def refused_connection() -> bool:
    """The EU endpoint refuses connections; DE comes first, then US: the action reports
    'connect ECONNREFUSED ...' and ends, US is never synced."""
    got = sync([DE, US], env={"SPAPI_ENDPOINT_EU": f"http://127.0.0.1:{free_port()}"})
    show(na_requests=len(got.stub.requests("na")), errors=errors(got))
    return ok(got) is False and "ECONNREFUSED" in got.message() and not got.stub.requests("na")


def err_400_404() -> bool:
    """getOrderItems 400 and getListingsItem 404: each sent once, reported, never repeated."""
    bad = _one_failure(400, "InvalidInput", "Bad Request")
    got = run(
        "listing_status",
        {"sku": "PROBE-SKU-1", "marketplace_ids": [US]},
        lambda r, n: sp_error(404, "NotFound", "not found") if r.method == "GET" else None,
    )
    gets = got.sp(LISTING)
    show(getListingsItem_requests=len(gets), errors=errors(got))
    return bad and len(gets) == 1 and ok(got) is False


# -- PII, listings, regions ------------------------------------------------------------------


def rdt_for_pii() -> bool:
    """enableAutoRetrievalRestrictedDataToken(..., ['shippingAddress']): before EVERY getOrders
    call (each page) the SDK asks for a new RDT for that call's path with the dataElements
    (orders ApiClient.js:151-156,165-177, called from callApi :648), never cached."""

    def answer(r: Request, n: int) -> Answer | None:
        if r.path == ORDERS_PATH and "NextToken" not in r.query:
            return Answer(body={"payload": {"Orders": [], "NextToken": "more"}})
        return None

    got = sync([US], answer)
    grants = got.sp(RDT_PATH)
    orders = [r for r in got.sp(ORDERS_PATH) if r.path == ORDERS_PATH]
    show(
        rdt_requests=[g.body for g in grants],
        getOrders_tokens=[r.headers.get("x-amz-access-token") for r in orders],
        ship_to=((got.result or {}).get("orders") or [{}])[0].get("ship_to"),
    )
    rdt_used = all(r.headers.get("x-amz-access-token", "").startswith("Atz.sprdt|") for r in orders)
    return len(grants) == len(orders) == 2 and rdt_used


def logs_secrets_pii() -> bool:
    """The SDK logs nothing and the integration adds no logging: stderr holds no secret, token
    or buyer data, also when a call fails."""
    got = sync(
        [US, DE],
        lambda r, n: (
            sp_error(400, "InvalidInput", "probe")
            if r.label == "eu" and r.path.endswith(ITEMS)
            else None
        ),
    )
    leaked = [name for name, value in CANARIES.items() if value in got.stderr + str(errors(got))]
    show(stderr_chars=len(got.stderr), leaked=leaked)
    return not leaked and ok(got) is False


def invalid_200() -> bool:
    """putListingsItem answers HTTP 200 with status INVALID: the glue copies status and issues,
    ok is false (glue.js accepted()); the PUT is not repeated."""
    issue = {
        "code": "90220",
        "message": "'item_name' is required but not supplied.",
        "severity": "ERROR",
        "attributeNames": ["item_name"],
    }
    body = {"sku": "PROBE-SKU-1", "status": "INVALID", "submissionId": "s1", "issues": [issue]}
    got = publish([US], lambda r, n: Answer(body=body) if r.method == "PUT" else None)
    result = got.result or {}
    show(ok=result.get("ok"), submissions=result.get("submissions"))
    puts = [r for r in got.sp(LISTING) if r.method == "PUT"]
    return result.get("ok") is False and "90220" in str(result) and len(puts) == 1


def validate_before_submit() -> bool:
    """publish_listing sends putListingsItem at once: no VALIDATION_PREVIEW, no definitions."""
    got = publish([US, DE])
    calls = [(r.method, r.path, r.query) for r in got.sp()]
    show(calls=calls)
    previews = [c for c in calls if c[2].get("mode") == ["VALIDATION_PREVIEW"]]
    definitions = [c for c in calls if "definitions" in c[1]]
    return len(calls) == 2 and not previews and not definitions


def regional_endpoints() -> bool:
    """US -> NA (two pages, NextToken followed), DE -> EU, JP -> FE (integration.js REGIONS and
    one ApiClient per region endpoint, as the README builds one on AppConfig.spApiNAEndpoint)."""

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
    "rate-limiter-local": rate_limiter_local,
    "rate-header-pacing": rate_header_pacing,
    "500": err_500,
    "503": err_503,
    "read-timeout": read_timeout,
    "read-timeout-sp": read_timeout_sp,
    "dropped-after-write": dropped_after_write,
    "refused-connection": refused_connection,
    "400-404": err_400_404,
    "rdt-for-pii": rdt_for_pii,
    "logs-secrets-pii": logs_secrets_pii,
    "200-invalid": invalid_200,
    "validate-before-submit": validate_before_submit,
    "regional-endpoints": regional_endpoints,
}
SLOW = {"read-timeout-sp"}


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
