"""ERR-01..08 on synthetic journals: the edges that real traffic rarely lines up."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from harness.checks import ERR_01, ERR_02, ERR_03, ERR_04, ERR_06, ERR_07, ERR_08, Observation
from harness.checks.errors import retry_chains, write_applied
from harness.checks.errors_transport import REFUSED
from harness.checks.fault_parts import combine
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


# -- fault kinds judged on their own (sub-runs) -------------------------------------------


def test_a_fault_kind_that_was_not_exercised_leaves_err_02_unproven() -> None:
    recovered = observe([call(1, 0.0, 503), call(2, 0.3, 200)])
    untouched = observe([call(1, 0.0, 200)])  # the reset never struck: nothing to judge

    result = ERR_02.evaluate(combine("transient", {"503": recovered, "reset": untouched}))

    assert result.status == "skipped"
    assert "not exercised: reset" in result.summary
    assert result.metrics["fault_kinds"] == {"503": "passed", "reset": "not exercised"}


def test_one_fault_kind_failing_fails_err_02_and_names_the_kind() -> None:
    recovered = observe([call(1, 0.0, 503), call(2, 0.3, 200)])
    gave_up = observe([call(1, 0.0, 0, fault={"kind": "reset", "rule": "r"})])

    result = ERR_02.evaluate(combine("transient", {"503": recovered, "reset": gave_up}))

    assert result.status == "failed"
    assert "Failed on reset" in result.summary
    assert "never retried" in result.summary


def test_sub_runs_never_chain_into_each_other() -> None:
    """The same request in two fresh worlds is two requests: a give-up in the first sub-run
    must not look like a retry when the second sends it again."""
    gave_up = observe([call(1, 0.0, 503)])
    recovered = observe([call(1, 0.0, 0, fault={"kind": "reset"}), call(2, 0.4, 200)])

    result = ERR_02.evaluate(combine("transient", {"503": gave_up, "reset": recovered}))

    assert result.status == "failed"
    assert result.metrics["fault_kinds"]["503"] == "failed"


def test_err_02_judges_jitter_on_the_waits_of_every_kind_together() -> None:
    def part(kind: str, waits: list[float]) -> Observation:
        walls = [0.0]
        for wait in waits:
            walls.append(walls[-1] + wait)
        statuses = [503] * len(waits) + [200]
        return observe(
            [call(i + 1, w, s) for i, (w, s) in enumerate(zip(walls, statuses, strict=True))]
        )

    lockstep = {k: part(k, [0.1, 0.25]) for k in ("503", "500", "reset")}
    jittered = {k: part(k, [0.1 + 0.07 * n, 0.25]) for n, k in enumerate(("503", "500", "reset"))}

    assert "no jitter" in ERR_02.evaluate(combine("t", lockstep)).summary
    assert ERR_02.evaluate(combine("t", jittered)).status == "passed"


def test_err_06_judges_only_the_kinds_that_answer_with_a_status() -> None:
    logged = observe([call(1, 0.0, 503), call(2, 0.3, 200)], output="getOrders 503 rid-1 retrying")
    reset = observe([call(1, 0.0, 0, fault={"kind": "reset"}), call(2, 0.3, 200)])

    result = ERR_06.evaluate(combine("t", {"503": logged, "reset": reset}))

    assert result.status == "passed", result.summary


# -- ERR-07: every call bounded in time -----------------------------------------------------

STALL = {"kind": "stall", "rule": "the order list stalls", "hold": 45.0}


def stalled(seq: int, wall: float) -> Exchange:
    return call(seq, wall, 0, fault=STALL)


def lwa_stalled(seq: int, wall: float) -> Exchange:
    grant = call(seq, wall, 200, facts={"delay_s": 45.0})
    return replace(grant, endpoint="LWA", operation="lwa:refresh_token", path="/auth/o2/token",
                   query={})  # fmt: skip


def outcome(status: str, result: dict[str, Any] | None = None, error: str = "") -> ActionOutcome:
    return ActionOutcome(
        "sync_orders",
        {"marketplace_ids": ["US"]},
        status,  # type: ignore[arg-type]
        result=result,
        error=error or None,
        duration_s=2.0,
    )


FAILED_GET_ORDERS = {"ok": False, "errors": [{"operation": "getOrders", "message": "timed out"}]}


def test_err_07_passes_when_the_client_gives_up_and_reports_the_operation() -> None:
    obs = observe(
        [stalled(1, 0.0), stalled(2, 0.7), stalled(3, 1.6)],
        [outcome("failed", FAILED_GET_ORDERS)],
        [(0.0, 2.4)],
    )

    result = ERR_07.evaluate(obs)

    assert result.status == "passed", result.summary
    assert result.metrics["sp_api_stalls"] == 3
    assert result.metrics["longest_wait_s"] == 0.9


def test_err_07_passes_when_a_retry_after_the_stall_succeeds() -> None:
    obs = observe([stalled(1, 0.0), call(2, 0.8, 200)], [outcome("ok", {"ok": True})], [(0, 1)])

    assert ERR_07.evaluate(obs).status == "passed"


def test_err_07_fails_a_client_that_waits_for_the_simulator_to_give_up() -> None:
    obs = observe([stalled(1, 0.0), call(2, 45.1, 200)], [outcome("ok", {"ok": True})], [(0, 46)])

    result = ERR_07.evaluate(obs)

    assert result.status == "failed"
    assert "no read timeout" in result.summary


def test_err_07_fails_a_killed_action_even_when_the_wait_looks_short() -> None:
    obs = observe([stalled(1, 0.0)], [outcome("timeout", error="killed")], [(0.0, 20.0)])

    result = ERR_07.evaluate(obs)

    assert result.status == "failed"
    assert "killed" in result.summary


def test_err_07_fails_when_the_stalled_operation_is_not_reported() -> None:
    silent = observe([stalled(1, 0.0)], [outcome("ok", {"ok": True})], [(0.0, 1.0)])
    unnamed = observe(
        [stalled(1, 0.0)], [outcome("failed", {"ok": False, "errors": ["oops"]})], [(0.0, 1.0)]
    )

    assert "reported ok although getOrders" in ERR_07.evaluate(silent).summary
    assert "without naming getOrders" in ERR_07.evaluate(unnamed).summary


def test_err_07_accepts_the_librarys_own_timeout_report() -> None:
    """python-amazon-sp-api raises ReadTimeout('timed out'): the report says why (issue 12:
    accept every honest way of saying a thing)."""
    said = {"ok": False, "errors": [{"operation": "ReadTimeout", "message": "timed out"}]}
    obs = observe([stalled(1, 0.0)], [outcome("failed", said)], [(0.0, 1.0)])

    assert ERR_07.evaluate(obs).status == "passed"


def test_err_07_accepts_the_path_or_lwa_as_the_operations_name() -> None:
    by_path = observe(
        [stalled(1, 0.0)],
        [outcome("raised", error="ReadTimeout on GET /orders/v0/orders?MarketplaceIds=US")],
        [(0.0, 1.0)],
    )
    lwa = observe(
        [lwa_stalled(1, 0.0), lwa_stalled(2, 0.6)],
        [outcome("failed", {"ok": False, "errors": [{"operation": "lwaTokenRefresh"}]})],
        [(0.0, 1.5)],
    )

    assert ERR_07.evaluate(by_path).status == "passed"
    assert ERR_07.evaluate(lwa).status == "passed"
    assert ERR_07.evaluate(lwa).metrics["lwa_stalls"] == 2


def test_err_07_is_unproven_without_a_stall_and_needs_every_part() -> None:
    plain = observe([call(1, 0.0, 200)], [outcome("ok", {"ok": True})], [(0.0, 1.0)])
    bounded = observe([stalled(1, 0.0)], [outcome("failed", FAILED_GET_ORDERS)], [(0.0, 1.0)])

    assert ERR_07.evaluate(plain).status == "skipped"
    both = ERR_07.evaluate(combine("stalls", {"LWA stall": plain, "SP-API stall": bounded}))
    assert both.status == "skipped"
    assert "not exercised: LWA stall" in both.summary


# -- ERR-08: a refused region costs only its marketplaces -----------------------------------

US, DE, JP = "ATVPDKIKX0DER", "A1PA6795UKMFR9", "A1VC38T7YXB528"
REFUSED_FE = {"region": "FE", "marketplaces": [JP], "countries": ["JP"], "port": 41234}


def listed(seq: int, wall: float, marketplace: str, order_id: str) -> Exchange:
    page = call(seq, wall, 200, query={"MarketplaceIds": [marketplace]})
    return replace(page, response_body={"payload": {"Orders": [{"AmazonOrderId": order_id}]}})


def items(seq: int, wall: float, order_id: str) -> Exchange:
    return call(seq, wall, 200, operation="getOrderItems", path=f"{ORDERS}/{order_id}/orderItems")


def refused_run(
    exchanges: list[Exchange], status: str, result: dict[str, Any] | None = None
) -> Observation:
    out = ActionOutcome(
        "sync_orders",
        {"marketplace_ids": [US, DE, JP]},
        status,  # type: ignore[arg-type]
        result=result,
        duration_s=3.0,
    )
    obs = observe(exchanges, [out], [(0.0, 3.0)])
    obs.expected[REFUSED] = REFUSED_FE
    return obs


SYNCED = [listed(1, 0.1, US, "111-1"), listed(2, 0.2, DE, "302-1"), items(3, 0.3, "111-1"),
          items(4, 0.4, "302-1")]  # fmt: skip
JP_FAILED = {"ok": False, "errors": [{"operation": "getOrders", "marketplace_ids": [JP]}]}


def test_err_08_passes_when_the_other_regions_sync_and_the_region_is_reported() -> None:
    result = ERR_08.evaluate(refused_run(SYNCED, "failed", JP_FAILED))

    assert result.status == "passed", result.summary
    by_region = {"ok": False, "errors": [{"message": "FE endpoint: Connection refused"}]}
    assert ERR_08.evaluate(refused_run(SYNCED, "failed", by_region)).status == "passed"


def test_err_08_fails_a_swallowed_or_unnamed_failure() -> None:
    swallowed = ERR_08.evaluate(refused_run(SYNCED, "ok", {"ok": True}))
    unnamed = ERR_08.evaluate(refused_run(SYNCED, "failed", {"ok": False, "errors": ["refused"]}))

    assert "reported ok although the FE endpoint refused" in swallowed.summary
    assert "without saying which marketplace or region" in unnamed.summary


def test_err_08_fails_when_the_other_regions_stop_or_the_action_is_killed() -> None:
    stopped = ERR_08.evaluate(refused_run(SYNCED[:1] + SYNCED[2:3], "failed", JP_FAILED))
    undetailed = ERR_08.evaluate(refused_run(SYNCED[:2], "failed", JP_FAILED))
    killed = ERR_08.evaluate(refused_run(SYNCED, "timeout"))

    assert f"orders of {DE}" in stopped.summary
    assert "never detailed" in undetailed.summary
    assert killed.status == "failed"
    assert "killed" in killed.summary


def test_err_08_is_unproven_without_a_refused_endpoint() -> None:
    obs = refused_run(SYNCED, "failed", JP_FAILED)
    del obs.expected[REFUSED]

    assert ERR_08.evaluate(obs).status == "skipped"
