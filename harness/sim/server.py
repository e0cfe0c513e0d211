"""Run the simulator on loopback: one port for LWA and one per SP-API region.

uvicorn serves the ASGI app in a background thread so tests and the CLI keep control; the
sockets are bound before the thread starts, so the ports are known (and free) at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from harness.contracts import REGIONS, ContractSet, Region
from harness.sim import collector
from harness.sim.app import SimulatorApp
from harness.sim.config import SimConfig
from harness.sim.core import LWA, TOKEN_PATH, SimCore
from harness.sim.journal import Journal
from harness.sim.loopback import ASGIApp, LoopbackServer
from harness.sim.tls import ServerFiles, TlsMaterial

__all__ = ["Endpoints", "Simulator"]


@dataclass(frozen=True)
class Endpoints:
    lwa_token_url: str
    regions: dict[Region, str]

    def env(self) -> dict[str, str]:
        return {
            "ACORN_LWA_TOKEN_URL": self.lwa_token_url,
            **{f"ACORN_ENDPOINT_{region}": url for region, url in self.regions.items()},
        }


class Simulator:
    """The SP-API simulator as a real HTTP server; use as a context manager or start/stop."""

    def __init__(
        self,
        contracts: ContractSet | None = None,
        config: SimConfig | None = None,
        *,
        host: str = "127.0.0.1",
        core: SimCore | None = None,
        port: int = 0,
        wrap: Callable[[SimulatorApp], ASGIApp] | None = None,
        tls: TlsMaterial | None = None,
        certificate: ServerFiles | None = None,
    ) -> None:
        # ``core``: another pipeline on the same ports and env (a cassette replay, see
        # harness.sim.replay.ReplayCore), so an integration points at it by configuration.
        self.core = core or SimCore(contracts, config)
        self.host = host
        self.port = port
        """LWA's port, the regions on the next ones (0: any free ports)."""
        self.wrap = wrap
        """Serve the app through this (``acorn serve``'s admin routes and journal file)."""
        self._server: LoopbackServer | None = None
        self._endpoints: Endpoints | None = None
        # -- TLS (harness.sim.tls): ``tls`` is the CA the integration is told to trust;
        # ``certificate`` what the ports serve (default: a leaf from that CA; TLS-01 serves a
        # bad one). ``config.tls`` alone makes a throwaway CA, removed on stop().
        self._own_tls = tls is None and config is not None and config.tls
        self.tls = TlsMaterial() if self._own_tls else tls
        self.certificate = certificate
        self.extra_env: dict[str, str] = {}
        """Variables added to env() (the intercept proxy's HTTPS_PROXY and Amazon URLs)."""

    # Convenient pass-throughs for scenarios and checks.
    @property
    def journal(self) -> Journal:
        return self.core.journal

    @property
    def endpoints(self) -> Endpoints:
        if self._endpoints is None:
            raise RuntimeError("the simulator is not running; call start() first")
        return self._endpoints

    def env(self) -> dict[str, str]:
        """Endpoints and test credentials under ACORN's variable names."""
        creds = self.core.credentials
        return {
            **self.endpoints.env(),
            "ACORN_CLIENT_ID": creds.client_id,
            "ACORN_CLIENT_SECRET": creds.client_secret,
            "ACORN_REFRESH_TOKEN": creds.refresh_token,
            "ACORN_SELLER_ID": creds.seller_id,
            **(self.tls.env() if self.tls is not None else {}),
            **self.extra_env,
        }

    def start(self) -> Endpoints:
        if self._server is not None:
            return self.endpoints
        if self._own_tls and self.tls is None:  # restarted after stop() removed the CA
            self.tls = TlsMaterial()
        app = SimulatorApp(self.core)
        certificate = self.certificate
        if certificate is None and self.tls is not None:
            certificate = self.tls.server()
        served = self.wrap(app) if self.wrap is not None else app
        server = LoopbackServer(
            served, (LWA, *REGIONS), host=self.host, port=self.port, tls=certificate
        )
        app.ports = server.ports  # filled as the sockets are bound, before any request
        base = server.start("acorn-simulator")
        collector.serving()
        self._server = server
        self._endpoints = Endpoints(
            lwa_token_url=base[LWA] + TOKEN_PATH,
            regions={r: base[r] for r in REGIONS},
        )
        bind = getattr(self.core, "bind_endpoints", None)
        if bind is not None:  # a replay rewrites recorded Amazon hosts to these ports
            bind(dict(base))
        return self._endpoints

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.stop()
        self._server = None
        collector.served()
        self._endpoints = None
        if self._own_tls and self.tls is not None:
            self.tls.close()
            self.tls = None

    def reset(self, config: SimConfig | None = None) -> None:
        self.core.reset(config)

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
