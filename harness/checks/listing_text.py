"""Listing text and prices: each marketplace's language tags and currency (LST-05, LST-06)."""

from __future__ import annotations

from typing import Any

from harness.checks.listings import listing_puts, sku_of
from harness.checks.listings import marketplace_of as _mp
from harness.checks.listings import names as _names
from harness.checks.listings import preview as _preview
from harness.checks.listings import response_issues as _issues
from harness.checks.model import Check, Judgement, Observation
from harness.sim.handlers.catalog import catalog

__all__ = ["LST_05", "LST_06"]


def _language_tags(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {str(value["language_tag"])} if "language_tag" in value else set()
        return found.union(*(_language_tags(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_language_tags(v) for v in value))
    return set()


def _judge_language(obs: Observation) -> Judgement:
    puts = listing_puts(obs, preview=False)
    if not puts:
        return Judgement(None, "The integration submitted no listing.")
    names, wrong, judged, unknown = _names(obs), [], 0, set()
    for e in puts:
        body = e.request_body if isinstance(e.request_body, dict) else {}
        product_type = str(body.get("productType", "")).upper()
        accepted = catalog().language_tags(product_type, _mp(e))
        if not accepted:  # no bundled schema says which tags this marketplace takes
            unknown.add(f"{product_type or '?'} in {names.get(_mp(e), _mp(e))}")
            continue
        judged += 1
        tags = _language_tags(body.get("attributes"))
        bad = sorted(t for t in tags if t not in accepted)
        refused = [i for i in _issues(e) if i.get("code") == "100720"]
        if bad or refused or not tags:
            what = (
                f"language tag(s) {', '.join(bad)} where {', '.join(accepted)} are accepted"
                if bad
                else "no localized text"
                if not tags
                else "language data refused"
            )
            wrong.append((e, f"{sku_of(e)} in {names.get(_mp(e), _mp(e))}: {what}"))
    metrics = {"submissions": len(puts), "judged": judged, "wrong_language": len(wrong)}
    if not judged:
        return Judgement(
            None,
            "No bundled product-type schema names the language tags for "
            + ", ".join(sorted(unknown))
            + "; a submission to a marketplace with a bundled schema would make this provable.",
            [e.summary() for e in puts[:10]],
            metrics,
        )
    if wrong:
        return Judgement(
            False,
            f"{len(wrong)} of {len(puts)} submissions carried text in a "
            "language the marketplace does not take: " + "; ".join(w for _, w in wrong) + ".",
            [e.summary() for e, _ in wrong],
            metrics,
        )
    return Judgement(
        True,
        f"All {judged} submissions carried text in the marketplace's own language tags"
        + (f" ({len(unknown)} without a bundled schema not judged)." if unknown else "."),
        [e.summary() for e in puts[:10]],
        metrics,
    )


LST_05 = Check(
    id="LST-05",
    title="Localized text with each marketplace's language tags",
    area="Listings",
    severity="critical",
    requirement="Text attributes (item_name, bullet_point, ...) are sent in a language the "
    "marketplace accepts, tagged with that language (de_DE on amazon.de, ja_JP on amazon.co.jp).",
    why="Amazon refuses text in a language the marketplace does not take (error 100720, models "
    "#5010), and an English title on amazon.de does not sell.",
    remediation="Take the accepted language tags from the schema's $defs.language_tag and send "
    "each marketplace its translated text with that tag.",
    judge=_judge_language,
    needs=("publish_listing",),
    brief="Text in each marketplace's language, with its language tags.",
).register()


def _offers(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        return []
    found = list((body.get("attributes") or {}).get("purchasable_offer") or [])
    for patch in body.get("patches") or []:
        if isinstance(patch, dict) and str(patch.get("path", "")).endswith("/purchasable_offer"):
            found += list(patch.get("value") or [])
    return [o for o in found if isinstance(o, dict)]


def _judge_currency(obs: Observation) -> Judgement:
    currencies: dict[str, str] = obs.expected.get("currencies", {})
    sent = [
        e
        for e in obs.sp_api()
        if e.operation in ("putListingsItem", "patchListingsItem")
        and e.status == 200
        and not _preview(e)
        and _offers(e.request_body)
    ]
    if not sent or not currencies:
        return Judgement(None, "The integration sent no price.")
    names, wrong = _names(obs), []
    judged = [e for e in sent if currencies.get(_mp(e))]
    if not judged:
        return Judgement(
            None,
            "The scenario names no currency for the marketplaces priced ("
            + ", ".join(sorted({names.get(_mp(e), _mp(e)) for e in sent}))
            + "), so the prices could not be judged.",
        )
    for e in judged:
        want = currencies[_mp(e)]
        got = sorted({str(o.get("currency")) for o in _offers(e.request_body)})
        if got != [want]:
            wrong.append(
                (
                    e,
                    f"{sku_of(e)} in {names.get(_mp(e), _mp(e))}: {', '.join(got)} "
                    f"instead of {want}",
                )
            )
    metrics = {"priced_submissions": len(judged), "wrong_currency": len(wrong)}
    if wrong:
        return Judgement(
            False,
            f"{len(wrong)} of {len(judged)} prices were not in the "
            "marketplace's currency: " + "; ".join(w for _, w in wrong) + ".",
            [e.summary() for e, _ in wrong],
            metrics,
        )
    return Judgement(
        True,
        f"All {len(judged)} prices were in each marketplace's currency.",
        [e.summary() for e in judged[:10]],
        metrics,
    )


LST_06 = Check(
    id="LST-06",
    title="Prices in each marketplace's currency",
    area="Listings",
    severity="blocker",
    requirement="purchasable_offer carries the marketplace's currency (USD, GBP, EUR, JPY) "
    "with a price set for that marketplace.",
    why="A USD price copied to amazon.de is refused, or worse accepted as euros: the product "
    "sells at the wrong price.",
    remediation="Keep a price per marketplace in its currency (whole yen for JP) and send it "
    "with marketplace_id and currency in purchasable_offer.",
    judge=_judge_currency,
    needs=("publish_listing",),
    brief="Prices in each marketplace's currency.",
).register()
