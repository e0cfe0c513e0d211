"""AUTH-03..08, PII-02/03 on synthetic journals: the edges the HTTP proofs do not reach
(skips, windows, timing thresholds, what the output scan reports and never reports)."""

from __future__ import annotations

import base64
from dataclasses import replace
from typing import Any

import pytest
from journal_factory import access_token, lwa_grant, observation, rdt_token, rid, sp_call

from harness.checks import (
    AUTH_03,
    AUTH_04,
    AUTH_05,
    AUTH_06,
    AUTH_07,
    AUTH_08,
    PII_02,
    PII_03,
    Canaries,
)
from harness.checks.auth_failures import MAX_OUTAGE_ATTEMPTS
from harness.checks.pii import scan_output
from harness.drive.base import ActionOutcome
from harness.sim.credentials import _basic_credentials
from harness.sim.journal import Exchange
from harness.sim.lwa import LwaFaults

SECRET = "amzn1.oa2-cs.v1.0123456789abcdef0123456789abcdef"
REFRESH = "Atzr|IwEBIabcdefghijklmnopqrstuvwxyz0123456789"
CANARIES = Canaries(
    secrets={"LWA client secret": (SECRET,), "refresh token": (REFRESH,)},
    pii={"buyer name": ("Ada Lovelace-7f3a",), "buyer email": ("ada-7f3a@example.invalid",)},
)


def refused(seq: int, wall: float, error: str, status: int) -> Exchange:
    e = lwa_grant(seq, wall, status=status)
    return replace(e, response_body={"error": error})


def outcome(ok: bool, **entry: str) -> ActionOutcome:
    errors = [] if ok else [{"operation": "lwa", "status": 400, "request_id": None, **entry}]
    return ActionOutcome("sync_orders", {}, "ok" if ok else "failed", {"ok": ok, "errors": errors})


# -- AUTH-03 --------------------------------------------------------------------------------


def test_auth03_overlap_needs_the_answer_to_be_pending() -> None:
    slow = {"delay_s": 0.3}
    first = replace(lwa_grant(1, 1.00), facts={**lwa_grant(1, 1.0).facts, **slow})
    second = replace(lwa_grant(2, 1.05), facts={**lwa_grant(2, 1.05).facts, **slow})
    result = AUTH_03.evaluate(observation(first, second))
    assert result.status == "failed"
    assert result.metrics["largest_herd"] == 2
    assert rid(1) in result.evidence[0]


def test_auth03_sequential_refreshes_after_expiry_pass() -> None:
    token = access_token("Atza|one", issued_wall=0, expires_in=2)
    result = AUTH_03.evaluate(
        observation(
            lwa_grant(1, 0.0, 2, token_id="Atza|one"),
            sp_call(2, 0.5, "getOrders", token=token),
            lwa_grant(3, 1.9, 2, token_id="Atza|two"),  # proactive, in the last part of life
        )
    )
    assert result.status == "passed", result.summary


def test_auth03_refresh_right_after_an_unrefused_grant_in_one_action_fails() -> None:
    obs = observation(lwa_grant(1, 0.0), lwa_grant(2, 0.2))
    obs.action_windows = [(0.0, 1.0)]
    result = AUTH_03.evaluate(obs)
    assert result.status == "failed"
    assert "right after another refresh" in result.summary


def test_auth03_skipped_without_token_requests() -> None:
    assert AUTH_03.evaluate(observation(sp_call(1, 0.1, "getOrders"))).status == "skipped"


# -- AUTH-04 --------------------------------------------------------------------------------


def test_auth04_one_token_per_action_is_fine_for_per_process_integrations() -> None:
    exchanges = []
    windows = []
    seq = 0
    for action in range(3):
        start = action * 10.0
        seq += 1
        exchanges.append(lwa_grant(seq, start + 0.1, token_id=f"Atza|a{action}"))
        for i in range(4):
            seq += 1
            exchanges.append(sp_call(seq, start + 0.2 + i * 0.1, "getOrders"))
        windows.append((start, start + 5.0))
    obs = observation(*exchanges)
    obs.action_windows = windows
    result = AUTH_04.evaluate(obs)
    assert result.status == "passed", result.summary
    assert result.metrics["extra_token_requests_per_call"] == 0


def test_auth04_skipped_below_ten_calls() -> None:
    result = AUTH_04.evaluate(observation(lwa_grant(1, 0.0), sp_call(2, 0.1, "getOrders")))
    assert result.status == "skipped"


# -- AUTH-05 / AUTH-06 ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry",
    [
        {"message": "sync failed", "action_required": "reauthorize"},
        {"message": "Re-Authorization needed: the seller must consent again"},
        {"message": "seller must reauthorise the app"},
    ],
)
def test_auth05_accepts_the_field_or_the_phrase(entry: dict[str, str]) -> None:
    obs = observation(refused(1, 0.2, "invalid_grant", 400), outcomes=[outcome(False, **entry)])
    obs.action_windows = [(0.0, 1.0)]
    assert AUTH_05.evaluate(obs).status == "passed"


def test_auth05_calls_after_the_refusal_fail() -> None:
    obs = observation(
        refused(1, 0.2, "invalid_grant", 400),
        sp_call(2, 0.3, "getOrders", 403, token=access_token(outcome="missing"), details=""),
        outcomes=[outcome(False, action_required="reauthorize")],
    )
    obs.action_windows = [(0.0, 1.0)]
    result = AUTH_05.evaluate(obs)
    assert result.status == "failed"
    assert "1 SP-API call(s) without a usable token" in result.summary


def test_auth06_rotation_wording_is_not_confused_with_reauthorization() -> None:
    obs = observation(
        refused(1, 0.2, "invalid_client", 401),
        outcomes=[outcome(False, message="re-authorization needed")],
    )
    obs.action_windows = [(0.0, 1.0)]
    result = AUTH_06.evaluate(obs)
    assert result.status == "failed"
    assert "rotate client credentials" in result.summary


def test_auth05_skipped_without_invalid_grant() -> None:
    assert AUTH_05.evaluate(observation(lwa_grant(1, 0.0))).status == "skipped"


def _described(seq: int, wall: float, error: str, status: int, description: str) -> Exchange:
    e = lwa_grant(seq, wall, status=status)
    return replace(e, response_body={"error": error, "error_description": description})


INVALID_GRANT_TEXT = "The request has an invalid grant parameter : refresh_token"


@pytest.mark.parametrize(
    "entry",
    [
        {"message": "invalid_grant: The request has an invalid grant parameter"},
        {"message": "LWA refused the refresh token (INVALID_GRANT)"},
        {"code": "invalid_grant", "message": "token request failed"},
        {"message": "The request has an invalid grant parameter"},  # LWA's description only
    ],
)
def test_auth05_accepts_lwas_own_code_or_description(entry: dict[str, str]) -> None:
    obs = observation(
        _described(1, 0.2, "invalid_grant", 400, INVALID_GRANT_TEXT),
        outcomes=[outcome(False, **entry)],
    )
    obs.action_windows = [(0.0, 1.0)]
    result = AUTH_05.evaluate(obs)
    assert result.status == "passed", result.summary
    assert "invalid_grant" in result.summary


def test_auth05_accepts_a_string_errors_entry_and_a_result_error() -> None:
    for result in (
        {"ok": False, "errors": ["invalid_grant"]},
        {"ok": False, "errors": [], "error": "LWA said invalid_grant"},
    ):
        obs = observation(
            refused(1, 0.2, "invalid_grant", 400),
            outcomes=[ActionOutcome("sync_orders", {}, "failed", result)],
        )
        obs.action_windows = [(0.0, 1.0)]
        assert AUTH_05.evaluate(obs).status == "passed", result


def test_auth06_accepts_a_commands_exit_message_with_lwas_code() -> None:
    crashed = ActionOutcome(
        "sync_orders",
        {},
        "crashed",
        error="exit 1 with no result; stderr: LwaError: invalid_client (HTTP 401)",
        exit_code=1,
    )
    obs = observation(refused(1, 0.2, "invalid_client", 401), outcomes=[crashed])
    obs.action_windows = [(0.0, 1.0)]
    assert AUTH_06.evaluate(obs).status == "passed"


def test_auth05_another_lwa_code_or_a_bare_http_status_is_not_the_reason() -> None:
    for message in ("invalid_client", "HTTP 400", "invalid_grant_type_x", "token failed"):
        obs = observation(
            _described(1, 0.2, "invalid_grant", 400, INVALID_GRANT_TEXT),
            outcomes=[outcome(False, message=message)],
        )
        obs.action_windows = [(0.0, 1.0)]
        result = AUTH_05.evaluate(obs)
        assert result.status == "failed", message
        assert "failed without saying 're-authorization needed' or LWA's invalid_grant" in (
            result.summary
        )


def test_auth05_a_retry_storm_fails_however_well_it_is_reported() -> None:
    storm = [refused(i, 0.1 * i, "invalid_grant", 400) for i in range(1, 11)]
    obs = observation(
        *storm, outcomes=[outcome(False, message="invalid_grant", action_required="reauthorize")]
    )
    obs.action_windows = [(0.0, 2.0)]
    result = AUTH_05.evaluate(obs)
    assert result.status == "failed"
    assert "asked LWA 10 times" in result.summary


def test_auth05_refusals_only_between_actions_are_not_a_pass() -> None:
    obs = observation(
        refused(1, 5.0, "invalid_grant", 400), outcomes=[outcome(False, message="invalid_grant")]
    )
    obs.action_windows = [(0.0, 1.0)]
    result = AUTH_05.evaluate(obs)
    assert result.status == "skipped"
    assert "only between actions" in result.summary


# -- AUTH-07 --------------------------------------------------------------------------------


def _outage(seq: int, wall: float, status: int = 503) -> Exchange:
    error = "temporarily_unavailable" if status == 503 else "server_error"
    return refused(seq, wall, error, status)


def test_auth07_spaced_retries_then_success_pass() -> None:
    obs = observation(_outage(1, 0.0), _outage(2, 0.2), lwa_grant(3, 0.6))
    obs.action_windows = [(0.0, 1.0)]
    result = AUTH_07.evaluate(obs)
    assert result.status == "passed", result.summary
    assert result.metrics["recovered"] is True


def test_auth07_more_attempts_than_the_bound_fail_even_when_spaced() -> None:
    attempts = [_outage(i + 1, i * 0.5, 500) for i in range(MAX_OUTAGE_ATTEMPTS + 1)]
    obs = observation(*attempts)
    obs.action_windows = [(0.0, 10.0)]
    result = AUTH_07.evaluate(obs)
    assert result.status == "failed"
    assert "not bounded" in result.summary
    assert "no backoff" not in result.summary


def test_auth07_skipped_without_5xx() -> None:
    assert AUTH_07.evaluate(observation(lwa_grant(1, 0.0))).status == "skipped"


def test_auth07_a_lone_5xx_outside_any_action_is_not_a_pass() -> None:
    obs = observation(_outage(1, 5.0))
    obs.action_windows = [(0.0, 1.0)]
    result = AUTH_07.evaluate(obs)
    assert result.status == "skipped"
    assert "no action was seen reacting" in result.summary


# -- AUTH-08 --------------------------------------------------------------------------------


def test_auth08_names_the_secret_and_the_request_never_the_value() -> None:
    leaky = replace(sp_call(1, 0.1, "getOrders"), facts={"secrets_to_sp_api": ["refresh token"]})
    result = AUTH_08.evaluate(observation(lwa_grant(2, 0.0), leaky))
    assert result.status == "failed"
    assert "sent the refresh token to an SP-API host" in result.summary
    assert rid(1) in result.evidence[0]


def test_auth08_skipped_without_traffic() -> None:
    assert AUTH_08.evaluate(observation()).status == "skipped"


def test_auth08_without_a_token_request_is_not_a_pass() -> None:
    result = AUTH_08.evaluate(observation(sp_call(1, 0.1, "getOrders")))
    assert result.status == "skipped"
    assert "no LWA token request" in result.summary
    assert AUTH_08.evaluate(observation(lwa_grant(1, 0.0))).status == "passed"


# -- PII-02 ---------------------------------------------------------------------------------


def _rdt_grant(seq: int, wall: float, token_id: str, path: str) -> Exchange:
    e = sp_call(seq, wall, "createRestrictedDataToken")
    return replace(
        e,
        request_body={"restrictedResources": [{"method": "GET", "path": path}]},
        facts={"issued_token": token_id, "expires_in": 3600},
    )


def test_pii02_specific_paths_for_different_orders_are_not_waste() -> None:
    a, b = "/orders/v0/orders/111-1/address", "/orders/v0/orders/222-2/address"
    calls = [
        _rdt_grant(1, 0.0, "Atz.sprdt|a", a),
        sp_call(2, 0.1, "getOrderAddress", token=rdt_token("Atz.sprdt|a"), order_id="111-1"),
        _rdt_grant(3, 0.2, "Atz.sprdt|b", b),
        sp_call(4, 0.3, "getOrderAddress", token=rdt_token("Atz.sprdt|b"), order_id="222-2"),
    ]
    # Not waste, but one call per RDT and nothing after expiry proves neither reuse nor renewal.
    once = PII_02.evaluate(observation(*calls))
    assert once.status == "skipped", once.summary
    assert "neither reuse nor renewal was exercised" in once.summary
    again = sp_call(5, 0.4, "getOrderAddress", token=rdt_token("Atz.sprdt|b"), order_id="222-2")
    result = PII_02.evaluate(observation(*calls, again))
    assert result.status == "passed", result.summary


def test_pii02_generic_rdt_requested_again_while_the_first_covers_it_fails() -> None:
    generic = "/orders/v0/orders/{orderId}/address"
    result = PII_02.evaluate(
        observation(
            _rdt_grant(1, 0.0, "Atz.sprdt|a", generic),
            _rdt_grant(2, 0.2, "Atz.sprdt|b", generic),
        )
    )
    assert result.status == "failed"
    assert f"covered by {rid(1)}" in result.evidence[0]


def test_pii02_skipped_without_rdt() -> None:
    assert PII_02.evaluate(observation(sp_call(1, 0.0, "getOrders"))).status == "skipped"


def test_pii02_an_rdt_never_used_is_not_a_pass() -> None:
    generic = "/orders/v0/orders/{orderId}/address"
    result = PII_02.evaluate(observation(_rdt_grant(1, 0.0, "Atz.sprdt|a", generic)))
    assert result.status == "skipped"
    assert "never used" in result.summary


# -- PII-03 ---------------------------------------------------------------------------------


def test_scan_reports_labels_and_lines_never_values() -> None:
    log = "\n".join(
        [
            "ok status=200 request_id=abc",
            f"form client_secret={SECRET.replace('.', '%2E')}&x=1",  # not a known encoding
            "to: ADA LOVELACE-7F3A, somewhere",  # case changed
            "refresh=" + REFRESH.replace("|", "%7C"),  # form-encoded
            "token Atza|IwEBIAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ]
    )
    findings = scan_output({"log file": log}, CANARIES)
    assert [(n, kinds) for _, n, kinds in findings] == [
        (3, ["buyer name"]),
        (4, ["refresh token"]),
        (5, ["LWA/RDT token"]),
    ]
    result = PII_03.evaluate(replace(observation(), output={"log file": log}, canaries=CANARIES))
    assert result.status == "failed"
    text = "\n".join([result.summary, *result.evidence])
    assert "log file line 3: buyer name" in text
    assert SECRET not in text
    assert REFRESH not in text
    assert "Lovelace" not in text


def test_pii03_skipped_without_canaries() -> None:
    assert PII_03.evaluate(observation()).status == "skipped"


def test_pii03_skipped_when_no_output_was_captured_but_passes_on_an_empty_one() -> None:
    nothing = replace(observation(), output={}, canaries=CANARIES)
    assert PII_03.evaluate(nothing).status == "skipped"
    quiet = PII_03.evaluate(
        replace(observation(), output={"stdout/stderr": "", "log file": ""}, canaries=CANARIES)
    )
    assert quiet.status == "passed"
    assert "it wrote nothing ACORN captures" in quiet.summary


# -- simulator fault settings ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "phrase"),
    [
        ({"outage_status": 404}, "500 or 503"),
        ({"forced_error": "invalid_grnt"}, "unknown LWA error"),
        ({"delay": -1.0}, ">= 0 seconds"),
    ],
)
def test_lwa_faults_refuse_impossible_settings(kwargs: dict[str, object], phrase: str) -> None:
    with pytest.raises(ValueError, match=phrase):
        LwaFaults(**kwargs)  # type: ignore[arg-type]


def test_lwa_outage_counts_down_then_recovers() -> None:
    faults = LwaFaults(outage_status=503, outage_requests=2)
    answers = [faults.refusal() for _ in range(3)]
    assert [a.status if a else None for a in answers] == [503, 503, None]
    assert answers[0] is not None
    assert answers[0].body == {"error": "temporarily_unavailable"}


@pytest.mark.parametrize("encode", [base64.b64encode, base64.urlsafe_b64encode])
def test_basic_credentials_are_decoded_in_either_base64_alphabet(encode: Any) -> None:
    # These bytes encode to '+' and '/' in one alphabet, '-' and '_' in the other.
    pair = b"amzn1.application-oa2-client.x:amzn1.oa2-cs.v1.\xfb\xff?>secret"
    header = f"Basic {encode(pair).decode()}"
    assert _basic_credentials([header])[0].endswith("secret")
    assert _basic_credentials([header.rstrip("=")])[0].endswith("secret")
    assert _basic_credentials(["Basic !!!", "Bearer abc"]) == []
