"""Fixtures for driving the SP-API simulator over real HTTP on 127.0.0.1.

``sim`` starts one :class:`harness.sim.Simulator` for the whole session (sockets and the uvicorn
thread are the slow part); ``world`` resets it before every test, pytest-httpserver style, so
each test sees fresh state, tokens, buckets, clock and journal.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from harness.sim import SimConfig, Simulator
from harness.sim.credentials import Credentials
from harness.sim.journal import Exchange


@pytest.fixture(scope="session")
def sim() -> Iterator[Simulator]:
    simulator = Simulator()
    simulator.start()
    try:
        yield simulator
    finally:
        simulator.stop()


class World:
    """One test's view of the simulator: HTTP helpers around a freshly reset ``Simulator``."""

    def __init__(self, sim: Simulator, client: httpx.Client) -> None:
        self.sim = sim
        self.http = client

    # -- the world -----------------------------------------------------------------------

    def reset(self, config: SimConfig | None = None) -> None:
        self.sim.reset(config or SimConfig())

    @property
    def creds(self) -> Credentials:
        return self.sim.core.credentials

    @property
    def lwa_url(self) -> str:
        return self.sim.endpoints.lwa_token_url

    def base(self, region: str) -> str:
        return self.sim.endpoints.regions[region]  # type: ignore[index]

    def orders_in_region(self, region: str) -> list[Any]:
        """The seeded orders whose marketplace belongs to ``region`` (test oracle)."""
        marketplaces = self.sim.core.contracts.marketplaces
        return [
            o
            for o in self.sim.core.state.orders.values()
            if marketplaces[o.marketplace_id].region == region
        ]

    # -- LWA -----------------------------------------------------------------------------

    def refresh_form(self, **overrides: str) -> dict[str, str]:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": self.creds.refresh_token,
            "client_id": self.creds.client_id,
            "client_secret": self.creds.client_secret,
        }
        form.update(overrides)
        return form

    def lwa(self, form: dict[str, str], *, as_json: bool = False) -> httpx.Response:
        if as_json:
            return self.http.post(self.lwa_url, json=form)
        return self.http.post(self.lwa_url, data=form)

    def access_token(self) -> str:
        response = self.lwa(self.refresh_form())
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
        assert isinstance(token, str)
        return token

    # -- SP-API --------------------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        *,
        region: str = "NA",
        token: str | None = None,
        params: Any = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if token is not None:
            sent["x-amz-access-token"] = token
        return self.http.request(
            method, self.base(region) + path, params=params, headers=sent, **kwargs
        )

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.call("GET", path, **kwargs)

    def exchange_of(self, response: httpx.Response) -> Exchange:
        """The journal entry of ``response`` (by its x-amzn-RequestId): exactly one."""
        rid = response.headers["x-amzn-RequestId"]
        found = [e for e in self.sim.journal.all() if e.request_id == rid]
        assert len(found) == 1, f"{len(found)} journal entries for {rid}"
        return found[0]


@pytest.fixture
def world(sim: Simulator) -> Iterator[World]:
    """A fresh simulated world for this test (default ``SimConfig``); call ``reset`` to change it.

    ``Simulator.reset`` keeps the credentials object, so a test that revokes the refresh token
    or rotates the client secret would poison every later test; the credentials are restored
    afterwards so the session stays isolated whatever the harness does.
    """
    saved = copy.deepcopy(sim.core.credentials)
    sim.reset(SimConfig())
    # One connection per request: the simulator's sockets lack TCP_NODELAY, so a reused
    # keep-alive connection waits ~40 ms per response for a delayed ACK (a harness bug, see
    # test_keep_alive_requests_are_answered_promptly); fresh connections keep the file fast.
    limits = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(timeout=5.0, trust_env=False, limits=limits) as client:
        yield World(sim, client)
    creds = sim.core.credentials
    creds.client_secret = saved.client_secret
    creds.revoked_refresh_tokens = set(saved.revoked_refresh_tokens)
    creds.retired_client_secrets = set(saved.retired_client_secrets)
    sim.reset(SimConfig())


# One wheel build and venv for tests/e2e/test_wheel.py and test_ci_templates.py (session-wide).
from wheel_venv import installed_wheel  # noqa: E402, F401
