"""A throwaway local certificate authority, so the simulator can speak real TLS.

Integrations verify TLS against a CA store (system CAs, certifi); many cannot be pointed at a
plain-HTTP endpoint at all, and encryption in transit is a DPP requirement ACORN judges
(TLS-01). :class:`TlsMaterial` makes one CA per run with trustme, issues the simulator's
certificate (127.0.0.1, ::1, localhost, and Amazon's SP-API and LWA names for the intercept
proxy), and writes the CA bundle to a file the integration is told about through the variables
its ecosystem reads:

- ``SSL_CERT_FILE``: OpenSSL's default store, so Python's :mod:`ssl` (urllib,
  ``ssl.create_default_context``), httpx (only while ``trust_env`` is true, its default), Ruby
  and curl builds on OpenSSL. It *replaces* the default store for that process.
- ``REQUESTS_CA_BUNDLE``: requests (Session.trust_env, the default; ignored when the code
  passes ``verify=`` itself); botocore reads AWS_CA_BUNDLE instead.
- ``NODE_EXTRA_CA_CERTS``: Node.js, read once at process start, *added* to Node's own store.

It can also issue the certificates a careful client must refuse (TLS-01): one from a CA
nobody trusts, one for another host name, one that has expired. Nothing here is a secret
worth keeping: the keys live in a temporary folder removed on :meth:`TlsMaterial.close`.
"""

from __future__ import annotations

import shutil
import ssl
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import trustme

__all__ = ["BAD_KINDS", "CA_VARIABLES", "BadKind", "ServerFiles", "TlsMaterial"]

CA_VARIABLES = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS")
"""The variables Python (ssl, httpx), requests and Node.js read for extra or replacement CAs."""
LOOPBACK_NAMES = ("127.0.0.1", "::1", "localhost")
BadKind = Literal["untrusted", "wrong-name", "expired"]
BAD_KINDS: tuple[BadKind, ...] = ("untrusted", "wrong-name", "expired")
BAD_DESCRIPTIONS: dict[BadKind, str] = {
    "untrusted": "issued by a certificate authority the integration was never told to trust",
    "wrong-name": "issued by the trusted CA, but for another host (wrong-host.invalid)",
    "expired": "issued by the trusted CA for the right host, but expired a day ago",
}


@dataclass(frozen=True)
class ServerFiles:
    """A certificate chain and its key as PEM files, as uvicorn's ssl options take them."""

    certfile: Path
    keyfile: Path

    def context(self) -> ssl.SSLContext:
        """A server-side context serving this certificate (the intercept proxy's)."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.certfile, self.keyfile)
        return ctx


class TlsMaterial:
    """One local CA and the files the simulator and the integration need; close() removes them.

    ``folder``: where the files go (a fresh temporary folder by default). The CA bundle is
    ``ca.pem`` there; :meth:`env` names it under every variable in :data:`CA_VARIABLES`.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self._own = folder is None
        self.folder = Path(tempfile.mkdtemp(prefix="acorn-tls-")) if folder is None else folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.ca = trustme.CA(organization_name="ACORN throwaway test CA")
        self.ca_file = self.folder / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        self._issued: dict[str, ServerFiles] = {}

    def env(self) -> dict[str, str]:
        """The CA bundle under each ecosystem's variable (see the module docstring)."""
        return {name: str(self.ca_file) for name in CA_VARIABLES}

    def server(self, *extra_names: str) -> ServerFiles:
        """A leaf for loopback (and ``extra_names``), issued once and kept for the run."""
        names = tuple(dict.fromkeys((*LOOPBACK_NAMES, *extra_names)))
        key = ",".join(names)
        if key not in self._issued:
            self._issued[key] = self._write(f"server-{len(self._issued)}", self.ca, names)
        return self._issued[key]

    def bad_server(self, kind: BadKind, *extra_names: str) -> ServerFiles:
        """A certificate a verifying client must refuse on 127.0.0.1 and ``extra_names``
        (see :data:`BAD_KINDS`; "wrong-name" names only wrong-host.invalid)."""
        if kind not in BAD_KINDS:
            raise ValueError(f"unknown bad-certificate kind {kind!r}; known: {BAD_KINDS}")
        names = tuple(dict.fromkeys((*LOOPBACK_NAMES, *extra_names)))
        key = f"bad:{kind}:" + ",".join(names)
        if key not in self._issued:
            now = datetime.now(UTC)
            stem = f"bad-{kind}-{len(self._issued)}"
            if kind == "untrusted":
                stranger = trustme.CA(organization_name="Not the CA you were told to trust")
                files = self._write(stem, stranger, names)
            elif kind == "wrong-name":
                files = self._write(stem, self.ca, ("wrong-host.invalid",))
            else:
                files = self._write(
                    stem,
                    self.ca,
                    names,
                    not_before=now - timedelta(days=30),
                    not_after=now - timedelta(days=1),
                )
            self._issued[key] = files
        return self._issued[key]

    def client_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts only this CA (the proxy's upstream leg)."""
        ctx = ssl.create_default_context(cafile=str(self.ca_file))
        return ctx

    def _write(
        self,
        stem: str,
        ca: trustme.CA,
        names: tuple[str, ...],
        *,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
    ) -> ServerFiles:
        leaf = ca.issue_cert(*names, not_before=not_before, not_after=not_after)
        certfile, keyfile = self.folder / f"{stem}.pem", self.folder / f"{stem}.key"
        certfile.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
        keyfile.write_bytes(leaf.private_key_pem.bytes())
        keyfile.chmod(0o600)
        return ServerFiles(certfile, keyfile)

    def close(self) -> None:
        if self._own:
            shutil.rmtree(self.folder, ignore_errors=True)
