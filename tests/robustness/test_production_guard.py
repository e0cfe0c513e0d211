"""The production guard holds for every spelling of an Amazon host, and refuses before a socket.

A table of host spellings (issue 13: trailing dots, IDNA dots, case, percent-encoding,
userinfo, ports, schemes, punycode, IP literals) judged by the one guard, by ``acorn record``'s
``--upstream`` and by ``acorn product-types pull``; then the commands themselves, in a
subprocess whose every socket connect and DNS lookup is a trap: a refused spelling must exit 2
naming the host and ``--allow-production`` with the trap untouched, and the same spelling
with ``--allow-production`` must spring it (so the trap, and the refusal, are real). The trap
raises before the real call, so no test can reach the internet.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.cassettes.guard import destination, refuse_production, request_hook
from harness.errors import AcornUsageError
from harness.sim.proxy import Upstream

pytestmark = pytest.mark.seconds(65)

ROOT = Path(__file__).resolve().parents[2]
NA = "sellingpartnerapi-na.amazon.com"

# (spelling, kind the guard must see). "production" is refused without --allow-production
# everywhere; "lwa" is refused except as the recording proxy's LWA endpoint.
SPELLINGS: list[tuple[str, str]] = [
    (f"https://{NA}", "production"),
    (f"https://{NA}.", "production"),
    (f"https://{NA}..", "production"),
    (f"https://{NA}./", "production"),
    ("https://sellingpartnerapi-na\u3002amazon\u3002com", "production"),
    ("https://sellingpartnerapi-na\uff0eamazon.com", "production"),
    ("https://sellingpartnerapi-na\uff61amazon\uff61com\uff61", "production"),
    ("https://SELLINGPARTNERAPI-NA.AMAZON.COM", "production"),
    ("https://SellingPartnerAPI-EU.Amazon.Com.", "production"),
    ("HTTPS://sellingpartnerapi-fe.amazon.com", "production"),
    (f"https://{NA}:443", "production"),
    (f"https://{NA}:443/", "production"),
    (f"https://{NA}:8443", "production"),
    (f"http://{NA}", "production"),
    (f"http://{NA}:80", "production"),
    (f"https://x@{NA}", "production"),
    (f"https://user:pass@{NA}", "production"),
    (f"https://127.0.0.1@{NA}", "production"),
    (f"https://a\\@{NA}", "production"),
    ("https://%73ellingpartnerapi-na.amazon.com", "production"),
    (f"https://{NA}%2e", "production"),
    ("https://sellingpartnerapi-na%2Eamazon%2Ecom", "production"),
    ("https://sellingpartnerapi-na.xn--amazon-.com", "production"),
    ("https://\uff53ellingpartnerapi-na.amazon.com", "production"),  # fullwidth s
    (f" https://{NA} ", "production"),
    (f"https://{NA}/#@127.0.0.1", "production"),
    (f"https://{NA}?@127.0.0.1", "production"),
    ("https://sellingpartnerapi-na.amazon.com.:443/orders/v0/orders", "production"),
    (
        "https://selling-partner-definitions-prod-iad.s3.amazonaws.com/schema/LUGGAGE.json",
        "production",
    ),
    ("https://tortuga-prod-na.s3.amazonaws.com/x", "production"),
    ("https://amazon.com", "production"),
    ("https://www.amazon.co.uk.", "production"),
    ("https://api.amazon.com", "lwa"),
    ("https://api.amazon.com./auth/o2/token", "lwa"),
    ("https://API.AMAZON.COM/auth/o2/token", "lwa"),
    ("https://api\u3002amazon\u3002com/auth/o2/token", "lwa"),
    ("https://x@api.amazon.com:443/auth/o2/token", "lwa"),
    ("https://api.amazon.co.uk/auth/o2/token", "lwa"),
    ("https://api.amazon.co.jp./auth/o2/token", "lwa"),
    ("https://sandbox.sellingpartnerapi-na.amazon.com", "sandbox"),
    ("https://sandbox.sellingpartnerapi-eu.amazon.com.", "sandbox"),
    ("https://SANDBOX.sellingpartnerapi-fe.amazon.com:443", "sandbox"),
    ("http://127.0.0.1:9000", "elsewhere"),
    ("http://127.0.0.1", "elsewhere"),
    ("http://[::1]:9000", "elsewhere"),
    ("http://[::ffff:127.0.0.1]:9000", "elsewhere"),
    ("http://localhost:9000", "elsewhere"),
    (f"http://{NA}@127.0.0.1:9000", "elsewhere"),  # httpx connects to 127.0.0.1
    ("http://127.0.0.1:9000/#@sellingpartnerapi-na.amazon.com", "elsewhere"),
    ("https://example.com", "elsewhere"),
    ("https://amazon.com.example.net", "elsewhere"),
    ("https://notamazon.com", "elsewhere"),
    ("https://sellingpartnerapi-na.amazon.com-evil.example", "elsewhere"),
]
REFUSED_FOR_PULL = {"production", "lwa"}


def test_the_table_is_broad() -> None:
    assert len(SPELLINGS) >= 30
    assert len({s for s, _ in SPELLINGS}) == len(SPELLINGS)


@pytest.mark.parametrize(("spelling", "kind"), SPELLINGS)
def test_the_guard_sees_the_host_httpx_would_reach(spelling: str, kind: str) -> None:
    assert destination(spelling).kind == kind


@pytest.mark.parametrize(("spelling", "kind"), SPELLINGS)
def test_record_upstream_refuses_every_production_spelling(spelling: str, kind: str) -> None:
    for value in (spelling, f"NA={spelling}"):
        if kind in ("production", "lwa"):
            with pytest.raises(AcornUsageError) as caught:
                Upstream.parse([value])
            assert "--allow-production" in str(caught.value)
            assert "amazon" in str(caught.value)
        else:
            Upstream.parse([value])  # allowed: the sandbox, loopback, a non-Amazon name


@pytest.mark.parametrize(("spelling", "kind"), SPELLINGS)
def test_record_lets_lwa_be_lwa_and_nothing_else(spelling: str, kind: str) -> None:
    """The sandbox takes production LWA tokens, so LWA's host is allowed as the LWA endpoint."""
    if kind == "production":
        with pytest.raises(AcornUsageError, match="--allow-production"):
            Upstream.parse([f"LWA={spelling}"])
    else:
        Upstream.parse([f"LWA={spelling}"])


@pytest.mark.parametrize(("spelling", "kind"), SPELLINGS)
def test_the_request_hook_refuses_before_sending(spelling: str, kind: str) -> None:
    try:
        request = httpx.Request("GET", spelling.strip())
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, UnicodeError):
        pytest.skip("httpx cannot even build this request, so it cannot send it")
    hook = request_hook(allow=False, doing="call")
    if kind in REFUSED_FOR_PULL:
        with pytest.raises(AcornUsageError, match="--allow-production"):
            hook(request)
    else:
        hook(request)
    request_hook(allow=True, doing="call")(request)  # allowed means allowed


def test_the_message_names_the_host_never_the_userinfo() -> None:
    with pytest.raises(AcornUsageError) as caught:
        refuse_production(
            {"NA": f"https://user:s3cret-pass@{NA}./orders?token=abc"},
            allow=False,
            doing="call",
            where="--endpoint-na",
            fix="use a simulator",
        )
    message = str(caught.value)
    assert NA in message
    assert "--allow-production" in message
    assert "--endpoint-na" in message
    assert "s3cret-pass" not in message
    assert "token=abc" not in message


@pytest.mark.parametrize("bad", ["ftp://example.com", "example.com", "https://", "//example.com"])
def test_what_httpx_cannot_send_is_a_usage_error(bad: str) -> None:
    with pytest.raises(AcornUsageError, match="not an http"):
        refuse_production({"x": bad}, allow=True, doing="call", where="--x", fix="f")


def test_the_recording_proxy_refuses_a_target_that_changes_host() -> None:
    """``GET @host/x`` joined to the upstream base would be userinfo: the proxy must not send it."""
    from harness.sim.proxy import RecordingProxy

    up = Upstream.parse(["http://127.0.0.1:9"])  # nothing listens: a forward would be a 502
    with RecordingProxy(up, name="t") as proxy:
        port = int(proxy.server.bases["NA"].rsplit(":", 1)[1])
        for target in (b"@" + NA.encode() + b"/x", b"http://" + NA.encode() + b"/x"):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
                assert sock.recv(100).startswith(b"HTTP/1.1 400"), target
    assert proxy.count == 0
    assert all("not a path" in e for e in proxy.errors)
    assert len(proxy.errors) == 2


# -- the commands, end to end, with every connect and DNS lookup trapped ------------------

_TRAP = """
import os, socket, sys
_log = os.environ["ACORN_TEST_TRAP"]
def _sprung(*args, **kwargs):
    with open(_log, "a") as f:
        f.write(repr(args[-1] if args else kwargs)[:200] + "\\n")
    raise OSError("socket trap: this test allows no outbound connection")
socket.socket.connect = _sprung
socket.socket.connect_ex = _sprung
socket.getaddrinfo = _sprung
socket.create_connection = _sprung
from harness.cli.main import main
sys.argv = ["acorn", *sys.argv[1:]]
main()
"""


def _trapped(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    log = tmp_path / "connects.log"
    log.unlink(missing_ok=True)
    env = {
        **os.environ,
        "ACORN_TEST_TRAP": str(log),
        "ACORN_CLIENT_ID": "amzn1.application-oa2-client.test",
        "ACORN_CLIENT_SECRET": "amzn1.oa2-cs.v1.trap-test-secret",
        "ACORN_REFRESH_TOKEN": "Atzr|trap-test",
    }
    done = subprocess.run(
        [sys.executable, "-c", _TRAP, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
        check=False,
    )
    return done, log.read_text().splitlines() if log.exists() else []


_E2E = [
    f"https://{NA}.",
    "https://sellingpartnerapi-na\u3002amazon\u3002com",
    "HTTPS://x@SellingPartnerAPI-NA.amazon.com.:443",
]


@pytest.mark.parametrize("spelling", _E2E)
def test_acorn_record_refuses_without_a_socket(tmp_path: Path, spelling: str) -> None:
    args = ["record", "--cassette", "c", "--cassettes-dir", str(tmp_path), "--run", "true"]
    done, connects = _trapped(tmp_path, *args, "--upstream", spelling)
    assert done.returncode == 2, done.stdout + done.stderr
    assert NA in done.stderr
    assert "--allow-production" in done.stderr
    assert connects == []
    assert not (tmp_path / "c").exists()


_TOKEN_URLS = [
    "https://api.amazon.com./auth/o2/token",
    "https://api\uff0eamazon\uff0ecom/auth/o2/token",
    "https://X@API.AMAZON.COM:443/auth/o2/token",
]


@pytest.mark.parametrize("token_url", _TOKEN_URLS)
def test_product_types_pull_refuses_without_a_socket(tmp_path: Path, token_url: str) -> None:
    loop = "http://127.0.0.1:9"
    args = ["product-types", "pull", "--out", str(tmp_path / "out"), "--marketplaces", "US"]
    args += ["--product-types", "LUGGAGE", "--endpoint-na", loop, "--endpoint-eu", loop]
    args += ["--endpoint-fe", loop, "--token-url", token_url]
    done, connects = _trapped(tmp_path, *args)
    assert done.returncode == 2, done.stdout + done.stderr
    output = done.stdout + done.stderr
    assert "api.amazon.com" in output
    assert "--allow-production" in output
    assert "trap-test-secret" not in output
    assert connects == []
    assert not (tmp_path / "out").exists()
    # The control: allowed, the very same command reaches for the network and springs the
    # trap (which raises before any real connect), so the empty trap above means something.
    allowed, sprung = _trapped(tmp_path, *args, "--allow-production")
    assert allowed.returncode == 2
    assert sprung, allowed.stdout + allowed.stderr


def test_record_with_allow_production_springs_the_trap(tmp_path: Path) -> None:
    """The control for ``acorn record``: allowed, the proxy forwards and the trap fires."""
    run = (
        f'{json.dumps(sys.executable)} -c "import os, urllib.request as u; '
        "u.urlopen(os.environ['ACORN_ENDPOINT_NA'] + '/orders/v0/orders', timeout=20)\""
    )
    args: list[Any] = ["record", "--cassette", "c", "--cassettes-dir", str(tmp_path)]
    args += ["--upstream", f"NA=https://{NA}.", "--allow-production", "--run", run]
    done, connects = _trapped(tmp_path, *args)
    assert connects, done.stdout + done.stderr
    assert "upstream unreachable" in done.stderr


# -- generated spellings: every mix of the tricks above ------------------------------------

_HOSTS = [NA, "sellingpartnerapi-eu.amazon.com", "sellingpartnerapi-fe.amazon.com"]
_HOSTS += ["api.amazon.com", "api.amazon.co.jp", "tortuga-prod-na.s3.amazonaws.com"]


@st.composite
def _spellings(draw: st.DrawFn) -> str:
    chars = []
    for char in draw(st.sampled_from(_HOSTS)):
        spelt = char
        if char == ".":
            spelt = draw(st.sampled_from([".", "\u3002", "\uff0e", "\uff61", "%2e", "%2E"]))
        elif draw(st.integers(0, 3)) == 0:
            spelt = char.upper()
        elif draw(st.integers(0, 9)) == 0:
            spelt = f"%{ord(char):02X}"
        chars.append(spelt)
    host = "".join(chars) + draw(st.sampled_from(["", ".", "..", "\u3002"]))
    scheme = draw(st.sampled_from(["https", "HTTPS", "http", "HtTpS"]))
    userinfo = draw(st.sampled_from(["", "x@", "user:pw@", "127.0.0.1@", "a%40b@"]))
    port = draw(st.sampled_from(["", ":443", ":80", ":8443"]))
    rest = draw(st.sampled_from(["", "/", "/auth/o2/token", "/#@127.0.0.1", "?@127.0.0.1"]))
    return f"{scheme}://{userinfo}{host}{port}{rest}"


GENERATED = 2000


@settings(max_examples=GENERATED)
@given(_spellings())
def test_every_generated_spelling_of_an_amazon_host_is_refused(url: str) -> None:
    assert destination(url).kind in ("production", "lwa")
    with pytest.raises(AcornUsageError, match="--allow-production"):
        refuse_production({"x": url}, allow=False, doing="call", where="--x", fix="f")
    try:
        request = httpx.Request("GET", url)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, UnicodeError):
        return  # httpx cannot send it at all
    with pytest.raises(AcornUsageError, match="--allow-production"):
        request_hook(allow=False, doing="call")(request)
