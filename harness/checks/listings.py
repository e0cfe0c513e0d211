"""Listing checks: every marketplace gets its own valid listing, INVALID is a failure,
late issues are noticed, text and prices are in the marketplace's language and currency.

The evidence is the simulator's journal: what was PUT to which marketplace, what Amazon
answered (HTTP 200 with ACCEPTED / INVALID / VALID), and what the integration reported.
"""

from __future__ import annotations

import json
from typing import Any

from harness.checks.facts import facts_of
from harness.checks.listing_evidence import cell as _cell
from harness.checks.listing_evidence import describe_issues as _describe
from harness.checks.listing_evidence import is_preview as preview
from harness.checks.listing_evidence import (
    listing_puts,
    marketplace_of,
    marketplaces_of,
    names,
    response_issues,
    sku_of,
)
from harness.checks.listing_evidence import marketplace_of as _mp
from harness.checks.listing_evidence import names as _names
from harness.checks.listing_evidence import response_issues as _issues
from harness.checks.listing_evidence import submission_status as _status
from harness.checks.listing_reports import reported_issues, surfaced, told
from harness.checks.matrix import LISTING_LEGEND, Cell, listing_code, render_grid_html
from harness.checks.model import Attachment, Check, Judgement, Observation
from harness.sim.journal import Exchange

__all__ = [
    "LST_01",
    "LST_02",
    "LST_03",
    "LST_04",
    "listing_puts",
    "marketplace_of",
    "marketplaces_of",
    "names",
    "preview",
    "response_issues",
    "sku_of",
]


def _judge_published(obs: Observation) -> Judgement:
    wanted: dict[str, dict[str, Any]] = obs.expected.get("listings", {})
    if not wanted:
        return Judgement(None, "The scenario published nothing.")
    names = _names(obs)
    mps = sorted(
        {m for w in wanted.values() for m in w["marketplace_ids"]},
        key=lambda m: list(names).index(m) if m in names else 99,
    )
    csv = ["sku,product_type," + ",".join(names.get(m, m) for m in mps)]
    failures, evidence, accepted = [], [], 0
    grid: list[tuple[str, list[Cell]]] = []
    for sku, want in wanted.items():
        cells, texts = [], []
        for mp in mps:
            if mp not in want["marketplace_ids"]:
                cells.append(Cell("\u2014"))
                texts.append("-")
                continue
            ok, text, exchange = _cell(obs, sku, mp)
            accepted += ok
            cells.append(Cell(listing_code(text), text, ok))
            texts.append(text)
            if not ok:
                failures.append(f"{sku} in {names.get(mp, mp)}: {text}")
            if exchange is not None:
                evidence.append(f"{sku} {names.get(mp, mp)}: {exchange.summary()}")
        grid.append((f"{sku} ({want['product_type']})", cells))
        csv.append(f"{sku},{want['product_type']}," + ",".join(json.dumps(c) for c in texts))
    total = sum(len(w["marketplace_ids"]) for w in wanted.values())
    matrix = render_grid_html(
        "LST-01 listing matrix", [names.get(m, m) for m in mps], grid, LISTING_LEGEND
    )
    attachments = [
        Attachment("listing matrix (product x marketplace)", matrix.encode(), "text/html", "html"),
        Attachment("listing matrix csv", ("\n".join(csv) + "\n").encode(), "text/csv", "csv"),
    ]
    metrics = {
        "listings_expected": total,
        "listings_accepted": accepted,
        "marketplaces": [names.get(m, m) for m in mps],
    }
    if failures:
        return Judgement(
            False,
            f"{total - accepted} of {total} product x marketplace listings were not accepted: "
            + "; ".join(failures)
            + ".",
            failures + evidence,
            metrics,
            attachments,
        )
    return Judgement(
        True,
        f"All {total} product x marketplace listings were ACCEPTED, each "
        "with that marketplace's required attributes.",
        evidence,
        metrics,
        attachments,
    )


LST_01 = Check(
    id="LST-01",
    title="Publishes to every target marketplace with its required attributes",
    area="Listings",
    severity="blocker",
    requirement="Every product is ACCEPTED in every target marketplace, with the attributes that "
    "marketplace's product-type schema requires (EU GPSR/DSA, DE EPR, UK marking, language).",
    why="Each marketplace has its own schema. Copying the US listing to Europe leaves out the "
    "safety and compliance data EU law requires, so Amazon rejects the listing there and the "
    "product simply never goes on sale.",
    remediation="Fetch the schema per marketplace (getDefinitionsProductType, one marketplace "
    "per call), build that marketplace's attributes from your product data, and fill every "
    "'required' and allOf-conditional attribute it names (see the matrix for what is missing).",
    judge=_judge_published,
    needs=("publish_listing",),
    brief="Every product ACCEPTED in every target marketplace with that marketplace's required "
    "attributes (product x marketplace matrix attached).",
).register()


def _judge_validated_first(obs: Observation) -> Judgement:
    real = listing_puts(obs, preview=False)
    if not real:
        return Judgement(None, "The integration submitted no listing.")
    first: dict[tuple[str, str], Exchange] = {}
    for e in real:
        first.setdefault((sku_of(e), _mp(e)), e)
    unvalidated = []
    for (sku, mp), e in first.items():
        previewed = any(
            p.seq < e.seq and sku_of(p) == sku and _mp(p) == mp
            for p in listing_puts(obs, preview=True)
        )
        schema_read = any(
            x.operation == "getDefinitionsProductType"
            and x.status == 200
            and x.seq < e.seq
            and facts_of(x).marketplace_id == mp
            for x in obs.sp_api()
        )
        if not (previewed or schema_read):
            unvalidated.append(e)
    names = _names(obs)
    metrics = {"first_submissions": len(first), "unvalidated": len(unvalidated)}
    if unvalidated:
        where = ", ".join(f"{sku_of(e)} in {names.get(_mp(e), _mp(e))}" for e in unvalidated)
        return Judgement(
            False,
            f"{len(unvalidated)} of {len(first)} first submissions went out without validation "
            f"(no VALIDATION_PREVIEW and no schema for that marketplace read first): {where}.",
            [e.summary() for e in unvalidated],
            metrics,
        )
    return Judgement(
        True,
        f"All {len(first)} first submissions were validated first "
        "(VALIDATION_PREVIEW or the marketplace's schema).",
        [e.summary() for e in real[:10]],
        metrics,
    )


LST_02 = Check(
    id="LST-02",
    title="Validates a listing before its first submission",
    area="Listings",
    severity="critical",
    requirement="Before a SKU's first submission to a marketplace, validate it: "
    "putListingsItem with mode=VALIDATION_PREVIEW, or against that marketplace's schema.",
    why="A listing submitted blind fails asynchronously or is rejected, and the seller learns "
    "about it from missing sales; a preview costs one call and changes nothing.",
    remediation="Call putListingsItem with mode=VALIDATION_PREVIEW (or validate offline with the "
    "schema from getDefinitionsProductType) and only submit when it answers VALID.",
    judge=_judge_validated_first,
    needs=("publish_listing",),
    brief="A listing is validated (VALIDATION_PREVIEW or the marketplace's schema) before its "
    "first submission.",
).register()


def _action_of(obs: Observation, e: Exchange) -> int:
    """The action an exchange belongs to: its window, else (synthetic observations without
    windows) the publish_listing run for its SKU; -1 when none."""
    if obs.action_windows:
        index = obs.action_during(e)
        return -1 if index is None else index
    for index, outcome in enumerate(obs.outcomes):
        if outcome.action == "publish_listing" and str(outcome.args.get("sku")) == sku_of(e):
            return index
    return -1


def _recovered(obs: Observation, e: Exchange, index: int) -> bool:
    """Was the same SKU ACCEPTED in the same marketplace later in the same action (the
    integration corrected the listing: nothing is hidden from the seller)?"""
    return any(
        later.seq > e.seq
        and sku_of(later) == sku_of(e)
        and _mp(later) == _mp(e)
        and _status(later) == "ACCEPTED"
        and _action_of(obs, later) == index
        for later in listing_puts(obs, preview=False)
    )


def _judge_invalid_is_failure(obs: Observation) -> Judgement:
    invalid = [e for e in listing_puts(obs) if _status(e) == "INVALID"]
    if not invalid:
        return Judgement(None, "Amazon answered no submission with INVALID in this scenario.")
    names = _names(obs)
    by_action: dict[int, list[Exchange]] = {}
    for e in invalid:
        index = _action_of(obs, e)
        if 0 <= index < len(obs.outcomes) and not _recovered(obs, e, index):
            by_action.setdefault(index, []).append(e)
    if not by_action:
        return Judgement(
            None,
            f"{len(invalid)} INVALID answer(s), but none left an action's listing unaccepted "
            "(each was corrected and ACCEPTED in the same action, or fell outside any "
            "action), so how a rejection is reported was not exercised.",
            [e.summary() for e in invalid[:10]],
        )
    hidden = []
    for index, mine in sorted(by_action.items()):
        outcome = obs.outcomes[index]
        said = json.dumps(outcome.result or {}, ensure_ascii=False) + (outcome.error or "")
        unsaid = [i for e in mine for i in _issues(e) if not surfaced(i, said)]
        if outcome.ok or unsaid:
            where = "; ".join(f"{names.get(_mp(e), _mp(e))}: {_describe(_issues(e))}" for e in mine)
            verdict = (
                "reported ok" if outcome.ok else "did not pass on the issues (code or message)"
            )
            hidden.append((sku_of(mine[0]), verdict, where, mine))
    judged = sum(len(m) for m in by_action.values())
    metrics = {"invalid_answers": len(invalid), "judged": judged, "hidden": len(hidden)}
    if hidden:
        return Judgement(
            False,
            "Amazon answered HTTP 200 with status INVALID, and the integration "
            + "; ".join(f"{verdict} for {what} ({where})" for what, verdict, where, _ in hidden)
            + ".",
            [e.summary() for *_, mine in hidden for e in mine],
            metrics,
        )
    return Judgement(
        True,
        f"All {judged} INVALID answers were reported as failures with their issues.",
        [e.summary() for e in invalid[:10]],
        metrics,
    )


LST_03 = Check(
    id="LST-03",
    title="Treats HTTP 200 + INVALID as a failure and surfaces the issues",
    area="Listings",
    severity="blocker",
    requirement="A submission answered HTTP 200 with status INVALID is a failure: the action "
    "reports ok=false and passes on every issue (code, attributes) to the user.",
    why="Amazon rejects listings with HTTP 200. A connector that checks only the HTTP status "
    "tells the seller the product is live while nothing was created (models #5219).",
    remediation="Read the body's status: only ACCEPTED (or VALID in preview) is success; on "
    "INVALID, report the issues[] (code, message, attributeNames) and do not retry unchanged.",
    judge=_judge_invalid_is_failure,
    needs=("publish_listing",),
    brief="HTTP 200 with status INVALID is reported as a failure, with its issues.",
).register()


def _judge_late_issues(obs: Observation) -> Judgement:
    late: dict[str, dict[str, list[str]]] = obs.expected.get("late_issues", {})
    if not late:
        return Judgement(None, "No issues arrived after ACCEPTED in this scenario.")
    names = _names(obs)
    reported = reported_issues(obs)
    missed = [
        f"{sku} in {names.get(mp, mp)} (issue {', '.join(codes)})"
        for sku, per in late.items()
        for mp, codes in per.items()
        if not all(told(reported, sku, mp, code) for code in codes)
    ]
    polls = [
        e
        for e in obs.sp_api()
        if e.operation in ("getListingsItem", "searchListingsItems")
        and e.status == 200
        and any("issues" in v for v in e.query.get("includedData", []))
    ]
    unsupported = [
        o for o in obs.outcomes if o.action == "listing_status" and o.status not in ("ok", "failed")
    ]
    metrics = {"late_issues": sum(len(v) for v in late.values()), "issue_polls": len(polls)}
    if missed:
        why = f"{len(polls)} listing read(s) asked for issues"
        if unsupported:
            why += f"; listing_status was {unsupported[0].status}"
        return Judgement(
            False,
            "Issues Amazon found after ACCEPTED were not noticed: "
            + "; ".join(missed)
            + f" ({why}).",
            [e.summary() for e in polls[:10]] + [o.summary() for o in unsupported],
            metrics,
        )
    return Judgement(
        True,
        "Every issue that arrived after ACCEPTED was noticed and reported.",
        [e.summary() for e in polls[:10]],
        metrics,
    )


LST_04 = Check(
    id="LST-04",
    title="Detects issues that arrive after ACCEPTED",
    area="Listings",
    severity="critical",
    requirement="After an ACCEPTED submission, read the listing's issues (getListingsItem "
    "includedData=issues, or LISTINGS_ITEM_ISSUES_CHANGE) and report them per marketplace.",
    why="ACCEPTED only means queued. Amazon's later checks can suppress the listing (e.g. in DE "
    "for missing GPSR data) and nothing tells the seller unless the integration looks.",
    remediation="Poll getListingsItem with includedData=issues some minutes after submitting "
    "(or subscribe to LISTINGS_ITEM_ISSUES_CHANGE) and alert on ERROR issues and "
    "LISTING_SUPPRESSED enforcements.",
    judge=_judge_late_issues,
    needs=("publish_listing", "listing_status"),
    brief="Issues Amazon finds after ACCEPTED (e.g. GPSR suppression in the EU) are read and "
    "reported.",
).register()
