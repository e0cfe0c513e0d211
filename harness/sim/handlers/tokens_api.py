"""Tokens 2021-03-01: Restricted Data Tokens for specific or generic restricted paths."""

from __future__ import annotations

from harness.sim.handlers.base import Ctx, Handler
from harness.sim.http import Reply
from harness.sim.tokens import RestrictedResource
from harness.sim.validate import Violation

__all__ = ["HANDLERS"]

# Operations whose path takes dataElements (facts sheet section 6).
_DATA_ELEMENT_OPERATIONS = {"getOrders", "getOrder", "getOrderItems"}
_DATA_ELEMENTS = {"buyerInfo", "shippingAddress", "buyerTaxInformation"}
# Restricted operations that need a role without taking dataElements (the role is implied).
_IMPLIED_ROLE = {
    "getOrderAddress": "shippingAddress",
    "getOrderBuyerInfo": "buyerInfo",
    "getOrderItemsBuyerInfo": "buyerInfo",
}


def create_restricted_data_token(ctx: Ctx) -> Reply:
    if ctx.token is not None and ctx.token.kind == "rdt":
        return ctx.error(403, "Unauthorized", "Access to requested resource is denied.", "")
    body = ctx.request.json()
    if len(body["restrictedResources"]) > 50:
        # "Maximum: 50" is stated in the model's description, not in its schema.
        reply = ctx.bad_request("restrictedResources holds at most 50 resources.")
        reply.facts["contract_violations"] = [
            Violation(
                "body.restrictedResources", "maxItems", "body.restrictedResources: at most 50."
            ).to_dict()
        ]
        reply.facts["contract"] = "invalid"
        return reply
    resources = []
    for raw in body["restrictedResources"]:
        method, path = raw["method"], raw["path"]
        elements = tuple(raw.get("dataElements", []))
        if not path:
            return ctx.error(
                400,
                "InvalidRequest",
                "Request is missing or has invalid parameters",
                "Resource not provided.",
            )
        match = ctx.core.contracts.match(method, path.replace("{", "").replace("}", ""))
        if match is None or not match.operation.restricted:
            return ctx.error(
                400,
                "InvalidInput",
                f"The path {path} with method {method} is not a restricted resource.",
                "",
            )
        if match.operation.operation_id == "getReportDocument" and "{" in path:
            # Tokens guide: a report document only with its specific path (exact text ours).
            return ctx.error(
                400,
                "InvalidInput",
                f"The path {path} must name one report document; generic paths are not "
                "supported for getReportDocument.",
                "",
            )
        if elements and match.operation.operation_id not in _DATA_ELEMENT_OPERATIONS:
            return ctx.error(400, "InvalidInput", f"dataElements are not supported for {path}.", "")
        unknown = [e for e in elements if e not in _DATA_ELEMENTS]
        if unknown:
            return ctx.error(400, "InvalidInput", f"Invalid dataElements: {unknown}.", "")
        roles = ctx.core.config.app_roles
        if not roles:
            return ctx.error(
                400, "InvalidInput", "The application isn't configured with roles.", ""
            )
        implied = _IMPLIED_ROLE.get(match.operation.operation_id)
        needed = elements or ((implied,) if implied else ())
        missing = [e for e in needed if e not in roles]
        if missing:
            return ctx.error(
                400,
                "InvalidInput",
                "Application does not have access to one or more requested data elements: "
                f"[{', '.join(missing)}]",
                "",
            )
        resources.append(RestrictedResource(method, path, elements))
    token = ctx.core.tokens.issue_rdt(tuple(resources))
    return Reply(
        200,
        {"restrictedDataToken": token.value, "expiresIn": token.expires_in},
        facts={"issued_token": token.id, "expires_in": token.expires_in},
    )


HANDLERS: dict[str, Handler] = {"createRestrictedDataToken": create_restricted_data_token}
