"""A bare request-logging HTTP stub for the Node field probes (not ACORN's simulator).

It serves LWA and the three SP-API regions on loopback ports of their own, logs every request
it receives (time, port label, method, path, query, headers, body) and answers what the probe's
``answer`` function scripts: a status and body, optionally after a delay, or no answer at all
(``drop``: close the connection after reading the request; ``stall``: hold it open, then close).
It knows nothing of SP-API rules: the probes script each behaviour and read the log themselves,
so their verdicts stay independent of ACORN's checks.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["Answer", "Request", "Stub", "free_port"]

LABELS = ("lwa", "na", "eu", "fe")


@dataclass
class Request:
    t: float
    label: str
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False
    stall: float = 0.0


Answerer = Callable[[Request, int], Answer]


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released): connecting to it is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Stub:
    def __init__(self, answer: Answerer) -> None:
        self.answer = answer
        self.log: list[Request] = []
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._servers: dict[str, ThreadingHTTPServer] = {}

    def url(self, label: str) -> str:
        port = self._servers[label].server_address[1]
        return f"http://127.0.0.1:{port}" + ("/auth/o2/token" if label == "lwa" else "")

    def __enter__(self) -> Stub:
        for label in LABELS:
            server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler(label))
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self._servers[label] = server
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()

    def requests(self, label: str | None = None, path: str | None = None) -> list[Request]:
        with self._lock:
            return [
                r
                for r in self.log
                if (label is None or r.label == label) and (path is None or path in r.path)
            ]

    def _record(self, request: Request) -> int:
        with self._lock:
            self.log.append(request)
            return sum(1 for r in self.log if r.label == request.label and r.path == request.path)

    def _handler(self, label: str) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                return None

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body: Any = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode(errors="replace")
                parts = urlsplit(self.path)
                request = Request(
                    time.monotonic() - stub.started,
                    label,
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                nth = stub._record(request)
                answer = stub.answer(request, nth)
                if answer.stall:
                    time.sleep(answer.stall)
                if answer.drop or answer.stall:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                time.sleep(answer.delay)
                payload = b"" if answer.body is None else json.dumps(answer.body).encode()
                self.send_response(answer.status)
                headers = {
                    "content-type": "application/json",
                    "x-amzn-requestid": f"stub-{label}-{len(stub.log)}",
                    **answer.headers,
                }
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        return Handler
