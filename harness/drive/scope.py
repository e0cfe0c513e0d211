"""What an integration says it does: the actions it implements and the seller's marketplaces.

A readiness verdict is only as wide as what was proven. An integration that syncs orders and
never publishes a listing must not be judged NO-GO on listings, nor GO on them: the listing
checks are *not applicable* to it, and the verdict names the scope it covers ("GO for
orders"). The scope comes from acorn.toml: a command integration's commands (narrowed by an
optional ``scope = [...]``), a python integration's explicit ``scope`` list (every action when
it declares none, and the report says the scope was not declared).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from harness.errors import ConfigError, suggest

__all__ = [
    "ACTIONS",
    "AREAS",
    "Scope",
    "app_roles",
    "area_of",
    "describe_areas",
    "marketplace_ids",
    "parse_scope",
]

ACTIONS = (
    "sync_orders",
    "publish_listing",
    "update_inventory",
    "update_price",
    "listing_status",
    "sync_inventory",
    "reprice",
    "submit_feed",
    "confirm_shipment",
    "fetch_report",
    # -- notifications (issue 17) --
    "subscribe",
    "process_notifications",
)

AREAS: dict[str, str] = {
    "sync_orders": "orders",
    "confirm_shipment": "shipments",
    "publish_listing": "listings",
    "update_inventory": "listings",
    "update_price": "listings",
    "listing_status": "listings",
    "sync_inventory": "inventory",
    "reprice": "pricing",
    "submit_feed": "feeds",
    "fetch_report": "reports",
    "subscribe": "notifications",
    "process_notifications": "notifications",
}
"""The words a compliance lead reads in "GO for orders, listings", one per action."""


def area_of(action: str) -> str:
    return AREAS.get(action, action)


def describe_areas(actions: Iterable[str]) -> str:
    """``("sync_orders", "publish_listing", "update_price")`` -> ``"orders, listings"``."""
    seen: list[str] = []
    for action in actions:
        word = area_of(action)
        if word not in seen:
            seen.append(word)
    return ", ".join(seen)


@dataclass(frozen=True)
class Scope:
    """The actions an integration implements, and whether its acorn.toml said so."""

    actions: tuple[str, ...] = ACTIONS
    declared: bool = False

    def covers(self, action: str) -> bool:
        return action in self.actions

    def missing(self, needed: Iterable[str]) -> list[str]:
        return [a for a in needed if a not in self.actions]

    @property
    def full(self) -> bool:
        return set(self.actions) >= set(ACTIONS)

    def describe(self) -> str:
        """ "orders, listings" or "every action" (the words of the verdict line)."""
        return "every action" if self.full else describe_areas(self.actions)

    def to_dict(self) -> dict[str, Any]:
        return {
            "actions": list(self.actions),
            "declared": self.declared,
            "areas": self.describe(),
        }


def parse_scope(raw: object, *, commands: Sequence[str], where: str) -> Scope:
    """The scope from ``integration.scope`` (None when absent) and the command table."""
    if raw is None:
        if commands:
            ordered = tuple(a for a in ACTIONS if a in commands)
            return Scope(ordered, declared=True)
        return Scope(ACTIONS, declared=False)
    if not isinstance(raw, list) or not raw or not all(isinstance(a, str) for a in raw):
        raise ConfigError(
            f"integration.scope is {raw!r}",
            where=where,
            fix='list the actions the integration implements, e.g. scope = ["sync_orders"]',
        )
    for action in raw:
        if action not in ACTIONS:
            raise ConfigError(
                f"integration.scope names {action!r}, which is not an ACORN action",
                where=where,
                fix=f"{suggest(action, ACTIONS)}the actions are: {', '.join(ACTIONS)}",
            )
        if commands and action not in commands:
            raise ConfigError(
                f"integration.scope names {action!r} but [integration.commands] has no command "
                "for it",
                where=where,
                fix=f'add {action} = "..." to [integration.commands], or drop it from scope',
            )
    ordered = tuple(a for a in ACTIONS if a in raw)
    return Scope(ordered, declared=True)


def marketplace_ids(raw: object, *, where: str) -> tuple[str, ...]:
    """Marketplace ids from ``integration.marketplaces`` (country codes such as "DE", or ids).

    "UK" is accepted for GB, as sellers say it. An empty tuple means "not declared" (the
    scenarios' own cross-border footprint is used).
    """
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw or not all(isinstance(m, str) for m in raw):
        raise ConfigError(
            f"integration.marketplaces is {raw!r}",
            where=where,
            fix='list the seller\'s marketplaces, e.g. marketplaces = ["US", "DE", "JP"]',
        )
    from harness.contracts import find_marketplace, load_marketplaces

    known = {m.id: m for m in load_marketplaces()}
    out: list[str] = []
    for value in raw:
        # Ids are upper case, so one upper-casing serves ids and country codes alike.
        mp = find_marketplace(known, value.upper())
        if mp is None:
            countries = sorted(m.country for m in known.values())
            raise ConfigError(
                f"integration.marketplaces names {value!r}, which is not a marketplace ACORN knows",
                where=where,
                fix=f"{suggest(value.upper(), countries)}use a country code or marketplace id "
                f"of contracts/marketplaces.json: {', '.join(countries)}",
            )
        found = mp.id
        if found not in out:
            out.append(found)
    return tuple(out)


def app_roles(raw: object, *, where: str) -> frozenset[str] | None:
    """``integration.app_roles``: the restricted roles the team's app was granted.

    None means "not declared": the simulator then grants every data element (refusing one
    the real app may hold would be stricter than Amazon) and notes a Tax Invoicing grant.
    """
    from harness.sim.handlers.tokens_api import DATA_ELEMENTS

    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(r, str) for r in raw):
        raise ConfigError(
            f"integration.app_roles is {raw!r}",
            where=where,
            fix="list the roles your app holds as RDT data elements, e.g. app_roles = "
            '["buyerInfo", "shippingAddress"], or [] for an app without restricted roles',
        )
    for role in raw:
        if role not in DATA_ELEMENTS:
            raise ConfigError(
                f"integration.app_roles names {role!r}, which is not a restricted role",
                where=where,
                fix=f"{suggest(role, DATA_ELEMENTS)}use the RDT data element names: "
                f"{', '.join(DATA_ELEMENTS)}",
            )
    return frozenset(raw)
