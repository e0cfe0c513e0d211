"""Command driver: ``python -m reference_connector.cli ACTION`` < args.json > result.json.

Only the result JSON goes to stdout; diagnostics go to stderr. Exit status: 0 if the result
is ok, 1 if not, 2 for a usage error (unknown action, arguments that are not a JSON object,
missing configuration).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .actions import Connector
from .errors import ConfigError

ACTIONS = (
    "sync_orders",
    "publish_listing",
    "update_inventory",
    "update_price",
    "confirm_shipment",
    "listing_status",
    "sync_inventory",
    "reprice",
    "submit_feed",
    "fetch_report",
    "subscribe",
    "process_notifications",
)


def report_state_file() -> Path:
    """Where reports still processing are remembered between runs: one file per seller and
    set of endpoints (``CONNECTOR_STATE_DIR``, else the temporary directory)."""
    names = ("SPAPI_SELLER_ID", "SPAPI_ENDPOINT_NA", "SPAPI_ENDPOINT_EU", "SPAPI_ENDPOINT_FE")
    owner = "|".join(os.environ.get(name, "") for name in names)
    digest = hashlib.sha256(owner.encode()).hexdigest()[:16]
    folder = Path(os.environ.get("CONNECTOR_STATE_DIR") or tempfile.gettempdir())
    return folder / f"reference-connector-reports-{digest}.json"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0] not in ACTIONS:
        print(f"usage: python -m reference_connector.cli {{{'|'.join(ACTIONS)}}}", file=sys.stderr)
        return 2
    action = args[0]
    try:
        arguments = json.loads(sys.stdin.read())
    except (ValueError, UnicodeDecodeError) as exc:
        print(f"reference_connector: stdin is not valid JSON: {exc}", file=sys.stderr)
        return 2
    if not isinstance(arguments, dict):
        print("reference_connector: stdin must hold a JSON object", file=sys.stderr)
        return 2
    try:
        connector = Connector(report_state=report_state_file())
    except ConfigError as exc:
        print(f"reference_connector: configuration error: {exc}", file=sys.stderr)
        return 2
    try:
        result = getattr(connector, action)(arguments)
    finally:
        connector.close()
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()
    return 0 if result.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
