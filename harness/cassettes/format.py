"""The cassette file: vcrpy's YAML layout plus an ``acorn`` block, so both tools read it.

A cassette is ``cassettes/<name>/cassette.yaml``::

    version: 1              # vcrpy's own cassette format version
    acorn: {format: 1, ...} # ACORN's format version, upstream, API versions, pseudonyms
    interactions:
    - request:  {method, uri, headers: {name: [value]}, body}
      response: {status: {code, message}, headers: {name: [value]}, body: {string}}
      acorn:    {endpoint: NA, operation: getOrders}

vcrpy (and so pytest-recording) reads ``version`` and ``interactions[].request/response`` and
ignores both ``acorn`` blocks. Not vcrpy's own ``metadata`` key: vcrpy 9 then returns three
values from its deserializer and pytest-recording (0.14), which expects two, fails to load the
cassette. A cassette vcrpy wrote (no ``acorn`` block) loads here too, as format 0: the
endpoint is then read from the URI's host.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from harness.errors import AcornUsageError

__all__ = [
    "CASSETTE_FILE",
    "FORMAT_VERSION",
    "LWA_URL",
    "SANDBOX_HOSTS",
    "VCR_VERSION",
    "Cassette",
    "CassetteError",
    "Interaction",
    "RecordedRequest",
    "RecordedResponse",
    "cassette_path",
    "dump",
    "endpoint_of",
    "load",
    "parse",
    "write_text_atomic",
]

FORMAT_VERSION = 1
"""ACORN's cassette format version (``acorn.format`` at the top of the file)."""
VCR_VERSION = 1
"""vcrpy's ``CASSETTE_FORMAT_VERSION``; vcrpy refuses anything else."""
CASSETTE_FILE = "cassette.yaml"
LWA_URL = "https://api.amazon.com/auth/o2/token"
SANDBOX_HOSTS = {
    "NA": "sandbox.sellingpartnerapi-na.amazon.com",
    "EU": "sandbox.sellingpartnerapi-eu.amazon.com",
    "FE": "sandbox.sellingpartnerapi-fe.amazon.com",
}
PRODUCTION_HOSTS = {
    "NA": "sellingpartnerapi-na.amazon.com",
    "EU": "sellingpartnerapi-eu.amazon.com",
    "FE": "sellingpartnerapi-fe.amazon.com",
}
LWA_HOSTS = frozenset({"api.amazon.com", "api.amazon.co.uk", "api.amazon.co.jp"})
# libyaml's safe loader and dumper when PyYAML has them (ten times faster), as vcrpy does.
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SAFE_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_REPAIR = "restore the file from version control, or re-record it with `acorn record`"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class CassetteError(AcornUsageError):
    """A cassette file is missing, malformed, of an unknown version, or unsafe to write."""


def _first_header(headers: dict[str, list[str]], name: str) -> str | None:
    """The first value of a header, its name matched without case (as HTTP does)."""
    for key, values in headers.items():
        if key.lower() == name.lower() and values:
            return values[0]
    return None


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    uri: str
    headers: dict[str, list[str]]
    body: str | None

    @property
    def path(self) -> str:
        return urlsplit(self.uri).path or "/"

    @property
    def query_string(self) -> str:
        return urlsplit(self.uri).query

    def header(self, name: str) -> str | None:
        return _first_header(self.headers, name)


@dataclass(frozen=True)
class RecordedResponse:
    status: int
    message: str
    headers: dict[str, list[str]]
    body: str | None

    def header(self, name: str) -> str | None:
        return _first_header(self.headers, name)


@dataclass(frozen=True)
class Interaction:
    request: RecordedRequest
    response: RecordedResponse
    endpoint: str | None = None  # LWA | NA | EU | FE; None: unknown host
    operation: str | None = None

    def label(self, index: int) -> str:
        """How errors name this entry: its position and operation, never its values."""
        what = self.operation or self.request.method
        return f"entry {index} ({what})"


@dataclass
class Cassette:
    name: str
    interactions: list[Interaction] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None

    @property
    def seller_id(self) -> str | None:
        value = self.meta.get("seller_id")
        return value if isinstance(value, str) else None

    def where(self) -> str:
        return str(self.source) if self.source else f"cassette {self.name!r}"


def endpoint_of(uri: str) -> str | None:
    """LWA, NA, EU or FE from the URI's host (Amazon's hosts only), else None."""
    parts = urlsplit(uri)
    host = (parts.hostname or "").lower()
    if host in LWA_HOSTS or parts.path.rstrip("/") == "/auth/o2/token":
        return "LWA"
    for region, sandbox in SANDBOX_HOSTS.items():
        if host in (sandbox, PRODUCTION_HOSTS[region]):
            return region
    return None


# -- writing -------------------------------------------------------------------------------


def _headers_out(headers: dict[str, list[str]]) -> dict[str, list[str]]:
    return {k: list(v) for k, v in headers.items()}


def to_dict(cassette: Cassette) -> dict[str, Any]:
    """The vcrpy-shaped mapping; ``content-length`` is recomputed from the (scrubbed) body."""
    entries = []
    for item in cassette.interactions:
        req, resp = item.request, item.response
        entry: dict[str, Any] = {
            "request": {
                "body": req.body,
                "headers": _headers_out(req.headers),
                "method": req.method,
                "uri": req.uri,
            },
            "response": {
                "status": {"code": resp.status, "message": resp.message},
                "headers": _with_length(resp.headers, resp.body),
                "body": {"string": resp.body if resp.body is not None else ""},
            },
        }
        extra = {k: v for k, v in (("endpoint", item.endpoint), ("operation", item.operation)) if v}
        if extra:
            entry["acorn"] = extra
        entries.append(entry)
    meta = {"format": FORMAT_VERSION, "name": cassette.name, **cassette.meta}
    meta["format"] = FORMAT_VERSION
    return {"version": VCR_VERSION, "acorn": meta, "interactions": entries}


def _with_length(headers: dict[str, list[str]], body: str | None) -> dict[str, list[str]]:
    out = {k: list(v) for k, v in headers.items() if k.lower() != "content-length"}
    out["Content-Length"] = [str(len((body or "").encode("utf-8")))]
    return out


def dump(cassette: Cassette) -> str:
    """YAML text; lines are never folded, so a scan of the text sees whole values."""
    return yaml.dump(
        to_dict(cassette),
        Dumper=SAFE_DUMPER,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=2**30,
    )


def write_text_atomic(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder, so a reader never sees half a cassette."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".cassette-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cassette_path(name: str, root: Path) -> Path:
    """``root/<name>/cassette.yaml``; ``name`` may also be a path to a folder or a YAML file."""
    given = Path(name)
    if given.suffix in (".yaml", ".yml"):
        return given
    if given.is_dir():
        return given / CASSETTE_FILE
    if not _NAME.match(name):
        raise CassetteError(
            f"{name!r} is not a cassette name",
            fix="use letters, digits, '.', '_' and '-' (e.g. orders-sync), or give the path "
            "of an existing cassette folder or .yaml file",
        )
    return root / name / CASSETTE_FILE


# -- reading -------------------------------------------------------------------------------


def load(path: Path) -> Cassette:
    """Read and check a cassette file; every error names the file (and the entry)."""
    if not path.is_file():
        raise CassetteError(
            "no such cassette file",
            where=str(path),
            fix="record it with `acorn record --cassette NAME`, or check the name "
            "(cassettes live in cassettes/<name>/cassette.yaml)",
        )
    text = path.read_text(encoding="utf-8", errors="replace")
    name = path.parent.name if path.name == CASSETTE_FILE else path.stem
    return parse(text, name=name, source=path)


def parse(text: str, *, name: str, source: Path | None = None) -> Cassette:
    where = str(source) if source else f"cassette {name!r}"
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "malformed YAML"
        raise CassetteError(
            f"is not valid YAML{at}: {problem}",
            where=where,
            fix=_REPAIR,
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteError(
            "is not a cassette: expected a mapping with an 'interactions' list",
            where=where,
            fix="a cassette is vcrpy YAML (version, interactions); re-record it",
        )
    if data.get("version") != VCR_VERSION:
        raise CassetteError(
            f"has vcrpy cassette version {data.get('version')!r}; ACORN reads version "
            f"{VCR_VERSION}",
            where=where,
            fix="re-record the cassette with `acorn record` (or a current vcrpy)",
        )
    meta = _meta(data.get("acorn"), where)
    interactions = [_entry(raw, i, where) for i, raw in enumerate(data["interactions"])]
    meta.pop("name", None)
    return Cassette(name=name, interactions=interactions, meta=meta, source=source)


def _meta(acorn: Any, where: str) -> dict[str, Any]:
    if acorn is None:
        return {"format": 0}  # a plain vcrpy cassette
    if not isinstance(acorn, dict):
        raise CassetteError(
            "'acorn' must be a mapping (format, upstream, ...)",
            where=where,
            fix=_REPAIR,
        )
    version = acorn.get("format")
    if version != FORMAT_VERSION:
        raise CassetteError(
            f"has ACORN cassette format version {version!r}, which this ACORN does not know "
            f"(it reads format {FORMAT_VERSION})",
            where=where,
            fix="upgrade ACORN to the version that recorded it, or re-record the cassette",
        )
    return dict(acorn)


def _headers_in(raw: Any, where: str, label: str) -> dict[str, list[str]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise CassetteError(f"{label}: headers must be a mapping", where=where, fix=_REPAIR)
    out: dict[str, list[str]] = {}
    for key, value in raw.items():
        values = value if isinstance(value, list) else [value]
        out[str(key)] = [str(v) for v in values]
    return out


def _text(raw: Any, where: str, label: str) -> str | None:
    if raw is None or isinstance(raw, str):
        return raw
    if isinstance(raw, bytes):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise CassetteError(
                f"{label}: binary body; ACORN replays text bodies only",
                where=where,
                fix="re-record it with `acorn record`, which leaves binary bodies out",
            ) from None
    raise CassetteError(
        f"{label}: body must be text, got {type(raw).__name__}", where=where, fix=_REPAIR
    )


def _entry(raw: Any, index: int, where: str) -> Interaction:
    label = f"entry {index}"
    if not isinstance(raw, dict):
        raise CassetteError(f"{label} is not a mapping", where=where, fix=_REPAIR)
    req, resp = raw.get("request"), raw.get("response")
    if not isinstance(req, dict) or not isinstance(resp, dict):
        raise CassetteError(
            f"{label} needs a 'request' and a 'response' mapping", where=where, fix=_REPAIR
        )
    method, uri = req.get("method"), req.get("uri")
    if not isinstance(method, str) or not isinstance(uri, str):
        raise CassetteError(
            f"{label}: request needs a 'method' and a 'uri' string", where=where, fix=_REPAIR
        )
    status = resp.get("status")
    code = status.get("code") if isinstance(status, dict) else None
    if not isinstance(code, int) or not 100 <= code <= 599:
        raise CassetteError(
            f"{label} ({method}): response.status.code must be an HTTP status",
            where=where,
            fix=_REPAIR,
        )
    body = resp.get("body")
    body_text = _text(body.get("string") if isinstance(body, dict) else body, where, label)
    found = raw.get("acorn")
    extra: dict[str, Any] = found if isinstance(found, dict) else {}
    interaction = Interaction(
        request=RecordedRequest(
            method=method.upper(),
            uri=uri,
            headers=_headers_in(req.get("headers"), where, label),
            body=_text(req.get("body"), where, label),
        ),
        response=RecordedResponse(
            status=code,
            message=str(status.get("message", "")) if isinstance(status, dict) else "",
            headers=_headers_in(resp.get("headers"), where, label),
            body=body_text,
        ),
        endpoint=extra.get("endpoint") or endpoint_of(uri),
        operation=extra.get("operation"),
    )
    if interaction.endpoint not in (None, "LWA", "NA", "EU", "FE"):
        raise CassetteError(
            f"{label}: unknown endpoint {interaction.endpoint!r}",
            where=where,
            fix="an entry's acorn.endpoint is one of LWA, NA, EU, FE",
        )
    return interaction
