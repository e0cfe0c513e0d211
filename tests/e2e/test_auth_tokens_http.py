"""AUTH-01 and AUTH-02 bind integrations run as one process per action (command driver).

Such a process fetches a fresh token every action, so a token that outlives its announced
expiry, or a 403 for an expired token, can only happen inside one action. The auth scenarios
(scenarios/test_auth_tokens.py, run by pytest with ACORN's plugin exactly as `acorn run` does)
are played against three command-driver integrations built on tests/e2e/clients/
command_client.py: one with good habits, one that keeps its token for a hard-coded hour, one
that never retries after an expired-token 403.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from clients.integrations import command_integration, start_scenarios, verdicts

from conftest import World
from harness.sim import SimConfig

pytestmark = pytest.mark.e2e

CLIENTS = {"good": "", "hard-coded-hour": "--ignore-expires-in", "no-retry": "--no-retry"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, dict[str, Any]]]:
    """The three integrations at once (three processes): their verdicts are independent."""
    base = tmp_path_factory.mktemp("token-command")
    procs = {
        name: start_scenarios(
            "test_auth_tokens.py",
            command_integration(base / name, flags, ("sync_orders",)),
            base / f"{name}-report",
        )
        for name, flags in CLIENTS.items()
    }
    return {name: verdicts(proc, base / f"{name}-report") for name, proc in procs.items()}


def test_good_command_client_passes_auth_01_and_auth_02(runs) -> None:  # type: ignore[no-untyped-def]
    checks = runs["good"]
    assert checks["AUTH-01"]["status"] == "passed", checks["AUTH-01"]["summary"]
    # Passed on evidence: the one action went on past its first token's expiry.
    assert "past the expiry of the token granted" in checks["AUTH-01"]["summary"]
    assert checks["AUTH-01"]["metrics"]["token_requests"] >= 2
    assert checks["AUTH-02"]["status"] == "passed", checks["AUTH-02"]["summary"]
    assert checks["AUTH-02"]["metrics"]["recovered"] >= 1


def test_command_client_ignoring_expires_in_fails_auth_01_inside_one_action(runs) -> None:  # type: ignore[no-untyped-def]
    checks = runs["hard-coded-hour"]
    auth01 = checks["AUTH-01"]
    assert auth01["status"] == "failed", auth01["summary"]
    assert "after the moment LWA said it would expire" in auth01["summary"]
    assert "(expires_in=2s)" in auth01["summary"]
    # Its late call was refused as expired, and it refreshed once and retried once: AUTH-02
    # is judged (not skipped) and passes on that evidence.
    auth02 = checks["AUTH-02"]
    assert auth02["status"] == "passed", auth02["summary"]


def test_command_client_without_retry_is_judged_and_fails_auth_02(runs) -> None:  # type: ignore[no-untyped-def]
    checks = runs["no-retry"]
    auth02 = checks["AUTH-02"]
    assert auth02["status"] == "failed", auth02["summary"]
    assert "was never retried within its action" in auth02["summary"]
    assert checks["AUTH-01"]["status"] == "passed", checks["AUTH-01"]["summary"]


# -- the simulator switches the scenarios use, over real HTTP ---------------------------------

US = "ATVPDKIKX0DER"
ORDERS = "/orders/v0/orders"
PARAMS = {"MarketplaceIds": US, "CreatedAfter": "2026-02-20T00:00:00Z"}


def test_access_tokens_expire_after_the_nth_accepted_call(world: World) -> None:
    """expire_tokens_after=(2,): the third call with the same token is the expired-token 403;
    a new token works, and an RDT issued before is untouched (only access tokens expire)."""
    world.reset(SimConfig(expire_tokens_after=(2,)))
    token = world.access_token()
    rdt = world.call(
        "POST",
        "/tokens/2021-03-01/restrictedDataToken",
        token=token,
        json={"restrictedResources": [{"method": "GET", "path": ORDERS}]},
    )
    assert rdt.status_code == 200
    first = world.get(ORDERS, token=token, params=PARAMS)
    third = world.get(ORDERS, token=token, params=PARAMS)
    fresh = world.get(ORDERS, token=world.access_token(), params=PARAMS)
    with_rdt = world.get(ORDERS, token=rdt.json()["restrictedDataToken"], params=PARAMS)

    assert first.status_code == 200
    assert third.status_code == 403
    assert third.json()["errors"][0]["details"] == "The access token you provided has expired."
    assert fresh.status_code == 200
    assert with_rdt.status_code == 200


def test_answer_delay_holds_the_answer_back(world: World) -> None:
    world.reset(SimConfig(answer_delay={"getOrders": 0.4}))
    token = world.access_token()
    started = time.monotonic()
    slow = world.get(ORDERS, token=token, params=PARAMS)
    took = time.monotonic() - started
    started = time.monotonic()
    quick = world.get(f"{ORDERS}/{world.orders_in_region('NA')[0].amazon_order_id}", token=token)
    quick_took = time.monotonic() - started

    assert slow.status_code == 200
    assert quick.status_code == 200
    assert took >= 0.4
    assert quick_took < 0.4
    journal = [e for e in world.sim.journal.all() if e.operation == "getOrders"]
    assert journal[0].facts["answer_delay_s"] == 0.4
