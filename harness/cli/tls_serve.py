"""``acorn serve --tls`` and ``--intercept``: the simulator over HTTPS, and Amazon's own hosts.

Kept apart from the serve command itself so the command only calls :func:`prepare` before the
simulator starts, :func:`start` after, and prints :func:`banner`. See docs/tls.md.
"""

from __future__ import annotations

import sys

from harness.errors import AcornUsageError
from harness.sim import Simulator
from harness.sim.intercept import INTERCEPTED, InterceptProxy, Tunnel, intercept
from harness.sim.tls import CA_VARIABLES, TlsMaterial

__all__ = ["banner", "prepare", "start"]


def prepare(sim: Simulator, *, tls: bool, intercept_hosts: bool) -> TlsMaterial | None:
    """Give a not yet started simulator its local CA (``--tls``); refuse --intercept alone."""
    if intercept_hosts and not tls:
        raise AcornUsageError(
            "--intercept needs --tls: the proxy answers as api.amazon.com and "
            "sellingpartnerapi-*.amazon.com with certificates from the local CA that --tls makes",
            where="acorn serve",
            fix="run `acorn serve --tls --intercept`",
        )
    if not tls:
        return None
    sim.tls = TlsMaterial()
    return sim.tls


def start(sim: Simulator, *, intercept_hosts: bool, proxy_port: int = 0) -> InterceptProxy | None:
    """After sim.start(): the intercept proxy, printing each refused CONNECT to stderr."""
    if not intercept_hosts:
        return None
    proxy = intercept(sim, port=proxy_port)
    proxy.notify = _print_refusal
    return proxy


def banner(sim: Simulator, proxy: InterceptProxy | None) -> list[str]:
    """Comment lines for the console, shown next to the endpoints."""
    if sim.tls is None:
        return []
    lines = [
        f"# TLS: every endpoint is https, signed by a throwaway local CA: {sim.tls.ca_file}",
        "# Trust it with the variable your stack reads (exported below): "
        + ", ".join(CA_VARIABLES)
        + " (Python ssl/httpx, requests, Node.js).",
    ]
    if proxy is not None:
        lines += [
            f"# Intercept proxy {proxy.url} (HTTPS_PROXY, loopback only) answers "
            + ", ".join(sorted(INTERCEPTED))
            + " from this simulator; it refuses (403) and never forwards any other host.",
            "# The endpoint variables below are Amazon's own URLs: leave your client's "
            "hosts as they are.",
        ]
    return lines


def _print_refusal(tunnel: Tunnel) -> None:
    print(f"acorn intercept: refused CONNECT {tunnel.target} ({tunnel.reason})", file=sys.stderr)
