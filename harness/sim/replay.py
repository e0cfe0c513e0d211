"""Replay a cassette on the Simulator's ports: recorded answers to an integration in any language.

:class:`ReplayCore` is a :class:`SimCore` whose pipeline answers from a cassette instead of
the simulated world, so ``Simulator(core=ReplayCore(...))`` keeps the Simulator's ports, its
``env()`` (the recorded, pseudonymised seller id included), its journal and everything
scenarios use: checks can judge a replayed run like a simulated one.

A request that matches no entry gets what Amazon's static sandbox answers to unknown input,
HTTP 400 ``InvalidInput`` "Could not match input arguments" (docs/fidelity.md §4.2), and the journal
records the nearest recorded requests and how they differ (``facts["replay"]``).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from harness.cassettes import (
    Cassette,
    Interaction,
    MatchPolicy,
    Miss,
    Player,
    Scrubber,
    check_api_versions,
    probe,
)
from harness.cassettes.format import LWA_HOSTS, PRODUCTION_HOSTS, SANDBOX_HOSTS
from harness.contracts import ContractSet
from harness.sim.config import SimConfig
from harness.sim.core import LWA, SimCore
from harness.sim.credentials import new_credentials
from harness.sim.errors import lwa_error
from harness.sim.http import Reply, SimRequest
from harness.sim.refusals import refuse
from harness.sim.sandbox import NO_MATCH_MESSAGE, no_match
from harness.sim.server import Simulator

__all__ = ["UNMATCHED_MESSAGE", "ReplayCore", "replay_simulator"]

UNMATCHED_MESSAGE = NO_MATCH_MESSAGE  # Amazon's static-sandbox answer to unknown input
# Served from the answer ACORN's HTTP layer writes itself (or that would lie about the body).
_DROP_HEADERS = frozenset(
    {"content-length", "transfer-encoding", "connection", "content-encoding", "date", "server"}
)


class ReplayCore(SimCore):
    def __init__(
        self,
        cassette: Cassette,
        policy: MatchPolicy | None = None,
        contracts: ContractSet | None = None,
        *,
        on_miss: Callable[[Miss], None] | None = None,
    ) -> None:
        self.cassette = cassette
        self.player = Player(cassette, policy)
        self.misses: list[Miss] = []
        self.on_miss = on_miss
        self._rewrites: list[tuple[str, str]] = []
        credentials = new_credentials()
        if cassette.seller_id:
            # The integration must send the seller id the recording knows (a placeholder).
            credentials.seller_id = cassette.seller_id
        super().__init__(contracts, SimConfig(throttling=False), credentials)
        check_api_versions(cassette, self.contracts)
        self.scrubber = Scrubber(pseudonymise=False, secrets=self.credentials.secrets())

    def reset(self, config: SimConfig | None = None) -> None:
        """A fresh journal and the cassette rewound to its first answers."""
        super().reset(config)
        if hasattr(self, "player"):
            self.player.rewind()
            self.misses.clear()

    def bind_endpoints(self, bases: dict[str, str]) -> None:
        """Called by :meth:`Simulator.start`: recorded Amazon URLs in bodies point here now."""
        rewrites = []
        for region, host in SANDBOX_HOSTS.items():
            if region in bases:
                rewrites.append((f"https://{host}", bases[region]))
                rewrites.append((f"https://{PRODUCTION_HOSTS[region]}", bases[region]))
        if LWA in bases:
            rewrites += [(f"https://{host}", bases[LWA]) for host in sorted(LWA_HOSTS)]
        # Longest first: "sandbox.sellingpartnerapi-na" before "sellingpartnerapi-na".
        self._rewrites = sorted(rewrites, key=lambda pair: len(pair[0]), reverse=True)

    # -- the pipeline ----------------------------------------------------------------------

    def handle(self, endpoint: str, request: SimRequest) -> Reply:
        started = time.perf_counter()
        query = urlencode([(k, v) for k, vs in request.query.items() for v in vs])
        raw = request.body.decode("utf-8", errors="replace") if request.body else None
        clean_uri = self.scrubber.uri(
            f"http://replay{request.path}" + (f"?{query}" if query else "")
        )
        clean_body = self.scrubber.body(raw, request.headers.get("content-type"))
        path, _, clean_query = clean_uri.removeprefix("http://replay").partition("?")
        sent = probe(request.method, endpoint, path, clean_query, clean_body, self.player.policy)
        played = self.player.play(sent)
        if isinstance(played, Miss):
            reply = self._unmatched(endpoint, played)
            operation = self._operation(request.method, request.path, None)
            request_id = reply.headers["x-amzn-RequestId"]
        else:
            index, item = played
            reply = self._answer(item)
            reply.facts["replay"] = {"entry": index, "plays": self.player.played.get(index, 1)}
            operation = self._operation(request.method, request.path, item)
            request_id = reply.headers.setdefault("x-amzn-RequestId", str(uuid.uuid4()))
        self._journal(endpoint, request, reply, request_id, operation, None, started)
        return reply

    def _operation(self, method: str, path: str, item: Interaction | None) -> str | None:
        if item is not None and item.operation:
            return item.operation
        match = self.contracts.match(method, path)
        return match.operation.operation_id if match else None

    def _rewrite(self, text: str) -> str:
        for recorded, local in self._rewrites:
            text = text.replace(recorded, local)
        return text

    def _answer(self, item: Interaction) -> Reply:
        resp = item.response
        headers: dict[str, str] = {}
        for key, values in resp.headers.items():
            if key.lower() not in _DROP_HEADERS and values:
                headers[key] = self._rewrite(values[0])
        for key in [k for k in headers if k.lower() == "x-amzn-requestid"]:
            headers["x-amzn-RequestId"] = headers.pop(key)
        text = self._rewrite(resp.body or "")
        if not text:
            return Reply(resp.status, None, headers)
        ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        if "json" in ctype.lower() or not ctype:
            try:
                body: Any = json.loads(text)
            except ValueError:
                body = None
            if body is not None:
                # ACORN's HTTP layer writes the JSON content-type itself.
                headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
                return Reply(resp.status, body, headers)
        if not ctype:
            headers["content-type"] = "text/plain; charset=utf-8"
        return Reply(resp.status, text.encode("utf-8"), headers)

    def _unmatched(self, endpoint: str, miss: Miss) -> Reply:
        self.misses.append(miss)
        if self.on_miss is not None:
            self.on_miss(miss)
        facts = {
            "replay": {
                "unmatched": True,
                "request": miss.request,
                "nearest": [near.to_dict() for near in miss.nearest],
            }
        }
        headers = {"x-amzn-RequestId": str(uuid.uuid4())}
        if endpoint == LWA:
            body = lwa_error(
                "invalid_request", "ACORN replay: no recorded token exchange matches this request"
            )
            reply = Reply(400, body, {**headers, "cache-control": "no-store"}, facts)
        else:
            reply = Reply(400, no_match().body, headers, facts)
        return refuse("REPLAY-NO-MATCH", reply)


def replay_simulator(
    cassette: Cassette,
    policy: MatchPolicy | None = None,
    *,
    contracts: ContractSet | None = None,
    on_miss: Callable[[Miss], None] | None = None,
) -> Simulator:
    """A :class:`Simulator` (same ports, env, journal) answering from ``cassette``."""
    core = ReplayCore(replace(cassette), policy, contracts, on_miss=on_miss)
    return Simulator(core=core)
