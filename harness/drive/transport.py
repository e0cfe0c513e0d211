"""How the integration reaches the simulator in one run: plain HTTP, TLS, or intercepted.

- ``plain``: http://127.0.0.1 endpoints (the default).
- ``tls``: https://127.0.0.1 endpoints served with a throwaway local CA; the CA bundle is named
  in SSL_CERT_FILE, REQUESTS_CA_BUNDLE and NODE_EXTRA_CA_CERTS (harness.sim.tls).
- ``intercept``: the endpoints are Amazon's own URLs (https://api.amazon.com/auth/o2/token,
  https://sellingpartnerapi-na.amazon.com...) and HTTPS_PROXY names ACORN's intercept proxy,
  which answers those hosts from the simulator and refuses every other (harness.sim.intercept).

``tls`` and ``intercept`` are TLS runs: TLS-01 (the integration refuses a bad certificate) is
judged only in them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal, get_args

from harness.errors import ConfigError, suggest
from harness.sim import SimConfig, Simulator
from harness.sim.intercept import INTERCEPTED, InterceptProxy, intercept
from harness.sim.tls import BadKind

__all__ = ["TRANSPORTS", "SessionTransport", "Transport", "check_transport"]

Transport = Literal["plain", "tls", "intercept"]
TRANSPORTS: tuple[str, ...] = get_args(Transport)


def check_transport(value: object, *, where: str) -> Transport:
    """``value`` as a transport, or a ConfigError naming the choices."""
    if value not in TRANSPORTS:
        raise ConfigError(
            f"transport is {value!r}",
            where=where,
            fix=f"{suggest(str(value), TRANSPORTS)}use one of {', '.join(TRANSPORTS)}",
        )
    return value  # type: ignore[return-value]


class SessionTransport:
    """The session's simulator (and proxy) for one transport; close() stops both."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.sim = Simulator(config=SimConfig(tls=transport != "plain"))
        self.sim.start()
        self.proxy: InterceptProxy | None = None
        if transport == "intercept":
            try:
                self.proxy = intercept(self.sim)
            except BaseException:
                self.sim.stop()
                raise

    @property
    def is_tls(self) -> bool:
        return self.transport != "plain"

    def close(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
        self.sim.stop()

    @contextmanager
    def bad_certificate(self, kind: BadKind) -> Iterator[Simulator]:
        """A second simulator the integration reaches only over a certificate it must refuse.

        tls: its https ports serve the bad certificate. intercept: a second proxy presents it
        for Amazon's names (the integration may ignore ACORN's endpoint variables, so the bad
        certificate must sit where its compiled-in URLs go), in front of a good simulator.
        Either way a request in its journal arrived over the bad certificate.
        """
        tls = self.sim.tls
        assert tls is not None, "bad certificates exist only in TLS runs"
        if self.transport == "intercept":
            probe = Simulator(tls=tls)
            probe.start()
            try:
                proxy = intercept(probe, certificate=tls.bad_server(kind, *INTERCEPTED))
            except BaseException:
                probe.stop()
                raise
            try:
                yield probe
            finally:
                proxy.stop()
                probe.stop()
            return
        probe = Simulator(tls=tls, certificate=tls.bad_server(kind))
        probe.start()
        try:
            yield probe
        finally:
            probe.stop()
