"""One line per failed exchange, to stderr and optionally to a log file.

Lines carry the operation, HTTP status and request id only: never tokens, secrets, URLs with
query strings or response bodies (which may hold buyer data).
"""

from __future__ import annotations

import sys
import threading
from datetime import UTC, datetime


class FailureLog:
    def __init__(self, path: str | None) -> None:
        self._path = path
        self._lock = threading.Lock()

    def failure(
        self,
        operation: str,
        status: int | None,
        request_id: str | None,
        outcome: str,
    ) -> None:
        """Record one failed exchange; ``outcome`` says what happens next (retry, give up…)."""
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        line = (
            f"{stamp} reference_connector WARNING operation={operation} "
            f"status={status if status is not None else '-'} "
            f"request_id={request_id or '-'} {outcome}"
        )
        with self._lock:
            print(line, file=sys.stderr, flush=True)
            if self._path:
                try:
                    with open(self._path, "a", encoding="utf-8") as handle:
                        handle.write(line + "\n")
                except OSError as exc:
                    print(f"reference_connector: cannot write log file: {exc}", file=sys.stderr)
