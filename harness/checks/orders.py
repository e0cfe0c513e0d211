"""Order-sync checks: every order of every marketplace, each from its own regional endpoint,
and buyer PII only with a Restricted Data Token.

Both are judged on the wire: which marketplaces were asked of which endpoint, which orders the
getOrders pages returned, which NextTokens were sent back, which token each PII call carried.
The action's result serves only for what the wire cannot show: that the fetched orders were
reported and that a failure was reported. When a sync ends early, the verdict names the last
failed exchange of its window ("the sync ended after createRestrictedDataToken 400
InvalidInput"), so a fault elsewhere is not mistaken for a routing or paging bug.
"""

from __future__ import annotations

import hashlib

from harness.checks.facts import facts_of
from harness.checks.model import Check, Judgement, Observation
from harness.sim.journal import Exchange

__all__ = [
    "ORD_01",
    "PII_01",
    "PII_OPERATIONS",
    "digest",
    "ended_after",
    "fetched_orders",
    "last_failure",
    "listed_orders",
    "order_ids",
]


def digest(value: str) -> str:
    """Compare PII by digest so neither the observation nor the report ever holds it."""
    return hashlib.sha256(value.strip().casefold().encode()).hexdigest()[:16]


# Operations that exist to return buyer PII: a call without an RDT gets it stripped.
PII_OPERATIONS = frozenset({"getOrderAddress", "getOrderBuyerInfo", "getOrderItemsBuyerInfo"})
# Operations that return buyer PII only when called with an RDT naming dataElements; with the
# LWA token they are ordinary (non-PII) calls, so they count as PII calls only with an RDT.
PII_WITH_DATA_ELEMENTS = frozenset({"getOrders", "getOrder", "getOrderItems"})


def order_ids(e: Exchange) -> list[str]:
    """AmazonOrderIds a getOrders page or a getOrder answer returned (order ids are not PII,
    so the masked journal keeps them)."""
    body = e.response_body
    payload = body.get("payload", body) if isinstance(body, dict) else None
    if not isinstance(payload, dict):
        return []
    if e.operation == "getOrder":
        return [str(payload["AmazonOrderId"])] if "AmazonOrderId" in payload else []
    orders = payload.get("Orders")
    return [
        str(o["AmazonOrderId"])
        for o in orders or []
        if isinstance(o, dict) and "AmazonOrderId" in o
    ]


def _next_token(e: Exchange) -> str | None:
    body = e.response_body
    payload = body.get("payload", body) if isinstance(body, dict) else None
    token = payload.get("NextToken") if isinstance(payload, dict) else None
    return str(token) if token else None


def _marketplaces(e: Exchange) -> list[str]:
    """MarketplaceIds of a request, repeated or comma-separated."""
    return [v for raw in e.query.get("MarketplaceIds", []) for v in raw.split(",") if v]


def listed_orders(window: list[Exchange]) -> list[str]:
    """Order ids the successful getOrders pages among ``window`` listed, in order."""
    return [
        order_id
        for e in window
        if e.operation == "getOrders" and e.status == 200
        for order_id in order_ids(e)
    ]


def fetched_orders(obs: Observation) -> dict[str, Exchange]:
    """Order id -> the first successful getOrders/getOrder exchange that returned it."""
    found: dict[str, Exchange] = {}
    for e in obs.sp_api():
        if e.operation in ("getOrders", "getOrder") and e.status == 200:
            for order_id in order_ids(e):
                found.setdefault(order_id, e)
    return found


def _unfollowed_pages(obs: Observation) -> list[Exchange]:
    """getOrders pages that announced a NextToken nobody sent back afterwards."""
    pages = [e for e in obs.sp_api() if e.operation == "getOrders" and e.status == 200]
    sent = [(e.seq, v) for e in obs.sp_api() for v in e.query.get("NextToken", [])]
    return [
        page
        for page in pages
        if (token := _next_token(page)) is not None
        and not any(seq > page.seq and value == token for seq, value in sent)
    ]


def _reported(obs: Observation) -> tuple[set[str], bool]:
    """Order ids the sync_orders results listed, and whether any result had an orders list."""
    found: set[str] = set()
    listed = False
    for outcome in obs.outcomes:
        if outcome.action != "sync_orders" or outcome.result is None:
            continue
        orders = outcome.result.get("orders")
        if not isinstance(orders, list):
            continue
        listed = True
        for order in orders:
            if isinstance(order, dict) and "amazon_order_id" in order:
                found.add(str(order["amazon_order_id"]))
            elif isinstance(order, str):
                found.add(order)
    return found, listed


def last_failure(obs: Observation, index: int) -> Exchange | None:
    """The last exchange of action ``index`` that failed (HTTP >= 400 or no answer at all):
    the journal's account of why an action ended early."""
    failed = [
        e
        for e in obs.exchanges
        if obs.in_action(e, index, during=True) and (e.status >= 400 or not e.status)
    ]
    return failed[-1] if failed else None


def ended_after(e: Exchange) -> str:
    """'createRestrictedDataToken 400 InvalidInput' (operation, status, code)."""
    what = e.operation or f"{e.method} {e.path}"
    answer = str(e.status) if e.status else "no HTTP answer"
    code = e.error_code()
    return f"{what} {answer}" + (f" {code}" if code else "")


def _ended_early(obs: Observation) -> list[tuple[str, Exchange | None]]:
    """(why, the exchange it ended after) for every sync_orders action that did not succeed."""
    found = []
    for index, outcome in enumerate(obs.outcomes):
        if outcome.action != "sync_orders" or outcome.ok:
            continue
        cause = last_failure(obs, index)
        text = f"sync_orders (action {index + 1}) {outcome.status}"
        text += f": the sync ended after {ended_after(cause)}" if cause else ""
        if outcome.error:
            text += f" ({outcome.error.splitlines()[0][:160]})"
        found.append((text, cause))
    return found


def _judge_orders_synced(obs: Observation) -> Judgement:
    expected: dict[str, dict[str, str]] = obs.expected.get("orders", {})
    if not expected:
        return Judgement(None, "The scenario expected no orders.")
    fetched = fetched_orders(obs)
    missing = sorted(set(expected) - set(fetched))
    by_region: dict[str, int] = {}
    for order_id in missing:
        region = expected[order_id]["region"]
        by_region[region] = by_region.get(region, 0) + 1
    get_orders = [e for e in obs.sp_api() if e.operation == "getOrders"]
    wrong_region = [e for e in get_orders if e.status == 403 and e.error_details() == ""]
    regions_ok = sorted({e.endpoint for e in get_orders if e.status == 200})
    wanted_regions = sorted({o["region"] for o in expected.values()})
    asked = {(e.endpoint, m) for e in get_orders if e.status == 200 for m in _marketplaces(e)}
    never_asked = sorted(
        {
            f"{o['marketplace_id']} ({o['region']})"
            for order_id, o in expected.items()
            if order_id in missing and (o["region"], o["marketplace_id"]) not in asked
        }
    )
    unfollowed = _unfollowed_pages(obs)
    ended = _ended_early(obs)
    reported, listed = _reported(obs)
    # A sync that failed is not expected to list what it fetched: its failure is the finding.
    unreported = sorted(set(expected) & set(fetched) - reported) if listed and not ended else []
    metrics = {
        "expected_orders": len(expected),
        "fetched_orders": len(set(expected) & set(fetched)),
        "reported_orders": len(set(expected) & reported) if listed else None,
        "regions_called": regions_ok,
        "pages_not_followed": len(unfollowed),
    }
    evidence = [e.summary() for e in get_orders]
    parts = []
    if ended:  # first: why the sync stopped explains what follows
        parts.append("; ".join(text for text, _ in ended[:3]))
    if missing:
        per = ", ".join(f"{n} in {r}" for r, n in sorted(by_region.items()))
        parts.append(
            f"{len(missing)} of {len(expected)} orders were never fetched (no getOrders page "
            f"returned them: {per})"
        )
        if never_asked:
            parts.append(
                "marketplace(s) never asked of their region's endpoint: " + ", ".join(never_asked)
            )
        if unfollowed:
            parts.append(f"{len(unfollowed)} page(s) had a NextToken that was never followed")
            evidence = [f"not followed: {e.summary()}" for e in unfollowed] + evidence
    if wrong_region:
        parts.append(
            f"{len(wrong_region)} getOrders call(s) went to the wrong regional endpoint and "
            "were refused (403, empty details)"
        )
    if ended:
        evidence = [f"ended after: {e.summary()}" for _, e in ended if e is not None] + evidence
    if unreported:
        parts.append(
            f"{len(unreported)} fetched order(s) were missing from the sync_orders result "
            f"({', '.join(unreported[:5])})"
        )
    if parts:
        return Judgement(False, "; ".join(parts) + ".", evidence, metrics)
    told = (
        "and all were in the result"
        if listed
        else "(the result lists no orders; judged from the getOrders answers)"
    )
    return Judgement(
        True,
        f"All {len(expected)} orders across {', '.join(wanted_regions)} were fetched, each "
        f"region from its own endpoint ({', '.join(regions_ok)}), every page followed, {told}.",
        evidence,
        metrics,
    )


ORD_01 = Check(
    id="ORD-01",
    title="Syncs orders from every marketplace, across regions",
    area="Orders",
    severity="blocker",
    requirement="Fetch the orders of every target marketplace from its region's endpoint "
    "(NA, EU, FE), following pagination, and return all of them.",
    why="A cross-border seller's marketplaces live in different SP-API regions. Calling one "
    "endpoint for all of them, or stopping at the first page, leaves orders unshipped and "
    "breaks Amazon's shipping-time metrics.",
    remediation="Group marketplace ids by region (NA/EU/FE), call each region's endpoint with "
    "its own ids, and follow NextToken until it is absent.",
    judge=_judge_orders_synced,
    needs=("sync_orders",),
    brief="Orders of every marketplace, from its region's endpoint, all pages.",
).register()


def _pii_calls(obs: Observation) -> list[Exchange]:
    """Every call for buyer PII: the PII operations, and the dataElements operations when they
    carried an RDT (the integration asked for restricted data)."""
    return [
        e
        for e in obs.sp_api()
        if e.operation in PII_OPERATIONS
        or (e.operation in PII_WITH_DATA_ELEMENTS and e.token is not None and e.token.kind == "rdt")
    ]


def _judge_rdt(obs: Observation) -> Judgement:
    calls = _pii_calls(obs)
    rdts = [e for e in obs.sp_api() if e.operation == "createRestrictedDataToken"]
    if not calls:
        return Judgement(
            None,
            "The integration made no call for buyer PII (getOrderAddress, getOrderBuyerInfo, "
            "getOrderItemsBuyerInfo, or getOrders/getOrder/getOrderItems with an RDT), so its "
            "use of Restricted Data Tokens was not exercised; an order sync that fetches "
            "shipping addresses would make this provable.",
            [e.summary() for e in rdts][:5],
            {"pii_calls": 0, "rdt_requests": len(rdts)},
        )
    plain = [e for e in calls if e.token is None or e.token.kind != "rdt"]
    uncovered = [
        e
        for e in calls
        if e.token is not None and e.token.kind == "rdt" and e.token.outcome == "not_covered"
    ]
    with_rdt = [e for e in calls if e not in plain and e not in uncovered]
    released = {e.path for e in with_rdt if e.status == 200 and facts_of(e).pii == "full"}
    metrics = {
        "pii_calls": len(calls),
        "pii_calls_with_rdt": len(with_rdt),
        "pii_calls_without_rdt": len(plain),
        "rdt_not_covering": len(uncovered),
        "rdt_requests": len(rdts),
        "pii_answers_released": len(released),
    }
    problems = []
    if plain:
        ops = ", ".join(sorted({e.operation or "?" for e in plain}))
        problems.append(
            f"{len(plain)} of {len(calls)} PII call(s) ({ops}) carried the plain LWA token "
            "instead of a Restricted Data Token, so Amazon returned the buyer data without "
            "name or street"
        )
    if uncovered:
        problems.append(
            f"{len(uncovered)} PII call(s) carried an RDT that did not cover their path and "
            "were refused"
        )
    if problems:
        return Judgement(
            False,
            "; ".join(problems) + ".",
            [e.summary() for e in plain + uncovered][:20],
            metrics,
        )
    ops = ", ".join(sorted({e.operation or "?" for e in calls}))
    return Judgement(
        True,
        f"All {len(calls)} PII call(s) ({ops}) carried a Restricted Data Token "
        f"({len(rdts)} RDT request(s)).",
        [e.summary() for e in rdts][:5] + [e.summary() for e in with_rdt][:5],
        metrics,
    )


PII_01 = Check(
    id="PII-01",
    title="Fetches buyer PII with a Restricted Data Token",
    area="PII",
    severity="blocker",
    requirement="Every call for buyer PII (getOrderAddress, getOrderBuyerInfo, "
    "getOrderItemsBuyerInfo, or getOrders/getOrder/getOrderItems with dataElements) carries "
    "an RDT from createRestrictedDataToken that covers its path.",
    why="Without an RDT Amazon answers restricted operations successfully but strips the buyer's "
    "name and street: labels cannot be printed and orders ship late, with no error to alert "
    "anyone.",
    remediation="Request an RDT (POST /tokens/2021-03-01/restrictedDataToken) for the restricted "
    "path, e.g. the generic /orders/v0/orders/{orderId}/address, and send it as "
    "x-amz-access-token on those calls; reuse it for its lifetime.",
    judge=_judge_rdt,
    needs=("sync_orders",),
    brief="Buyer PII fetched with a Restricted Data Token.",
).register()
