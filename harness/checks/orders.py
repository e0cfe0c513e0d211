"""Order-sync checks: every order of every marketplace, each from its own regional endpoint."""

from __future__ import annotations

import hashlib
from typing import Any

from harness.checks.model import Check, Judgement, Observation

__all__ = ["ORD_01", "PII_01", "digest"]


def digest(value: str) -> str:
    """Compare PII by digest so neither the observation nor the report ever holds it."""
    return hashlib.sha256(value.strip().casefold().encode()).hexdigest()[:16]


def _synced(obs: Observation) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for outcome in obs.outcomes:
        if outcome.action != "sync_orders" or outcome.result is None:
            continue
        for order in outcome.result.get("orders", []):
            if isinstance(order, dict) and "amazon_order_id" in order:
                found[str(order["amazon_order_id"])] = order
    return found


def _judge_orders_synced(obs: Observation) -> Judgement:
    expected: dict[str, dict[str, str]] = obs.expected.get("orders", {})
    if not expected:
        return Judgement(None, "The scenario expected no orders.")
    got = _synced(obs)
    missing = sorted(set(expected) - set(got))
    by_region: dict[str, int] = {}
    for order_id in missing:
        region = expected[order_id]["region"]
        by_region[region] = by_region.get(region, 0) + 1
    get_orders = [e for e in obs.sp_api() if e.operation == "getOrders"]
    wrong_region = [e for e in get_orders if e.status == 403 and e.error_details() == ""]
    regions_ok = sorted({e.endpoint for e in get_orders if e.status == 200})
    wanted_regions = sorted({o["region"] for o in expected.values()})
    failed_actions = [o for o in obs.outcomes if o.action == "sync_orders" and not o.ok]
    metrics = {
        "expected_orders": len(expected),
        "synced_orders": len(set(expected) & set(got)),
        "regions_called": regions_ok,
    }
    evidence = [e.summary() for e in get_orders]
    if missing or wrong_region or failed_actions:
        parts = []
        if missing:
            per = ", ".join(f"{n} in {r}" for r, n in sorted(by_region.items()))
            parts.append(f"{len(missing)} of {len(expected)} orders were not synced ({per})")
        if wrong_region:
            parts.append(
                f"{len(wrong_region)} getOrders call(s) went to the wrong regional endpoint and "
                "were refused (403, empty details)"
            )
        if failed_actions:
            parts.append(
                "sync_orders reported failure: "
                + "; ".join(o.summary() for o in failed_actions[:3])
            )
        return Judgement(False, "; ".join(parts) + ".", evidence, metrics)
    return Judgement(
        True,
        f"All {len(expected)} orders across {', '.join(wanted_regions)} were synced, each region "
        f"from its own endpoint ({', '.join(regions_ok)}).",
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
)


def _judge_rdt(obs: Observation) -> Judgement:
    expected: dict[str, dict[str, str]] = obs.expected.get("orders", {})
    if not expected:
        return Judgement(None, "The scenario expected no orders.")
    got = _synced(obs)
    incomplete = []
    for order_id, want in sorted(expected.items()):
        ship_to = (got.get(order_id) or {}).get("ship_to") or {}
        name = str(ship_to.get("name") or "")
        line1 = str(ship_to.get("address_line1") or "")
        if digest(name) != want["name"] or digest(line1) != want["address_line1"]:
            incomplete.append(order_id)
    restricted = [
        e
        for e in obs.sp_api()
        if e.operation in ("getOrderAddress", "getOrder", "getOrders", "getOrderBuyerInfo")
        and e.status == 200
    ]
    without_rdt = [
        e
        for e in restricted
        if e.facts.get("pii") == "stripped" and e.operation == "getOrderAddress"
    ]
    with_rdt = [e for e in restricted if e.facts.get("pii") == "full"]
    rdts = [e for e in obs.sp_api() if e.operation == "createRestrictedDataToken"]
    metrics = {
        "orders": len(expected),
        "orders_without_full_address": len(incomplete),
        "rdt_requests": len(rdts),
        "pii_calls_with_rdt": len(with_rdt),
        "address_calls_without_rdt": len(without_rdt),
    }
    if incomplete:
        cause = (
            f"{len(without_rdt)} address call(s) used the plain LWA token, so Amazon returned the "
            "address without name or street"
            if without_rdt
            else "the shipping addresses were not fetched"
        )
        return Judgement(
            False,
            f"{len(incomplete)} of {len(expected)} orders came back without a usable shipping "
            f"address: {cause}.",
            [e.summary() for e in (without_rdt or restricted)][:10]
            + [f"order {o}: ship_to incomplete" for o in incomplete[:10]],
            metrics,
        )
    return Judgement(
        True,
        f"All {len(expected)} shipping addresses were fetched with a Restricted Data Token "
        f"({len(rdts)} RDT request(s)).",
        [e.summary() for e in rdts][:5] + [e.summary() for e in with_rdt][:5],
        metrics,
    )


PII_01 = Check(
    id="PII-01",
    title="Fetches buyer PII with a Restricted Data Token",
    area="PII",
    severity="blocker",
    requirement="Call restricted operations (e.g. getOrderAddress) with an RDT from "
    "createRestrictedDataToken when buyer PII is needed.",
    why="Without an RDT Amazon answers restricted operations successfully but strips the buyer's "
    "name and street: labels cannot be printed and orders ship late, with no error to alert "
    "anyone.",
    remediation="Request an RDT (POST /tokens/2021-03-01/restrictedDataToken) for the restricted "
    "path, e.g. the generic /orders/v0/orders/{orderId}/address, and send it as "
    "x-amz-access-token on those calls; reuse it for its lifetime.",
    judge=_judge_rdt,
)
