"""The bundled contracts, routing, and the refusal of malformed contract folders.

A malformed file must be refused with a :class:`ContractError` naming the file, the field (a
JSON pointer) and what was expected (contracts/README.md), so a user can fix it unaided.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from harness.contracts import ContractSet, default_contracts_dir, load_contracts
from harness.errors import ContractError

CONTRACTS = default_contracts_dir()
SELLERS = "apis/sellers-v1.json"
ORDERS = "apis/orders-v0.json"


@pytest.fixture(scope="module")
def contracts() -> ContractSet:
    return load_contracts()


def raw_api_files() -> dict[str, dict[str, Any]]:
    return {
        p.name: json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((CONTRACTS / "apis").glob("*.json"))
    }


# ---------------------------------------------------------------------------------------------
# The bundled contracts
# ---------------------------------------------------------------------------------------------


def test_default_folder_is_the_bundled_contracts() -> None:
    assert CONTRACTS.is_dir()
    assert (CONTRACTS / "marketplaces.json").is_file()
    assert (CONTRACTS / "README.md").is_file()


def test_every_operation_in_the_files_is_loaded(contracts: ContractSet) -> None:
    in_files = {
        (data["api"], data["version"], op_id, op["method"], op["path"])
        for data in raw_api_files().values()
        for op_id, op in data["operations"].items()
    }
    loaded = {
        (op.api, op.version, op.operation_id, op.method, op.path) for op in contracts.operations
    }

    assert len(contracts.operations) >= 13
    assert loaded == in_files
    assert len({op.key for op in contracts.operations}) == len(contracts.operations)


@pytest.mark.parametrize(
    ("operation_id", "method", "path", "envelope"),
    [
        ("getOrders", "GET", "/orders/v0/orders", "payload"),
        ("getOrder", "GET", "/orders/v0/orders/{orderId}", "payload"),
        ("getOrderAddress", "GET", "/orders/v0/orders/{orderId}/address", "payload"),
        ("getOrderBuyerInfo", "GET", "/orders/v0/orders/{orderId}/buyerInfo", "payload"),
        ("getOrderItems", "GET", "/orders/v0/orders/{orderId}/orderItems", "payload"),
        ("getMarketplaceParticipations", "GET", "/sellers/v1/marketplaceParticipations", "payload"),
        ("createRestrictedDataToken", "POST", "/tokens/2021-03-01/restrictedDataToken", "bare"),
        ("getListingsItem", "GET", "/listings/2021-08-01/items/{sellerId}/{sku}", "bare"),
        ("putListingsItem", "PUT", "/listings/2021-08-01/items/{sellerId}/{sku}", "bare"),
        ("patchListingsItem", "PATCH", "/listings/2021-08-01/items/{sellerId}/{sku}", "bare"),
        ("deleteListingsItem", "DELETE", "/listings/2021-08-01/items/{sellerId}/{sku}", "bare"),
    ],
)
def test_core_operations(contracts: ContractSet, operation_id, method, path, envelope) -> None:
    op = contracts.operation(operation_id)

    assert (op.method, op.path, op.envelope) == (method, path, envelope)
    assert contracts.operation(op.key) is op
    assert op.source.endswith(".json")
    assert Path(op.source).is_file()


def test_usage_plans_and_flags_come_from_the_files(contracts: ContractSet) -> None:
    get_orders = contracts.operation("getOrders")
    participations = contracts.operation("getMarketplaceParticipations")

    assert (get_orders.usage_plan.rate, get_orders.usage_plan.burst) == (0.0167, 20)
    assert (participations.usage_plan.rate, participations.usage_plan.burst) == (0.016, 15)
    assert get_orders.restricted
    assert not participations.restricted
    assert contracts.operation("getOrderAddress").restricted
    marketplace_ids = next(p for p in get_orders.parameters if p.name == "MarketplaceIds")
    assert marketplace_ids.required
    assert marketplace_ids.location == "query"


# Issue 3's coverage list with the plans of shared/docs/usage_plans.csv (rate/s, burst), and
# the two flags the pipeline authenticates by (restricted: RDT unlocks PII; grantless).
COVERAGE = {
    "orders/v0/getOrders": (0.0167, 20, True, False),
    "orders/v0/getOrder": (0.5, 30, True, False),
    "orders/v0/getOrderItems": (0.5, 30, True, False),
    "orders/v0/getOrderAddress": (0.5, 30, True, False),
    "orders/v0/getOrderBuyerInfo": (0.5, 30, True, False),
    "orders/v0/confirmShipment": (2.0, 10, False, False),
    "listings-items/2021-08-01/getListingsItem": (5.0, 10, False, False),
    "listings-items/2021-08-01/putListingsItem": (5.0, 10, False, False),
    "listings-items/2021-08-01/patchListingsItem": (5.0, 5, False, False),
    "listings-items/2021-08-01/deleteListingsItem": (5.0, 5, False, False),
    "listings-items/2021-08-01/searchListingsItems": (5.0, 5, False, False),
    "reports/2021-06-30/createReport": (0.0167, 15, False, False),
    "reports/2021-06-30/getReport": (2.0, 15, False, False),
    "reports/2021-06-30/getReportDocument": (0.0167, 15, True, False),
    "fba-inventory/v1/getInventorySummaries": (2.0, 2, False, False),
    "product-pricing/v0/getPricing": (0.5, 1, False, False),
    "product-pricing/v0/getListingOffers": (1.0, 2, False, False),
    "product-pricing/2022-05-01/getFeaturedOfferExpectedPriceBatch": (0.033, 1, False, False),
    "tokens/2021-03-01/createRestrictedDataToken": (1.0, 10, False, False),
    "sellers/v1/getMarketplaceParticipations": (0.016, 15, False, False),
    "notifications/v1/createDestination": (1.0, 5, False, True),
    "notifications/v1/getDestinations": (1.0, 5, False, True),
    "notifications/v1/createSubscription": (1.0, 5, False, False),
    "notifications/v1/getSubscription": (1.0, 5, False, False),
    "notifications/v1/deleteDestination": (1.0, 5, False, True),
    "notifications/v1/deleteSubscriptionById": (1.0, 5, False, True),
}


@pytest.mark.parametrize("key", sorted(COVERAGE))
def test_issue_3_coverage_usage_plans_and_flags(contracts: ContractSet, key: str) -> None:
    op = contracts.operation(key)
    rate, burst, restricted, grantless = COVERAGE[key]
    assert (op.usage_plan.rate, op.usage_plan.burst) == (rate, burst)
    assert (op.restricted, op.grantless) == (restricted, grantless)


# v1 operations whose success body Amazon's model does not wrap in payload (a bare {}).
BARE_V1 = {"notifications/v1/deleteDestination", "notifications/v1/deleteSubscriptionById"}


def test_dated_apis_are_bare_and_v0_v1_apis_use_payload(contracts: ContractSet) -> None:
    for op in contracts.operations:
        dated = re.fullmatch(r"\d{4}-\d{2}-\d{2}", op.version) is not None
        bare = dated or op.key in BARE_V1
        assert op.envelope == ("bare" if bare else "payload"), op.key


def test_unknown_operation_lookup_names_the_known_ones(contracts: ContractSet) -> None:
    with pytest.raises(KeyError, match="getOrders"):
        contracts.operation("getNothing")


def test_marketplaces(contracts: ContractSet) -> None:
    marketplaces = contracts.marketplaces

    assert len(marketplaces) == 23
    countries = {m.country for m in marketplaces.values()}
    assert "GB" in countries
    assert "UK" not in countries
    uk = marketplaces["A1F83G8C2ARO7P"]
    assert (uk.country, uk.region, uk.currency) == ("GB", "EU", "GBP")
    assert marketplaces["ATVPDKIKX0DER"].region == "NA"
    assert marketplaces["A1VC38T7YXB528"].region == "FE"
    assert {m.id for m in contracts.marketplaces_in("FE")} == {
        "A19VAU5U5O7RUS",
        "A39IBJ37TRP1C6",
        "A1VC38T7YXB528",
    }
    assert sum(len(contracts.marketplaces_in(r)) for r in ("NA", "EU", "FE")) == 23


def test_every_response_schema_is_a_valid_schema(contracts: ContractSet) -> None:
    checked = 0
    for op in contracts.operations:
        for status in op.responses:
            schema = op.response_schema(status)
            assert schema is not None
            Draft7Validator.check_schema(schema)
            checked += 1
    assert checked >= len(contracts.operations)


def test_every_response_schema_resolves_its_top_level_ref(contracts: ContractSet) -> None:
    """Validating an empty object walks the top-level $ref, so a dangling one raises."""
    for op in contracts.operations:
        for status in op.responses:
            schema = op.response_schema(status)
            assert schema is not None
            list(Draft7Validator(schema).iter_errors({}))


# ---------------------------------------------------------------------------------------------
# Routing
# ---------------------------------------------------------------------------------------------


def test_more_literal_route_wins(contracts: ContractSet) -> None:
    address = contracts.match("GET", "/orders/v0/orders/902-3159896-1390916/address")
    order = contracts.match("GET", "/orders/v0/orders/902-3159896-1390916")

    assert address is not None
    assert address.operation.operation_id == "getOrderAddress"
    assert address.path_params == {"orderId": "902-3159896-1390916"}
    assert order is not None
    assert order.operation.operation_id == "getOrder"
    assert order.path_params == {"orderId": "902-3159896-1390916"}


def test_routes_of_every_bundled_operation_match_themselves(contracts: ContractSet) -> None:
    for op in contracts.operations:
        concrete = re.sub(r"\{[^}/]+\}", "X1", op.path)
        match = contracts.match(op.method.lower(), concrete)
        assert match is not None, op.key
        assert match.operation is op, f"{op.method} {concrete} routed to {match.operation.key}"


def test_route_with_trailing_slash(contracts: ContractSet) -> None:
    match = contracts.match("GET", "/sellers/v1/marketplaceParticipations/")

    assert match is not None
    assert match.operation.operation_id == "getMarketplaceParticipations"


@pytest.mark.parametrize(
    ("encoded", "sku"),
    [
        ("ACORN-MUG-01", "ACORN-MUG-01"),
        ("MY%20SKU", "MY SKU"),
        ("HC%2FBRUSH%2FPINK", "HC/BRUSH/PINK"),
        ("B2X_2443714%7C4", "B2X_2443714|4"),
    ],
)
def test_match_decodes_url_encoded_skus(contracts: ContractSet, encoded: str, sku: str) -> None:
    match = contracts.match("PUT", f"/listings/2021-08-01/items/A1SELLER/{encoded}")

    assert match is not None
    assert match.operation.operation_id == "putListingsItem"
    assert match.path_params == {"sellerId": "A1SELLER", "sku": sku}


def test_no_route_for_unknown_method_or_path(contracts: ContractSet) -> None:
    assert contracts.match("DELETE", "/orders/v0/orders") is None
    assert contracts.match("GET", "/orders/v0/nothing") is None
    assert contracts.match("GET", "/orders/v0/orders/1/address/extra") is None
    assert contracts.allowed_methods("/listings/2021-08-01/items/A1/SKU") == [
        "DELETE",
        "GET",
        "PATCH",
        "PUT",
    ]


_ROUTED = load_contracts()
_SEGMENTS = sorted(
    {seg for op in _ROUTED.operations for seg in op.path.split("/") if "{" not in seg}
)
_paths = st.lists(
    st.one_of(st.sampled_from(_SEGMENTS), st.sampled_from(["", "A1", "1%2F2", "{x}", "ü"])),
    max_size=7,
).map(lambda segs: "/" + "/".join(segs))
_filled = st.tuples(
    st.sampled_from(sorted(op.path for op in _ROUTED.operations)),
    st.sampled_from(["A1", "x%2Fy", "123-4567890-1234567", ""]),
    st.sampled_from(["", "/", "/extra"]),
).map(lambda t: re.sub(r"\{[^}/]+\}", t[1], t[0]) + t[2])


@settings(max_examples=300)
@given(
    method=st.sampled_from(["GET", "PUT", "POST", "PATCH", "DELETE", "get"]),
    path=st.one_of(_paths, _filled),
)
@example(method="GET", path="/orders/v0/orders/")
@example(method="GET", path="orders/v0/orders")
def test_indexed_routing_agrees_with_trying_every_route(method: str, path: str) -> None:
    """``match`` tries only the routes whose first segment can match: the same answer as
    trying every ranked route in turn."""
    contracts = _ROUTED
    expected = next(
        (
            op
            for op, regex in contracts._routes
            if op.method == method.upper() and regex.match(path)
        ),
        None,
    )
    found = contracts.match(method, path)
    assert (found.operation if found else None) is expected
    event("routed" if expected else "no route")


# ---------------------------------------------------------------------------------------------
# Malformed contract folders
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A private copy of contracts/ to break one file in."""
    target = tmp_path / "contracts"
    shutil.copytree(CONTRACTS, target)
    return target


def edit_json(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def refusal(folder: Path) -> str:
    with pytest.raises(ContractError) as info:
        load_contracts(folder)
    return str(info.value)


def test_the_unmodified_copy_loads(folder: Path) -> None:
    assert len(load_contracts(folder).operations) == len(load_contracts().operations)


def test_invalid_json_names_file_line_and_column(folder: Path) -> None:
    path = folder / SELLERS
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if '"title"' in line)
    lines[index] = lines[index] + ","  # `"title": "...",,` is a syntax error at the second comma
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    message = refusal(folder)

    assert str(path) in message
    assert f"line {index + 1}, column {len(lines[index])}" in message
    assert "JSON" in message


def test_rate_as_a_string(folder: Path) -> None:
    path = folder / SELLERS

    def change(data: dict[str, Any]) -> None:
        data["operations"]["getMarketplaceParticipations"]["usage_plan"]["rate"] = "0.016"

    edit_json(path, change)

    message = refusal(folder)

    assert str(path) in message
    assert "/operations/getMarketplaceParticipations/usage_plan/rate" in message
    assert "number" in message
    assert "'0.016'" in message


def test_missing_required_field(folder: Path) -> None:
    path = folder / ORDERS
    edit_json(path, lambda data: data["operations"]["getOrderAddress"].pop("method"))

    message = refusal(folder)

    assert str(path) in message
    assert "/operations/getOrderAddress" in message
    assert "'method' is a required property" in message


def test_unknown_method_value(folder: Path) -> None:
    path = folder / ORDERS

    def change(data: dict[str, Any]) -> None:
        data["operations"]["getOrder"]["method"] = "FETCH"

    edit_json(path, change)

    message = refusal(folder)

    assert str(path) in message
    assert "/operations/getOrder/method" in message
    assert "FETCH" in message
    assert "GET" in message


def test_unknown_top_level_field(folder: Path) -> None:
    path = folder / SELLERS
    edit_json(path, lambda data: data.update(envelop="payload"))

    message = refusal(folder)

    assert str(path) in message
    assert "envelop" in message
    assert "envelope" in message  # the allowed names are listed


def test_unknown_ref(folder: Path) -> None:
    path = folder / SELLERS

    def change(data: dict[str, Any]) -> None:
        response = data["definitions"]["GetMarketplaceParticipationsResponse"]
        response["properties"]["payload"]["$ref"] = "#/definitions/NoSuchSchema"

    edit_json(path, change)

    message = refusal(folder)

    assert str(path) in message
    assert "/definitions/GetMarketplaceParticipationsResponse/properties/payload/$ref" in message
    assert "NoSuchSchema" in message
    assert "unknown" in message


@pytest.mark.parametrize(
    ("where", "pointer"),
    [
        ("definition", "/definitions/Marketplace/properties/id/type"),
        ("response", "/operations/getMarketplaceParticipations/responses/200/maxItems"),
    ],
)
def test_invalid_json_schema_names_file_and_pointer(folder: Path, where: str, pointer: str) -> None:
    path = folder / SELLERS

    def change(data: dict[str, Any]) -> None:
        if where == "definition":
            data["definitions"]["Marketplace"]["properties"]["id"]["type"] = "strin"
        else:
            data["operations"]["getMarketplaceParticipations"]["responses"]["200"]["maxItems"] = -1

    edit_json(path, change)

    message = refusal(folder)

    assert str(path) in message
    assert pointer in message
    assert "not a valid JSON Schema" in message


def test_ref_outside_the_file(folder: Path) -> None:
    path = folder / SELLERS

    def change(data: dict[str, Any]) -> None:
        op = data["operations"]["getMarketplaceParticipations"]
        op["responses"]["200"] = {"$ref": "other.json#/definitions/X"}

    edit_json(path, change)

    message = refusal(folder)

    assert str(path) in message
    assert "/operations/getMarketplaceParticipations/responses/200/$ref" in message
    assert "#/definitions/" in message


def add_duplicate(folder: Path) -> Path:
    """Copy getOrders under a new id in another file: same method and path twice."""
    orders = json.loads((folder / ORDERS).read_text(encoding="utf-8"))
    path = folder / SELLERS

    def change(data: dict[str, Any]) -> None:
        twin = dict(orders["operations"]["getOrders"])
        twin["responses"] = {"200": {"type": "object"}}
        data["operations"]["listOrdersAgain"] = twin

    edit_json(path, change)
    return path


def test_operation_repeating_another_method_and_path(folder: Path) -> None:
    path = add_duplicate(folder)

    message = refusal(folder)

    # orders-v0.json sorts first, so the sellers file is the one that repeats it.
    assert str(path) in message
    assert "listOrdersAgain" in message
    assert "GET /orders/v0/orders" in message
    assert str(folder / ORDERS) in message


def test_operation_repeating_another_names_the_field(folder: Path) -> None:
    add_duplicate(folder)

    message = refusal(folder)

    assert "/operations/listOrdersAgain" in message


def test_marketplaces_file_errors_name_the_pointer(folder: Path) -> None:
    path = folder / "marketplaces.json"

    def change(data: dict[str, Any]) -> None:
        data["marketplaces"][2]["region"] = "SA"

    edit_json(path, change)

    message = refusal(folder)

    assert str(path) in message
    assert "/marketplaces/2/region" in message
    assert "'SA'" in message


def test_missing_folder_and_empty_apis(tmp_path: Path, folder: Path) -> None:
    with pytest.raises(ContractError, match="does not exist"):
        load_contracts(tmp_path / "nowhere")
    for api in (folder / "apis").glob("*.json"):
        api.unlink()
    with pytest.raises(ContractError, match="no API contracts"):
        load_contracts(folder)


def test_contract_errors_are_usage_errors_with_a_fix(folder: Path) -> None:
    path = folder / SELLERS
    path.write_text("{", encoding="utf-8")

    with pytest.raises(ContractError) as info:
        load_contracts(folder)

    assert info.value.where == str(path)
    assert info.value.fix
