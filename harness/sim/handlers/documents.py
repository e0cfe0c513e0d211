"""Presigned document URLs (feed uploads, processing reports, product-type schemas).

At Amazon these are S3 URLs on other hosts: signed, short-lived (5 minutes for feed and report
documents, 7 days for schema links), and an upload must carry exactly the ``Content-Type`` the
document was created with or S3 refuses the signature. The simulator serves them under
``/_s3/`` on the regional ports, answering with S3's XML errors, so an integration exercises
the same steps (and failure modes) without knowing it is not talking to S3.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import quote

from harness.sim.http import Reply, SimRequest
from harness.sim.refusals import refuse
from harness.sim.state import Document

if TYPE_CHECKING:
    from harness.sim.world import World

__all__ = [
    "PREFIX",
    "SCHEMA_LINK_TTL",
    "URL_TTL",
    "md5_base64",
    "new_document",
    "presigned_url",
    "serve_document",
]

PREFIX = "/_s3/"
URL_TTL = 300.0  # feed/report document URLs: 5 minutes
SCHEMA_LINK_TTL = 7 * 24 * 3600.0  # product-type schema links: 7 days
_SIGNING_KEY = uuid.uuid4().bytes  # per process: URLs of an earlier run never validate


def md5_base64(content: bytes) -> str:
    """The checksum PTD publishes for a schema link (base64 of the MD5 digest)."""
    return base64.b64encode(hashlib.md5(content).digest()).decode()


def _s3_error(status: int, code: str, message: str, *, rule: str) -> Reply:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
        f"<Message>{message}</Message><RequestId>{uuid.uuid4().hex[:16].upper()}</RequestId>"
        "</Error>"
    ).encode()
    return refuse(
        rule, Reply(status, body, headers={"content-type": "application/xml"}, facts={"s3": code})
    )


def _sign(verb: str, key: str, date: str, expires: int) -> str:
    message = f"{verb}\n{key}\n{date}\n{expires}".encode()
    return hmac.new(_SIGNING_KEY, message, hashlib.sha256).hexdigest()


def new_document(
    world: World,
    *,
    kind: str,
    content_type: str,
    content: bytes | None = None,
    key: str | None = None,
) -> Document:
    """Register a document (feed input, report or schema) in the seller's world."""
    shard = world.config.seed % 97
    document_id = f"amzn1.tortuga.4.{shard}.{uuid.uuid4()}.T{uuid.uuid4().hex[:12]}"
    doc = Document(
        document_id=document_id,
        key=key or f"NinetyDays/{quote(document_id, safe='')}",
        content_type=content_type,
        created=world.clock.now(),
        kind=kind,
        content=content,
        checksum=md5_base64(content) if content is not None else None,
    )
    with world.locked():
        world.state.documents[doc.key] = doc
    return doc


def presigned_url(
    world: World, host: str, doc: Document, verb: str, ttl: float, *, scheme: str = "http"
) -> str:
    """An S3-looking presigned URL for ``verb`` on ``doc``, valid ``ttl`` seconds of the
    integration's time (see _expired).

    ``scheme``: the request's (https in TLS runs, where a client may refuse plain http, and
    behind the intercept proxy, which answers only https for Amazon's names)."""
    now = world.clock.now_datetime()
    date = now.strftime("%Y%m%dT%H%M%SZ")
    expires = int(ttl)
    bucket = "tortuga-prod" if doc.kind != "schema" else "selling-partner-definitions-prod"
    signature = _sign(verb, doc.key, date, expires)
    with world.locked():
        world.state.url_issued[signature] = world.clock.lived()
    query = (
        f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={date}&X-Amz-Expires={expires}"
        f"&X-Amz-SignedHeaders=content-type%3Bhost&X-Amz-Signature={signature}"
    )
    return f"{scheme}://{host}{PREFIX}{bucket}/{doc.key}?{query}"


def _norm_type(value: str) -> str:
    return ";".join(part.strip().lower() for part in value.split(";") if part.strip())


def _expired(world: World, signature: str, signed_at: float, expires: int) -> bool:
    """Has the URL outlived ``expires`` seconds of the integration's time (VirtualClock.lived)?

    Under a scenario's fast clock (x3600: five virtual minutes are 83 wall ms) virtual time
    would expire a URL before an honest client, slowed by a TLS proxy or a busy machine, could
    use it, where Amazon gives it five real minutes. A URL this simulator did not issue is
    judged on virtual time."""
    issued = world.state.url_issued.get(signature)
    if issued is None:
        return world.clock.now() > signed_at + expires
    return world.clock.lived() - issued > expires


def serve_document(world: World, request: SimRequest) -> Reply:
    """PUT (upload) or GET (download) one document through its presigned URL."""
    rest = request.path[len(PREFIX) :]
    key = rest.split("/", 1)[1] if "/" in rest else ""
    verb = request.method
    date, expires_raw, signature = (
        request.first("X-Amz-Date") or "",
        request.first("X-Amz-Expires") or "",
        request.first("X-Amz-Signature") or "",
    )
    try:
        expires = int(expires_raw)
        signed_at = datetime.strptime(date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return _s3_error(
            403,
            "AccessDenied",
            "Query-string authentication requires X-Amz-Date",
            rule="S3-NOT-SIGNED",
        )
    if verb not in ("GET", "PUT") or not hmac.compare_digest(
        signature, _sign(verb, key, date, expires)
    ):
        return _s3_error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
            rule="S3-SIGNATURE",
        )
    if _expired(world, signature, signed_at, expires):
        return _s3_error(403, "AccessDenied", "Request has expired", rule="S3-EXPIRED")
    doc = world.state.documents.get(key)
    if doc is None:
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.", rule="S3-NO-KEY")
    if verb == "PUT":
        sent = request.headers.get("content-type", "")
        if _norm_type(sent) != _norm_type(doc.content_type):
            reply = _s3_error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. "
                "Check your key and signing method.",
                rule="S3-CONTENT-TYPE",
            )
            reply.facts.update(expected_content_type=doc.content_type, sent_content_type=sent)
            return reply
        with world.locked():
            doc.content = request.body
            doc.checksum = md5_base64(request.body)
        return Reply(
            200,
            b"",
            headers={"etag": f'"{hashlib.md5(request.body).hexdigest()}"'},
            facts={"document": doc.document_id, "uploaded_bytes": len(request.body)},
        )
    if doc.content is None:
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.", rule="S3-NO-KEY")
    return Reply(
        200,
        doc.content,
        headers={
            "content-type": doc.content_type,
            "etag": f'"{hashlib.md5(doc.content).hexdigest()}"',
        },
        facts={"document": doc.document_id, "kind": doc.kind, "bytes": len(doc.content)},
    )
