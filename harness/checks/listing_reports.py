"""What listing actions reported, read by meaning: an issue counts when its code (or its
message) reaches the report, in the documented structure or in plain words (LST-03, LST-04).

Only that an integration *reported* something comes from its results; what it did is judged
on the wire by the checks in harness.checks.listings.
"""

from __future__ import annotations

import json
from typing import Any

from harness.checks.model import Observation

__all__ = ["Reports", "reported_issues", "surfaced", "told"]


def surfaced(issue: dict[str, Any], said: str) -> bool:
    """An issue is passed on when its code or its message reaches the report."""
    code, message = str(issue.get("code") or ""), str(issue.get("message") or "")
    return bool(code and code in said) or bool(message and message in said)


Reports = tuple[dict[tuple[str, str], set[str]], list[tuple[str, str, list[str]]]]


def reported_issues(obs: Observation) -> Reports:
    """What listing_status actions reported: (sku, marketplace) -> issue codes from the
    ``listings`` list (examples/README.md), and, for results without it, (sku, text,
    marketplaces asked) so an issue told in plain words counts too."""
    listed: dict[tuple[str, str], set[str]] = {}
    plain: list[tuple[str, str, list[str]]] = []
    for outcome in obs.outcomes:
        if outcome.action != "listing_status" or outcome.status not in ("ok", "failed", "crashed"):
            continue
        sku = str(outcome.args.get("sku"))
        entries = (outcome.result or {}).get("listings")
        if isinstance(entries, list):
            for entry in entries:
                if not isinstance(entry, dict):
                    continue
                issues = entry.get("issues") or []
                codes = {str(i.get("code")) for i in issues if isinstance(i, dict)}
                listed.setdefault((sku, str(entry.get("marketplace_id"))), set()).update(codes)
            continue
        text = json.dumps(outcome.result or {}, ensure_ascii=False) + (outcome.error or "")
        asked = [str(m) for m in outcome.args.get("marketplace_ids") or []]
        plain.append((sku, text, asked))
    return listed, plain


def told(reported: Reports, sku: str, mp: str, code: str) -> bool:
    """Was issue ``code`` of ``sku`` in ``mp`` reported: in the listings entry, or in a
    plain report that names the code and the marketplace (or was asked about only it)?"""
    listed, plain = reported
    if code in listed.get((sku, mp), set()):
        return True
    return any(
        s == sku and code in text and (mp in text or asked == [mp]) for s, text, asked in plain
    )
