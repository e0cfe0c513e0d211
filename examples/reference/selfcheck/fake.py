"""A minimal fake of LWA + the SP-API operations the connectors use (stdlib only)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

EXPIRED = "The access token you provided has expired."
FULL_ADDRESS = {
    "Name": "Jane Buyer",
    "AddressLine1": "1 Main St",
    "City": "Seattle",
    "PostalCode": "98101",
    "CountryCode": "US",
}


@dataclass
class Hit:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    at: float


@dataclass
class FakeState:
    expires_in: int = 3600
    lwa_errors: list[tuple[int, str]] = field(default_factory=list)  # consumed one per call
    sp_errors: dict[str, list[int]] = field(default_factory=dict)  # op -> statuses to return
    expire_next: dict[str, int] = field(default_factory=dict)  # op -> count of 403 expired
    rate_header: str | None = None
    rdt_status: int = 200
    hits: list[Hit] = field(default_factory=list)
    tokens: dict[str, float] = field(default_factory=dict)  # access token -> expiry (wall)
    rdts: set[str] = field(default_factory=set)
    counter: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ops(self, name: str) -> list[Hit]:
        return [h for h in self.hits if h.headers.get("x-op") == name]


def _operation(method: str, path: str) -> str:
    parts = path.strip("/").split("/")
    if path == "/auth/o2/token":
        return "lwa"
    if path.startswith("/tokens/"):
        return "createRestrictedDataToken"
    if path == "/orders/v0/orders":
        return "getOrders"
    if path.endswith("/orderItems"):
        return "getOrderItems"
    if path.endswith("/address"):
        return "getOrderAddress"
    if parts[0] == "listings":
        return {"PUT": "putListingsItem", "PATCH": "patchListingsItem"}.get(method, "listings")
    return "unknown"


class Handler(BaseHTTPRequestHandler):
    state: FakeState

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw)))
        self.send_header("x-amzn-RequestId", f"req-{time.monotonic_ns()}")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def _handle(self) -> None:
        st = self.state
        split = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        op = _operation(self.command, split.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        headers["x-op"] = op
        body: Any
        try:
            body = json.loads(raw) if raw and op != "lwa" else parse_qs(raw.decode())
        except ValueError:
            body = raw.decode()
        with st.lock:
            st.hits.append(
                Hit(self.command, split.path, parse_qs(split.query), headers, body, time.time())
            )
        if op == "lwa":
            self._lwa()
            return
        token = headers.get("x-amz-access-token", "")
        with st.lock:
            if st.expire_next.get(op, 0) > 0:
                st.expire_next[op] -= 1
                forced_expired = True
            else:
                forced_expired = False
            queued = st.sp_errors.get(op)
            forced_status = queued.pop(0) if queued else None
        is_rdt = token in st.rdts
        if forced_expired or (not is_rdt and st.tokens.get(token, 0) < time.time()):
            details = EXPIRED if forced_expired or token in st.tokens else "invalid"
            self._send(
                403, {"errors": [{"code": "Unauthorized", "message": "denied", "details": details}]}
            )
            return
        if forced_status is not None:
            self._send(forced_status, {"errors": [{"code": "X", "message": "forced"}]})
            return
        rate = {"x-amzn-RateLimit-Limit": st.rate_header} if st.rate_header else {}
        self._route(
            op, path=split.path, query=parse_qs(split.query), body=body, is_rdt=is_rdt, rate=rate
        )

    def _lwa(self) -> None:
        st = self.state
        with st.lock:
            if st.lwa_errors:
                status, code = st.lwa_errors.pop(0)
                self._send(status, {"error": code, "error_description": "fake"})
                return
            st.counter += 1
            token = f"Atza|fake{st.counter}"
            st.tokens[token] = time.time() + st.expires_in
        self._send(
            200, {"access_token": token, "token_type": "bearer", "expires_in": st.expires_in}
        )

    def _route(
        self,
        op: str,
        *,
        path: str,
        query: dict[str, list[str]],
        body: Any,
        is_rdt: bool,
        rate: dict[str, str],
    ) -> None:
        st = self.state
        if op == "createRestrictedDataToken":
            if st.rdt_status != 200:
                self._send(st.rdt_status, {"errors": [{"code": "InvalidInput", "message": "no"}]})
                return
            with st.lock:
                st.counter += 1
                rdt = f"Atz.sprdt|fake{st.counter}"
                st.rdts.add(rdt)
            self._send(200, {"restrictedDataToken": rdt, "expiresIn": 3600})
        elif op == "getOrders":
            mids = query["MarketplaceIds"][0].split(",")
            if "NextToken" in query:
                orders = [
                    {
                        "AmazonOrderId": f"{mids[0]}-2",
                        "MarketplaceId": mids[-1],
                        "OrderStatus": "Shipped",
                    }
                ]
                self._send(200, {"payload": {"Orders": orders}}, rate)
            else:
                orders = [
                    {
                        "AmazonOrderId": f"{mids[0]}-1",
                        "MarketplaceId": mids[0],
                        "OrderStatus": "Unshipped",
                    }
                ]
                self._send(200, {"payload": {"Orders": orders, "NextToken": "page2"}}, rate)
        elif op == "getOrderItems":
            if "NextToken" in query:
                items = [{"SellerSKU": "SKU-B", "QuantityOrdered": 2}]
                self._send(200, {"payload": {"OrderItems": items}}, rate)
            else:
                items = [{"SellerSKU": "SKU-A", "QuantityOrdered": 1}]
                self._send(200, {"payload": {"OrderItems": items, "NextToken": "i2"}}, rate)
        elif op == "getOrderAddress":
            address = dict(FULL_ADDRESS)
            if not is_rdt:
                del address["Name"], address["AddressLine1"]
            self._send(200, {"payload": {"AmazonOrderId": "x", "ShippingAddress": address}}, rate)
        elif op in ("putListingsItem", "patchListingsItem"):
            sku = path.rsplit("/", 1)[1]
            if "BAD" in sku:
                issue = {
                    "code": "90220",
                    "message": "'condition_type' is required",
                    "severity": "ERROR",
                    "categories": ["MISSING_ATTRIBUTE"],
                }
                self._send(
                    200,
                    {"sku": sku, "status": "INVALID", "submissionId": "s1", "issues": [issue]},
                    rate,
                )
            else:
                self._send(
                    200,
                    {"sku": sku, "status": "ACCEPTED", "submissionId": "s2", "issues": []},
                    rate,
                )
        else:
            self._send(404, {"errors": [{"code": "NotFound", "message": "nope"}]})


def start(state: FakeState) -> tuple[ThreadingHTTPServer, str]:
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
