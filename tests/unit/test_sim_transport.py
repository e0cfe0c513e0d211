"""SimTransport serves the simulator in-process with the socket path's semantics.

The same calls go once over loopback sockets (uvicorn, the way integrations reach ACORN) and
once through :class:`harness.sim.SimTransport`; the journals must agree fact for fact
(operation, status, token verdict, throttling, validation, faults, refusals, body caps), and a
transport fault must reach the client as the same httpx exception either way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from harness.sim import Endpoints, Exchange, SimConfig, SimCore, Simulator
from harness.sim.faults import FaultPlan, FaultRule
from harness.sim.transport import AMAZON_HOSTS, SimTransport

US = "ATVPDKIKX0DER"
ORDERS = "/orders/v0/orders"
SINCE = {"MarketplaceIds": US, "CreatedAfter": "2026-01-01T00:00:00Z"}


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    simulator = Simulator()
    simulator.start()
    try:
        yield simulator
    finally:
        simulator.stop()


def _form(core: SimCore, **changes: str) -> dict[str, str]:
    creds = core.credentials
    form = {
        "grant_type": "refresh_token",
        "refresh_token": creds.refresh_token,
        "client_id": creds.client_id,
        "client_secret": creds.client_secret,
    }
    return {**form, **changes}


def _script(http: httpx.Client, endpoints: Endpoints, core: SimCore) -> list[int]:
    """Calls that touch every stage of the pipeline; the statuses the client saw."""
    na = endpoints.regions["NA"]
    seen = []
    token_answer = http.post(endpoints.lwa_token_url, data=_form(core))
    token = token_answer.json()["access_token"]
    auth = {"x-amz-access-token": token}
    seen.append(token_answer.status_code)
    answers = [
        http.post(endpoints.lwa_token_url, data=_form(core, client_secret="wrong")),
        http.post(endpoints.lwa_token_url, content=b"x" * (1024 * 1024 + 10)),  # over the cap
        http.get(na + ORDERS, params=SINCE),  # no token
        # no MarketplaceIds: 400 (the fault plan's first call, the bucket's first token)
        http.get(na + ORDERS, params={"CreatedAfter": "2026-01-01T00:00:00Z"}, headers=auth),
        http.get(na + ORDERS, params=SINCE, headers=auth),  # the fault plan's 503
        http.get(na + ORDERS, params=SINCE, headers=auth),
        http.get(na + ORDERS, params=SINCE, headers=auth),  # the bucket (burst 3) is empty
        http.get(na + "/nothing/v0/here", headers=auth),
        http.get(na + "/orders/v0/orders/902-0000000-0000000", headers={"x-amz-access-token": "x"}),
    ]
    return seen + [a.status_code for a in answers]


def _facts(e: Exchange) -> tuple[Any, ...]:
    """What a check may read of an exchange, minus what differs by nature (ids, times, the
    loopback port in Host and presigned URLs)."""
    body = e.response_body if isinstance(e.response_body, dict) else None
    return (
        e.endpoint,
        e.operation,
        e.method,
        e.path,
        e.query,
        e.status,
        (e.token.kind, e.token.outcome) if e.token else None,
        e.refusal,
        (e.fault or {}).get("kind"),
        e.error_code(),
        e.facts.get("contract"),
        e.facts.get("throttled_by"),
        sorted(e.facts),
        sorted(body) if body is not None else type(e.response_body).__name__,
        sorted(k.lower() for k in e.request_headers),
        sorted(k.lower() for k in e.response_headers),
    )


CONFIG: dict[str, Any] = {
    "usage_plans": {"getOrders": (0.001, 3)},
    "faults": FaultPlan((FaultRule("getOrders", on_calls=(2,), preset="service_unavailable"),)),
}


def test_sockets_and_sim_transport_journal_the_same_facts(sim: Simulator) -> None:
    sim.reset(SimConfig(**CONFIG))
    with httpx.Client(timeout=5.0, trust_env=False) as http:
        over_sockets = _script(http, sim.endpoints, sim.core)
    socket_facts = [_facts(e) for e in sim.journal]

    sim.reset(SimConfig(**CONFIG))
    transport = SimTransport(sim.core)
    with httpx.Client(timeout=5.0, transport=transport) as http:
        in_process = _script(http, transport.endpoints, sim.core)
    process_facts = [_facts(e) for e in sim.journal]

    assert over_sockets == in_process == [200, 401, 413, 403, 400, 503, 200, 429, 404, 403]
    assert process_facts == socket_facts
    assert len(process_facts) == 10


def _fault_outcome(http: httpx.Client, endpoints: Endpoints, core: SimCore) -> str:
    token = http.post(endpoints.lwa_token_url, data=_form(core)).json()["access_token"]
    try:
        answer = http.get(
            endpoints.regions["NA"] + ORDERS,
            params=SINCE,
            headers={"x-amz-access-token": token},
            timeout=httpx.Timeout(5.0, read=0.3),
        )
    except httpx.HTTPError as exc:
        return type(exc).__name__
    try:
        answer.json()
    except ValueError:
        return f"{answer.status_code} unparseable"
    return str(answer.status_code)


@pytest.mark.parametrize(
    ("kind", "seen"),
    [
        ("timeout", "ReadTimeout"),
        ("reset", "ReadError"),
        ("truncated", "RemoteProtocolError"),
        ("malformed_json", "200 unparseable"),
    ],
)
def test_a_transport_fault_reaches_the_client_as_the_same_exception(
    sim: Simulator, kind: str, seen: str
) -> None:
    rule = FaultRule("getOrders", on_calls=(1,), transport=kind, hold=0.6)
    config = SimConfig(faults=FaultPlan((rule,), client_timeout=0.3))
    sim.reset(config)
    with httpx.Client(timeout=5.0, trust_env=False) as http:
        over_sockets = _fault_outcome(http, sim.endpoints, sim.core)
    sim.reset(config)
    transport = SimTransport(sim.core)
    with httpx.Client(timeout=5.0, transport=transport) as http:
        in_process = _fault_outcome(http, transport.endpoints, sim.core)
    assert (over_sockets, in_process) == (seen, seen)
    assert [e.fault["kind"] for e in sim.journal if e.fault] == [kind]


def test_slow_lwa_trips_the_clients_read_timeout_in_process() -> None:
    core = SimCore(config=SimConfig(lwa_delay=0.5))
    transport = SimTransport(core)
    with httpx.Client(transport=transport) as http, pytest.raises(httpx.ReadTimeout):
        http.post(transport.endpoints.lwa_token_url, data=_form(core), timeout=0.1)
    with httpx.Client(transport=transport) as http:
        assert http.post(transport.endpoints.lwa_token_url, data=_form(core)).status_code == 200


@pytest.mark.parametrize("host", sorted(AMAZON_HOSTS))
def test_every_amazon_host_reaches_its_endpoint(host: str) -> None:
    core = SimCore()
    expected = AMAZON_HOSTS[host]
    with httpx.Client(transport=SimTransport(core)) as http:
        http.post(f"https://{host}/auth/o2/token", data=_form(core))
    assert [e.endpoint for e in core.journal] == [expected]


def test_other_hosts_are_refused_and_never_journalled() -> None:
    core = SimCore()
    with httpx.Client(transport=SimTransport(core)) as http:
        with pytest.raises(httpx.ConnectError, match=r"refused 'example\.com'"):
            http.get("https://example.com/orders/v0/orders")
        with pytest.raises(httpx.ConnectError):
            http.get("https://sellingpartnerapi-na.amazon.com.evil.test/orders/v0/orders")
    assert len(core.journal) == 0


def test_a_started_simulators_loopback_urls_are_served_in_process(sim: Simulator) -> None:
    sim.reset()
    with httpx.Client(transport=SimTransport(sim)) as http:
        answer = http.post(sim.endpoints.lwa_token_url, data=_form(sim.core))
    assert answer.status_code == 200
    assert [e.endpoint for e in sim.journal] == ["LWA"]


def test_async_clients_are_served_too() -> None:
    core = SimCore()
    transport = SimTransport(core)

    async def sync_orders() -> list[int]:
        async with httpx.AsyncClient(transport=transport) as http:
            token = (await http.post(transport.endpoints.lwa_token_url, data=_form(core))).json()
            calls: list[Callable[[], Any]] = [
                lambda: http.get(
                    transport.endpoints.regions["NA"] + ORDERS,
                    params=SINCE,
                    headers={"x-amz-access-token": token["access_token"]},
                )
                for _ in range(3)
            ]
            answers = await asyncio.gather(*(call() for call in calls))
            return [a.status_code for a in answers]

    assert asyncio.run(sync_orders()) == [200, 200, 200]
    assert [e.operation for e in core.journal] == ["lwa:refresh_token", *["getOrders"] * 3]
