"""A loopback alert sink: the chat or incident webhook an integration posts its alerts to.

A go-live fails when nobody is told: a refresh token lapses on a Sunday, a feed sits
IN_PROGRESS for two days, an outage never ends. ACORN hands the integration
``ACORN_ALERT_WEBHOOK`` (a URL on 127.0.0.1) and records every JSON POST that arrives, with the
simulator's virtual and wall time, so MON-01/02 can judge whether each incident reached a
person once, in time, and without a secret or buyer PII in it. It answers like Slack's and
most incident webhooks do: 200 with a small JSON body; anything that is not a JSON POST is
answered 400 and recorded as such (a broken alert is an alert nobody reads).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from harness.sim.clock import VirtualClock
from harness.sim.loopback import LoopbackServer, read_body

__all__ = ["AlertRecord", "AlertSink"]

_LIMIT = 64 * 1024
_NAME = "alerts"


@dataclass(frozen=True)
class AlertRecord:
    wall: float  # simulator wall seconds (the journal's clock)
    virtual: float  # virtual POSIX time
    body: Any  # the parsed JSON, or None when it was not JSON
    text: str  # the raw body as text (what the scanner reads)

    def to_dict(self) -> dict[str, Any]:
        return {"wall": self.wall, "virtual": self.virtual, "body": self.body, "text": self.text}


class AlertSink:
    """Records alerts; ``clock`` is the simulator's, so arrival times line up with the
    journal. Start once; :meth:`clear` between scenarios."""

    def __init__(self, clock: Callable[[], VirtualClock], host: str = "127.0.0.1") -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._records: list[AlertRecord] = []
        self._server = LoopbackServer(self._app, (_NAME,), host=host)
        self.url = ""

    def start(self) -> AlertSink:
        if not self._server.running:
            self.url = self._server.start("acorn-alert-sink")[_NAME] + "/alerts"
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> AlertSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def env(self) -> dict[str, str]:
        return {"ACORN_ALERT_WEBHOOK": self.url}

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    @property
    def records(self) -> list[AlertRecord]:
        with self._lock:
            return list(self._records)

    async def _app(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
        send: Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            return
        raw = await read_body(receive, _LIMIT)
        text = (raw or b"").decode("utf-8", errors="replace")
        try:
            body = json.loads(text) if text else None
        except ValueError:
            body = None
        ok = scope.get("method") == "POST" and body is not None
        clock = self._clock()
        with self._lock:
            self._records.append(AlertRecord(clock.wall_elapsed(), clock.now(), body, text))
        answer = b'{"ok":true}' if ok else b'{"ok":false,"error":"send a JSON POST"}'
        await send(
            {
                "type": "http.response.start",
                "status": 200 if ok else 400,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": answer})
