"""Run the self-checks: ``cd examples/reference && python -m selfcheck``."""

from __future__ import annotations

import importlib
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .fake import FULL_ADDRESS, FakeState, start

HERE = Path(__file__).resolve().parent.parent
NAIVE = HERE.parent / "naive"
US, CA, DE, JP = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1PA6795UKMFR9", "A1VC38T7YXB528"
SECRET = "s3cret-client-secret"
REFRESH = "Atzr|fake-refresh"
CHECKS: list[Callable[[], None]] = []


def check(fn: Callable[[], None]) -> Callable[[], None]:
    CHECKS.append(fn)
    return fn


class Env:
    def __init__(self) -> None:
        self.state = FakeState()
        self.server, self.url = start(self.state)
        self.log = Path(tempfile.mkstemp(suffix=".log")[1])
        self.vars = {
            "SPAPI_LWA_TOKEN_URL": self.url + "/auth/o2/token",
            "SPAPI_ENDPOINT_NA": self.url,
            "SPAPI_ENDPOINT_EU": self.url,
            "SPAPI_ENDPOINT_FE": self.url,
            "LWA_CLIENT_ID": "amzn1.application-oa2-client.fake",
            "LWA_CLIENT_SECRET": SECRET,
            "SPAPI_REFRESH_TOKEN": REFRESH,
            "SPAPI_SELLER_ID": "A1SELLER",
            "CONNECTOR_LOG_FILE": str(self.log),
        }
        os.environ.update(self.vars)

    def connector(self, naive: bool = False) -> Any:
        if naive:
            sys.path.insert(0, str(NAIVE))
            return importlib.import_module("naive_connector").Connector()
        import reference_connector

        return reference_connector.Connector()

    def close(self) -> None:
        self.server.shutdown()
        text = self.log.read_text()
        for secret in (SECRET, REFRESH, "Atza|", "Atz.sprdt|", "Jane", "Main St"):
            assert secret not in text, f"log leaks {secret!r}"
        self.log.unlink()


def run(fn: Callable[[Env], None]) -> Callable[[], None]:
    def wrapper() -> None:
        env = Env()
        try:
            fn(env)
        finally:
            env.close()

    wrapper.__name__ = fn.__name__
    return check(wrapper)


LISTING = {"sku": "SKU/1 a", "product_type": "LUGGAGE", "attributes": {"item_name": []}}


@run
def sync_orders_happy_path(env: Env) -> None:
    c = env.connector()
    result = c.sync_orders({"marketplace_ids": [US, DE, CA, JP], "created_after": "2024-01-01"})
    assert result["ok"], result
    assert result["errors"] == [], result
    assert len(result["orders"]) == 6
    order = result["orders"][0]
    assert order["items"] == [
        {"seller_sku": "SKU-A", "quantity": 1},
        {"seller_sku": "SKU-B", "quantity": 2},
    ], order
    assert order["ship_to"]["name"] == FULL_ADDRESS["Name"]
    first = [h.query["MarketplaceIds"][0] for h in env.state.ops("getOrders")]
    assert first == [f"{US},{CA}", f"{US},{CA}", DE, DE, JP, JP], first
    nxt = env.state.ops("getOrders")[1].query
    assert set(nxt) == {"NextToken", "MarketplaceIds"}, nxt
    rdt = env.state.ops("createRestrictedDataToken")
    assert len(rdt) == 3, "one RDT per region, reused"
    assert rdt[0].body == {
        "restrictedResources": [{"method": "GET", "path": "/orders/v0/orders/{orderId}/address"}]
    }
    assert all(
        h.headers["x-amz-access-token"].startswith("Atz.sprdt|")
        for h in env.state.ops("getOrderAddress")
    )
    assert len(env.state.ops("lwa")) == 1
    for hit in env.state.hits[1:]:
        assert re.fullmatch(r"\d{8}T\d{6}Z", hit.headers["x-amz-date"])
        assert hit.headers["user-agent"].startswith("AcornReferenceConnector/1.0 (Language=")
        assert hit.headers["accept"] == "application/json"
    c.close()


@run
def honours_short_expires_in(env: Env) -> None:
    env.state.expires_in = 2
    c = env.connector()
    args = {"sku": "S", "product_type": "P", "marketplace_ids": [US], "quantity": 3}
    assert c.update_inventory(args)["ok"]
    time.sleep(1.85)  # margin is 0.2 s: the token is stale now
    assert c.update_inventory(args)["ok"]
    assert len(env.state.ops("lwa")) == 2
    assert not [
        h
        for h in env.state.hits
        if h.headers.get("x-op") != "lwa"
        and env.state.tokens[h.headers["x-amz-access-token"]] < h.at
    ]
    c.close()


@run
def refresh_once_on_expired_403(env: Env) -> None:
    c = env.connector()
    env.state.expire_next["patchListingsItem"] = 1
    args = {"sku": "S", "product_type": "P", "marketplace_id": US, "amount": 9.5, "currency": "USD"}
    result = c.update_price(args)
    assert result["ok"], result
    assert result["updated"] == [US], result
    assert len(env.state.ops("lwa")) == 2
    assert len(env.state.ops("patchListingsItem")) == 2
    patch = env.state.ops("patchListingsItem")[1].body
    assert patch["patches"][0]["value"][0]["our_price"][0]["schedule"][0]["value_with_tax"] == 9.5
    env.state.expire_next["patchListingsItem"] = 2
    result = c.update_price(args)
    assert not result["ok"], result
    assert result["errors"][0]["status"] == 403, result
    assert len(env.state.ops("patchListingsItem")) == 4, "no loop"
    c.close()


@run
def backoff_on_429_and_503(env: Env) -> None:
    c = env.connector()
    env.state.sp_errors["putListingsItem"] = [429, 429]
    result = c.publish_listing({**LISTING, "marketplace_ids": [US]})
    assert result["ok"], result
    hits = env.state.ops("putListingsItem")
    assert len(hits) == 3
    assert all(b.at - a.at >= 0.05 for a, b in itertools.pairwise(hits))
    assert hits[0].path == "/listings/2021-08-01/items/A1SELLER/SKU%2F1%20a", hits[0].path
    assert hits[0].query == {"marketplaceIds": [US], "includedData": ["issues"]}
    assert hits[0].body["requirements"] == "LISTING"
    env.state.sp_errors["putListingsItem"] = [503] * 9
    result = c.publish_listing({**LISTING, "marketplace_ids": [US]})
    assert not result["ok"]
    assert len(env.state.ops("putListingsItem")) == 8
    error = result["errors"][0]
    assert error["status"] == 503, error
    assert error["request_id"].startswith("req-"), error
    c.close()


@run
def lwa_failures(env: Env) -> None:
    c = env.connector()
    env.state.lwa_errors = [(400, "invalid_grant")]
    result = c.update_inventory(
        {"sku": "S", "product_type": "P", "marketplace_ids": [US, DE], "quantity": 1}
    )
    assert not result["ok"], result
    assert "re-authorization" in result["errors"][0]["message"], result
    assert len(env.state.hits) == 1
    env.state.lwa_errors = [(401, "invalid_client")]
    result = c.sync_orders({"marketplace_ids": [US], "created_after": "2024-01-01"})
    assert "rotate client credentials" in result["errors"][0]["message"], result
    env.state.lwa_errors = [(503, "temporarily_unavailable"), (500, "server_error")]
    result = c.sync_orders({"marketplace_ids": [US], "created_after": "2024-01-01"})
    assert result["ok"], result
    lwa = env.state.ops("lwa")
    assert len(lwa) == 5
    assert lwa[3].at - lwa[2].at >= 0.25
    c.close()


@run
def single_flight_refresh(env: Env) -> None:
    c = env.connector()
    threads = [threading.Thread(target=c._lwa.get) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(env.state.ops("lwa")) == 1
    c.close()


@run
def invalid_submission_and_rdt_failure(env: Env) -> None:
    c = env.connector()
    result = c.publish_listing({**LISTING, "sku": "BAD", "marketplace_ids": [US, DE]})
    assert not result["ok"], result
    assert len(result["errors"]) == 2, result
    assert result["submissions"][0]["status"] == "INVALID"
    assert result["submissions"][0]["issues"][0]["code"] == "90220"
    env.state.rdt_status = 400
    result = c.sync_orders({"marketplace_ids": [US], "created_after": "2024-01-01"})
    assert not result["ok"], result
    assert len(result["orders"]) == 2, result
    assert all(o["ship_to"] is None for o in result["orders"])
    assert len(env.state.ops("createRestrictedDataToken")) == 1
    assert [e["operation"] for e in result["errors"]] == ["createRestrictedDataToken"]
    c.close()


@run
def paces_to_rate_header(env: Env) -> None:
    env.state.rate_header = "4.0"
    c = env.connector()
    assert c.sync_orders({"marketplace_ids": [US], "created_after": "2024-01-01"})["ok"]
    hits = env.state.ops("getOrderItems")
    assert len(hits) == 4
    assert all(b.at - a.at >= 0.22 for a, b in itertools.pairwise(hits))
    c.close()


@run
def command_driver(env: Env) -> None:
    def cli(action: str, stdin: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "reference_connector.cli", action],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=HERE,
            env=os.environ,
            check=False,
        )

    done = cli("sync_orders", json.dumps({"marketplace_ids": [JP], "created_after": "2024"}))
    assert done.returncode == 0, done
    assert json.loads(done.stdout)["ok"], done
    done = cli("publish_listing", json.dumps({**LISTING, "sku": "BAD", "marketplace_ids": [US]}))
    assert done.returncode == 1, done
    assert not json.loads(done.stdout)["ok"], done
    assert cli("nope", "{}").returncode == 2
    assert cli("sync_orders", "not json").returncode == 2


@run
def naive_makes_its_mistakes(env: Env) -> None:
    c = env.connector(naive=True)
    result = c.sync_orders({"marketplace_ids": [US, DE], "created_after": "2024-01-01"})
    assert result["ok"], result
    assert result["orders"][0]["ship_to"]["name"] is None, result
    assert result["orders"][0]["ship_to"]["city"] == "Seattle"
    assert not env.state.ops("createRestrictedDataToken")
    env.state.sp_errors["putListingsItem"] = [429] * 20
    result = c.publish_listing({**LISTING, "marketplace_ids": [US]})
    assert result == {"ok": True, "errors": [], "submissions": []}, result
    assert len(env.state.ops("putListingsItem")) == 11
    env.state.expire_next["patchListingsItem"] = 1
    result = c.update_inventory(
        {"sku": "S", "product_type": "P", "marketplace_ids": [US], "quantity": 1}
    )
    assert result["ok"], result
    assert result["updated"] == [], result
    assert len(env.state.ops("lwa")) == 1
    c.close()


def main() -> int:
    sys.path.insert(0, str(HERE))
    failed = 0
    for fn in CHECKS:
        try:
            fn()
        except Exception as exc:
            failed += 1
            print(f"FAIL {fn.__name__}: {type(exc).__name__}: {exc}")
        else:
            print(f"ok   {fn.__name__}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
