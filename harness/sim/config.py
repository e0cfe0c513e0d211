"""What a scenario can change about the simulated world."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["SimConfig"]


@dataclass
class SimConfig:
    clock_speed: float = 1.0
    """Virtual seconds per wall second (720 makes an hour last five seconds)."""
    token_lifetime: float = 3600.0
    """Access-token lifetime in virtual seconds (Amazon: one hour)."""
    rdt_lifetime: float = 3600.0
    expires_in: int | None = None
    """Force the ``expires_in`` LWA reports; by default the lifetime in wall seconds."""
    throttling: bool = True
    orders_per_marketplace: int = 2
    orders_page_size: int = 100
    """Upper bound on getOrders page size, to make integrations page (Amazon: 100)."""
    seed: int = 20260302
    app_roles: frozenset[str] = field(
        default_factory=lambda: frozenset({"shippingAddress", "buyerInfo"})
    )
    """Restricted roles the application holds, as RDT dataElements."""
