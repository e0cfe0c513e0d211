"""The seeded seller the simulator serves: participations, orders with buyer PII, listings.

Buyer PII values are canaries: each carries a marker unique to this simulator, so a scan of an
integration's output (or a report) can tell for certain whether PII escaped.
"""

from __future__ import annotations

import functools
import random
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from harness.contracts import ContractSet
from harness.sim.commerce import Commerce, seed_commerce

__all__ = [
    "SEEDED_MARKETPLACES",
    "BuyerPII",
    "Document",
    "FeedRecord",
    "Listing",
    "ListingOffer",
    "OrderItem",
    "OrderRecord",
    "SellerState",
    "seed_state",
]

# A cross-border seller: two NA, five EU and one FE marketplace.
SEEDED_MARKETPLACES = (
    "ATVPDKIKX0DER",  # US
    "A2EUQ1WTGCTBG2",  # CA
    "A1F83G8C2ARO7P",  # GB
    "A1PA6795UKMFR9",  # DE
    "A13V1IB3VIYZZH",  # FR
    "APJ6JRA9NG5V4",  # IT
    "A1RKKUPIHCS9HS",  # ES
    "A1VC38T7YXB528",  # JP
)
# Participations also list marketplaces that are not customer-facing (docs/fidelity.md §5, 12).
NON_AMAZON_MARKETPLACES = {"EU": "A38D8NSA03LJTC", "NA": "A3H6HONSSP5LJB"}

_FIRST = ["Ada", "Bruno", "Chiara", "Dieter", "Elodie", "Fumiko", "Gareth", "Hana", "Ines", "Jonas"]
_LAST = ["Lovelace", "Marchetti", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Hughes", "Weber"]
_STREETS = ["Canary Row", "Linden Allee", "Rue des Lilas", "Via Roma", "Calle Mayor", "High Street"]
_CITIES = {
    "US": ("Seattle", "WA", "98109"),
    "CA": ("Toronto", "ON", "M5V 2T6"),
    "GB": ("Leeds", "West Yorkshire", "LS1 4AP"),
    "DE": ("Berlin", "Berlin", "10115"),
    "FR": ("Lyon", "Rhone", "69002"),
    "IT": ("Milano", "MI", "20121"),
    "ES": ("Madrid", "Madrid", "28013"),
    "JP": ("Tokyo", "Tokyo", "100-0005"),
}
_ELSEWHERE = ("Springfield", "-", "00000")
_SKUS = [
    ("ACORN-MUG-01", "B0ACORN001", "Stoneware mug"),
    ("ACORN-LAMP-02", "B0ACORN002", "Desk lamp"),
    ("ACORN-TOY-03", "B0ACORN003", "Wooden train"),
    ("ACORN-TEE-04", "B0ACORN004", "Cotton T-shirt"),
]


@dataclass(frozen=True)
class BuyerPII:
    name: str
    address_line1: str
    phone: str
    email: str
    city: str
    state_or_region: str
    postal_code: str
    country_code: str

    def canaries(self) -> list[str]:
        """The values that identify a buyer; city and postal code are not PII on their own."""
        return [self.name, self.address_line1, self.phone, self.email]


@dataclass(frozen=True)
class OrderItem:
    order_item_id: str
    seller_sku: str
    asin: str
    title: str
    quantity: int
    price: str


@dataclass(frozen=True)
class OrderRecord:
    amazon_order_id: str
    marketplace_id: str
    purchase_date: datetime
    status: str
    currency: str
    items: tuple[OrderItem, ...]
    buyer: BuyerPII
    fulfillment_channel: str = "MFN"


@dataclass
class ListingOffer:
    """One SKU in one marketplace."""

    product_type: str
    attributes: dict[str, Any]
    status: str = "ACCEPTED"
    price: str | None = None
    currency: str | None = None
    quantity: int | None = None
    created: datetime | None = None
    updated: datetime | None = None
    submissions: list[str] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)
    """Issues Amazon found after ACCEPTED (shown by getListingsItem includedData=issues)."""
    pending_issues: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    """(virtual time they appear, issue): asynchronous processing results not yet visible."""
    suppressed: bool = False

    def settle(self, now: float) -> None:
        """Move issues whose processing time has come into ``issues``."""
        due = [issue for at, issue in self.pending_issues if at <= now]
        if not due:
            return
        self.pending_issues = [(at, i) for at, i in self.pending_issues if at > now]
        self.issues.extend(due)
        if any(
            a.get("action") == "LISTING_SUPPRESSED"
            for i in due
            for a in (i.get("enforcements") or {}).get("actions", [])
        ):
            self.suppressed = True


@dataclass
class Document:
    """A feed or report document, or a schema file, behind a presigned-looking URL."""

    document_id: str
    key: str  # the URL path segment that names the object
    content_type: str
    created: float  # virtual time
    kind: str  # feed | report | schema
    content: bytes | None = None
    checksum: str | None = None


@dataclass
class FeedRecord:
    """One feed and its timeline on the virtual clock (status is derived from the times)."""

    feed_id: str
    feed_type: str
    marketplace_ids: list[str]
    input_document_id: str
    created: float
    starts: float | None  # virtual time it goes IN_PROGRESS; None: stays IN_QUEUE
    ends: float | None  # virtual time it finishes; None: stuck
    outcome: str = "DONE"  # DONE | FATAL when it ends
    cancelled: bool = False
    result_document_id: str | None = None
    applied: bool = False

    def status(self, now: float) -> str:
        if self.cancelled:
            return "CANCELLED"
        if self.starts is None or now < self.starts:
            return "IN_QUEUE"
        if self.ends is None or now < self.ends:
            return "IN_PROGRESS"
        return self.outcome


@dataclass
class Listing:
    sku: str
    offers: dict[str, ListingOffer] = field(default_factory=dict)  # by marketplace id


@dataclass
class SellerState:
    seller_id: str
    marketplaces: tuple[str, ...]
    orders: dict[str, OrderRecord]
    listings: dict[str, Listing]
    marker: str
    shipment_confirmations: list[dict[str, Any]] = field(default_factory=list)
    documents: dict[str, Document] = field(default_factory=dict)
    url_issued: dict[str, float] = field(default_factory=dict)
    """Presigned URL signature -> when it was issued, on VirtualClock.lived()."""
    feeds: dict[str, FeedRecord] = field(default_factory=dict)
    commerce: Commerce = field(default_factory=Commerce)
    """FBA stock, prices, reports, notification destinations and subscriptions."""
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    on_new_pii: list[Callable[[list[str]], None]] = field(default_factory=list, repr=False)
    """Told the canaries of every buyer added after seeding (the simulator's Redactor listens),
    so an order placed mid-run is masked in the journal like the seeded ones."""

    def orders_in(self, marketplace_ids: list[str]) -> list[OrderRecord]:
        wanted = set(marketplace_ids)
        return sorted(
            (o for o in self.orders.values() if o.marketplace_id in wanted),
            key=lambda o: (o.purchase_date, o.amazon_order_id),
        )

    def pii_canaries(self) -> list[str]:
        return [value for order in self.orders.values() for value in order.buyer.canaries()]

    def place_order(
        self,
        marketplace_id: str,
        country: str,
        currency: str,
        sku: str,
        quantity: int,
        now: datetime,
    ) -> OrderRecord:
        """A buyer orders ``quantity`` of ``sku`` now (INV-01 scenarios: stock must follow)."""
        rng = random.Random(f"{marketplace_id}{sku}{now.isoformat()}")
        city, region, postal = _CITIES.get(country, _ELSEWHERE)
        n = len(self.orders)
        buyer = BuyerPII(
            name=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}-{self.marker}o{n}",
            address_line1=f"{rng.randint(1, 250)} {rng.choice(_STREETS)} {self.marker}o",
            phone=f"+{rng.randint(10, 99)} {rng.randint(100, 999)} {self.marker}{n}",
            email=f"{self.marker}o{n}@marketplace.amazon.example",
            city=city,
            state_or_region=region,
            postal_code=postal,
            country_code=country,
        )
        asin = next((a for s, a, _t in _SKUS if s == sku), "B0ACORN0ZZ")
        order = OrderRecord(
            amazon_order_id=_order_id(rng),
            marketplace_id=marketplace_id,
            purchase_date=now,
            status="Unshipped",
            currency=currency,
            items=(
                OrderItem(f"{rng.randint(10**13, 10**14 - 1)}", sku, asin, sku, quantity, "10.00"),
            ),
            buyer=buyer,
        )
        with self.lock:
            self.orders[order.amazon_order_id] = order
            # Amazon lowers the quantity where the order was placed, and only there.
            offer = self.listings.get(sku, Listing(sku)).offers.get(marketplace_id)
            if offer is not None and offer.quantity is not None:
                offer.quantity = max(offer.quantity - quantity, 0)
        for listener in self.on_new_pii:
            listener(buyer.canaries())
        return order


def _order_id(rng: random.Random) -> str:
    return (
        f"{rng.randint(100, 999)}-{rng.randint(1000000, 9999999)}-{rng.randint(1000000, 9999999)}"
    )


def seed_state(
    contracts: ContractSet,
    *,
    seller_id: str,
    now: datetime,
    orders_per_marketplace: int = 2,
    seed: int = 20260302,
    marketplaces: tuple[str, ...] = SEEDED_MARKETPLACES,
) -> SellerState:
    """A deterministic seller (for a given ``seed``) with orders placed in the last days."""
    rng = random.Random(seed)
    marker = secrets.token_hex(3)
    orders: dict[str, OrderRecord] = {}
    listings: dict[str, Listing] = {}
    for marketplace_id in marketplaces:
        mp = contracts.marketplaces[marketplace_id]
        city, region, postal = _CITIES.get(mp.country, _ELSEWHERE)
        for n in range(orders_per_marketplace):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            buyer = BuyerPII(
                name=f"{first} {last}-{marker}{n}",
                address_line1=f"{rng.randint(1, 250)} {rng.choice(_STREETS)} {marker}",
                phone=f"+{rng.randint(10, 99)} {rng.randint(100, 999)} {marker}"
                f"{rng.randint(10, 99)}",
                email=f"{marker}{rng.randint(1000, 9999)}@marketplace.amazon.example",
                city=city,
                state_or_region=region,
                postal_code=postal,
                country_code=mp.country,
            )
            picks = rng.sample(_SKUS, k=rng.randint(1, 2))
            order_id = _order_id(rng)
            items = tuple(
                OrderItem(
                    order_item_id=f"{rng.randint(10**13, 10**14 - 1)}",
                    seller_sku=sku,
                    asin=asin,
                    title=title,
                    quantity=rng.randint(1, 3),
                    price=f"{rng.randint(8, 80)}.{rng.choice(['00', '49', '99'])}",
                )
                for sku, asin, title in picks
            )
            orders[order_id] = OrderRecord(
                amazon_order_id=order_id,
                marketplace_id=marketplace_id,
                purchase_date=now - timedelta(hours=rng.randint(2, 70), minutes=rng.randint(0, 59)),
                status=rng.choice(["Unshipped", "Unshipped", "Shipped"]),
                currency=mp.currency,
                items=items,
                buyer=buyer,
            )
    for sku, _asin, _title in _SKUS:
        listings[sku] = Listing(sku=sku)
    return SellerState(
        seller_id=seller_id,
        marketplaces=marketplaces,
        orders=orders,
        listings=listings,
        marker=marker,
        commerce=seed_commerce(marketplaces, _SKUS, now),
    )


def iso(moment: datetime | float) -> str:
    """The simulator's one timestamp format: UTC, whole seconds, ``Z`` (as Amazon's models'
    examples write every date-time). ``moment`` is a datetime or epoch seconds."""
    if not isinstance(moment, datetime):
        moment = datetime.fromtimestamp(moment, tz=UTC)
    return _iso(moment)


@functools.lru_cache(maxsize=4096)
def _iso(moment: datetime) -> str:
    # Cached: an order's dates are formatted on every page that lists it (strftime ~3 us).
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
