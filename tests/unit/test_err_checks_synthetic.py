"""ERR-01..06 on synthetic journals: the edges that real traffic rarely lines up."""

from __future__ import annotations

from typing import Any

from harness.checks import ERR_01, ERR_02, ERR_03, ERR_04, ERR_06, Observation
from harness.checks.errors import retry_chains, window_index, write_applied
from harness.checks.model import Canaries
from harness.drive.base import ActionOutcome
from harness.sim.errors import sp_error
from harness.sim.journal import Exchange

ORDERS = "/orders/v0/orders"
LISTING = "/listings/2021-08-01/items/S1/SKU-1"


def call(
    seq: int,
    wall: float,
    status: int = 200,
    *,
    operation: str = "getOrders",
    method: str = "GET",
    path: str = ORDERS,
    query: dict[str, list[str]] | None = None,
    body: Any = None,
    fault: dict[str, Any] | None = None,
    facts: dict[str, Any] | None = None,
) -> Exchange:
    all_facts = dict(facts or {})
    if fault is not None:
        all_facts["fault"] = fault
    return Exchange(
        seq=seq,
        request_id=f"rid-{seq}",
        wall=wall,
        virtual=wall,
        endpoint="NA",
        operation=operation,
        method=method,
        path=path,
        query=query if query is not None else {"MarketplaceIds": ["US"]},
        request_headers={},
        request_body=body,
        status=status,
        response_headers={},
        response_body=sp_error("X", "x") if status >= 400 else {"payload": {}},
        duration_ms=1.0,
        facts=all_facts,
    )


def observe(
    exchanges: list[Exchange],
    outcomes: list[ActionOutcome] | None = None,
    windows: list[tuple[float, float]] | None = None,
    output: str = "",
    canaries: Canaries | None = None,
) -> Observation:
    return Observation(
        scenario="unit",
        exchanges=exchanges,
        outcomes=outcomes or [],
        action_windows=windows or [],
        output={"log file": output} if output else {},
        canaries=canaries,
    )


def test_retry_chains_follow_retryable_failures_only() -> None:
    exchanges = [
        call(1, 0.0, 503),
        call(2, 0.2, 503),
        call(3, 0.6, 200),
        call(4, 1.0, 400, query={"MarketplaceIds": ["CA"]}),
        call(5, 1.1, 400, query={"MarketplaceIds": ["CA"]}),
    ]

    chains = retry_chains(exchanges)

    assert sorted(len(c) for c in chains) == [1, 1, 3]


def test_window_index_gives_an_exchange_between_actions_to_the_earlier_one() -> None:
    obs = observe([], windows=[(0.0, 1.0), (2.0, 3.0)])

    assert window_index(obs, call(1, 1.5)) == 0
    assert window_index(obs, call(2, 2.5)) == 1


def test_err_01_a_changed_request_is_not_a_retry() -> None:
    fixed = call(2, 0.1, 200, query={"MarketplaceIds": ["US"], "MaxResultsPerPage": ["50"]})

    assert ERR_01.evaluate(observe([call(1, 0.0, 400), fixed])).status == "passed"
    assert ERR_01.evaluate(observe([call(1, 0.0, 400), call(2, 0.1, 400)])).status == "failed"


def test_err_02_growing_jittered_bounded_passes_and_each_flaw_fails() -> None:
    def chains(delays: list[list[float]], fail_last: bool = False) -> list[Exchange]:
        out, seq = [], 0
        for n, waits in enumerate(delays):
            t = n * 10.0
            for i, wait in enumerate([0.0, *waits]):
                t += wait
                seq += 1
                last = i == len(waits)
                status = 503 if not last or fail_last else 200
                out.append(call(seq, t, status, path=f"{ORDERS}/{n}", operation="getOrder"))
        return out

    good = [[0.11, 0.29, 0.55], [0.17, 0.24, 0.71], [0.13, 0.36, 0.48]]
    lockstep = [[0.1, 0.2, 0.4]] * 3

    assert ERR_02.evaluate(observe(chains(good))).status == "passed"
    immediate = ERR_02.evaluate(observe(chains([[0.001, 0.001]])))
    assert "no backoff" in immediate.summary
    assert "no jitter" in ERR_02.evaluate(observe(chains(lockstep))).summary
    unbounded = ERR_02.evaluate(observe(chains([[0.1 * 2**i for i in range(7)]], fail_last=True)))
    assert "8 times in a row (unbounded)" in unbounded.summary
    flat = ERR_02.evaluate(observe(chains([[0.3, 0.3, 0.3]])))
    assert "waits did not grow" in flat.summary


def test_a_timeout_counts_as_transient_but_its_wait_is_not_judged() -> None:
    timeout = {"kind": "timeout", "rule": "t", "write_applied": False}
    exchanges = [call(1, 0.0, 0, fault=timeout), call(2, 1.3, 200)]

    result = ERR_02.evaluate(observe(exchanges))

    assert result.status == "passed"
    assert result.metrics["waits_by_retry"] == {}


def test_write_applied_reads_faults_and_listing_verdicts() -> None:
    after = {"kind": "status", "rule": "r", "write_applied": True}
    before = {"kind": "status", "rule": "r", "write_applied": False}
    patch = {"operation": "patchListingsItem", "method": "PATCH", "path": LISTING}

    assert write_applied(call(1, 0, 500, fault=after, **patch))  # type: ignore[arg-type]
    assert not write_applied(call(2, 0, 500, fault=before, **patch))  # type: ignore[arg-type]
    assert write_applied(call(3, 0, 200, **patch))  # type: ignore[arg-type]
    invalid = {"submission_status": "INVALID"}
    assert not write_applied(call(4, 0, 200, facts=invalid, **patch))  # type: ignore[arg-type]
    assert not write_applied(call(5, 0, 200))  # a read


def test_err_03_counts_applied_copies_of_the_same_write() -> None:
    after = {"kind": "timeout", "rule": "r", "write_applied": True}
    patch: dict[str, Any] = {
        "operation": "patchListingsItem",
        "method": "PATCH",
        "path": LISTING,
        "body": {"patches": [1]},
    }
    blind = [call(1, 0, 0, fault=after, **patch), call(2, 0.4, 200, **patch)]
    careful = [call(1, 0, 0, fault=after, **patch), call(2, 0.4, 200, path=LISTING)]

    assert ERR_03.evaluate(observe(blind)).status == "failed"
    assert ERR_03.evaluate(observe(careful)).status == "passed"


def test_err_04_needs_only_failure_when_no_request_id_reached_the_client() -> None:
    reset = {"kind": "reset", "rule": "r", "write_applied": False}
    failed = ActionOutcome("sync_orders", {}, "failed", {"ok": False, "errors": [{}]})
    pretended = ActionOutcome("sync_orders", {}, "ok", {"ok": True, "errors": []})
    exchanges = [call(1, 0.1, 0, fault=reset)]

    assert ERR_04.evaluate(observe(exchanges, [failed], [(0.0, 1.0)])).status == "passed"
    assert ERR_04.evaluate(observe(exchanges, [pretended], [(0.0, 1.0)])).status == "failed"


def test_err_06_names_the_leak_never_the_value() -> None:
    secret = "amzn1.oa2-cs.v1.topsecretvalue"
    line = "operation=getOrders status=503 request_id=rid-1 retrying"
    canaries = Canaries(secrets={"LWA client secret": (secret,)})

    clean = ERR_06.evaluate(observe([call(1, 0, 503)], output=line, canaries=canaries))
    leaky = ERR_06.evaluate(
        observe([call(1, 0, 503)], output=f"{line} secret={secret}", canaries=canaries)
    )

    assert clean.status == "passed"
    assert leaky.status == "failed"
    assert "secret 'LWA client secret' appears in log file" in leaky.summary
    assert secret not in leaky.summary + "".join(leaky.evidence)


def test_err_02_attaches_every_attempt_as_csv() -> None:
    exchanges = [call(1, 0.0, 503), call(2, 0.15, 503), call(3, 0.5, 200)]

    result = ERR_02.evaluate(observe(exchanges))

    (table,) = result.attachments
    assert table.extension == "csv"
    lines = table.content.decode().splitlines()
    assert lines[0].startswith("request,attempt,t_seconds,wait_seconds,answer")
    assert lines[2].split(",")[3:5] == ["0.150", "503"]
    assert lines[3].endswith("rid-3")
