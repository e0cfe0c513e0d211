"""Operation handlers, one module per API; each maps an operation id to a function."""

from __future__ import annotations

from harness.sim.handlers.base import Ctx, Handler
from harness.sim.handlers.feeds import HANDLERS as _FEEDS
from harness.sim.handlers.inventory import HANDLERS as _INVENTORY
from harness.sim.handlers.listings import HANDLERS as _LISTINGS
from harness.sim.handlers.notifications import HANDLERS as _NOTIFICATIONS
from harness.sim.handlers.orders import HANDLERS as _ORDERS
from harness.sim.handlers.pricing import HANDLERS as _PRICING
from harness.sim.handlers.pricing import HANDLERS_2022 as _PRICING_2022
from harness.sim.handlers.ptd import HANDLERS as _PTD
from harness.sim.handlers.reports import HANDLERS as _REPORTS
from harness.sim.handlers.sellers import HANDLERS as _SELLERS
from harness.sim.handlers.tokens_api import HANDLERS as _TOKENS

HANDLERS: dict[str, Handler] = {
    **{f"orders/v0/{k}": v for k, v in _ORDERS.items()},
    **{f"sellers/v1/{k}": v for k, v in _SELLERS.items()},
    **{f"tokens/2021-03-01/{k}": v for k, v in _TOKENS.items()},
    **{f"listings-items/2021-08-01/{k}": v for k, v in _LISTINGS.items()},
    **{f"feeds/2021-06-30/{k}": v for k, v in _FEEDS.items()},
    **{f"definitions/2020-09-01/{k}": v for k, v in _PTD.items()},
    **{f"reports/2021-06-30/{k}": v for k, v in _REPORTS.items()},
    **{f"fba-inventory/v1/{k}": v for k, v in _INVENTORY.items()},
    **{f"product-pricing/v0/{k}": v for k, v in _PRICING.items()},
    **{f"product-pricing/2022-05-01/{k}": v for k, v in _PRICING_2022.items()},
    **{f"notifications/v1/{k}": v for k, v in _NOTIFICATIONS.items()},
}

__all__ = ["HANDLERS", "Ctx", "Handler"]
