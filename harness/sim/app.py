"""The ASGI application: HTTP in, :class:`SimCore` pipeline, HTTP out.

One app serves every listening socket; the socket's port tells which endpoint (LWA or a
region) a request reached, exactly as separate hosts do at Amazon.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import orjson

from harness.sim.core import SimCore
from harness.sim.faults import TRANSPORT_KINDS, enact
from harness.sim.http import SimRequest
from harness.sim.limits import BODY_TIMEOUT, body_limit
from harness.sim.loopback import read_body

__all__ = ["SimulatorApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def _parse_query(text: str) -> dict[str, list[str]]:
    """``parse_qs(text, keep_blank_values=True)``; without it when nothing is encoded ('%' or
    '+'), the usual query, since then splitting is all it does."""
    if "%" in text or "+" in text:
        return parse_qs(text, keep_blank_values=True)
    query: dict[str, list[str]] = {}
    for pair in text.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            query.setdefault(name, []).append(value)
    return query


def _json(data: object) -> bytes:
    """The answer's JSON, compact and in UTF-8 as Amazon sends it (orjson; ``json`` for what
    orjson refuses, such as integers beyond 64 bits)."""
    try:
        return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        return json.dumps(data).encode()


class SimulatorApp:
    def __init__(self, core: SimCore) -> None:
        self.core = core
        self.ports: dict[int, str] = {}  # port -> "LWA" | "NA" | "EU" | "FE"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        port = scope["server"][1] if scope.get("server") else 0
        endpoint = self.ports.get(port, "LWA")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = _parse_query(scope.get("query_string", b"").decode("latin-1"))
        # Route on the raw path: SKUs may contain encoded "/" or "%", decoded once by the
        # router, as at Amazon.
        path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1").split("?")[0]
        body = await self._body(receive, headers, body_limit(endpoint, path))
        if body is _TOO_SLOW:  # a body trickling in past BODY_TIMEOUT: drop the connection
            _drop(send)
            return
        request = SimRequest(
            method=scope["method"].upper(),
            path=path,
            query=query,
            headers=headers,
            body=body or b"",
            oversize=body is None,
            scheme=str(scope.get("scheme") or "http"),
        )
        reply = self.core.handle(endpoint, request)
        if reply.delay > 0:  # slow upstream: other requests keep being served meanwhile
            await asyncio.sleep(reply.delay)
        # None: an empty body; bytes: a document with its own content-type; else JSON.
        is_json = reply.body is not None and not isinstance(reply.body, bytes)
        body = _json(reply.body) if is_json else (reply.body or b"")
        out_headers = [(k.encode(), v.encode()) for k, v in reply.headers.items()]
        if is_json:
            content_type = (
                "application/json;charset=UTF-8" if endpoint == "LWA" else "application/json"
            )
            out_headers.append((b"content-type", content_type.encode()))
        fault = reply.facts.get("fault")
        if fault and fault.get("kind") in TRANSPORT_KINDS:  # a fault plan's transport fault
            await enact(fault, reply.status or 200, out_headers, body, receive, send)
            return
        out_headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": reply.status, "headers": out_headers})
        await send({"type": "http.response.body", "body": body})
        if request.oversize:  # the unread rest of the body must not be taken as a request
            _drop(send)

    @staticmethod
    async def _body(receive: Receive, headers: dict[str, str], limit: int) -> bytes | None:
        """The body, None when over ``limit`` (unread beyond it), :data:`_TOO_SLOW` when it
        did not arrive within BODY_TIMEOUT."""
        announced = headers.get("content-length", "").strip()
        if announced.isdigit() and int(announced) > limit:
            return None  # refused on the header alone: nothing of it is read
        if not announced and "transfer-encoding" not in headers:
            # No body (a GET): the one empty message is already there, nothing to time out.
            return await read_body(receive, limit)
        try:
            return await asyncio.wait_for(read_body(receive, limit), timeout=BODY_TIMEOUT)
        except TimeoutError:
            return _TOO_SLOW


_TOO_SLOW = b"\x00too slow"  # a sentinel object, compared by identity only


def _drop(send: Send) -> None:
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is not None and not transport.is_closing():
        transport.close()
