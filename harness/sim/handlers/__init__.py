"""Operation handlers, one module per API; each maps an operation id to a function.

The route is the contract's: a request is matched to an :class:`~harness.contracts.Operation`
(method and path from ``contracts/apis/*.json``) and answered by the handler registered under
its operation id. Nothing here repeats an API's path or version: adding an operation is its
contract entry plus a handler in its API's module. Operation ids are unique across the bundled
contracts (a test keeps it so); should two versions of an API ever share one, the newer
module keys it ``"<version>/<operationId>"`` and that key wins for that version.
"""

from __future__ import annotations

from collections.abc import Mapping

from harness.contracts import Operation
from harness.sim.handlers.base import Ctx, Handler
from harness.sim.handlers.feeds import HANDLERS as _FEEDS
from harness.sim.handlers.inventory import HANDLERS as _INVENTORY
from harness.sim.handlers.listings import HANDLERS as _LISTINGS
from harness.sim.handlers.notifications import HANDLERS as _NOTIFICATIONS
from harness.sim.handlers.orders import HANDLERS as _ORDERS
from harness.sim.handlers.pricing import HANDLERS as _PRICING
from harness.sim.handlers.pricing import HANDLERS_2022 as _PRICING_2022
from harness.sim.handlers.ptd import HANDLERS as _PTD
from harness.sim.handlers.report_schedules import HANDLERS as _REPORT_SCHEDULES
from harness.sim.handlers.reports import HANDLERS as _REPORTS
from harness.sim.handlers.sellers import HANDLERS as _SELLERS
from harness.sim.handlers.tokens_api import HANDLERS as _TOKENS

__all__ = ["HANDLERS", "Ctx", "Handler", "handler_for"]

_MODULES: tuple[Mapping[str, Handler], ...] = (
    _ORDERS,
    _SELLERS,
    _TOKENS,
    _LISTINGS,
    _FEEDS,
    _PTD,
    _REPORTS,
    _REPORT_SCHEDULES,
    _INVENTORY,
    _PRICING,
    _PRICING_2022,
    _NOTIFICATIONS,
)


def _merge(modules: tuple[Mapping[str, Handler], ...]) -> dict[str, Handler]:
    merged: dict[str, Handler] = {}
    for handlers in modules:
        for key, handler in handlers.items():
            if merged.setdefault(key, handler) is not handler:
                raise RuntimeError(
                    f"two handlers for operation {key!r}: key one as '<version>/{key}'"
                )
    return merged


HANDLERS: dict[str, Handler] = _merge(_MODULES)
"""Operation id (or ``"<version>/<operationId>"``) -> handler."""


def handler_for(op: Operation) -> Handler | None:
    """The handler answering ``op``, or None when ACORN does not simulate it."""
    return HANDLERS.get(f"{op.version}/{op.operation_id}") or HANDLERS.get(op.operation_id)
