"""Response conformance: whatever the simulator answers, Amazon's schema for that status allows.

For every bundled operation, Hypothesis generates requests from the operation's own contract:
valid ones (realistic ids of the seeded world mixed with schema-generated values) and invalid
ones (a required parameter dropped, a wrong type, an enum misspelt, an array over its limit, a
wrong content type, no body, broken JSON), with the right, the wrong or no token. Each is sent
to a running simulator through SimTransport (its ASGI app in-process: the answers are judged
here, not the sockets, which tests/unit/test_sim_transport.py compares) and every answer
(2xx, 400, 403, 404, 409, 415...) must validate against the operation's response schema for
its status. A last pass exhausts every operation's burst so each 429 is checked too. The run
is derandomized (same examples in CI).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.contracts import Operation
from harness.sim import SimConfig, Simulator
from harness.sim.faults import FaultPlan, FaultRule
from harness.sim.handlers.notifications import NOTIFICATION_TYPES
from harness.sim.transport import SimTransport
from harness.sim.validate import validate_response

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(40)]

EXAMPLES = 30
US, CA, DE, GB, JP = (
    "ATVPDKIKX0DER",
    "A2EUQ1WTGCTBG2",
    "A1PA6795UKMFR9",
    "A1F83G8C2ARO7P",
    "A1VC38T7YXB528",
)
MUTATIONS = (
    "drop_required",
    "bad_type",
    "bad_enum",
    "too_many",
    "content_type",
    "no_body",
    "not_json",
)
TOKENS = ("right",) * 6 + ("wrong_kind", "none", "garbage")
SEEN: dict[str, set[int]] = {}


@dataclass
class Context:
    """The running simulator, tokens of each kind, and ids that exist in its world."""

    sim: Simulator
    http: httpx.Client
    access: str = ""
    grantless: str = ""
    rdt: dict[str, str] = field(default_factory=dict)
    known: dict[str, list[Any]] = field(default_factory=dict)

    def url(self, region: str, path: str) -> str:
        return self.sim.endpoints.regions[region] + path  # type: ignore[index]

    def lwa(self, form: dict[str, str]) -> str:
        creds = self.sim.core.credentials
        sent = {"client_id": creds.client_id, "client_secret": creds.client_secret, **form}
        response = self.http.post(self.sim.endpoints.lwa_token_url, data=sent)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def call(self, method: str, path: str, token: str, **kwargs: Any) -> httpx.Response:
        headers = {"x-amz-access-token": token, **kwargs.pop("headers", {})}
        return self.http.request(method, self.url("NA", path), headers=headers, **kwargs)


def _setup_world(ctx: Context) -> None:
    """Fresh world, tokens of each kind, and a report, destination and feed to refer to."""
    ctx.sim.reset(SimConfig(throttling=False, clock_speed=1.0))
    ctx.rdt.clear()  # tokens of the previous world are unknown to this one
    core = ctx.sim.core
    creds = core.credentials
    ctx.access = ctx.lwa({"grant_type": "refresh_token", "refresh_token": creds.refresh_token})
    ctx.grantless = ctx.lwa(
        {"grant_type": "client_credentials", "scope": "sellingpartnerapi::notifications"}
    )
    orders = sorted(core.state.orders.values(), key=lambda o: o.amazon_order_id)
    skus = sorted(core.state.commerce.catalogue)
    ctx.known = {
        "orderid": [o.amazon_order_id for o in orders],
        "sellerid": [creds.seller_id],
        "sku": ["ACORN-TOY-03", *skus],  # the one with a live offer everywhere comes first
        "marketplaceid": [US, CA, DE, GB, JP],
        "asin": [core.state.commerce.asin(s) for s in skus],
        "notificationtype": sorted(NOTIFICATION_TYPES)[:6],
        "reporttype": ["GET_MERCHANT_LISTINGS_ALL_DATA", "GET_FLAT_FILE_ORDER_REPORT_DATA_TAX"],
        "producttype": ["LUGGAGE", "SHIRT", "TOY_FIGURE", "HEADPHONES"],
        "feedtype": ["JSON_LISTINGS_FEED"],
        "payloadversion": ["1.0"],
        "granularitytype": ["Marketplace"],
        "itemcondition": ["New"],
        "uri": ["/products/pricing/2022-05-01/offer/featuredOfferExpectedPrice"],
        "method": ["GET"],
        "contenttype": ["application/json; charset=UTF-8"],
        "createdafter": ["2026-02-20T00:00:00Z"],
        "lastupdatedafter": ["2026-02-20T00:00:00Z"],
        "createdsince": ["2026-02-20T00:00:00Z"],
        "datastarttime": ["2026-02-20T00:00:00Z"],
    }
    for marketplace in ctx.known["marketplaceid"]:
        # A live offer per marketplace, so getListingsItem and friends can answer 200.
        ctx.http.patch(
            ctx.sim.endpoints.regions[core.contracts.marketplaces[marketplace].region]
            + f"/listings/2021-08-01/items/{creds.seller_id}/ACORN-TOY-03",
            params={"marketplaceIds": marketplace},
            headers={"x-amz-access-token": ctx.access},
            json={
                "productType": "TOY_FIGURE",
                "patches": [
                    {
                        "op": "replace",
                        "path": "/attributes/fulfillment_availability",
                        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 3}],
                    }
                ],
            },
        )
    for report_type in ctx.known["reporttype"]:
        created = ctx.call(
            "POST",
            "/reports/2021-06-30/reports",
            ctx.access,
            json={"reportType": report_type, "marketplaceIds": [US]},
        )
        assert created.status_code == 202, created.text
        ctx.known.setdefault("reportid", []).append(created.json()["reportId"])
    for report_type in ctx.known["reporttype"]:
        # One schedule per type (a second for the same type would replace the first).
        scheduled = ctx.call(
            "POST",
            "/reports/2021-06-30/schedules",
            ctx.access,
            json={"reportType": report_type, "marketplaceIds": [US], "period": "P1D"},
        )
        assert scheduled.status_code == 201, scheduled.text
        ctx.known.setdefault("reportscheduleid", []).append(scheduled.json()["reportScheduleId"])
    core.clock.advance(600)  # every report is DONE, so each has a document
    for report_id in ctx.known["reportid"]:
        report = ctx.call("GET", f"/reports/2021-06-30/reports/{report_id}", ctx.access).json()
        ctx.known.setdefault("reportdocumentid", []).append(report["reportDocumentId"])
    destination = ctx.call(
        "POST",
        "/notifications/v1/destinations",
        ctx.grantless,
        json={
            "name": "conformance",
            "resourceSpecification": {"sqs": {"arn": "arn:aws:sqs:us-east-1:1:q"}},
        },
    )
    assert destination.status_code == 200, destination.text
    ctx.known["destinationid"] = [destination.json()["payload"]["destinationId"]]
    for kind in ctx.known["notificationtype"][:1]:
        subscribed = ctx.call(
            "POST",
            f"/notifications/v1/subscriptions/{kind}",
            ctx.access,
            json={"payloadVersion": "1.0", "destinationId": ctx.known["destinationid"][0]},
        )
        assert subscribed.status_code == 200, subscribed.text
        ctx.known.setdefault("subscriptionid", []).append(
            subscribed.json()["payload"]["subscriptionId"]
        )
    document = ctx.call(
        "POST",
        "/feeds/2021-06-30/documents",
        ctx.access,
        json={"contentType": "application/json; charset=UTF-8"},
    )
    if document.status_code == 201:
        document_id = document.json()["feedDocumentId"]
        ctx.known["feeddocumentid"] = ctx.known["inputfeeddocumentid"] = [document_id]
        feed = ctx.call(
            "POST",
            "/feeds/2021-06-30/feeds",
            ctx.access,
            json={
                "feedType": "JSON_LISTINGS_FEED",
                "marketplaceIds": [US],
                "inputFeedDocumentId": document_id,
            },
        )
        if feed.status_code == 202:
            ctx.known["feedid"] = [feed.json()["feedId"]]


def _rdt(ctx: Context, op: Operation) -> str:
    if op.key not in ctx.rdt:
        resource: dict[str, Any] = {"method": op.method, "path": op.path}
        if op.operation_id in ("getOrders", "getOrder", "getOrderItems"):
            resource["dataElements"] = ["buyerInfo", "shippingAddress"]
        resources = [resource]
        if "{reportDocumentId}" in op.path:  # only specific paths for report documents
            resources = [
                {"method": op.method, "path": op.path.replace("{reportDocumentId}", doc)}
                for doc in ctx.known["reportdocumentid"]
            ]
        answer = ctx.call(
            "POST",
            "/tokens/2021-03-01/restrictedDataToken",
            ctx.access,
            json={"restrictedResources": resources},
        )
        assert answer.status_code == 200, answer.text
        ctx.rdt[op.key] = answer.json()["restrictedDataToken"]
    return ctx.rdt[op.key]


# -- values from schemas ---------------------------------------------------------------------


def _known_key(name: str | None) -> str | None:
    """``MarketplaceIds`` -> ``marketplaceid``, ``SellerSKU``/``Skus`` -> ``sku``..."""
    if not name:
        return None
    key = re.sub(r"ids$", "id", name.lower())
    plural = {"skus": "sku", "sellerskus": "sku", "sellersku": "sku", "asins": "asin"}
    plural["reporttypes"] = "reporttype"
    return plural.get(key, key)


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema:
        merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        for raw in schema["allOf"]:
            part = _resolve(raw, defs)
            merged["properties"].update(part.get("properties", {}))
            merged["required"] += part.get("required", [])
        return merged
    return schema


def values(
    known_values: dict[str, list[Any]],
    schema: dict[str, Any],
    defs: dict[str, Any],
    name: str | None = None,
    depth: int = 0,
) -> st.SearchStrategy[Any]:
    """Values valid for ``schema``; realistic ids of the seeded world where a name says so."""
    schema = _resolve(schema, defs)
    known = known_values.get(_known_key(name) or "")
    kind = schema.get("type")
    if known and kind != "array" and "enum" not in schema:
        return (
            st.sampled_from(known)
            | st.sampled_from(known)
            | st.sampled_from(known)
            | _strings(schema)
        )
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if kind == "array":
        inner = values(known_values, schema.get("items", {}), defs, name, depth + 1)
        low = schema.get("minItems", 1 if known else 0)
        high = min(schema.get("maxItems", 3), max(low, 3))
        return st.lists(inner, min_size=low, max_size=high)
    if kind == "integer":
        return st.integers(schema.get("minimum", 0), schema.get("maximum", 100))
    if kind == "number":
        return st.floats(schema.get("minimum", 0), schema.get("maximum", 1000), allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        build = {
            k: values(known_values, v, defs, k, depth + 1)
            for k, v in props.items()
            if k in required
        }
        optional = {}
        if depth < 3:
            optional = {
                k: values(known_values, v, defs, k, depth + 1)
                for k, v in props.items()
                if k not in required
            }
        if not props and isinstance(schema.get("additionalProperties"), dict):
            extra = values(known_values, schema["additionalProperties"], defs, None, depth + 1)
            return st.dictionaries(st.sampled_from(["a", "b", "c"]), extra, max_size=2)
        return st.fixed_dictionaries(build, optional=optional)
    return _strings(schema)


def _strings(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    if "pattern" in schema:
        return st.from_regex(schema["pattern"], fullmatch=True)
    low = schema.get("minLength", 1)
    high = min(schema.get("maxLength", 16), max(low, 16))
    alphabet = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    return st.text(alphabet, min_size=low, max_size=high)


# -- requests ----------------------------------------------------------------------------------


def _mutate_query(
    draw: st.DrawFn, op: Operation, mutation: str | None, query: dict[str, str]
) -> None:
    """Break the query the way ``mutation`` says, when the operation has such a parameter."""
    query_params = [p for p in op.parameters if p.location == "query"]
    if mutation == "drop_required":
        required = [p.name for p in query_params if p.required and p.name in query]
        if required:
            query.pop(draw(st.sampled_from(required)))
    elif mutation == "bad_type":
        typed = [
            p.name for p in query_params if p.schema.get("type") in ("integer", "boolean", "number")
        ]
        if typed:
            query[draw(st.sampled_from(typed))] = "not-a-number"
    elif mutation == "bad_enum":
        enums = [
            p.name
            for p in query_params
            if "enum" in p.schema or "enum" in p.schema.get("items", {})
        ]
        if enums:
            query[draw(st.sampled_from(enums))] = "NOT_AN_ENUM_VALUE"
    elif mutation == "too_many":
        limited = [p.name for p in query_params if "maxItems" in p.schema]
        if limited:
            name = draw(st.sampled_from(limited))
            limit = next(p.schema["maxItems"] for p in query_params if p.name == name)
            query[name] = ",".join([US] * (limit + 1))


def _token(draw: st.DrawFn, ctx: Context, op: Operation) -> str | None:
    """The right token for ``op`` (an RDT for a restricted one, sometimes), or a wrong one."""
    token_kind = draw(st.sampled_from(TOKENS))
    if token_kind == "right":
        if op.grantless:
            token: str | None = ctx.grantless
        elif op.restricted and draw(st.booleans()):
            token = _rdt(ctx, op)
        else:
            token = ctx.access
    elif token_kind == "wrong_kind":
        token = ctx.access if op.grantless else ctx.grantless
    elif token_kind == "garbage":
        token = "Atza|" + draw(st.text("abcdef0123456789", min_size=4, max_size=12))
    else:
        token = None
    return token


@st.composite
def exchanges(draw: st.DrawFn, ctx: Context, op: Operation) -> dict[str, Any]:
    """One request for ``op``: path, query, body, headers, token and region."""
    defs = dict(op.definitions)
    mutation = draw(st.sampled_from((None,) * 6 + MUTATIONS))
    # One marketplace per example, mostly sent to its own region: requests hang together.
    home = draw(st.sampled_from(ctx.known["marketplaceid"]))
    home_region = ctx.sim.core.contracts.marketplaces[home].region
    known = {**ctx.known, "marketplaceid": [home], "granularityid": [home]}
    path = op.path
    query: dict[str, str] = {}
    for p in op.parameters:
        if p.location == "header":
            continue
        value = draw(values(known, dict(p.schema), defs, p.name))
        if p.location == "path":
            path = path.replace("{" + p.name + "}", quote(str(value), safe="") or "x")
            continue
        if not p.required and not draw(st.booleans()):
            continue
        if isinstance(value, list):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = str(value).lower()
        query[p.name] = str(value)
    _mutate_query(draw, op, mutation, query)
    body: bytes | None = None
    headers: dict[str, str] = {}
    if op.request_body is not None and mutation != "no_body":
        document = draw(values(known, dict(op.request_body), defs, None))
        if mutation == "drop_required" and isinstance(document, dict) and document:
            document.pop(draw(st.sampled_from(sorted(document))))
        body = b"{not json" if mutation == "not_json" else json.dumps(document).encode()
        headers["content-type"] = "text/plain" if mutation == "content_type" else "application/json"
    token = _token(draw, ctx, op)
    if token is not None:
        headers["x-amz-access-token"] = token
    region = draw(st.sampled_from((home_region, home_region, home_region, "NA", "EU", "FE")))
    return {
        "method": op.method,
        "url": ctx.url(region, path),
        "params": query,
        "content": body,
        "headers": headers,
    }


def _check(op: Operation, response: httpx.Response, sent: dict[str, Any]) -> None:
    body: Any = None
    if response.content:
        assert response.headers.get("content-type", "").startswith("application/json"), (
            op.key,
            response.status_code,
            response.headers.get("content-type"),
        )
        body = response.json()
    problems = validate_response(op, response.status_code, body)
    SEEN.setdefault(op.key, set()).add(response.status_code)
    assert not problems, (
        f"{op.key} answered HTTP {response.status_code} off its schema: "
        f"{[p.message for p in problems]}\nrequest: {sent['method']} {sent['url']} "
        f"{sent['params']}\nbody: {json.dumps(body)[:600]}"
    )


# -- the tests ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ctx(sim: Simulator) -> Iterator[Context]:
    # In-process: the answers are what is judged, not the sockets (the same ASGI app serves
    # both; tests/unit/test_sim_transport.py proves they journal the same facts).
    with httpx.Client(timeout=5.0, transport=SimTransport(sim)) as client:
        context = Context(sim, client)
        _setup_world(context)
        yield context
    sim.reset(SimConfig())


def _operations() -> list[Operation]:
    from harness.contracts import load_contracts

    return sorted(load_contracts().operations, key=lambda op: op.key)


@pytest.mark.parametrize("op", _operations(), ids=lambda op: op.key)
def test_every_answer_conforms_to_the_response_schema(ctx: Context, op: Operation) -> None:
    _setup_world(ctx)

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(sent=exchanges(ctx, op))
    def one_request(sent: dict[str, Any]) -> None:
        response = ctx.http.request(
            sent["method"],
            sent["url"],
            params=sent["params"],
            content=sent["content"],
            headers=sent["headers"],
        )
        _check(op, response, sent)

    one_request()
    seen = SEEN.get(op.key, set())
    # The generator must reach both sides: accepted requests and refused ones.
    assert any(200 <= s < 300 for s in seen), f"{op.key}: no 2xx among {sorted(seen)}"
    assert 403 in seen, f"{op.key}: no 403 among {sorted(seen)}"
    if _can_be_invalid(op):
        assert 400 in seen, f"{op.key}: no 400 among {sorted(seen)}"


def _can_be_invalid(op: Operation) -> bool:
    """Has the operation anything a request can get wrong (a body, a constrained query)?"""
    constrained = (
        p.required or p.schema.get("type") != "string" or "enum" in p.schema
        for p in op.parameters
        if p.location == "query"
    )
    return op.request_body is not None or any(constrained)


@pytest.mark.parametrize("op", _operations(), ids=lambda op: op.key)
def test_throttled_answers_conform(sim: Simulator, ctx: Context, op: Operation) -> None:
    # Amazon's burst, an almost zero refill: burst + 1 requests meet a 429 however slowly a
    # loaded machine sends them (at Amazon's 5/s a 0.2 s gap refills the bucket each time).
    plan = {op.operation_id: (0.001, op.usage_plan.burst)}
    sim.reset(SimConfig(throttling=True, usage_plans=plan))
    creds = sim.core.credentials
    token = ctx.lwa(
        {"grant_type": "client_credentials", "scope": "sellingpartnerapi::notifications"}
        if op.grantless
        else {"grant_type": "refresh_token", "refresh_token": creds.refresh_token}
    )
    path = re.sub(r"\{[^}]+\}", "x", op.path)
    statuses = []
    for _ in range(op.usage_plan.burst + 1):
        response = ctx.http.request(
            op.method, ctx.url("NA", path), headers={"x-amz-access-token": token}
        )
        statuses.append(response.status_code)
        _check(op, response, {"method": op.method, "url": path, "params": {}})
    assert 429 in statuses, statuses


def test_injected_server_errors_conform(sim: Simulator, ctx: Context) -> None:
    """500 and 503 (fault plan presets, Amazon's bodies) on every operation fit its schemas."""
    operations = _operations()
    rules = []
    for op in operations:
        rules.append(FaultRule(op.operation_id, preset="internal_failure", on_calls=(1,)))
        rules.append(FaultRule(op.operation_id, preset="service_unavailable", on_calls=(2,)))
    sim.reset(SimConfig(throttling=False, faults=FaultPlan(tuple(rules))))
    creds = sim.core.credentials
    access = ctx.lwa({"grant_type": "refresh_token", "refresh_token": creds.refresh_token})
    app = ctx.lwa({"grant_type": "client_credentials", "scope": "sellingpartnerapi::notifications"})
    for op in operations:
        path = re.sub(r"\{[^}]+\}", "x", op.path)
        headers = {"x-amz-access-token": app if op.grantless else access}
        statuses = []
        for _ in range(2):
            response = ctx.http.request(op.method, ctx.url("NA", path), headers=headers)
            statuses.append(response.status_code)
            _check(op, response, {"method": op.method, "url": path, "params": {}})
        assert statuses == [500, 503], (op.key, statuses)
