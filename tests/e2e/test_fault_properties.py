"""Property: whatever faults strike, the reference integration loses nothing and duplicates nothing.

Hypothesis generates fault schedules (which operations fail, on which calls, how: 5xx, 4xx,
403 with empty details, 429, timeouts, resets, truncated and malformed bodies, faults after
the write was applied). For each schedule the reference connector, in this process, syncs a
marketplace's orders and updates stock in two marketplaces over real HTTP, and three
invariants must hold:

- every order is synced (with its items) or the action reports failure;
- no write is applied twice (the simulator's state and journal agree);
- no request is retried without bound (at most six attempts in a row).

Deterministic in CI: ``derandomize=True`` makes every run try the same schedules. To replay a
failing example, copy the fault plan Hypothesis prints under "Falsifying example" (it is also
shown as TOML) into a file and load it with ``harness.sim.faults.load_fault_plan``, or pin it
with ``@example(...)``. To explore new schedules locally, run with
``ACORN_PROPERTY_SEED=<n>`` (the seed is printed on failure; the same seed replays it).

Time is scaled, not skipped: the connector's backoff base and read timeout are shortened so
a schedule costs a fraction of a second (the invariants do not depend on the durations).
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, note, seed, settings
from hypothesis import strategies as st

from harness.checks.errors import MAX_ATTEMPTS, request_key, retry_chains, write_applied
from harness.sim import SimConfig, Simulator
from harness.sim.faults import FaultPlan, FaultRule

US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"
SINCE = "2026-02-20T00:00:00Z"
SKU = "ACORN-MUG-01"
REFERENCE = Path(__file__).parents[2] / "examples" / "reference"
READS = ("getOrders", "getOrderItems", "getOrderAddress", "createRestrictedDataToken")
WRITES = ("patchListingsItem",)
STATUS_PRESETS = {
    "getOrders": ("service_unavailable", "internal_failure", "bad_request", "quota_exceeded"),
    "getOrderItems": ("service_unavailable", "internal_failure", "bad_request", "not_found"),
    "getOrderAddress": ("service_unavailable", "forbidden_empty_details", "not_found"),
    "createRestrictedDataToken": ("service_unavailable", "internal_failure", "bad_request"),
    "patchListingsItem": ("service_unavailable", "internal_failure", "bad_request"),
}
TRANSPORTS = ("timeout", "reset", "truncated", "malformed_json")
SETTINGS = settings(
    max_examples=int(os.environ.get("ACORN_PROPERTY_EXAMPLES", "40")),
    deadline=None,
    derandomize="ACORN_PROPERTY_SEED" not in os.environ,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    print_blob=True,
)


@st.composite
def fault_rules(draw: st.DrawFn) -> FaultRule:
    operation = draw(st.sampled_from(READS + WRITES))
    calls = tuple(sorted(draw(st.sets(st.integers(1, 6), min_size=1, max_size=4))))
    if draw(st.booleans()):
        kind: dict[str, Any] = {"preset": draw(st.sampled_from(STATUS_PRESETS[operation]))}
    else:
        kind = {"transport": draw(st.sampled_from(TRANSPORTS))}
    after_write = operation in WRITES and draw(st.booleans())
    return FaultRule(operation, on_calls=calls, after_write=after_write, **kind)


schedules = st.lists(fault_rules(), min_size=1, max_size=3).map(
    lambda rules: FaultPlan(tuple(rules), seed=1, client_timeout=0.2)
)


def as_toml(plan: FaultPlan) -> str:
    """The schedule as a fault-plan file, to replay a failing example."""
    lines = [f"seed = {plan.seed}", f"client_timeout = {plan.client_timeout}"]
    for rule in plan.rules:
        lines += ["", "[[fault]]", f'operation = "{rule.operation}"']
        lines.append(f"on_calls = {list(rule.on_calls)}")
        lines.append(
            f'preset = "{rule.preset}"' if rule.preset else f'transport = "{rule.transport}"'
        )
        if rule.after_write:
            lines.append("after_write = true")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def reference(sim: Simulator) -> Iterator[Any]:
    """The reference connector's module, configured for the simulator, with scaled time."""
    creds = sim.core.credentials
    env = {
        "SPAPI_LWA_TOKEN_URL": sim.endpoints.lwa_token_url,
        **{f"SPAPI_ENDPOINT_{r}": url for r, url in sim.endpoints.regions.items()},
        "LWA_CLIENT_ID": creds.client_id,
        "LWA_CLIENT_SECRET": creds.client_secret,
        "SPAPI_REFRESH_TOKEN": creds.refresh_token,
        "SPAPI_SELLER_ID": creds.seller_id,
        "SPAPI_READ_TIMEOUT": "0.2",
    }
    saved = {k: os.environ.get(k) for k in [*env, "CONNECTOR_LOG_FILE"]}
    os.environ.update(env)
    os.environ.pop("CONNECTOR_LOG_FILE", None)
    sys.path.insert(0, str(REFERENCE))
    import reference_connector
    from reference_connector import auth, client

    scaled = {(client, "BACKOFF_BASE"): 0.01, (auth, "LWA_BACKOFF_BASE"): 0.01}
    originals = {key: getattr(*key) for key in scaled}
    for (module, attr), factor in scaled.items():
        setattr(module, attr, factor)
    try:
        yield reference_connector
    finally:
        for (module, attr), original in originals.items():
            setattr(module, attr, original)
        sys.path.remove(str(REFERENCE))
        for var, was in saved.items():
            if was is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = was


def run_reference(sim: Simulator, reference: Any, plan: FaultPlan) -> tuple[Any, Any]:
    sim.reset(SimConfig(faults=plan, throttling=False))
    with reference.Connector() as connector:
        synced = connector.sync_orders({"marketplace_ids": [US], "created_after": SINCE})
        stock = connector.update_inventory(
            {
                "sku": SKU,
                "product_type": "HOME_BED_AND_BATH",
                "marketplace_ids": [US, CA],
                "quantity": 4,
            }
        )
    return synced, stock


def check_invariants(sim: Simulator, synced: dict[str, Any], stock: dict[str, Any]) -> None:
    exchanges = sim.journal.sp_api()
    # 1. every order is synced with its items, or the action reports failure
    expected = {o.amazon_order_id: len(o.items) for o in sim.core.state.orders_in([US])}
    got = {o["amazon_order_id"]: len(o["items"]) for o in synced["orders"]}
    unsynced = [oid for oid, n in expected.items() if got.get(oid) != n]
    if unsynced:
        assert synced["ok"] is False, f"orders {unsynced} lost, yet the sync said ok"
        assert synced["errors"], f"orders {unsynced} lost without an error entry"
    for marketplace in (US, CA):
        if marketplace not in stock["updated"]:
            assert stock["ok"] is False, f"stock in {marketplace} not updated, yet ok"
    # 2. no write applied twice
    applied = Counter(request_key(e) for e in exchanges if write_applied(e))
    assert all(n == 1 for n in applied.values()), f"duplicate writes: {applied}"
    offers = sim.core.state.listings[SKU].offers
    assert all(len(offer.submissions) <= 1 for offer in offers.values()), offers
    # 3. no unbounded retries
    longest = max((len(c) for c in retry_chains(exchanges)), default=0)
    assert longest <= MAX_ATTEMPTS, f"a request was sent {longest} times in a row"


def _property(sim: Simulator, reference: Any, plan: FaultPlan) -> None:
    note(f"fault plan as TOML:\n{as_toml(plan)}")
    synced, stock = run_reference(sim, reference, plan)
    check_invariants(sim, synced, stock)


if "ACORN_PROPERTY_SEED" in os.environ:
    _property = seed(int(os.environ["ACORN_PROPERTY_SEED"]))(_property)


@SETTINGS
@given(plan=schedules)
def test_reference_survives_every_fault_schedule(
    sim: Simulator, reference: Any, plan: FaultPlan
) -> None:
    _property(sim, reference, plan)


def test_the_invariants_catch_a_duplicate_write(sim: Simulator, reference: Any) -> None:
    """The property is not vacuous: a blind retry after an after-write 500 breaks invariant 2."""
    plan = FaultPlan(
        (
            FaultRule(
                "patchListingsItem", on_calls=(1,), preset="internal_failure", after_write=True
            ),
        )
    )
    sim.reset(SimConfig(faults=plan, throttling=False))
    with reference.Connector() as connector:
        token = connector._lwa.get()
    path = f"/listings/2021-08-01/items/{sim.core.credentials.seller_id}/{SKU}"
    body = {
        "productType": "HOME_BED_AND_BATH",
        "patches": [
            {
                "op": "replace",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 4}],
            }
        ],
    }
    with httpx.Client(trust_env=False) as blind:
        for _ in range(2):  # a naive retry loop
            blind.patch(
                sim.endpoints.regions["NA"] + path,
                params={"marketplaceIds": US},
                headers={"x-amz-access-token": token},
                json=body,
            )
    synced = {"ok": False, "errors": [{"operation": "getOrders"}], "orders": []}
    stock = {"ok": True, "updated": [US, CA]}

    with pytest.raises(AssertionError, match=r"duplicate writes"):
        check_invariants(sim, synced, stock)


def test_the_property_finds_a_schedule_that_breaks_a_blind_writer(
    sim: Simulator, reference: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without its read-back, the reference re-sends writes blindly; the search must notice."""
    from reference_connector import listings

    monkeypatch.setattr(listings.ListingsWriter, "_landed", lambda *args: False)

    @settings(SETTINGS, max_examples=80, phases=[Phase.generate])
    @given(plan=schedules)
    def broken(plan: FaultPlan) -> None:
        _property(sim, reference, plan)

    with pytest.raises(AssertionError, match=r"duplicate writes|submissions"):
        broken()
