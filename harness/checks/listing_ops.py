"""Keeping listings right after publishing: shared stock, batch repricing, feed lifecycle."""

from __future__ import annotations

import json
from typing import Any

from harness.checks.facts import facts_of
from harness.checks.feed_resubmit import judge_resubmission
from harness.checks.listings import marketplaces_of, sku_of
from harness.checks.model import Check, Judgement, Observation
from harness.drive.base import ActionOutcome
from harness.sim.journal import Exchange

__all__ = ["FEED_01", "INV_01", "PRC_01"]


def _accepted_patches(obs: Observation, attribute: str) -> list[tuple[Exchange, Any]]:
    out = []
    for e in obs.sp_api():
        if e.operation != "patchListingsItem" or e.status != 200:
            continue
        if not isinstance(e.response_body, dict) or e.response_body.get("status") != "ACCEPTED":
            continue
        body = e.request_body if isinstance(e.request_body, dict) else {}
        for patch in body.get("patches") or []:
            if isinstance(patch, dict) and str(patch.get("path")) == f"/attributes/{attribute}":
                out.append((e, patch.get("value")))
    return out


def _not_run(obs: Observation, action: str) -> list[str]:
    """Why an action did nothing: the integration does not support it, it crashed or hung."""
    return [
        f"the {action} action {o.status}"
        + (f" ({o.error.splitlines()[0][:120]})" if o.error else "")
        for o in obs.outcomes
        if o.action == action and o.status not in ("ok", "failed")
    ][:1]


def _lateness(e: Exchange, order_virtual: float, inv: dict[str, Any]) -> float:
    """Seconds from the order to the patch, as they would pass in production.

    The listing scenario runs Amazon's clock fast (600x) so that Amazon's own processing takes
    a moment; the integration's pauses are real seconds, though, and reading them on that clock
    would turn a one-second pause into ten minutes (a false NO-GO). So the integration's part
    is measured on the wall clock from the moment the order existed; a scenario that gives no
    wall time is read on the virtual clock, as before.
    """
    if inv.get("order_wall") is not None:
        return max(0.0, e.wall - float(inv["order_wall"]))
    return e.virtual - order_virtual


def _judge_stock(obs: Observation) -> Judgement:
    inv: dict[str, Any] = obs.expected.get("inventory", {})
    if not inv:
        return Judgement(None, "No order arrived from a shared stock in this scenario.")
    names: dict[str, str] = obs.expected.get("marketplace_names", {})
    sku, within, at = inv["sku"], float(inv["within_s"]), float(inv["order_virtual"])
    stale, evidence = [], []
    for mp, want in inv["expected"].items():
        latest = None
        for e, value in _accepted_patches(obs, "fulfillment_availability"):
            if sku_of(e) == sku and mp in marketplaces_of(e) and e.virtual >= at:
                latest = (e, value)
        where = names.get(mp, mp)
        if latest is None:
            stale.append(
                f"{where}: never updated after the order (Amazon still shows the old quantity)"
            )
            continue
        e, value = latest
        evidence.append(f"{where}: {e.summary()}")
        got = next((v.get("quantity") for v in value or [] if isinstance(v, dict)), None)
        late = _lateness(e, at, inv)
        if got != want:
            stale.append(f"{where}: set to {got}, the pool holds {want}")
        elif late > within:
            stale.append(f"{where}: updated {late / 60:.0f} min after the order")
    metrics = {"pool": len(inv["expected"]), "stale": len(stale)}
    stale += _not_run(obs, "sync_inventory")
    summary_order = f"{inv['quantity']} x {sku} ordered in {names.get(inv['order_mp'], '?')}"
    if stale:
        return Judgement(
            False,
            f"{summary_order}; the shared stock was not followed everywhere: "
            + "; ".join(stale)
            + ".",
            evidence,
            metrics,
        )
    return Judgement(
        True,
        f"{summary_order}; every marketplace of the pool shows the remaining "
        f"stock within {within / 60:.0f} minutes.",
        evidence,
        metrics,
    )


INV_01 = Check(
    id="INV-01",
    title="No overselling from a stock shared across marketplaces",
    area="Inventory",
    severity="blocker",
    requirement="When an order arrives in one marketplace, the quantity of every marketplace "
    "selling from the same stock is lowered to what is left, within 15 minutes.",
    why="Amazon lowers the quantity only where the order was placed. The other marketplaces "
    "keep selling units that no longer exist: cancellations, late shipments and account-health "
    "penalties follow.",
    remediation="After syncing orders, recompute each pool's available stock and patch "
    "fulfillment_availability in every marketplace of the pool, not just the one that sold.",
    judge=_judge_stock,
    needs=("sync_inventory",),
    brief="An order in one marketplace lowers the stock of every marketplace sharing it, within "
    "15 minutes.",
).register()


def _judge_reprice(obs: Observation) -> Judgement:
    wanted: list[dict[str, Any]] = obs.expected.get("prices", [])
    if not wanted:
        return Judgement(None, "The scenario asked for no repricing.")
    names: dict[str, str] = obs.expected.get("marketplace_names", {})
    patches = _accepted_patches(obs, "purchasable_offer")
    stale = []
    for want in wanted:
        last = None
        for e, value in patches:
            if sku_of(e) == want["sku"] and want["marketplace_id"] in marketplaces_of(e):
                last = value
        offer = next((o for o in last or [] if isinstance(o, dict)), {})
        try:
            amount = float(offer["our_price"][0]["schedule"][0]["value_with_tax"])
        except (KeyError, IndexError, TypeError, ValueError):
            amount = None
        if amount != float(want["amount"]) or offer.get("currency") != want["currency"]:
            stale.append(f"{want['sku']} in {names.get(want['marketplace_id'], '?')}")
    calls = [e for e in obs.sp_api() if e.operation == "patchListingsItem"]
    throttled = [e for e in calls if e.status == 429]
    metrics = {
        "prices": len(wanted),
        "stale": len(stale),
        "patch_calls": len(calls),
        "throttled": len(throttled),
    }
    if stale or throttled:
        parts = _not_run(obs, "reprice")
        if stale:
            parts.append(f"{len(stale)} of {len(wanted)} prices left stale ({', '.join(stale)})")
        if throttled:
            parts.append(f"{len(throttled)} of {len(calls)} patch calls were throttled (429)")
        return Judgement(
            False, "; ".join(parts) + ".", [e.summary() for e in throttled[:10]], metrics
        )
    return Judgement(
        True,
        f"All {len(wanted)} prices updated in {len(calls)} calls, none throttled.",
        [e.summary() for e in calls[:5]],
        metrics,
    )


PRC_01 = Check(
    id="PRC-01",
    title="Batch repricing within the usage plan, no price left stale",
    area="Pricing",
    severity="critical",
    requirement="A repricing batch across marketplaces completes within the throttling limits "
    "(patchListingsItem 5/s, burst 5, or a feed) and every price ends up current.",
    why="Firing patches as fast as possible earns 429s; a connector that then drops or "
    "hammers them leaves old prices live, selling below cost or not at all.",
    remediation="Pace patches to the usage plan (token bucket, x-amzn-RateLimit-Limit), retry "
    "429s with backoff, or send large batches as one JSON_LISTINGS_FEED.",
    judge=_judge_reprice,
    needs=("reprice",),
    brief="Batch repricing within the usage plan, no price left stale.",
).register()


def _reported_rejections(
    obs: Observation, index: int, run: ActionOutcome, feed: dict[str, Any], wanted: list[str]
) -> list[str]:
    """The SKUs the action reported as rejected. ``feeds[].rejected`` (examples/README.md) is
    compared exactly; without it, a result or exit message that names each rejected SKU counts,
    provided the wire shows the processing report downloaded in the action (so the names come
    from the report, not from an echo of the input)."""
    if isinstance(feed.get("rejected"), list):
        return sorted(str(r.get("sku")) for r in feed["rejected"] if isinstance(r, dict))
    read = any(
        e.operation == "s3:GET" and e.status == 200 and facts_of(e).kind == "report"
        for e in obs.exchanges
        if obs.in_action(e, index, during=True)
    )
    said = json.dumps(run.result or {}, ensure_ascii=False) + (run.error or "")
    return sorted(sku for sku in wanted if read and sku in said)


def _fatal_seen(obs: Observation, index: int) -> bool:
    """Did a getFeed in action ``index``'s window answer FATAL (all of them without windows)?"""
    return any(
        e.operation == "getFeed" and e.status == 200 and facts_of(e).status == "FATAL"
        for e in obs.sp_api()
        if obs.in_action(e, index, during=True)
    )


def _judge_feed(obs: Observation) -> Judgement:
    wanted: list[dict[str, Any]] = obs.expected.get("feeds", [])
    runs = [(n, o) for n, o in enumerate(obs.outcomes) if o.action == "submit_feed"]
    if not wanted:
        return Judgement(None, "The scenario submitted no feed.")
    problems, evidence = [], []
    resubmission: dict[str, int] = {}
    for i, want in enumerate(wanted):
        index, run = runs[i] if i < len(runs) else (-1, None)
        label = f"feed {i + 1} ({want['mode']})"
        if run is None or run.status not in ("ok", "failed"):
            problems.append(
                f"{label}: the action {run.status if run else 'never ran'}"
                + (f" after {run.duration_s:.1f}s" if run else "")
            )
            continue
        evidence.append(f"{label}: {run.summary()}")
        feed = ((run.result or {}).get("feeds") or [{}])[0]
        if want["mode"] == "report":
            rejected = _reported_rejections(obs, index, run, feed, want["rejected_skus"])
            if rejected != sorted(want["rejected_skus"]):
                problems.append(
                    f"{label}: reported rejected SKUs {rejected or 'none'}, the "
                    f"processing report rejected {sorted(want['rejected_skus'])}"
                )
            if "fixable_skus" not in want:
                if run.ok:
                    problems.append(f"{label}: reported ok although messages were rejected")
                continue
            found, seen, resubmission = judge_resubmission(obs, index, run, want, label)
            problems += found
            evidence += seen
        elif want["mode"] == "stuck":
            if run.ok or run.duration_s > float(want["give_up_after_s"]) + 10:
                problems.append(
                    f"{label}: did not give up with an alert in time "
                    f"(ok={run.ok}, {run.duration_s:.1f}s)"
                )
        elif want["mode"] == "fatal":
            # The wire shows the integration read the FATAL end; the result only that it said
            # so (a result naming FATAL counts too, e.g. learnt from a notification).
            read_fatal = _fatal_seen(obs, index)
            if run.ok or not (read_fatal or feed.get("status") == "FATAL"):
                how = "getFeed answered FATAL" if read_fatal else "no getFeed read the FATAL end"
                problems.append(f"{label}: FATAL not reported (ok={run.ok}; {how})")
    polls = [e for e in obs.sp_api() if e.operation == "getFeed"]
    throttled = [
        e for e in obs.sp_api() if e.operation and e.operation.endswith("Feed") and e.status == 429
    ]
    reads = [
        e
        for e in obs.exchanges
        if e.operation == "s3:GET" and e.status == 200 and facts_of(e).kind == "report"
    ]
    if throttled:
        problems.append(f"{len(throttled)} feed call(s) throttled (429): polling too fast")
    metrics = {"feeds": len(wanted), "polls": len(polls), "report_downloads": len(reads)}
    metrics.update(resubmission)
    evidence += [e.summary() for e in throttled[:5] + reads[:3]]
    if problems:
        return Judgement(False, "; ".join(problems) + ".", evidence, metrics)
    fixed = (
        f"{resubmission['resubmitted']} corrected message(s) re-submitted in one follow-up "
        f"feed, {resubmission['still_rejected']} reported as still rejected"
        if resubmission.get("follow_up_feeds")
        else ""
    )
    modes = {w["mode"] for w in wanted}
    handled = [f"report read ({len(reads)} download(s))"] if "report" in modes else []
    handled += [fixed] if fixed else []
    handled += ["stuck feed given up with an alert"] if "stuck" in modes else []
    handled += ["FATAL reported"] if "fatal" in modes else []
    return Judgement(
        True,
        f"All {len(wanted)} feeds handled: {', '.join(handled)}; "
        f"{len(polls)} polls, none throttled.",
        evidence,
        metrics,
    )


FEED_01 = Check(
    id="FEED-01",
    title="Feed lifecycle handled: report read, fixed messages re-submitted, stuck and FATAL feeds",
    area="Feeds",
    severity="critical",
    requirement="A JSON_LISTINGS_FEED is polled within getFeed's plan until DONE/FATAL, its "
    "processing report is read and per-message rejections reported; rejected messages the "
    "seller's data can correct are re-submitted, corrected, in one follow-up feed (without "
    "the accepted ones, without unchanged copies) and what stays rejected is reported; a "
    "feed stuck IN_PROGRESS is given up with an alert; FATAL is a failure.",
    why="Feeds stay IN_PROGRESS for days at times (pain points 2.5) and DONE only means "
    "processed: rejected messages are only in the report. A connector that waits for ever or "
    "stops at DONE loses updates silently; one that re-sends the whole feed re-applies old "
    "data and burns the 5-feeds-per-5-minutes allowance, and an unchanged message is only "
    "rejected again.",
    remediation="Poll with backoff (or use FEED_PROCESSING_FINISHED), set a deadline and alert "
    "when it passes, download resultFeedDocumentId and surface each rejected message; rebuild "
    "the rejected messages from the product data and the marketplace's product-type schema, "
    "send only those in one follow-up feed, and report the ones the data cannot fix.",
    judge=_judge_feed,
    needs=("submit_feed",),
    brief="JSON_LISTINGS_FEED: processing report read, stuck feed given up with an alert, FATAL "
    "reported.",
).register()
