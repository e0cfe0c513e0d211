"""Tokens 2021-03-01: Restricted Data Tokens for specific or generic restricted paths."""

from __future__ import annotations

from typing import Any

from harness.sim.handlers.base import Ctx, Handler
from harness.sim.http import Reply
from harness.sim.tokens import RestrictedResource
from harness.sim.validate import Violation

__all__ = ["DATA_ELEMENTS", "HANDLERS"]

# Operations whose path takes dataElements: the model requires them for these three only
# (RestrictedResource.dataElements: "required only when getting an RDT for use with the
# getOrder, getOrders, or getOrderItems operation"). It says nothing about refusing them
# elsewhere, so they are accepted there with a fidelity note.
_DATA_ELEMENT_OPERATIONS = {"getOrders", "getOrder", "getOrderItems"}
# "Possible values include": a list, not an enum, so other names are accepted and unlock nothing.
DATA_ELEMENTS = ("buyerInfo", "shippingAddress", "buyerTaxInformation")
# Restricted operations that need a role without taking dataElements (the role is implied).
_IMPLIED_ROLE = {
    "getOrderAddress": "shippingAddress",
    "getOrderBuyerInfo": "buyerInfo",
    "getOrderItemsBuyerInfo": "buyerInfo",
}
_DENIED = "Access to requested resource is denied."


def create_restricted_data_token(ctx: Ctx) -> Reply:
    if ctx.token is not None and ctx.token.kind == "rdt":
        return ctx.error(403, "Unauthorized", _DENIED, "", rule="AUTH-RDT-NOT-COVERED")
    body = ctx.request.json()
    if len(body["restrictedResources"]) > 50:
        # "Maximum: 50" is stated in the model's description, not in its schema.
        reply = ctx.bad_request(
            "restrictedResources holds at most 50 resources.", rule="RDT-TOO-MANY"
        )
        reply.facts["contract_violations"] = [
            Violation(
                "body.restrictedResources", "maxItems", "body.restrictedResources: at most 50."
            ).to_dict()
        ]
        reply.facts["contract"] = "invalid"
        return reply
    resources = []
    for raw in body["restrictedResources"]:
        resource = _resource(ctx, raw)
        if isinstance(resource, Reply):
            return resource
        resources.append(resource)
    token = ctx.world.tokens.issue_rdt(tuple(resources))
    return Reply(
        200,
        {"restrictedDataToken": token.value, "expiresIn": token.expires_in},
        facts={"issued_token": token.id, "expires_in": token.expires_in},
    )


def _resource(ctx: Ctx, raw: dict[str, Any]) -> RestrictedResource | Reply:
    """One restricted resource, or the refusal Amazon is shown to make for it."""
    method, path = raw["method"], raw["path"]
    elements = tuple(raw.get("dataElements", []))
    if not path:
        return ctx.error(
            400,
            "InvalidRequest",
            "Request is missing or has invalid parameters",
            "Resource not provided.",
            rule="RDT-NO-RESOURCE",
        )
    match = ctx.world.contracts.match(method, path.replace("{", "").replace("}", ""))
    if match is None:
        return ctx.error(
            400,
            "InvalidInput",
            f"The path {path} with method {method} is not a restricted resource.",
            "",
            rule="RDT-NO-OPERATION",
        )
    operation = match.operation.operation_id
    if not match.operation.restricted:
        ctx.note("RDT-NOT-RESTRICTED-OPERATION", operation)
    if operation == "getReportDocument" and "{" in path:
        # Tokens guide: a report document only with its specific path (exact text ours).
        return ctx.error(
            400,
            "InvalidInput",
            f"The path {path} must name one report document; generic paths are not "
            "supported for getReportDocument.",
            "",
            rule="RDT-GENERIC-REPORT-DOCUMENT",
        )
    if elements and operation not in _DATA_ELEMENT_OPERATIONS:
        ctx.note("RDT-DATA-ELEMENTS-NOT-TAKEN", operation)
        elements = ()  # the path is covered; the implied role (below) decides, as without them
    if any(e not in DATA_ELEMENTS for e in elements):
        ctx.note("RDT-UNKNOWN-DATA-ELEMENT", operation)
        elements = tuple(e for e in elements if e in DATA_ELEMENTS)
    declared = ctx.world.config.app_roles
    if declared is None and "buyerTaxInformation" in elements:
        ctx.note("RDT-ROLES-UNDECLARED", operation)
    roles = DATA_ELEMENTS if declared is None else declared
    if not roles:
        return ctx.error(
            400,
            "InvalidInput",
            "The application isn't configured with roles.",
            "",
            rule="RDT-NO-ROLES",
        )
    implied = _IMPLIED_ROLE.get(operation)
    needed = elements or ((implied,) if implied else ())
    missing = [e for e in needed if e not in roles]
    if missing:
        return ctx.error(
            400,
            "InvalidInput",
            "Application does not have access to one or more requested data elements: "
            f"[{', '.join(missing)}]",
            "",
            rule="RDT-ROLE-MISSING",
        )
    return RestrictedResource(method, path, elements)


HANDLERS: dict[str, Handler] = {"createRestrictedDataToken": create_restricted_data_token}
