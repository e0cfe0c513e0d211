"""Re-record the bundled cassettes: real HTTP through ACORN's recording proxy on loopback.

    .venv/bin/python cassettes/record_bundled.py            # all of them
    .venv/bin/python cassettes/record_bundled.py feed-polling

A second ACORN simulator stands in for Amazon (nothing leaves 127.0.0.1):

- ``sandbox-static-orders``: the simulator in static-sandbox mode (``harness.sim.sandbox``),
  answering only the canned cases of Amazon's models, as Amazon's sandbox hosts do. Needs
  Amazon's models (env ``ACORN_MODELS_DIR``, default /work/shared/reference/sp-api-models).
- ``reference-order-sync``: the bundled reference integration's cross-border order sync (NA,
  EU, FE; paging; buyer addresses behind an RDT) against the dynamic simulator, because the
  static sandbox cannot answer a real sync (every realistic request is "Could not match
  input arguments").
- ``feed-polling``: a JSON_LISTINGS_FEED submitted, polled IN_QUEUE / IN_PROGRESS / DONE and
  its processing report downloaded through presigned URLs, against the dynamic simulator.

The clients below are what the e2e tests replay against the committed cassettes.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SINCE = "2020-01-01T00:00:00Z"
REFERENCE_ARGS = {
    "marketplace_ids": ["ATVPDKIKX0DER", "A1F83G8C2ARO7P", "A1PA6795UKMFR9", "A1VC38T7YXB528"],
    "created_after": SINCE,
}
FEED_MESSAGE = {
    "messageId": 1,
    "sku": "ACORN-MUG-01",
    "operationType": "PATCH",
    "productType": "PRODUCT",
    "patches": [
        {
            "op": "replace",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}],
        }
    ],
}


class Client:
    """A small SP-API client: LWA refresh, then calls on one region with the access token."""

    def __init__(self, env: dict[str, str], region: str = "NA") -> None:
        self.env = env
        self.base = env[f"ACORN_ENDPOINT_{region}"]
        self.http = httpx.Client(
            timeout=10, trust_env=False, limits=httpx.Limits(max_keepalive_connections=0)
        )
        self.seen: list[tuple[int, Any]] = []
        self.token = ""

    def close(self) -> None:
        self.http.close()

    def _keep(self, response: httpx.Response) -> Any:
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        self.seen.append((response.status_code, body))
        return body

    def login(self) -> None:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": self.env["ACORN_REFRESH_TOKEN"],
            "client_id": self.env["ACORN_CLIENT_ID"],
            "client_secret": self.env["ACORN_CLIENT_SECRET"],
        }
        answer = self._keep(self.http.post(self.env["ACORN_LWA_TOKEN_URL"], data=form))
        self.token = str(answer["access_token"])

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"x-amz-access-token": self.token, **kwargs.pop("headers", {})}
        return self._keep(self.http.request(method, self.base + path, headers=headers, **kwargs))


def sandbox_orders(env: dict[str, str]) -> list[tuple[int, Any]]:
    """What Amazon's static sandbox answers: canned TEST_CASE values, and 400 to anything else."""
    client = Client(env)
    try:
        client.login()
        client.call("GET", "/sellers/v1/marketplaceParticipations")
        orders = "/orders/v0/orders"
        client.call("GET", orders, params={"MarketplaceIds": "ATVPDKIKX0DER",
                                           "CreatedAfter": "TEST_CASE_200"})  # fmt: skip
        first = client.call(
            "GET",
            orders,
            params={"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": "TEST_CASE_200_NEXT_TOKEN"},
        )
        client.call(
            "GET",
            orders,
            params={
                "MarketplaceIds": "ATVPDKIKX0DER",
                "CreatedAfter": "TEST_CASE_200_NEXT_TOKEN",
                "NextToken": first["payload"]["NextToken"],
            },
        )
        client.call("GET", "/orders/v0/orders/TEST_CASE_200/orderItems")
        client.call(
            "POST",
            "/tokens/2021-03-01/restrictedDataToken",
            json={
                "restrictedResources": [
                    {"method": "GET", "path": "/orders/v0/orders/943-12-123434/address"}
                ]
            },
        )
        # The sandbox's RDT is canned (Amazon: get sandbox RDTs from production), so the
        # address case is called with the access token; the case matches on orderId alone.
        client.call("GET", "/orders/v0/orders/TEST_CASE_200/address")
        client.call("GET", "/feeds/2021-06-30/feeds/feedId1")
        # A realistic request: the static sandbox cannot match it.
        client.call(
            "GET", orders, params={"MarketplaceIds": "ATVPDKIKX0DER", "CreatedAfter": SINCE}
        )
        return client.seen
    finally:
        client.close()


def feed_polling(env: dict[str, str], poll: float = 0.1) -> list[tuple[int, Any]]:
    """createFeedDocument, upload, createFeed, getFeed until DONE, download the report."""
    client = Client(env)
    try:
        client.login()
        submit_feed(client, poll=poll)
        return client.seen
    finally:
        client.close()


def submit_feed(client: Client, *, poll: float = 0.1, tries: int = 200) -> None:
    """One JSON_LISTINGS_FEED through its whole life, each answer kept in ``client.seen``.

    The upload's status is kept with no body; the processing report is kept decompressed.
    """
    ctype = "application/json; charset=UTF-8"
    doc = client.call("POST", "/feeds/2021-06-30/documents", json={"contentType": ctype})
    feed_body = {
        "header": {
            "sellerId": client.env["ACORN_SELLER_ID"],
            "version": "2.0",
            "issueLocale": "en_US",
        },
        "messages": [FEED_MESSAGE],
    }
    upload = client.http.put(
        doc["url"], content=json.dumps(feed_body).encode(), headers={"content-type": ctype}
    )
    client.seen.append((upload.status_code, None))
    feed = client.call(
        "POST",
        "/feeds/2021-06-30/feeds",
        json={
            "feedType": "JSON_LISTINGS_FEED",
            "marketplaceIds": ["ATVPDKIKX0DER"],
            "inputFeedDocumentId": doc["feedDocumentId"],
        },
    )
    for _ in range(tries):
        state = client.call("GET", f"/feeds/2021-06-30/feeds/{feed['feedId']}")
        if state["processingStatus"] in ("DONE", "FATAL", "CANCELLED"):
            break
        time.sleep(poll)
    report = client.call("GET", f"/feeds/2021-06-30/documents/{state['resultFeedDocumentId']}")
    download = client.http.get(report["url"])
    content = download.content
    if report.get("compressionAlgorithm") == "GZIP":
        content = gzip.decompress(content)
    client.seen.append((download.status_code, json.loads(content)))


def reference_order_sync(env: dict[str, str]) -> dict[str, Any]:
    """The bundled reference integration's sync_orders, driven as ``acorn run`` drives it."""
    from harness.drive import driver_for, load_integration

    driver = driver_for(load_integration(ROOT / "examples" / "reference"))
    driver.start(env)
    try:
        outcome = driver.act("sync_orders", dict(REFERENCE_ARGS))
    finally:
        driver.stop()
    if not outcome.ok or outcome.result is None:
        raise SystemExit(f"reference sync_orders failed while recording: {outcome.summary()}")
    return outcome.result


# -- recording ----------------------------------------------------------------------------


def _record(name: str, upstream: Any, run: Callable[[dict[str, str]], object], note: str) -> None:
    from harness.sim.proxy import RecordingProxy, Upstream

    e = upstream.endpoints
    target = Upstream.parse([f"LWA={e.lwa_token_url}", *[f"{r}={u}" for r, u in e.regions.items()]])
    proxy = RecordingProxy(target, name=name, description=note)
    with proxy:
        run({**upstream.env(), **proxy.env()})
    creds = upstream.core.credentials
    path, clean = proxy.save(
        HERE / name / "cassette.yaml",
        secrets=creds.secrets(),
        pii=upstream.core.state.pii_canaries(),
        seller_ids=[creds.seller_id],
    )
    print(f"{name}: {len(clean.interactions)} exchanges -> {path.relative_to(ROOT)}")


def main(names: list[str]) -> int:
    from harness.sim import SimConfig, Simulator
    from harness.sim.sandbox import sandbox_simulator

    wanted = set(names) or {"sandbox-static-orders", "reference-order-sync", "feed-polling"}
    if "sandbox-static-orders" in wanted:
        models = os.environ.get("ACORN_MODELS_DIR", "/work/shared/reference/sp-api-models")
        with sandbox_simulator(models) as sandbox:
            _record(
                "sandbox-static-orders",
                sandbox,
                sandbox_orders,
                "ACORN simulator in static-sandbox mode (Amazon's published sandbox cases), "
                "standing in for sandbox.sellingpartnerapi-na.amazon.com",
            )
    dynamic = SimConfig(clock_speed=3000, orders_per_marketplace=3, orders_page_size=2)
    if "reference-order-sync" in wanted:
        with Simulator(config=dynamic) as sim:
            _record(
                "reference-order-sync",
                sim,
                reference_order_sync,
                "ACORN simulator (dynamic: the static sandbox cannot answer a real order sync)",
            )
    if "feed-polling" in wanted:
        # Presigned URLs live 300 virtual seconds: a slower clock keeps them valid for the
        # upload and the download, while the feed still finishes in about a second.
        feeds = SimConfig(clock_speed=300, feed_queue_seconds=30, feed_processing_seconds=270)
        with Simulator(config=feeds) as sim:
            _record(
                "feed-polling",
                sim,
                feed_polling,
                "ACORN simulator (dynamic: feeds move IN_QUEUE -> IN_PROGRESS -> DONE)",
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
