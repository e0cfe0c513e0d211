"""CONTRACT-01: the integration sends only requests its SP-API contract allows.

The simulator validates every routed request against the operation's contract before any
business logic, answers a violation with the API's own 400 (or 415 for a wrong content type),
and records each finding in the journal as ``facts["contract_violations"]``: the exact field,
the JSON Schema rule it broke and a message. This check reads those findings only; it never
re-validates, so its verdict is exactly what the integration was told at the time.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from harness.checks.facts import facts_of
from harness.checks.model import Attachment, Check, Judgement, Observation
from harness.sim.journal import Exchange

__all__ = ["CONTRACT_01", "violations_of"]


def violations_of(exchange: Exchange) -> list[dict[str, Any]]:
    """The contract findings the simulator recorded for one exchange (empty if valid)."""
    found = facts_of(exchange).contract_violations
    return [v for v in found if isinstance(v, dict)]


def _matrix(invalid: list[Exchange]) -> Attachment:
    """Operation x field x rule counts, so a developer sees the pattern at a glance."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for exchange in invalid:
        for v in violations_of(exchange):
            counts[(exchange.operation or "unrouted", str(v.get("field")), str(v.get("rule")))] += 1
    lines = ["| operation | field | rule | requests |", "|---|---|---|---|"]
    for (operation, field, rule), n in sorted(counts.items()):
        lines.append(f"| {operation} | `{field}` | {rule} | {n} |")
    return Attachment(
        "contract-violations", ("\n".join(lines) + "\n").encode(), "text/markdown", "md"
    )


def _judge(obs: Observation) -> Judgement:
    # Only requests that passed authentication and throttling reached validation.
    routed = [e for e in obs.sp_api() if facts_of(e).contract in ("valid", "invalid")]
    if not routed:
        return Judgement(None, "No SP-API request of the integration reached validation.")
    invalid = [e for e in routed if violations_of(e)]
    by_rule: Counter[str] = Counter(str(v.get("rule")) for e in invalid for v in violations_of(e))
    metrics: dict[str, Any] = {
        "requests_checked": len(routed),
        "invalid_requests": len(invalid),
        "violations_by_rule": dict(sorted(by_rule.items())),
    }
    if not invalid:
        operations = sorted({e.operation or "" for e in routed})
        return Judgement(
            True,
            f"All {len(routed)} SP-API requests matched their contracts ({', '.join(operations)}).",
            metrics=metrics,
        )
    evidence = []
    for exchange in invalid:
        for v in violations_of(exchange):
            evidence.append(
                f"{exchange.summary()}: field {v.get('field')} broke rule {v.get('rule')}: "
                f"{v.get('message')}"
            )
    first = violations_of(invalid[0])[0]
    fields = sorted({str(v.get("field")) for e in invalid for v in violations_of(e)})
    return Judgement(
        False,
        f"{len(invalid)} of {len(routed)} SP-API requests broke their contract and were refused "
        f"by Amazon's request validation (fields: {', '.join(fields)}); the first: "
        f"{invalid[0].operation} {first.get('field')} ({first.get('rule')}).",
        evidence,
        metrics,
        [_matrix(invalid)],
    )


CONTRACT_01 = Check(
    id="CONTRACT-01",
    title="Sends only requests the SP-API contract allows",
    area="Contracts",
    severity="critical",
    requirement="Every SP-API request matches its operation's published contract: required "
    "path and query parameters, types, enum values, array limits (e.g. one marketplace on "
    "listings PUT/DELETE), the JSON body schema and the application/json content type.",
    why="Amazon refuses a request that breaks the model with a 400 (or 415) before doing "
    "anything: the price, stock or shipment the seller meant to send never happens, and "
    "retrying the same request only burns the usage plan.",
    remediation="Fix the field and rule named in the evidence: build requests from Amazon's "
    "models (or a generated SDK), send one marketplace where the model allows one, use the "
    "model's enum spellings exactly, and send JSON bodies as application/json.",
    judge=_judge,
    needs=("sync_orders|publish_listing|update_price|update_inventory",),
    brief="Every SP-API request matches its operation's contract (parameters, enums, limits "
    "such as one marketplace on listings PUT/DELETE, body schema, content type).",
).register()
