"""Every refusal the simulator makes, each with the source that shows Amazon refusing.

Rule: the simulator refuses only what Amazon's models, its sandbox cases or
docs/fidelity.md show Amazon refusing; anything else it accepts with a fidelity
note (:mod:`harness.sim.fidelity`). Each place that answers 4xx passes one of these ids, the
journal records it in ``facts["refusal"]``, and contracts/README.md lists the same table
("What the simulator refuses, and why"); tests/unit/test_sim_refusals.py keeps code, registry
and table in step. A new refusal without a source does not belong here: accept and note
instead. In the sources, "fidelity §N" is section N of docs/fidelity.md (which lists this
registry too).
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.sim.fidelity import NOTES
from harness.sim.http import Reply

__all__ = ["REFUSALS", "Refusal", "fill_generated", "markdown_tables", "refuse"]


@dataclass(frozen=True)
class Refusal:
    id: str
    status: int
    code: str  # the error code sent ("per API" = the API's own 400 code, errors.py)
    what: str
    source: str


_M = "models/"  # paths below are inside shared/reference/sp-api-models

_ROWS = (
    # -- authentication, routing, throttling, contract (core.py, validate.py) ----------------
    Refusal("AUTH-TOKEN-MISSING", 403, "Unauthorized", "no x-amz-access-token header",
            "fidelity §2.2 (details 'Access token is missing in the request header.') [DG]"),
    Refusal("AUTH-TOKEN-INVALID", 403, "Unauthorized", "a token ACORN never issued",
            "fidelity §2.2 ('…revoked, malformed or invalid.'; selling-partner-api-docs#2147)"),
    Refusal("AUTH-TOKEN-REVOKED", 403, "Unauthorized",
            "a token the scenario revoked (TokenStore.revoke_all)",
            "fidelity §2.2 (same details: '…revoked, malformed or invalid.')"),
    Refusal("AUTH-TOKEN-EXPIRED", 403, "Unauthorized", "an access token or RDT past its expiry",
            "fidelity §2.2 ('The access token you provided has expired.') and §12 item 2"),
    Refusal("AUTH-RDT-NOT-COVERED", 403, "Unauthorized",
            "an RDT on a method/path it was not issued for",
            "fidelity §6 ('RDT used on a path/method not covered'; selling-partner-api-docs#1375)"),
    Refusal("AUTH-WRONG-GRANT", 403, "Unauthorized",
            "a grantless token on a seller operation, or a seller token on a grantless one",
            "fidelity §11 (grantless operations) [DG §Grantless]; notifications model: "
            "'The createDestination operation is grantless'; a seller token on getDestinations "
            "answered 403 Unauthorized: selling-partner-api-docs#994, jrl84/amazon-sp-api#20"),
    Refusal("ROUTE-UNKNOWN", 404, "NotFound", "a method and path that name no operation",
            "none for paths Amazon has: ACORN cannot answer what it does not simulate; raises "
            "fidelity note ROUTE-OUTSIDE-CONTRACTS"),
    Refusal("THROTTLED", 429, "QuotaExceeded", "the usage plan's bucket is empty",
            "fidelity §2.2 and §3 (token bucket per usage plan)"),
    Refusal("CONTRACT-SCHEMA", 400, "per API",
            "a request off its operation's parameters or body schema",
            "the operation in the models (contracts/apis mirror them; `acorn contracts diff` "
            "proves it); fidelity §2.2 400"),
    Refusal("CONTRACT-MEDIA-TYPE", 415, "UnsupportedMediaType",
            "a body with a Content-Type other than application/json (400 where 415 is "
            "not declared)",
            "the models' `consumes: application/json` and 415 'The request payload is in an "
            "unsupported format.'; fidelity §2.2"),
    Refusal("CONTRACT-JSON-DEPTH", 400, "per API",
            "a JSON body nested deeper than 100 levels",
            "none for the depth (Amazon's parser limit is not documented): the models' 400 "
            "'Request has missing or invalid parameters and cannot be parsed.' (fidelity §2.2); "
            "raises fidelity note JSON-TOO-DEEP"),
    Refusal("BODY-TOO-LARGE", 413, "RequestEntityTooLarge",
            "a body over 10 MiB (SP-API), 64 MiB (document URLs) or 1 MiB (LWA), refused "
            "before it is read",
            "252 models' 413 'The request size exceeded the maximum accepted size.' (facts "
            "§2.2); the caps and the code are not documented: raises fidelity note "
            "BODY-SIZE-CAP"),
    Refusal("NOT-SIMULATED", 501, "NotImplemented", "an operation in the contracts that ACORN "
            "has no handler for", "none: ACORN's own gap, never a judgement of the integration; "
            "raises fidelity note OPERATION-NOT-SIMULATED"),
    Refusal("NOT-FOUND", 404, "NotFound", "an order, feed, listing, subscription or product "
            "type that does not exist",
            "every model's 404 'The resource specified does not exist.'; fidelity §2.2"),
    # -- handlers: marketplaces and sellers ------------------------------------------------
    Refusal("MKT-UNKNOWN", 400, "per API", "a marketplace id that is not one of the 23",
            _M + "product-fees-api-model/productFeesV0.json 400 sandbox cases ('Incorrect "
            "Marketplace identifier.')"),
    Refusal("MKT-REGION", 403, "Unauthorized",
            "a marketplace (or order) of another region's endpoint",
            "fidelity §5 ('Calling a seller's data on the wrong regional endpoint fails', 403 "
            "with empty details; exact body UNVERIFIED there)"),
    Refusal("LST-OTHER-SELLER", 403, "Unauthorized", "a sellerId other than the seller's",
            "fidelity §2.2 (403 with empty details: seller not authorized)"),
    # -- handlers: operation rules stated in the models -------------------------------------
    Refusal("ORD-DOCUMENTED-LIMIT", 400, "InvalidInput",
            "getOrders OrderStatuses outside the listed values, MaxResultsPerPage outside 1-100",
            _M + "orders-api-model/ordersV0.json getOrders parameter descriptions; fidelity §11"),
    Refusal("ORD-CREATED-OR-UPDATED", 400, "InvalidInput",
            "getOrders without exactly one of CreatedAfter and LastUpdatedAfter",
            _M + "orders-api-model/ordersV0.json CreatedAfter/LastUpdatedAfter descriptions "
            "('Either … is required. Both cannot be empty.' / 'cannot be set when …')"),
    Refusal("ORD-DATE-FORMAT", 400, "InvalidInput",
            "getOrders CreatedAfter/LastUpdatedAfter that is not ISO 8601",
            _M + "orders-api-model/ordersV0.json ('The date must be in ISO 8601 format.')"),
    Refusal("PAGE-TOKEN", 400, "per API",
            "a pagination token ACORN never issued (getOrders, getInventorySummaries, "
            "searchListingsItems, getReports)",
            "none: no page can be served from it; raises fidelity note PAGE-TOKEN-REFUSED"),
    Refusal("LST-IDENTIFIERS-PAIR", 400, "BAD_REQUEST",
            "searchListingsItems with identifiers but no identifiersType, or the reverse",
            _M + "listings-items-api-model/listingsItems_2021-08-01.json ('This is required "
            "when …'); fidelity §7.1"),
    Refusal("RPT-REPORT-TYPE-INVALID", 400, "400",
            "createReport, createReportSchedule or getReportSchedules with a reportType "
            "no report type can be (not upper snake case, "
            "e.g. `orders-report`); an unknown type of the right shape is accepted with "
            "fidelity note RPT-REPORT-TYPE-UNKNOWN",
            _M + "reports-api-model/reports_2021-06-30.json createReport 400 sandbox case "
            "(an unknown reportType, 'Invalid input'); every documented type is upper snake "
            "case"),
    Refusal("RPT-DATE-FORMAT", 400, "400",
            "createReport dataStartTime/dataEndTime, createReportSchedule "
            "nextReportCreationTime that is not ISO 8601",
            _M + "reports-api-model/reports_2021-06-30.json CreateReportSpecification "
            "(format date-time, 'in ISO 8601 date time format')"),
    Refusal("RPT-UNKNOWN-REPORT", 400, "400", "getReport for an unknown reportId",
            _M + "reports-api-model/reports_2021-06-30.json getReport 400 sandbox case"),
    Refusal("RPT-TYPES-OR-TOKEN", 400, "400", "getReports with neither reportTypes nor nextToken",
            _M + "reports-api-model/reports_2021-06-30.json reportTypes ('Either reportTypes or "
            "nextToken is required.')"),
    Refusal("RPT-TOKEN-WITH-FILTERS", 400, "400", "getReports with nextToken and a filter",
            _M + "reports-api-model/reports_2021-06-30.json nextToken ('Specifying nextToken "
            "with any other parameters will cause the request to fail.')"),
    Refusal("RPT-UNKNOWN-SCHEDULE", 400, "400",
            "getReportSchedule or cancelReportSchedule for an unknown (or cancelled) "
            "reportScheduleId",
            _M + "reports-api-model/reports_2021-06-30.json getReportSchedule and "
            "cancelReportSchedule 400 sandbox cases"),
    Refusal("RPT-UNKNOWN-DOCUMENT", 400, "400",
            "getReportDocument for an unknown reportDocumentId",
            _M + "reports-api-model/reports_2021-06-30.json getReportDocument 400 sandbox case"),
    Refusal("RPT-RESTRICTED-NO-RDT", 403, "Unauthorized",
            "getReportDocument of a restricted report type without an RDT",
            "fidelity §6 (restricted report types need an RDT) [TOK21]"),
    Refusal("FEED-UNKNOWN-DOCUMENT", 400, "400", "createFeed with an unknown inputFeedDocumentId",
            _M + "feeds-api-model/feeds_2021-06-30.json createFeed 400 sandbox case "
            "(badDocumentId)"),
    Refusal("FEED-TYPES-OR-TOKEN", 400, "400", "getFeeds with neither feedTypes nor nextToken",
            _M + "feeds-api-model/feeds_2021-06-30.json feedTypes ('Either feedTypes or "
            "nextToken is required.')"),
    Refusal("FEED-CANCEL-NOT-QUEUED", 400, "400", "cancelFeed of a feed not IN_QUEUE",
            _M + "feeds-api-model/feeds_2021-06-30.json cancelFeed ('Only feeds with "
            "processingStatus=IN_QUEUE can be cancelled.', 400 sandbox case); fidelity §10.1"),
    Refusal("PRC-UNKNOWN-SKU", 400, "InvalidInput", "getListingOffers for a SKU with no offer",
            _M + "product-pricing-api-model/productPricingV0.json getListingOffers 400 "
            "sandbox case (SellerSKU)"),
    Refusal("PRC-BATCH-SIZE", 400, "InvalidInput",
            "getFeaturedOfferExpectedPriceBatch with no request or more than 40",
            _M + "product-pricing-api-model/productPricing_2022-05-01.json (minItems 1; "
            "'the batched list of up to 40 requests')"),
    Refusal("PRC-BATCH-URI", 400, "InvalidInput", "a batch item whose uri is not "
            "featuredOfferExpectedPrice",
            _M + "product-pricing-api-model/productPricing_2022-05-01.json BatchRequest.uri"),
    Refusal("NTF-SQS-ARN", 400, "InvalidInput",
            "createDestination with an sqs arn that is not an SQS queue ARN",
            _M + "notifications-api-model/notifications.json (SqsResource.arn pattern "
            "'^arn:aws:sqs:…'; the contract check usually answers first)"),
    Refusal("NTF-CONFLICT", 409, "Conflict",
            "a second destination for the same queue, a second subscription of a type",
            _M + "notifications-api-model/notifications.json createDestination/"
            "createSubscription 409 'The resource specified conflicts with the current state.'"),
    Refusal("PTD-KEYWORDS-AND-ITEMNAME", 400, "BAD_REQUEST",
            "searchDefinitionsProductTypes with keywords and itemName",
            _M + "product-type-definitions-api-model/definitionsProductTypes_2020-09-01.json "
            "('Cannot be used with itemName.')"),
    # -- createRestrictedDataToken ------------------------------------------------------------
    Refusal("RDT-TOO-MANY", 400, "InvalidRequest", "more than 50 restrictedResources",
            _M + "tokens-api-model/tokens_2021-03-01.json restrictedResources ('Maximum: 50')"),
    Refusal("RDT-NO-RESOURCE", 400, "InvalidRequest", "a resource with an empty path",
            _M + "tokens-api-model/tokens_2021-03-01.json 400 sandbox case ('Resource not "
            "provided.'); fidelity §6"),
    Refusal("RDT-NO-OPERATION", 400, "InvalidInput",
            "a resource whose method and path name no operation",
            _M + "tokens-api-model/tokens_2021-03-01.json 400 sandbox case (a path naming "
            "no operation)"),
    Refusal("RDT-GENERIC-REPORT-DOCUMENT", 400, "InvalidInput",
            "getReportDocument with a generic {reportDocumentId} path",
            "fidelity §6 ('For getReportDocument only a specific path is allowed') [TOK21]"),
    Refusal("RDT-NO-ROLES", 400, "InvalidInput", "the application has no roles",
            "fidelity §2.2 ('The application isn't configured with roles.') [J]"),
    Refusal("RDT-ROLE-MISSING", 400, "InvalidInput",
            "a data element (asked, or implied by getOrderAddress/BuyerInfo) whose role the "
            "application lacks",
            "fidelity §2.2 and §6 ('Application does not have access to one or more requested "
            "data elements') [J]; selling-partner-api-models#1723"),
    # -- LWA (lwa.py) -------------------------------------------------------------------------
    Refusal("LWA-NOT-POST", 400, "invalid_request", "a token request that is not a POST",
            "fidelity §1.1 ('a GET is rejected', third-party source; status and body not "
            "verified)"),
    Refusal("LWA-BODY-UNREADABLE", 400, "invalid_request",
            "a token request body that is neither a form nor a JSON object",
            "fidelity §1.4 missing-parameter row (an unreadable body carries none)"),
    Refusal("LWA-PARAM-MISSING", 400, "invalid_request",
            "grant_type, the grant's own parameter, or client_id/client_secret in neither the "
            "body nor an Authorization: Basic header",
            "fidelity §1.4 ('The request is missing a required parameter : …')"),
    Refusal("LWA-GRANT-TYPE", 400, "unsupported_grant_type", "an unknown grant_type",
            "fidelity §1.4"),
    Refusal("LWA-CLIENT", 401, "invalid_client", "a wrong or rotated-away client id/secret",
            "fidelity §1.4 and §1.6"),
    Refusal("LWA-REFRESH-TOKEN", 400, "invalid_grant", "a wrong or revoked refresh token",
            "fidelity §1.4"),
    Refusal("LWA-SCOPE", 400, "unauthorized_client",
            "a client_credentials scope ACORN does not know",
            "fidelity §1.4 (selling-partner-api-docs#1447); raises fidelity note "
            "LWA-SCOPE-UNKNOWN (ACORN's scope list may lag Amazon's)"),
    Refusal("LWA-CODE", 400, "invalid_grant", "an unknown, used or older-than-5-minutes code",
            "fidelity §1.2 (5 minutes) and §1.4 (selling-partner-api-models#1099)"),
    Refusal("LWA-UNKNOWN-PATH", 404, "not_found", "a path other than /auth/o2/token on LWA",
            "fidelity §1.1 (the one token path)"),
    # -- presigned document URLs (handlers/documents.py) --------------------------------------
    Refusal("S3-NOT-SIGNED", 403, "AccessDenied", "a document URL without X-Amz-Date/Expires",
            "fidelity §10.1 (presigned S3 URLs)"),
    Refusal("S3-SIGNATURE", 403, "SignatureDoesNotMatch", "a document URL altered or "
            "used with another method", "fidelity §10.1 (presigned S3 URLs)"),
    Refusal("S3-EXPIRED", 403, "AccessDenied", "a document URL past its 5 minutes",
            "fidelity §10.1 and §11 ('expires after 5 minutes')"),
    Refusal("S3-NO-KEY", 404, "NoSuchKey", "a document not uploaded or unknown",
            "fidelity §10.1 (S3 document store)"),
    Refusal("S3-CONTENT-TYPE", 403, "SignatureDoesNotMatch",
            "an upload whose Content-Type differs from createFeedDocument's",
            "fidelity §10.1 step 2 [FD21] and §12.1 F1 (status per S3, UNVERIFIED there)"),
    # -- sandbox and replay modes --------------------------------------------------------------
    Refusal("SANDBOX-NO-MATCH", 400, "InvalidInput",
            "static sandbox: no case matches ('Could not match input arguments')", "fidelity §4.2"),
    Refusal("REPLAY-NO-MATCH", 400, "InvalidInput",
            "cassette replay: no recorded exchange matches",
            "fidelity §4.2 (the sandbox's answer to an unmatched request; replay mimics it)"),
)  # fmt: skip

REFUSALS: dict[str, Refusal] = {r.id: r for r in _ROWS}


def refuse(rule: str, reply: Reply) -> Reply:
    """Mark ``reply`` as the refusal ``rule`` (journaled in ``facts["refusal"]``)."""
    if rule not in REFUSALS:
        raise KeyError(
            f"unregistered refusal {rule!r}: add it with its source to "
            "harness.sim.refusals._ROWS and to contracts/README.md, or accept with a "
            "fidelity note instead"
        )
    reply.facts["refusal"] = rule
    return reply


def markdown_tables() -> tuple[str, str]:
    """The refusal and fidelity-note tables of contracts/README.md, as they must read there
    (print them with ``python -c "from harness.sim.refusals import markdown_tables as t;
    print(*t(), sep='\\n\\n')"`` after changing a row)."""
    refusals = ["| refusal | status | code | when | source |", "|---|---|---|---|---|"]
    for r in REFUSALS.values():
        code = r.code if r.code == "per API" else f"`{r.code}`"
        refusals.append(f"| `{r.id}` | {r.status} | {code} | {r.what} | {r.source} |")
    notes = ["| note | what ACORN did, and why it is not verified |", "|---|---|"]
    notes += [f"| `{code}` | {text} |" for code, text in NOTES.items()]
    return "\n".join(refusals), "\n".join(notes)


def fill_generated(text: str) -> str:
    """``text`` (docs/fidelity.md) with its generated tables rewritten from the registries,
    between the ``<!-- generated: refusals -->`` / ``<!-- end: refusals -->`` markers (and
    ``notes``). tests/unit/test_fidelity_doc.py prints the command that rewrites the file."""
    for name, table in zip(("refusals", "notes"), markdown_tables(), strict=True):
        start, end = f"<!-- generated: {name} -->", f"<!-- end: {name} -->"
        if start not in text or end not in text:
            raise ValueError(f"the markers {start} ... {end} are missing")
        before, rest = text.split(start, 1)
        text = f"{before}{start}\n{table}\n{end}{rest.split(end, 1)[1]}"
    return text
