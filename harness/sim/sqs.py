"""A real SQS endpoint on loopback (moto's server mode) that notifications are delivered to.

Amazon delivers SP-API notifications to an SQS queue the application owns; a ready integration
reads that queue with an AWS SDK, applies each message once and deletes it. To judge that, the
queue must be a real SQS API, not an imitation ACORN wrote: moto's ``ThreadedMotoServer`` speaks
the SQS wire protocol (JSON and query) to boto3 and aws-sdk alike, and tells ACORN at the end
what is left in the queue. It is bound to 127.0.0.1 only and started by the scenarios that need
it; each scenario gets a queue of its own (:meth:`SqsEndpoint.new_queue`).

The publisher (:mod:`harness.sim.handlers.notifications_publish`) sends into the queue the
destination's ARN names, as Amazon does.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

__all__ = ["AWS_ACCOUNT", "AWS_REGION", "QueueRef", "SqsEndpoint"]

AWS_REGION = "us-east-1"
AWS_ACCOUNT = "123456789012"  # moto's default account: the one its queue ARNs name
_TEST_KEY = "acorn-test-key"  # moto accepts any credentials; these are not secrets


@dataclass(frozen=True)
class QueueRef:
    url: str
    arn: str

    @property
    def name(self) -> str:
        return self.arn.rsplit(":", 1)[-1]


class SqsEndpoint:
    """moto's SQS server on a free loopback port; start once, then one queue per scenario."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._server: Any = None
        self._client: Any = None
        self.url = ""

    def start(self) -> SqsEndpoint:
        if self._server is not None:
            return self
        from moto.server import ThreadedMotoServer

        # Werkzeug logs each request to stderr: noise in a readiness run.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        server = ThreadedMotoServer(ip_address=self.host, port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        self._server = server
        self.url = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
        self._server = None
        self._client = None

    def __enter__(self) -> SqsEndpoint:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def client(self) -> Any:
        """A boto3 SQS client of ACORN's own (publishing and the end-of-scenario count)."""
        if self._client is None:
            if self._server is None:
                raise RuntimeError("the SQS endpoint is not running; call start() first")
            import boto3

            self._client = boto3.client("sqs", endpoint_url=self.url, **self.credentials())
        return self._client

    @staticmethod
    def credentials() -> dict[str, str]:
        return {
            "region_name": AWS_REGION,
            "aws_access_key_id": _TEST_KEY,
            "aws_secret_access_key": _TEST_KEY,
        }

    def new_queue(self, label: str = "acorn") -> QueueRef:
        """A fresh, empty queue (a scenario's own: nothing left from another scenario)."""
        name = f"{label}-{uuid.uuid4().hex[:12]}"
        url = self.client.create_queue(QueueName=name)["QueueUrl"]
        arn = self.client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        return QueueRef(str(url), str(arn["Attributes"]["QueueArn"]))

    def env(self, queue: QueueRef) -> dict[str, str]:
        """The variables an integration gets for ``queue`` (see examples/README.md)."""
        creds = self.credentials()
        return {
            "ACORN_SQS_ENDPOINT": self.url,
            "ACORN_SQS_QUEUE_URL": queue.url,
            "ACORN_SQS_QUEUE_ARN": queue.arn,
            "ACORN_AWS_REGION": creds["region_name"],
            "ACORN_AWS_ACCESS_KEY_ID": creds["aws_access_key_id"],
            "ACORN_AWS_SECRET_ACCESS_KEY": creds["aws_secret_access_key"],
        }

    def queue_url(self, arn: str) -> str | None:
        """The URL of the queue ``arn`` names on this server, or None when there is none."""
        parts = arn.split(":")
        if len(parts) < 6 or parts[2] != "sqs":
            return None
        try:
            found = self.client.get_queue_url(QueueName=parts[5], QueueOwnerAWSAccountId=parts[4])
        except Exception:  # botocore's QueueDoesNotExist: no such queue here
            return None
        return str(found["QueueUrl"])

    def send(self, queue_url: str, body: str) -> str:
        return str(self.client.send_message(QueueUrl=queue_url, MessageBody=body)["MessageId"])

    def leftover(self, queue_url: str) -> dict[str, int]:
        """Messages still in the queue: visible, and received but never deleted (in flight)."""
        attrs = self.client.get_queue_attributes(
            QueueUrl=queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return {
            "visible": int(attrs.get("ApproximateNumberOfMessages", 0)),
            "in_flight": int(attrs.get("ApproximateNumberOfMessagesNotVisible", 0)),
        }
