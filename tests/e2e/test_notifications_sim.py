"""Notifications bad input over real HTTP: Amazon's answers, and the journal says why.

A malformed queue ARN breaks the model's pattern for SqsResource.arn: 400 InvalidInput, with
the field and the pattern in the journal. An unknown notification type is NOT refused: the
model's notificationType is a free string and no source shows how Amazon answers one it does
not know, so ACORN accepts it (never stricter than Amazon) and the journal carries the
fidelity note that says so.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_commerce_apis import grantless

pytestmark = pytest.mark.e2e
ARN = "arn:aws:sqs:us-east-1:123456789012:q"


def test_a_malformed_queue_arn_is_refused_and_the_journal_names_the_field(world: Any) -> None:
    body = {"name": "q", "resourceSpecification": {"sqs": {"arn": "my-queue"}}}
    answer = world.call("POST", "/notifications/v1/destinations", token=grantless(world), json=body)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "InvalidInput"
    facts = world.sim.journal.all()[-1].facts
    assert facts["refusal"] == "CONTRACT-SCHEMA"
    violation = facts["contract_violations"][0]
    assert violation["field"] == "body.resourceSpecification.sqs.arn"
    assert violation["rule"] == "pattern"
    assert world.sim.core.state.commerce.destinations == {}


def test_an_unknown_notification_type_is_accepted_with_a_fidelity_note(world: Any) -> None:
    body = {"name": "q", "resourceSpecification": {"sqs": {"arn": ARN}}}
    made = world.call("POST", "/notifications/v1/destinations", token=grantless(world), json=body)
    destination = made.json()["payload"]["destinationId"]
    path = "/notifications/v1/subscriptions/NO_SUCH_TYPE"
    subscription = {"payloadVersion": "1.0", "destinationId": destination}
    answer = world.call("POST", path, token=world.access_token(), json=subscription)
    assert answer.status_code == 200
    notes = world.sim.journal.all()[-1].facts["fidelity"]
    assert [n["code"] for n in notes] == ["NTF-UNKNOWN-TYPE"]
    assert "not documented" in notes[0]["text"]


def test_the_application_deletes_its_subscription_and_destination_grantless(world: Any) -> None:
    app, seller = grantless(world), world.access_token()
    body = {"name": "q", "resourceSpecification": {"sqs": {"arn": ARN}}}
    made = world.call("POST", "/notifications/v1/destinations", token=app, json=body)
    destination = made.json()["payload"]["destinationId"]
    path = "/notifications/v1/subscriptions/ORDER_CHANGE"
    subscription = {"payloadVersion": "1.0", "destinationId": destination}
    sub_id = world.call("POST", path, token=seller, json=subscription).json()["payload"][
        "subscriptionId"
    ]
    by_id = f"{path}/{sub_id}"
    assert world.call("DELETE", by_id, token=seller).status_code == 403  # grantless only
    deleted = world.call("DELETE", by_id, token=app)
    assert (deleted.status_code, deleted.json()) == (200, {})
    assert world.get(path, token=seller).status_code == 404
    assert world.call("DELETE", by_id, token=app).status_code == 404
    gone = world.call("DELETE", f"/notifications/v1/destinations/{destination}", token=app)
    assert (gone.status_code, gone.json()) == (200, {})
    assert world.get("/notifications/v1/destinations", token=app).json()["payload"] == []
