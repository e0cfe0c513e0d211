"""The intercept proxy: Amazon's hostnames answered by the simulator, nothing else forwarded.

Real sockets on loopback: a client with Amazon's URLs compiled in (requests and httpx) gets
tokens and orders through HTTPS_PROXY; every other CONNECT is refused with 403, recorded, and
never resolved or dialled.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from harness.cassettes.format import LWA_HOSTS, PRODUCTION_HOSTS, SANDBOX_HOSTS
from harness.cassettes.guard import ProductionRefused, classify_host, refuse_production
from harness.errors import AcornUsageError
from harness.sim import SimConfig, Simulator
from harness.sim.intercept import INTERCEPTED, InterceptProxy, intercept

CLIENT = Path(__file__).resolve().parents[1] / "e2e" / "clients" / "amazon_hardcoded.py"


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[Simulator, InterceptProxy]]:
    sim = Simulator(config=SimConfig(tls=True))
    sim.start()
    proxy = intercept(sim)
    yield sim, proxy
    proxy.stop()
    sim.stop()


def _connect(proxy: InterceptProxy, head: bytes) -> bytes:
    with socket.socket() as sock:  # connect() to an IP literal: no resolver involved
        sock.settimeout(5)
        sock.connect(("127.0.0.1", proxy.port))
        sock.sendall(head)
        chunks = []
        while chunk := sock.recv(4096):
            chunks.append(chunk)
        return b"".join(chunks)


def test_a_client_with_amazons_urls_compiled_in_reaches_the_simulator(
    world: tuple[Simulator, InterceptProxy],
) -> None:
    sim, proxy = world
    sim.reset()
    env = {**os.environ, **sim.env()}
    assert env["HTTPS_PROXY"] == proxy.url
    done = subprocess.run(
        [sys.executable, str(CLIENT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    got = json.loads(done.stdout)
    assert done.returncode == 0, got
    assert got["requests_token"] == 200
    assert got["httpx_token"] == 200
    assert got["requests_orders"][0] == 200
    assert got["requests_orders"][1] > 0
    assert got["httpx_orders"][0] == 200
    seen = [(e.endpoint, e.method, e.path, e.status) for e in sim.journal.all()]
    assert seen.count(("LWA", "POST", "/auth/o2/token", 200)) == 2
    assert seen.count(("NA", "GET", "/orders/v0/orders", 200)) == 2
    # The Host header still names Amazon's host: the client never knew it was redirected.
    assert {e.request_headers.get("host") for e in sim.journal.all()} == {
        "api.amazon.com",
        "sellingpartnerapi-na.amazon.com",
    }


def test_a_client_that_does_not_trust_the_ca_fails_the_handshake_and_sends_nothing(
    world: tuple[Simulator, InterceptProxy],
) -> None:
    sim, proxy = world
    sim.reset()
    system_cas = ssl.create_default_context()  # the machine's store, not ACORN's CA
    with (
        httpx.Client(proxy=proxy.url, verify=system_cas, trust_env=False) as client,
        pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"),
    ):
        client.post("https://api.amazon.com/auth/o2/token", data={"grant_type": "x"})
    assert sim.journal.all() == []


@pytest.mark.parametrize(
    "target",
    [
        "example.com:443",
        "api.amazon.co.uk:443",  # an LWA host, but not one the intercept answers
        "sellingpartnerapi-na.amazon.com:80",  # an Amazon host on another port
        "s3.amazonaws.com:443",
        "127.0.0.1:22",  # loopback is not a way around the list either
        "[::1]:443",
    ],
)
def test_a_connect_outside_the_list_is_refused_recorded_and_never_dialled(
    world: tuple[Simulator, InterceptProxy], target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, proxy = world
    dialled: list[object] = []
    real_open = asyncio.open_connection

    async def spy(host: object, port: object, **kw: object) -> object:
        dialled.append((host, port))
        return await real_open(host, port, **kw)  # type: ignore[arg-type]

    def no_dns(*args: object, **kw: object) -> object:
        dialled.append(("dns", args[0]))
        raise OSError("resolution is forbidden in this test")

    monkeypatch.setattr(asyncio, "open_connection", spy)
    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    before = len(proxy.refused)
    answer = _connect(proxy, f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 403 "), answer[:80]
    assert b"forwards nothing" in answer
    assert dialled == []
    assert [t.target for t in proxy.refused[before:]] == [target]


def test_a_plain_proxy_request_is_refused_not_forwarded(
    world: tuple[Simulator, InterceptProxy],
) -> None:
    _, proxy = world
    answer = _connect(proxy, b"GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 405 ")
    assert proxy.refused[-1].reason == "not a CONNECT"


def test_the_proxy_listens_on_loopback_only(world: tuple[Simulator, InterceptProxy]) -> None:
    _, proxy = world
    assert proxy.url.startswith("http://127.0.0.1:")
    for host in ("0.0.0.0", "192.168.1.10", "::", "example.com"):
        with pytest.raises(AcornUsageError, match="loopback only"):
            InterceptProxy({}, world[0].tls, host=host)  # type: ignore[arg-type]


def test_a_port_in_use_is_a_clear_error(world: tuple[Simulator, InterceptProxy]) -> None:
    sim, _ = world
    assert sim.tls is not None
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        with pytest.raises(AcornUsageError, match=rf"port {port} .* already in use.*Fix:"):
            InterceptProxy({}, sim.tls, port=port).start()


def test_intercept_needs_tls_material() -> None:
    with Simulator() as plain, pytest.raises(AcornUsageError, match="TLS material"):
        intercept(plain)


def test_the_proxy_and_the_production_guard_agree_on_amazons_hosts() -> None:
    """What the proxy answers locally is exactly what the guard refuses to reach for real."""
    expected = {"api.amazon.com", *PRODUCTION_HOSTS.values(), *SANDBOX_HOSTS.values()}
    assert set(INTERCEPTED) == expected
    for host in INTERCEPTED:
        assert classify_host(host) in ("lwa", "production", "sandbox")
        if classify_host(host) != "sandbox":  # the sandbox is what `acorn record` is for
            with pytest.raises(ProductionRefused):
                refuse_production(
                    {"x": f"https://{host}"}, allow=False, doing="call", where="t", fix="f"
                )
    assert "api.amazon.com" in LWA_HOSTS
