"""A bare request-logging HTTP stub with scripted answers, for field-corpus probes.

Deliberately independent of ACORN: no simulator, no checks, no journal, only the standard
library. A probe scripts what each request gets (LWA token answers, SP-API pages, errors,
stalls, dropped connections) and reads back the log of every request it received, so a
ground-truth row is proven on the wire by a method ACORN's own code cannot bias.

Answer shapes follow Amazon's documentation (/work/shared/docs/spapi-facts.md): LWA errors
are ``{"error", "error_description"}`` with 400/401, SP-API errors ``{"errors": [{"code",
"message", "details"}]}`` with an ``x-amzn-RequestId`` header on every answer.

Use from Python::

    with Stub() as stub:
        stub.on("POST", "/auth/o2/token", token(expires_in=3600))
        stub.on("GET", "/orders/v0/orders", page(orders, next_token=None))
        ... run the client against stub.url ...
        stub.log  # [{"t", "method", "path", "query", "token", "body"}]
"""

from __future__ import annotations

import itertools
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "Answer",
    "Stub",
    "drop",
    "json_answer",
    "lwa_error",
    "refused_url",
    "sp_error",
    "stall",
    "token",
]

_ids = itertools.count(1)


@dataclass
class Answer:
    """One scripted answer. ``kind`` is "json", "stall" (hold, never answer) or "drop"."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    kind: str = "json"
    hold_s: float = 0.0


def json_answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status=status, body=body, headers=dict(headers or {}))


def token(expires_in: int = 3600, prefix: str = "Atza|stub-token-") -> Answer:
    """An LWA access-token answer; every use hands out a new token (numbered)."""
    return Answer(status=200, body={"__token__": prefix, "expires_in": expires_in})


def lwa_error(error: str) -> Answer:
    """LWA's documented error answers (facts sheet, "LWA errors")."""
    known = {
        "invalid_grant": (
            400,
            "The request has an invalid grant parameter : refresh_token. "
            "User may have revoked or didn't grant the permission.",
        ),
        "invalid_client": (401, "Client authentication failed"),
        "server_error": (500, "Internal server error"),
    }
    status, description = known[error]
    return Answer(status=status, body={"error": error, "error_description": description})


_SP_ERRORS = {
    400: ("InvalidInput", "Invalid Input"),
    403: ("Unauthorized", "Access to requested resource is denied."),
    404: ("NotFound", "The resource specified does not exist."),
    429: ("QuotaExceeded", "You exceeded your quota for the requested resource."),
    500: ("InternalFailure", "We encountered an internal error. Please try again."),
    503: ("ServiceUnavailable", "Service is temporarily unavailable. Please try again."),
}


def sp_error(status: int, details: str = "", headers: dict[str, str] | None = None) -> Answer:
    """An SP-API error answer in Amazon's shape; 403 with ``expired=...`` via ``details``."""
    code, message = _SP_ERRORS[status]
    if status == 403 and details == "expired":
        details = "The access token you provided has expired."
    body = {"errors": [{"code": code, "message": message, "details": details}]}
    return Answer(status=status, body=body, headers=dict(headers or {}))


def stall(hold_s: float = 30.0) -> Answer:
    """Read the request, then answer nothing for ``hold_s`` seconds and close."""
    return Answer(kind="stall", hold_s=hold_s)


def drop() -> Answer:
    """Read the whole request (the write reached the server), then close without answering."""
    return Answer(kind="drop")


class _Route:
    def __init__(self, method: str, pattern: str, answers: list[Answer]) -> None:
        self.method = method
        self.regex = re.compile(pattern + r"\Z")
        self.answers = answers
        self.used = 0

    def next(self) -> Answer:
        """Answers are used in order; the last one repeats."""
        answer = self.answers[min(self.used, len(self.answers) - 1)]
        self.used += 1
        return answer


class Stub:
    """A loopback HTTP server that logs every request and answers from a script."""

    def __init__(self) -> None:
        self.log: list[dict[str, Any]] = []
        self._routes: list[_Route] = []
        self._lock = threading.Lock()
        self._tokens = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def on(self, method: str, pattern: str, *answers: Answer) -> Stub:
        """Script ``answers`` for requests whose path matches the regex ``pattern``."""
        self._routes.insert(0, _Route(method, pattern, list(answers)))
        return self

    def requests(self, method: str | None = None, pattern: str = ".*") -> list[dict[str, Any]]:
        regex = re.compile(pattern + r"\Z")
        return [
            r
            for r in self.log
            if (method is None or r["method"] == method) and regex.match(r["path"])
        ]

    def __enter__(self) -> Stub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _answer_for(self, method: str, path: str) -> Answer:
        with self._lock:
            for route in self._routes:
                if route.method == method and route.regex.match(path):
                    return route.next()
        return sp_error(404, f"stub: no script for {method} {path}")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return None  # the stub's log is stub.log, not stderr

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                entry = {
                    "t": time.monotonic(),
                    "method": self.command,
                    "path": parts.path,
                    "query": parse_qs(parts.query),
                    "token": self.headers.get("x-amz-access-token"),
                    "host": self.headers.get("host"),
                    "body": raw.decode(errors="replace"),
                }
                with stub._lock:
                    stub.log.append(entry)
                answer = stub._answer_for(self.command, parts.path)
                entry["answered"] = answer.kind if answer.kind != "json" else answer.status
                if answer.kind == "drop":
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if answer.kind == "stall":
                    time.sleep(answer.hold_s)
                    self.close_connection = True
                    return
                body = answer.body
                if isinstance(body, dict) and "__token__" in body:
                    body = {
                        "access_token": f"{body['__token__']}{next(stub._tokens)}",
                        "refresh_token": "Atzr|stub-refresh",
                        "token_type": "bearer",
                        "expires_in": body["expires_in"],
                    }
                    entry["issued"] = body["access_token"]
                data = json.dumps(body if body is not None else {}).encode()
                self.send_response(answer.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.send_header("x-amzn-RequestId", f"stub-req-{next(_ids)}")
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        return Handler


def refused_url() -> str:
    """A loopback URL nothing listens on (a port bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"
