"""Scrubbing recorded exchanges before they touch disk, fail-closed.

What goes: the LWA client secret, refresh/access tokens and RDTs (also URL-encoded),
credential headers (``x-amz-access-token``, ``Authorization``, ``x-amz-security-token``,
cookies), presigned-URL credentials (``X-Amz-Credential``, ``X-Amz-Signature``,
``X-Amz-Security-Token``), buyer PII (names, e-mails, phones, address lines). Optionally seller
and order ids are pseudonymised consistently: the same id always gets the same placeholder, so
an integration replaying the cassette asks for ``/orders/v0/orders/000-0000000-0000001`` and
finds it.

Tokens become ``Atza|***<8 hex of its hash>``: never reversible, but a reader can still see
that the token the LWA answer gave is the one the next call carried.

Fail-closed: :meth:`Scrubber.check` scans each scrubbed entry and :func:`save` scans the whole
text again; anything left raises :class:`CassetteLeakError`, which names the entry and the
field, never the value, and nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from harness.cassettes.format import (
    Cassette,
    CassetteError,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    dump,
    write_text_atomic,
)
from harness.cassettes.rules import (
    BEARER_RE,
    CLIENT_SECRET_RE,
    FORM_SECRET_FIELDS,
    MASK,
    ORDER_FIELDS,
    ORDER_ID_RE,
    PERSON_KEYS,
    PII_FIELDS,
    PRESIGNED_PARAMS,
    PRESIGNED_RE,
    SECRET_FIELDS,
    SECRET_HEADERS,
    SELLER_FIELDS,
    TOKEN,
    Form,
    Pseudonyms,
    holds_person,
    mask_emails,
    mask_secret_value,
    mask_token,
    masked,
    parse_body,
    pii_key,
)
from harness.cassettes.scan import PLACEHOLDER_PII, Finding, KnownValues, Scanner

__all__ = [
    "CassetteLeakError",
    "Pseudonyms",
    "Scrubber",
    "mask_token",
    "save",
]


class CassetteLeakError(CassetteError):
    """A secret or PII survived scrubbing; nothing was written."""


@dataclass
class _Learned:
    secrets: set[str]
    pii: set[str]


class Scrubber:
    """Scrubs interactions (ACORN's model) and vcrpy requests/responses alike.

    ``secrets``/``pii``: values known in advance (the recording environment's credentials,
    the simulator's canaries). Values learnt from the traffic (the secret an LWA form carried,
    a buyer's name in one field) are masked wherever else they appear.
    """

    def __init__(
        self,
        *,
        pseudonymise: bool = True,
        secrets: Iterable[str] = (),
        pii: Iterable[str] = (),
        seller_ids: Iterable[str] = (),
        contracts: Any = None,
    ) -> None:
        self.pseudonymise = pseudonymise
        self.known = KnownValues(secrets=secrets, pii=pii)
        self.pseudonyms = Pseudonyms()
        self.contracts = contracts
        if pseudonymise:
            for seller in seller_ids:
                self.pseudonyms.seller(seller)

    # -- learning ------------------------------------------------------------------------

    def learn(self, interaction: Interaction) -> None:
        """Collect secrets, PII and ids from a raw exchange (run over all before scrubbing)."""
        found = _Learned(set(), set())
        req, resp = interaction.request, interaction.response
        for body, ctype in ((req.body, req.header("content-type")), (resp.body, None)):
            data = parse_body(body, ctype)
            if isinstance(data, (dict, list)):
                self._learn_json(data, None, found)
            elif isinstance(data, Form):
                found.secrets.update(
                    v
                    for k, v in data.pairs
                    if k.lower() in FORM_SECRET_FIELDS and v and not masked(v)
                )
        for key, values in req.headers.items():
            if key.lower() in SECRET_HEADERS:
                found.secrets.update(v for v in values if v and not masked(v))
        if self.pseudonymise and self.contracts is not None:
            match = self.contracts.match(req.method, req.path)
            if match is not None:
                for name, value in match.path_params.items():
                    if name.lower() in SELLER_FIELDS:
                        self.pseudonyms.seller(value)
        self.known.add(secrets=found.secrets, pii=found.pii)

    def _learn_json(
        self, node: Any, key: str | None, found: _Learned, in_pii: bool = False
    ) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                lower = k.lower()
                if lower == "code" and "grant_type" in node and isinstance(v, str) and v != MASK:
                    found.secrets.add(v)
                self._learn_json(v, lower, found, in_pii or holds_person(lower))
        elif isinstance(node, list):
            for v in node:
                self._learn_json(v, key, found, in_pii)
        elif isinstance(node, str) and key is not None and node and not masked(node):
            if key in SECRET_FIELDS:
                found.secrets.add(node)
            elif pii_key(key) in PII_FIELDS or (in_pii and key == "name"):
                found.pii.add(node)
            elif self.pseudonymise and key in SELLER_FIELDS:
                self.pseudonyms.seller(node)

    # -- scrubbing -----------------------------------------------------------------------

    def text(self, value: str) -> str:
        value = TOKEN.sub(lambda m: mask_token(m.group(0)), value)
        value = CLIENT_SECRET_RE.sub(MASK, value)
        value = PRESIGNED_RE.sub(lambda m: m.group(1) + MASK, value)
        value = BEARER_RE.sub(lambda m: f"{m.group(1)} {MASK}", value)
        value = self.known.replace(value, MASK, PLACEHOLDER_PII)
        value = mask_emails(value, PLACEHOLDER_PII)
        if self.pseudonymise:
            value = self.pseudonyms.text(value)
        return value

    def json_value(self, node: Any, key: str | None = None, in_pii: bool = False) -> Any:
        if isinstance(node, dict):
            out = {}
            # A "name" beside an address line or a phone is a person's (the scanner says so
            # too): Vendor's shipToParty, an integration's own {"name", "address_line1"}.
            in_pii = in_pii or any(pii_key(str(k)) in PERSON_KEYS for k in node)
            for k, v in node.items():
                lower = k.lower()
                if lower == "code" and "grant_type" in node and isinstance(v, str):
                    out[k] = MASK
                    continue
                if k == "Name" and isinstance(v, str) and v:
                    # Orders-style "Name" is a person's wherever it sits; the scanner treats
                    # it so, and a non-person one (a tax classification) is a small loss.
                    out[k] = PLACEHOLDER_PII
                    continue
                out[k] = self.json_value(v, lower, in_pii or holds_person(lower))
            return out
        if isinstance(node, list):
            return [self.json_value(v, key, in_pii) for v in node]
        if isinstance(node, str) and key is not None:
            if key in SECRET_FIELDS:
                return mask_secret_value(node) if node else node
            if node and (pii_key(key) in PII_FIELDS or (in_pii and key == "name")):
                return PLACEHOLDER_PII
            if self.pseudonymise and key in SELLER_FIELDS and node:
                return self.pseudonyms.seller(node)
            if self.pseudonymise and key in ORDER_FIELDS and ORDER_ID_RE.fullmatch(node):
                return self.pseudonyms.order(node)
        if isinstance(node, str):
            return self.text(node)
        return node

    def uri(self, uri: str) -> str:
        parts = urlsplit(uri)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        scrubbed = [
            (k, MASK if k.lower() in PRESIGNED_PARAMS | SECRET_FIELDS else self.text(v))
            for k, v in pairs
        ]
        query = urlencode(scrubbed, quote_via=quote, safe="*|,:") if pairs else parts.query
        path = self.text(parts.path)
        return urlunsplit((parts.scheme, parts.netloc, path, query, parts.fragment))

    def headers(self, headers: dict[str, list[str]]) -> dict[str, list[str]]:
        out = {}
        for key, values in headers.items():
            if key.lower() in SECRET_HEADERS:
                out[key] = [mask_secret_value(v) for v in values]
            else:
                out[key] = [self.text(v) for v in values]
        return out

    def body(self, body: str | None, content_type: str | None) -> str | None:
        if not body:
            return body
        data = parse_body(body, content_type)
        if isinstance(data, (dict, list)):
            return json.dumps(self.json_value(data), ensure_ascii=False)
        if isinstance(data, Form):
            pairs = [
                (
                    k,
                    mask_secret_value(v) if k.lower() in FORM_SECRET_FIELDS and v else self.text(v),
                )
                for k, v in data.pairs
            ]
            return urlencode(pairs, quote_via=quote, safe="*|")
        return self.text(body)

    def interaction(self, item: Interaction) -> Interaction:
        req, resp = item.request, item.response
        request = RecordedRequest(
            method=req.method,
            uri=self.uri(req.uri),
            headers=self.headers(req.headers),
            body=self.body(req.body, req.header("content-type")),
        )
        response = RecordedResponse(
            status=resp.status,
            message=resp.message,
            headers=self.headers(resp.headers),
            body=self.body(resp.body, resp.header("content-type")),
        )
        return replace(item, request=request, response=response)

    def cassette(self, cassette: Cassette) -> Cassette:
        """Learn over every entry first (so an id seen late is replaced early too), scrub, check."""
        for item in cassette.interactions:
            self.learn(item)
        scrubbed = [self.interaction(item) for item in cassette.interactions]
        meta = dict(cassette.meta)
        meta["scrubbed"] = True
        meta["pseudonymised"] = self.pseudonymise
        if self.pseudonymise and self.pseudonyms.sellers:
            meta["seller_id"] = next(iter(self.pseudonyms.sellers.values()))
        result = replace(cassette, interactions=scrubbed, meta=meta)
        self.check(result)
        return result

    # -- fail-closed ---------------------------------------------------------------------

    def check(self, cassette: Cassette) -> None:
        """Raise :class:`CassetteLeakError` if any entry still holds a secret or PII."""
        scanner = Scanner(self.known)
        findings: list[Finding] = []
        for index, item in enumerate(cassette.interactions):
            label = item.label(index)
            for field, value in _fields(item):
                findings += [Finding(f"{label} {field}", k) for k in scanner.kinds(value)]
        if findings:
            raise CassetteLeakError(
                "refusing to write the cassette: scrubbing left "
                + "; ".join(str(f) for f in findings[:10])
                + (f" (and {len(findings) - 10} more)" if len(findings) > 10 else ""),
                where=cassette.where(),
                fix="nothing was written. Add the value's key to the scrubber (or pass the "
                "value as a known secret) and record again; report it if ACORN should know it",
            )

    # -- vcrpy hooks (in-process recording) ----------------------------------------------

    def before_record_request(self, request: Any) -> Any:
        """vcrpy ``before_record_request``: scrub a ``vcr.request.Request`` in place."""
        headers = {k: [v] for k, v in request.headers.items()}
        raw = request.body
        body = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
        item = Interaction(
            RecordedRequest(request.method, request.uri, headers, body),
            RecordedResponse(0, "", {}, None),
        )
        self.learn(item)
        clean = self.interaction(item).request
        request.uri = clean.uri
        for key, values in clean.headers.items():
            request.headers[key] = values[0]
        request.body = clean.body
        _raise_on_leak(self, [("request.uri", clean.uri), ("request.body", clean.body or "")])
        return request

    def before_record_response(self, response: dict[str, Any]) -> dict[str, Any]:
        """vcrpy ``before_record_response``: scrub the response dict vcrpy will store."""
        body = response.get("body", {}).get("string")
        if isinstance(body, bytes):
            try:
                text: str | None = body.decode("utf-8")
            except UnicodeDecodeError:
                text = None
        else:
            text = body
        headers = {
            k: [str(v) for v in (vs if isinstance(vs, list) else [vs])]
            for k, vs in response.get("headers", {}).items()
        }
        ctype = next((v[0] for k, v in headers.items() if k.lower() == "content-type"), None)
        clean = ""
        if text is not None:
            data = parse_body(text, ctype)
            if isinstance(data, (dict, list)):
                found = _Learned(set(), set())
                self._learn_json(data, None, found)
                self.known.add(secrets=found.secrets, pii=found.pii)
            clean = self.body(text, ctype) or ""
            response["body"]["string"] = clean.encode("utf-8") if isinstance(body, bytes) else clean
        else:
            # Binary bodies cannot be scanned, so they are not kept (as in ACORN's proxy).
            response["body"]["string"] = b""
            headers["x-acorn-body-omitted"] = [f"binary, {len(body or b'')} bytes"]
        response["headers"] = {
            k: v for k, v in self.headers(headers).items() if k.lower() != "content-length"
        }
        _raise_on_leak(self, [("response.body", clean)])
        return response

    def vcr_config(self, **overrides: Any) -> dict[str, Any]:
        """A ``vcr_config`` for pytest-recording / ``vcr.VCR(**...)`` with these hooks on.

        Pair it with :func:`harness.cassettes.vcr_support.install` so the written cassette is
        scanned as a whole too.
        """
        config: dict[str, Any] = {
            "before_record_request": self.before_record_request,
            "before_record_response": self.before_record_response,
            "decode_compressed_response": True,
            "record_mode": "none",
        }
        config.update(overrides)
        return config


def _raise_on_leak(scrubber: Scrubber, fields: list[tuple[str, str]]) -> None:
    scanner = Scanner(scrubber.known)
    findings = [Finding(name, k) for name, value in fields for k in scanner.kinds(value)]
    if findings:
        raise CassetteLeakError(
            "refusing to record: scrubbing left " + "; ".join(str(f) for f in findings),
            fix="add the value's key to the scrubber or pass it as a known secret",
        )


def _fields(item: Interaction) -> list[tuple[str, str]]:
    req, resp = item.request, item.response
    fields = [("request.uri", req.uri), ("request.body", req.body or "")]
    fields += [(f"request.headers.{k}", f"{k}: {v}") for k, vs in req.headers.items() for v in vs]
    fields += [(f"response.headers.{k}", f"{k}: {v}") for k, vs in resp.headers.items() for v in vs]
    fields.append(("response.body", resp.body or ""))
    return fields


def save(cassette: Cassette, path: Path, scrubber: Scrubber | None = None) -> Cassette:
    """Scrub (unless ``scrubber`` is None and the cassette is marked scrubbed), scan, write.

    The serialized text is scanned once more as a whole; only clean text reaches the disk.
    Returns the cassette as written.
    """
    cassette = replace(cassette, source=path)  # errors name the file
    if scrubber is not None:
        cassette = scrubber.cassette(cassette)
    elif not cassette.meta.get("scrubbed"):
        cassette = Scrubber(pseudonymise=False).cassette(cassette)
    text = dump(cassette)
    known = scrubber.known if scrubber is not None else None
    leaks = Scanner(known).text(text, str(path))
    if leaks:
        raise CassetteLeakError(
            "refusing to write the cassette: its text still holds "
            + "; ".join(f"{f.kind} at line {f.where.rsplit(':', 1)[-1]}" for f in leaks[:10]),
            where=str(path),
            fix="nothing was written; scrub the value (or report it to ACORN) and record again",
        )
    write_text_atomic(path, text)
    return cassette
