"""Runs a Python adapter in its own process and answers actions over a pipe.

Started by :class:`~harness.drive.python.PythonDriver` as ``python -m harness.drive.worker
module:object``. The protocol uses the process's original stdout; the adapter's own prints
are redirected to stderr, so nothing it writes can corrupt the protocol (and the driver still
captures it for the secret and PII scan).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback
from typing import Any

from harness.drive.processes import TOKEN_VAR, end_processes


def _emit(channel: Any, message: dict[str, Any]) -> None:
    channel.write(json.dumps(message) + "\n")
    channel.flush()


def main(argv: list[str]) -> int:
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    target = argv[1]
    module_name, _, attr = target.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
        adapter = factory()
    except Exception as exc:  # the integration could not start; say why, exactly
        _emit(
            protocol,
            {
                "type": "start_failed",
                "error": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc(limit=8),
            },
        )
        return 3
    _emit(protocol, {"type": "ready"})
    own_token = os.environ.get(TOKEN_VAR, "")
    for line in sys.stdin:
        request = json.loads(line)
        action, args = request["action"], request["args"]
        method = getattr(adapter, action, None)
        if method is None:
            _emit(protocol, {"type": "unsupported", "action": action})
            continue
        # Every process the action starts inherits its token, so the driver can end them all
        # once the action is over (harness.drive.processes); helpers started by the adapter's
        # constructor keep the worker's own token and live until the worker stops.
        os.environ[TOKEN_VAR] = str(request.get("token") or own_token)
        try:
            result = method(args)
        except Exception as exc:
            _emit(
                protocol,
                {
                    "type": "raised",
                    "error": f"{type(exc).__name__}: {exc}",
                    "traceback": traceback.format_exc(limit=8),
                },
            )
            continue
        finally:
            os.environ[TOKEN_VAR] = own_token
        try:
            _emit(protocol, {"type": "result", "result": result})
        except (TypeError, ValueError, RecursionError) as exc:
            _emit(
                protocol,
                {
                    "type": "bad_result",
                    "error": f"{type(exc).__name__}: {exc}",
                    "result_type": type(result).__name__,
                },
            )
    close = getattr(adapter, "close", None)
    try:
        if callable(close):
            close()
    finally:
        # stdin closed: ACORN stopped the worker, or died without a word. Either way nothing
        # the adapter started may outlive it (the driver does this too, when it is alive).
        end_processes([own_token])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
