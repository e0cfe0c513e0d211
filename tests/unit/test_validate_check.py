"""CONTRACT-01 on synthetic journals: passes on valid traffic, fails naming field, rule, request."""

from __future__ import annotations

from journal_factory import observation, rid, sp_call

from harness.checks import CONTRACT_01

VALID = {"contract": "valid"}


def invalid(field: str, rule: str, message: str) -> dict[str, object]:
    return {
        "contract": "invalid",
        "contract_violations": [{"field": field, "rule": rule, "message": message}],
    }


def test_passes_when_every_validated_request_was_valid() -> None:
    obs = observation(
        sp_call(1, 0.1, "getOrders", facts=VALID),
        sp_call(2, 0.2, "getOrderItems", facts=VALID),
    )
    result = CONTRACT_01.evaluate(obs)
    assert result.status == "passed"
    assert result.metrics["requests_checked"] == 2
    assert result.metrics["invalid_requests"] == 0


def test_fails_naming_the_field_rule_and_request_id() -> None:
    bad = invalid(
        "query.OrderStatuses[0]",
        "enum",
        "query.OrderStatuses[0]: 'Cancelled' is not one of: Canceled, ...",
    )
    obs = observation(
        sp_call(1, 0.1, "getOrders", facts=VALID),
        sp_call(2, 0.2, "getOrders", 400, facts=bad),
    )
    result = CONTRACT_01.evaluate(obs)
    assert result.status == "failed"
    assert "1 of 2" in result.summary
    assert "query.OrderStatuses[0]" in result.summary
    assert len(result.evidence) == 1
    line = result.evidence[0]
    assert rid(2) in line
    assert "field query.OrderStatuses[0] broke rule enum" in line
    assert result.metrics["violations_by_rule"] == {"enum": 1}
    assert result.remediation
    matrix = result.attachments[0].content.decode()
    assert "| getOrders | `query.OrderStatuses[0]` | enum | 1 |" in matrix


def test_every_violation_of_a_request_is_evidence() -> None:
    facts = {
        "contract": "invalid",
        "contract_violations": [
            {"field": "query.MarketplaceIds", "rule": "required", "message": "missing"},
            {"field": "query.MaxResultsPerPage", "rule": "type", "message": "not an integer"},
        ],
    }
    result = CONTRACT_01.evaluate(observation(sp_call(1, 0.1, "getOrders", 400, facts=facts)))
    assert result.status == "failed"
    assert [line.split("field ")[1].split(" broke")[0] for line in result.evidence] == [
        "query.MarketplaceIds",
        "query.MaxResultsPerPage",
    ]


def test_requests_refused_before_validation_are_not_judged() -> None:
    # A 403 (token) or 429 (throttle) never reached validation: nothing to judge.
    obs = observation(
        sp_call(1, 0.1, "getOrders", 403, details=""), sp_call(2, 0.2, "getOrders", 429)
    )
    result = CONTRACT_01.evaluate(obs)
    assert result.status == "skipped"


def test_a_400_from_business_rules_is_not_a_contract_violation() -> None:
    # A valid request the handler refused (e.g. unknown NextToken) stays "valid".
    obs = observation(sp_call(1, 0.1, "getOrders", 400, facts=VALID))
    assert CONTRACT_01.evaluate(obs).status == "passed"
