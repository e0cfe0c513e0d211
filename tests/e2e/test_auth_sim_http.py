"""The simulator's LWA faults, RDT roles and credential-exposure facts over real HTTP."""

from __future__ import annotations

import base64
import json
import threading
import time

import pytest

from conftest import World
from harness.sim import SimConfig

pytestmark = pytest.mark.e2e

ADDRESS = "/orders/v0/orders/{orderId}/address"
RDT = "/tokens/2021-03-01/restrictedDataToken"


@pytest.mark.parametrize("as_json", [False, True], ids=["form", "json"])
def test_outage_refuses_the_next_requests_then_recovers(world: World, as_json: bool) -> None:
    world.reset(SimConfig(lwa_outage_status=503, lwa_outage_requests=2))
    answers = [world.lwa(world.refresh_form(), as_json=as_json) for _ in range(3)]
    assert [a.status_code for a in answers] == [503, 503, 200]
    assert answers[0].json() == {"error": "temporarily_unavailable"}
    assert answers[0].headers["cache-control"] == "no-store"
    journal = world.sim.journal.lwa()
    assert [e.operation for e in journal] == ["lwa:refresh_token"] * 3
    assert journal[0].facts["lwa_fault"] == "outage"


def test_outage_started_mid_scenario_lasts_until_ended(world: World) -> None:
    assert world.lwa(world.refresh_form()).status_code == 200
    world.sim.core.lwa_outage(500)
    for _ in range(3):
        response = world.lwa(world.refresh_form())
        assert response.status_code == 500
        assert response.json() == {"error": "server_error"}
    world.sim.core.end_lwa_outage()
    assert world.lwa(world.refresh_form()).status_code == 200


@pytest.mark.parametrize(
    ("error", "status", "description"),
    [
        ("unauthorized_client", 400, "Not authorized for requested operation"),
        ("invalid_client", 401, "Client authentication failed"),
        ("invalid_grant", 400, "The request has an invalid grant parameter : refresh_token"),
    ],
)
def test_forced_refusals_have_amazons_bodies(
    world: World, error: str, status: int, description: str
) -> None:
    world.reset(SimConfig(lwa_error=error))
    response = world.lwa(world.refresh_form())
    assert response.status_code == status
    assert response.json() == {"error": error, "error_description": description}


def test_slow_lwa_holds_answers_without_blocking_other_requests(world: World) -> None:
    world.reset(SimConfig(lwa_delay=0.4))
    token = world.access_token()  # also slow
    took: dict[str, float] = {}

    def timed(name: str, call: object) -> None:
        start = time.monotonic()
        call()  # type: ignore[operator]
        took[name] = time.monotonic() - start

    threads = [
        threading.Thread(target=timed, args=(f"lwa{i}", lambda: world.lwa(world.refresh_form())))
        for i in range(2)
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.05)
    timed("sp-api", lambda: world.get("/sellers/v1/marketplaceParticipations", token=token))
    for thread in threads:
        thread.join()
    assert took["sp-api"] < 0.2  # answered while both token requests were held back
    assert 0.35 < took["lwa0"] < 0.75
    assert 0.35 < took["lwa1"] < 0.75  # held concurrently, not one after the other
    assert all(e.facts["delay_s"] == 0.4 for e in world.sim.journal.lwa())


def test_rdt_refused_for_a_role_the_app_lacks_and_without_any_role(world: World) -> None:
    body = {"restrictedResources": [{"method": "GET", "path": ADDRESS}]}
    world.reset(SimConfig(app_roles=frozenset({"buyerInfo"})))
    token = world.access_token()
    lacking = world.call("POST", RDT, token=token, json=body)
    assert lacking.status_code == 400
    assert lacking.json()["errors"][0]["message"] == (
        "Application does not have access to one or more requested data elements: [shippingAddress]"
    )
    world.reset(SimConfig(app_roles=frozenset()))
    token = world.access_token()
    none = world.call("POST", RDT, token=token, json=body)
    assert none.status_code == 400
    assert none.json()["errors"][0]["message"] == "The application isn't configured with roles."


def test_secrets_in_a_url_or_sent_to_sp_api_are_recorded_by_name_only(world: World) -> None:
    creds = world.creds
    world.http.post(world.lwa_url, params=world.refresh_form())  # form in the query string
    token = world.access_token()
    world.get(
        "/sellers/v1/marketplaceParticipations",
        token=token,
        headers={"x-refresh-token": creds.refresh_token},
    )
    in_url, proper, to_sp_api = world.sim.journal.all()
    assert in_url.facts["secrets_in_url"] == ["LWA client secret", "refresh token"]
    assert "secrets_in_url" not in proper.facts
    assert to_sp_api.facts["secrets_to_sp_api"] == ["refresh token"]


def test_lwa_credentials_sent_to_sp_api_as_basic_auth_are_recorded(world: World) -> None:
    # base64("client_id:client_secret") does not contain base64(client_secret) alone.
    creds = world.creds
    token = world.access_token()
    pair = base64.b64encode(f"{creds.client_id}:{creds.client_secret}".encode()).decode()
    world.get(
        "/sellers/v1/marketplaceParticipations",
        token=token,
        headers={"authorization": f"Basic {pair}"},
    )
    basic = world.sim.journal.all()[-1]
    assert basic.facts["secrets_to_sp_api"] == ["LWA client secret"]
    assert creds.client_secret not in json.dumps(basic.facts)
    stored = repr([e.to_dict() for e in world.sim.journal.all()])
    assert creds.refresh_token not in stored
    assert creds.client_secret not in stored
