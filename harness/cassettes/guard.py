"""The production guard: ACORN reaches Amazon's production hosts only when told to, explicitly.

One guard for every command that can reach Amazon (``acorn record``'s upstreams, ``acorn
product-types pull``'s LWA, endpoints and schema links). It reads a URL with the parser that
sends the request, :class:`httpx.URL`, so what it judges is the host httpx would connect to,
not a raw string: a trailing dot, the IDNA dot equivalents (U+3002, U+FF0E, U+FF61), upper
case, ``HTTPS://``, userinfo (``https://x@host``), an explicit port and punycode all reach the
same host and are all judged as it. Belt and braces, the host is also read the ways other
software might (percent-decoded, NFKC case-folded, ``xn--`` labels decoded leniently, by
:func:`urllib.parse.urlsplit`), and the most dangerous reading wins. A URL httpx cannot send is
refused too. The guard runs before any socket opens: on the command line's values, and again
on every request through :func:`request_hook` (an httpx event hook runs before the transport
connects), so a schema link or a rewritten target cannot slip past it.

What counts as Amazon (from /work/shared/docs/spapi-facts.md): SP-API production
``sellingpartnerapi-{na,eu,fe}.amazon.com``; its sandbox ``sandbox.sellingpartnerapi-{na,eu,
fe}.amazon.com``; Login with Amazon ``api.amazon.com`` (the one LWA host SP-API documents; the
regional ``api.amazon.co.uk`` and ``api.amazon.co.jp`` exist for other Amazon products); and
presigned report, feed and schema documents on ``*.s3.amazonaws.com``. So:

- ``sandbox``: exactly a sandbox SP-API host. Always allowed (it is what recording is for).
- ``lwa``: exactly an LWA host. LWA serves sandbox and production alike (same tokens), so a
  command lets it through only where it names it (the recording proxy's LWA endpoint); a
  client secret sent there is a real one.
- ``production``: any other name that is, or is under, ``amazon.com``, ``amazon.co.uk``,
  ``amazon.co.jp`` or ``amazonaws.com``: production SP-API, and whatever else Amazon serves
  there, which ACORN has no reason to call without being told. Refused unless
  ``--allow-production``.
- ``elsewhere``: any other DNS name, and every IP literal (a simulator on 127.0.0.1 or
  ``[::1]``, a test server): allowed. An IP literal cannot be judged by name; over https the
  certificate would not match an Amazon name anyway.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

import httpx

from harness.cassettes.format import LWA_HOSTS, SANDBOX_HOSTS
from harness.errors import AcornUsageError

__all__ = [
    "AMAZON_DOMAINS",
    "Destination",
    "HostKind",
    "ProductionRefused",
    "classify_host",
    "destination",
    "refuse_production",
    "request_hook",
]

HostKind = Literal["sandbox", "lwa", "production", "elsewhere"]
AMAZON_DOMAINS = ("amazon.com", "amazon.co.uk", "amazon.co.jp", "amazonaws.com")
"""Registrable domains ACORN treats as Amazon's (see the module docstring for the sources)."""
_SANDBOX = frozenset(SANDBOX_HOSTS.values())
_DANGER: dict[HostKind, int] = {"elsewhere": 0, "sandbox": 1, "lwa": 2, "production": 3}
_DOTS = re.compile("[\u3002\uff0e\uff61]")
_ALLOW_FLAG = "--allow-production"


class ProductionRefused(AcornUsageError):
    """A URL reaches an Amazon host the command was not allowed to call."""


@dataclass(frozen=True)
class Destination:
    """Where a URL really goes: the normalised host, its kind, and httpx's parsed URL."""

    url: httpx.URL | None
    host: str
    kind: HostKind

    def shown(self) -> str:
        """The destination for a message: scheme, host, port; never userinfo, path or query."""
        if self.url is None:
            return self.host or "(no host)"
        port = f":{self.url.port}" if self.url.port is not None else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.url.scheme}://{host}{port}"


def classify_host(host: str) -> HostKind:
    """The kind of one already normalised host name (lower case, no trailing dot)."""
    if _ip_literal(host):
        return "elsewhere"
    if host in _SANDBOX:
        return "sandbox"
    if host in LWA_HOSTS:
        return "lwa"
    if any(host == d or host.endswith("." + d) for d in AMAZON_DOMAINS):
        return "production"
    return "elsewhere"


def _ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return False
    return True


def _readings(host: str) -> set[str]:
    """Every name ``host`` might be taken for, by httpx, a resolver or a lenient client."""
    found: set[str] = set()
    pending = [host]
    for _ in range(4):  # percent-decoding twice, NFKC, punycode: a few rounds reach a fixpoint
        fresh = []
        for name in pending:
            for variant in (
                name,
                name.lower(),
                unquote(name),
                _DOTS.sub(".", name),
                unicodedata.normalize("NFKC", name).casefold(),
                _unpunycode(name),
            ):
                plain = _DOTS.sub(".", variant).strip().rstrip(".").lower()
                if plain not in found:
                    found.add(plain)
                    fresh.append(plain)
        pending = fresh
    return found


def _unpunycode(name: str) -> str:
    labels = []
    for label in name.split("."):
        decoded = label
        if label.lower().startswith("xn--"):
            with contextlib.suppress(UnicodeError, ValueError):
                decoded = label[4:].encode("ascii").decode("punycode")
        labels.append(decoded)
    return ".".join(labels)


def _parse(url: str | httpx.URL) -> tuple[httpx.URL | None, set[str]]:
    """httpx's URL (None if httpx cannot read it) and every reading of its host."""
    parsed: httpx.URL | None
    readings: set[str] = set()
    if isinstance(url, httpx.URL):
        parsed = url
    else:
        try:
            parsed = httpx.URL(url.strip())
        except (httpx.InvalidURL, UnicodeError, ValueError, TypeError):
            parsed = None
        try:
            other = urlsplit(url.strip()).hostname
        except ValueError:
            other = None
        if other:
            readings |= _readings(other)
        # The authority as written, for spellings no parser accepts (fullwidth letters...).
        authority = re.sub(r"^[^:/]*://", "", url.strip()).split("/")[0].split("@")[-1]
        readings |= _readings(re.sub(r":\d*$", "", authority))
    if parsed is not None:
        raw = parsed.raw_host.decode("ascii", errors="replace")
        readings |= _readings(raw) | _readings(parsed.host)
    return parsed, readings


def destination(url: str | httpx.URL) -> Destination:
    """Where ``url`` goes and what kind of host that is (the most dangerous reading)."""
    parsed, readings = _parse(url)
    readings.discard("")
    host = ""
    kind: HostKind = "elsewhere"
    if parsed is not None and parsed.raw_host:
        host = parsed.raw_host.decode("ascii", errors="replace").lower().rstrip(".")
        kind = classify_host(host)
    # The plainest reading names the host in a message: decoded, ASCII, then alphabetical.
    for reading in sorted(readings, key=lambda r: ("%" in r, not r.isascii(), r)):
        other = classify_host(reading)
        if _DANGER[other] > _DANGER[kind]:
            host, kind = reading, other
    if parsed is not None and (parsed.scheme not in ("http", "https") or not parsed.raw_host):
        parsed = None
    return Destination(parsed, host, kind)


def refuse_production(
    urls: Mapping[str, str | httpx.URL],
    *,
    allow: bool,
    doing: str,
    where: str,
    fix: str,
    lwa_ok: Collection[str] = (),
) -> dict[str, Destination]:
    """Judge every named URL; raise unless each is allowed. Returns where each goes.

    ``lwa_ok`` names the entries that may be an LWA host without ``--allow-production`` (the
    recording proxy's LWA endpoint: the sandbox is reached with LWA's one production host).
    A URL httpx cannot send (no http(s) scheme, no host, invalid name) is a usage error.
    """
    found = {name: destination(url) for name, url in urls.items()}
    hits = [
        f"{name} -> {d.host} ({d.shown()})"
        for name, d in found.items()
        if d.kind == "production" or (d.kind == "lwa" and name not in lwa_ok)
    ]
    if hits and not allow:
        raise ProductionRefused(
            f"refusing to {doing} Amazon's production hosts (" + ", ".join(hits) + "): "
            "production answers carry real buyer data, and real credentials would be sent",
            where=where,
            fix=f"{fix}; if you really mean production, add {_ALLOW_FLAG}",
        )
    bad = [name for name, d in found.items() if d.url is None]
    if bad:
        raise AcornUsageError(
            "not an http(s) URL ACORN can call (" + ", ".join(bad) + ")",
            where=where,
            fix="give a URL such as https://sandbox.sellingpartnerapi-na.amazon.com or "
            "http://127.0.0.1:PORT",
        )
    return found


def request_hook(
    *, allow: bool, doing: str, lwa_ok: bool = False
) -> Callable[[httpx.Request], None]:
    """An httpx ``request`` event hook: the guard on every request, before it connects."""

    def check(request: httpx.Request) -> None:
        refuse_production(
            {"request": request.url},
            allow=allow,
            doing=doing,
            where=f"{request.method} {destination(request.url).shown()}",
            fix="point every endpoint at a simulator (`acorn serve`) or the sandbox",
            lwa_ok={"request"} if lwa_ok else (),
        )

    return check
