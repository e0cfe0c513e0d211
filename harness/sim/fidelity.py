"""Fidelity notes: what the simulator accepted without knowing that Amazon would.

The simulator refuses only what Amazon's models, sandbox cases or docs/fidelity.md show Amazon
refusing (see contracts/README.md, "What the simulator refuses, and why"). Anything else it
accepts, and says so: the handler raises a note, the note travels in the exchange's
``facts["fidelity"]`` through the journal's masking, and the report lists the notes under
"Not verified against Amazon", never as a failure. A note says what ACORN accepted and why
that is not verified; it names operations and parameters, never a value the integration sent,
so it can carry no secret and no buyer PII.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

__all__ = ["NOTES", "FidelityNote", "fidelity_notes", "note_fact"]

NOTES: dict[str, str] = {
    "RDT-DATA-ELEMENTS-NOT-TAKEN": (
        "createRestrictedDataToken: dataElements on an operation that does not take them "
        "accepted (Amazon's model requires them only for getOrder/getOrders/getOrderItems; "
        "whether Amazon refuses them elsewhere is not documented)"
    ),
    "RDT-UNKNOWN-DATA-ELEMENT": (
        "createRestrictedDataToken: a dataElements name other than buyerInfo, "
        "shippingAddress, buyerTaxInformation accepted and ignored (the model lists "
        "'possible values include' without an enum; whether Amazon refuses others is not "
        "documented)"
    ),
    "RDT-ROLES-UNDECLARED": (
        "createRestrictedDataToken: buyerTaxInformation granted although the integration did "
        "not declare its app's roles (app_roles in acorn.toml); Amazon grants it only to an "
        "app with the Tax Invoicing role, which ACORN cannot see"
    ),
    "RDT-NOT-RESTRICTED-OPERATION": (
        "createRestrictedDataToken: a resource naming an operation that is not restricted "
        "accepted (the RDT then covers that path; whether Amazon refuses such resources is "
        "not documented)"
    ),
    "RPT-REPORT-TYPE-UNKNOWN": (
        "createReport/createReportSchedule/getReportSchedules: a reportType outside the "
        "GET_/SC_ families ACORN knows was accepted "
        "(Amazon refuses unknown types, per its sandbox case, but ACORN has no list of them: "
        "FEE_DISCOUNTS_REPORT, for one, is real)"
    ),
    "RPT-SCHEDULE-STARTS-NOW": (
        "createReportSchedule: no nextReportCreationTime, or one in the past, accepted; the "
        "first report is created at once (the model does not say when Amazon starts such a "
        "schedule, or whether it refuses a past time)"
    ),
    "INV-GRANULARITY-ID": (
        "getInventorySummaries: a granularityId other than the marketplace in marketplaceIds "
        "accepted; the marketplaceIds value was served (the model does not say how Amazon "
        "treats the mismatch)"
    ),
    "PRICING-NO-IDENTIFIERS": (
        "getPricing: no Asins/Skus for the ItemType accepted with an empty result (the model "
        "does not say that Amazon refuses it)"
    ),
    "NTF-UNKNOWN-TYPE": (
        "createSubscription/getSubscription: a notificationType ACORN does not know "
        "accepted (the model's notificationType is a free string; whether Amazon refuses "
        "unknown types, and how, is not documented)"
    ),
    "NTF-NO-RESOURCE": (
        "createDestination: a resourceSpecification with neither sqs nor eventBridge accepted "
        "(the model says applications 'should use one resource type'; how Amazon answers "
        "none is not documented)"
    ),
    "NTF-UNKNOWN-DESTINATION": (
        "createSubscription: a destinationId ACORN never issued accepted (whether Amazon "
        "refuses it, and how, is not documented)"
    ),
    "ROUTE-OUTSIDE-CONTRACTS": (
        "a method and path outside ACORN's contracts was answered 404 NotFound (Amazon may "
        "have such an operation: its models hold far more than ACORN simulates)"
    ),
    "OPERATION-NOT-SIMULATED": (
        "an operation in ACORN's contracts without a simulated handler was answered 501 (what "
        "Amazon answers was not simulated)"
    ),
    "LWA-SCOPE-UNKNOWN": (
        "LWA client_credentials: a scope outside ACORN's list (notifications, migration, "
        "client_credential:rotation) was refused with unauthorized_client; Amazon adds scopes "
        "with new grantless APIs, so whether it refuses this one is not verified"
    ),
    "PAGE-TOKEN-REFUSED": (
        "a pagination token ACORN never issued was refused with 400 (no page can be served "
        "from it; Amazon's exact answer to a foreign or mangled token is not documented)"
    ),
    "JSON-TOO-DEEP": (
        "a JSON body nested deeper than 100 levels was refused with 400 as unparseable "
        "(ACORN's journal and validator cannot hold it; Amazon's own nesting limit is not "
        "documented)"
    ),
    "BODY-SIZE-CAP": (
        "a request body over ACORN's cap (10 MiB SP-API, 64 MiB document URLs, 1 MiB LWA) was "
        "refused with 413 unread (the models declare 413 'The request size exceeded the "
        "maximum accepted size.' without a size or error code)"
    ),
    "LST-PRODUCT-TYPE-NAME": (
        "putListingsItem: a blank productType, or one with characters no "
        "product type name has, answered INVALID with an ACORN-worded issue (the model's "
        "productType is a free string; Amazon validates a PUT against its product type's "
        "schema, but its issue code for a non-existent type is not documented)"
    ),
    "LST-PRODUCT-TYPE-NO-SCHEMA": (
        "putListingsItem: a productType ACORN has no schema for was checked "
        "for structure only and accepted (Amazon has thousands of product types; whether this "
        "one exists is not known offline: pull its schema with `acorn product-types pull`)"
    ),
    "CONTENT-TYPE-MISSING": (
        "a JSON body sent without a Content-Type header was read as JSON (the models consume "
        "application/json and declare 415 for 'an unsupported format'; whether Amazon refuses "
        "a missing header is not documented)"
    ),
}
"""Every note code the simulator can raise, with its stable sentence."""


@dataclass(frozen=True)
class FidelityNote:
    """One thing ACORN accepted (or answered) without a source showing Amazon does the same."""

    code: str
    text: str
    subject: str = ""  # the operation the note arose on (never a value the client sent)
    count: int = 1
    first_request_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "text": self.text,
            "subject": self.subject,
            "count": self.count,
            "first_request_id": self.first_request_id,
        }


def note_fact(code: str, subject: str = "") -> dict[str, str]:
    """The journal form of one note (``facts["fidelity"]`` holds a list of these)."""
    if code not in NOTES:
        raise KeyError(f"unknown fidelity note {code!r}: register it in harness.sim.fidelity.NOTES")
    return {"code": code, "text": NOTES[code], "subject": subject}


class _Journaled(Protocol):
    @property
    def request_id(self) -> str: ...

    @property
    def facts(self) -> dict[str, Any]: ...


def fidelity_notes(exchanges: Iterable[_Journaled]) -> list[FidelityNote]:
    """The notes raised over ``exchanges``, one per (code, subject), in first-seen order,
    each with how often it arose and the request id of its first exchange."""
    seen: dict[tuple[str, str], FidelityNote] = {}
    for exchange in exchanges:
        raw = exchange.facts.get("fidelity")
        if not isinstance(raw, list):
            continue
        for item in raw:
            if not isinstance(item, Mapping) or not isinstance(item.get("code"), str):
                continue
            key = (str(item["code"]), str(item.get("subject") or ""))
            known = seen.get(key)
            seen[key] = (
                replace(known, count=known.count + 1)
                if known is not None
                else FidelityNote(
                    key[0],
                    str(item.get("text") or NOTES.get(key[0], "")),
                    key[1],
                    1,
                    exchange.request_id,
                )
            )
    return list(seen.values())
