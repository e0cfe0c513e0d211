"""Transport faults on the wire: what the ASGI layer does instead of a clean HTTP answer.

Each fault must reach a real HTTP client as exactly that fault (tests/e2e/test_faults_http.py):

- ``timeout``: nothing is sent; the connection stays open for ``hold`` seconds (longer than
  the client's read timeout), then it is closed. The client sees a read timeout.
- ``stall``: like ``timeout``, but held for ``hold`` seconds (default 45 s, longer than any
  sane read timeout) unless the client closes first: a stalled upstream. Only a client with a
  read timeout of its own gets out before the simulator closes the connection (ERR-07). The
  hold is an asyncio wait, so every other request is served meanwhile.
- ``reset``: the socket is closed with SO_LINGER 0, so the kernel sends a TCP RST. The
  client sees "connection reset by peer".
- ``truncated``: headers announce the full Content-Length, half the body is sent, then the
  connection is closed. The client sees an incomplete body.
- ``malformed_json``: a complete HTTP answer whose JSON is cut in half (Content-Length
  matches). The client's JSON parser fails.
- ``dribble``: the body in ``chunks`` pieces, ``interval`` seconds apart. A client whose read
  timeout is shorter than the interval times out; others wait for the whole body.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["enact"]

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def _transport(send: Send) -> Any:
    """uvicorn's asyncio transport behind ``send`` (its request cycle keeps it)."""
    return getattr(getattr(send, "__self__", None), "transport", None)


async def _close(send: Send, receive: Receive, *, reset: bool = False) -> None:
    """Close (or reset) the connection and wait until uvicorn has noticed, so it does not log
    the unfinished response as an application error."""
    _drop(send, reset=reset)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(_wait_for_disconnect(receive), timeout=1.0)


def _drop(send: Send, *, reset: bool) -> None:
    transport = _transport(send)
    if transport is None:
        return
    if reset:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    else:
        transport.close()


async def _wait_for_disconnect(receive: Receive) -> None:
    while (await receive()).get("type") != "http.disconnect":
        pass


async def enact(
    fault: dict[str, Any],
    status: int,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
    receive: Receive,
    send: Send,
) -> None:
    """Answer (or not) the way ``fault['kind']`` says; ``body`` is the real answer."""
    kind = fault.get("kind")
    if kind in ("timeout", "stall"):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_wait_for_disconnect(receive), timeout=float(fault["hold"]))
        await _close(send, receive)
        return
    if kind == "reset":
        await _close(send, receive, reset=True)
        return
    if kind == "malformed_json":
        body = body[: len(body) // 2] if len(body) > 1 else b'{"payload": '
    headers = [h for h in headers if h[0].lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    if kind == "truncated":
        await send(
            {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
        )
        await asyncio.sleep(0.01)  # let the half body leave before the connection goes
        await _close(send, receive)
        return
    if kind == "dribble":
        pieces = max(1, min(int(fault.get("chunks", 5)), len(body)))
        size = -(-len(body) // pieces) if body else 0
        interval = float(fault.get("interval", 0.2))
        for start in range(0, len(body), size or 1):
            await asyncio.sleep(interval)
            await send(
                {
                    "type": "http.response.body",
                    "body": body[start : start + size],
                    "more_body": start + size < len(body),
                }
            )
        if not body:
            await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.body", "body": body})
