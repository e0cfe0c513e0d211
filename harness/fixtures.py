"""Fixtures for a team's own pytest suite: ACORN's simulator without acorn.toml or `acorn run`.

- ``acorn_simulator``: the simulator on loopback (started once per session, its world reset
  before every test: 3 ms, against 0.8 s for a new one on loopback), with its endpoints,
  credentials, clock, fault plans and journal; ``acorn_simulator.judge("AUTH-04")`` judges the
  test's traffic with a readiness check.
- ``acorn_requests``: ``requests`` traffic to Amazon's LWA and SP-API hosts (production and
  sandbox) goes to that simulator over loopback HTTP, so code with Amazon's hosts compiled in
  runs unmodified and is journalled as real traffic. Every other non-loopback host is refused.

For httpx clients, ``acorn_simulator.transport()`` is a :class:`harness.sim.SimTransport`.
docs/fixtures.md has the examples, and which route each SDK needs.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import pytest

from harness.errors import AcornUsageError, suggest

if TYPE_CHECKING:
    import responses

    from harness.checks import CheckResult, Observation
    from harness.sim import Endpoints, Journal, SimConfig, Simulator, VirtualClock
    from harness.sim.credentials import Credentials
    from harness.sim.transport import SimTransport

__all__ = [
    "NOT_FROM_THE_WIRE",
    "AcornSimulator",
    "AmazonRoutes",
    "acorn_requests",
    "acorn_simulator",
]

NOT_FROM_THE_WIRE: dict[str, str] = {
    "AUTH-05": "whether each action reported LWA's invalid_grant as a re-authorization",
    "AUTH-06": "whether each action reported LWA's invalid_client as a credentials problem",
    "AUTH-07": "what each action reported during the LWA outage",
    "ORD-01": "the orders each sync action reported against the orders the world holds",
    "ERR-04": "whether each action reported the failures it met",
    "ERR-05": "whether one failing item spoilt the rest of its action's results",
    "ERR-06": "what the integration wrote to its log when a call failed",
    "ERR-07": "when each action gave up on a stalled call (the actions' timing)",
    "ERR-08": "what each action reported for the unreachable region",
    "PII-03": "what the integration wrote to its output and logs",
    "LST-01": "the listings the scenario asked the integration to publish",
    "LST-03": "whether each listing action reported Amazon's INVALID as a failure",
    "LST-04": "the issues each listing_status action reported",
    "LST-06": "the currencies the scenario expects per marketplace",
    "INV-01": "the stock the scenario asked the integration to set",
    "PRC-01": "the prices the scenario asked the integration to set",
    "FEED-01": "the feeds the scenario asked for and what each action reported",
}
"""Checks that compare the wire with the integration's action results, the scenario's
expectations or its output. From the journal alone they would judge half the story, so
:meth:`AcornSimulator.judge` refuses them with this reason instead of a misleading verdict."""

_LOOPBACK = re.compile(r"^https?://(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(/|$)")
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


class AcornSimulator:
    """A started simulator with a fresh world for this test (the ``acorn_simulator`` fixture)."""

    def __init__(self, sim: Simulator, scenario: str) -> None:
        self.sim = sim
        self.scenario = scenario

    @property
    def endpoints(self) -> Endpoints:
        """Loopback LWA token URL and per-region SP-API base URLs."""
        return self.sim.endpoints

    def env(self) -> dict[str, str]:
        """Endpoints and test credentials under ACORN's variable names (ACORN_LWA_TOKEN_URL...)."""
        return self.sim.env()

    @property
    def credentials(self) -> Credentials:
        """The test LWA client id, client secret, refresh token and seller id."""
        return self.sim.core.credentials

    @property
    def clock(self) -> VirtualClock:
        """The virtual clock (``advance(3600)`` makes an hour pass at once)."""
        return self.sim.core.clock

    @property
    def journal(self) -> Journal:
        """Every exchange of this test, masked (no secret, token or buyer PII)."""
        return self.sim.journal

    def reset(self, config: SimConfig | None = None, **settings: Any) -> None:
        """A fresh world under ``config`` or ``SimConfig(**settings)``: fault plans
        (``faults=load_fault_plan(path)``), ``clock_speed``, ``token_lifetime``, ..."""
        if config is not None and settings:
            raise AcornUsageError(
                "reset() takes a SimConfig or keyword settings, not both",
                fix="pass SimConfig(**settings) alone",
            )
        if settings:
            from dataclasses import fields

            from harness.sim import SimConfig

            known = {f.name for f in fields(SimConfig)}
            for name in settings:
                if name not in known:
                    raise AcornUsageError(
                        f"acorn_simulator.reset(): SimConfig has no setting {name!r}",
                        fix=f"{suggest(name, known)}the settings are {', '.join(sorted(known))}",
                    )
            config = SimConfig(**settings)
        self.sim.reset(config)

    def transport(self) -> SimTransport:
        """An httpx transport serving this simulator in-process (no socket)."""
        from harness.sim.transport import SimTransport

        return SimTransport(self.sim)

    def observation(self) -> Observation:
        """What a check sees of this test: the journal, no action results."""
        from harness.checks import Observation
        from harness.checks.canaries import canaries_of

        core = self.sim.core
        return Observation(
            scenario=self.scenario,
            exchanges=self.journal.all(),
            outcomes=[],
            canaries=canaries_of(core),
            settings={"clock_speed": core.config.clock_speed, "usage_plans": core.plans.describe()},
        )

    def judge(self, check_id: str) -> CheckResult:
        """Judge this test's traffic so far with a readiness check.

        Returns the :class:`~harness.checks.CheckResult`: ``status`` passed, failed or
        skipped (not proven: the traffic gave the check nothing to judge), with ``summary``,
        ``evidence`` and ``explain()``. The whole test's traffic counts as one action. A check
        in :data:`NOT_FROM_THE_WIRE` raises :class:`AcornUsageError` naming what it needs."""
        from harness.checks import ALL_CHECKS

        known = {check.id: check for check in ALL_CHECKS}
        wanted = check_id.strip().upper()
        check = known.get(wanted)
        if check is None:
            raise AcornUsageError(
                f"acorn_simulator.judge(): no readiness check {check_id!r}",
                fix=f"{suggest(wanted, known)}the checks are {', '.join(sorted(known))}",
            )
        if wanted in NOT_FROM_THE_WIRE:
            wire = sorted(set(known) - set(NOT_FROM_THE_WIRE))
            raise AcornUsageError(
                f"{wanted} ({check.title}) cannot be judged from the wire alone: it needs "
                f"{NOT_FROM_THE_WIRE[wanted]}, which only `acorn run` sees",
                fix=f"run `acorn run --integration YOUR_FOLDER` for {wanted}; judge() takes "
                f"{', '.join(wire)}",
            )
        return check.evaluate(self.observation())


class AmazonRoutes:
    """``requests`` to Amazon's hosts go to a running simulator (the ``acorn_requests`` fixture).

    A ``responses`` callback forwards each request over loopback HTTP with requests' own
    adapter, so the simulator journals it as real traffic and the client meets the same
    exceptions (timeouts, resets, truncated bodies) it would meet from Amazon. Loopback URLs
    (the simulator's presigned document URLs) pass through; any other host is refused with
    ``requests.ConnectionError``. :attr:`mock` is the ``responses.RequestsMock``: add your own
    mocks to it for other hosts.
    """

    def __init__(self, sim: Any) -> None:
        from harness.sim import Simulator

        if isinstance(sim, AcornSimulator):
            sim = sim.sim
        if not isinstance(sim, Simulator) or getattr(sim, "_endpoints", None) is None:
            raise AcornUsageError(
                "acorn_requests needs a running ACORN simulator to route Amazon's hosts to, "
                + (
                    "and the simulator it was given is not started"
                    if isinstance(sim, Simulator)
                    else f"and got {type(sim).__name__} instead of one"
                ),
                fix="use it with the acorn_simulator fixture (pytest plugin `acorn`, enabled "
                "unless `-p no:acorn`), or call Simulator.start() before AmazonRoutes(sim)",
            )
        try:
            import responses
        except ImportError:
            raise AcornUsageError(
                "acorn_requests needs the `responses` library, which is not installed",
                fix="pip install 'responses>=0.25' (a dependency of acorn-harness)",
            ) from None
        self.sim: Simulator = sim
        self.mock: responses.RequestsMock = responses.RequestsMock(
            assert_all_requests_are_fired=False
        )
        from requests.adapters import HTTPAdapter

        # requests' own send, from before any responses mock patched it (responses keeps it).
        self._real_send = getattr(responses, "_real_send", None) or HTTPAdapter.send

        self._adapter = HTTPAdapter()  # keep-alive to the simulator across the test's calls
        from harness.sim.transport import AMAZON_HOSTS

        hosts = "|".join(re.escape(h) for h in sorted(AMAZON_HOSTS))
        amazon = re.compile(rf"^https?://({hosts})(:\d+)?(/|$|\?)", re.IGNORECASE)
        for method in _METHODS:
            # content_type None: the simulator's own Content-Type, not responses' text/plain
            self.mock.add_callback(method, amazon, callback=self._forward, content_type=None)
        self.mock.add_passthru(_LOOPBACK)

    def __enter__(self) -> AmazonRoutes:
        self.mock.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.mock.stop()
        self.mock.reset()
        self._adapter.close()

    def base_for(self, host: str) -> str:
        """The loopback base URL standing for Amazon's ``host``."""
        from harness.sim.core import LWA
        from harness.sim.transport import amazon_endpoint

        endpoint = amazon_endpoint(host)
        endpoints = self.sim.endpoints
        if endpoint == LWA:
            return endpoints.lwa_token_url.rsplit("/auth/", 1)[0]
        assert endpoint is not None
        return endpoints.regions[endpoint]  # type: ignore[index]

    def _forward(self, request: Any) -> tuple[int, dict[str, str], bytes]:
        from urllib.parse import urlsplit

        url = urlsplit(request.url)
        copy = request.copy()
        copy.url = self.base_for(url.hostname or "") + (request.path_url or "/")
        copy.headers.pop("Host", None)
        send = self._real_send
        kwargs = dict(getattr(request, "req_kwargs", {}) or {})
        kwargs["stream"] = False
        answer = send(self._adapter, copy, **kwargs)
        skip = {"content-length", "transfer-encoding", "content-encoding", "connection"}
        headers = {k: v for k, v in answer.headers.items() if k.lower() not in skip}
        return answer.status_code, headers, answer.content


@pytest.fixture(scope="session")
def acorn_simulator_server() -> Generator[Simulator, None, None]:
    """The simulator's loopback server, started once per session (see acorn_simulator)."""
    from harness.sim import Simulator

    sim = Simulator()
    try:
        sim.start()
    except (OSError, RuntimeError) as exc:
        raise AcornUsageError(
            f"the ACORN simulator could not start on loopback: {exc}",
            fix="check that 127.0.0.1 accepts listening sockets in this environment",
        ) from None
    yield sim
    sim.stop()


@pytest.fixture
def acorn_simulator(
    request: pytest.FixtureRequest, acorn_simulator_server: Simulator
) -> AcornSimulator:
    """A started SP-API + LWA simulator with a fresh world for this test."""
    acorn_simulator_server.reset()
    return AcornSimulator(acorn_simulator_server, request.node.name)


@pytest.fixture
def acorn_requests(acorn_simulator: AcornSimulator) -> Generator[AmazonRoutes, None, None]:
    """``requests`` to Amazon's LWA and SP-API hosts reach ``acorn_simulator`` instead."""
    with AmazonRoutes(acorn_simulator) as routes:
        yield routes
