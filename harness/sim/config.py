"""What a scenario can change about the simulated world."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.sim.faults import FaultPlan

__all__ = ["BucketDrain", "PlanChange", "SimConfig"]


@dataclass(frozen=True)
class PlanChange:
    """Amazon lowers (or raises) one operation's plan mid-run, as dynamic plans do.

    It takes effect at the request that follows the first ``after_requests`` requests of that
    operation; ``burst`` None keeps the burst in force.
    """

    operation: str
    rate: float
    after_requests: int = 0
    burst: int | None = None
    below_pace: float | None = None
    """When set, the new rate is at most this fraction of the pace the client kept over its
    last requests of the operation: the lower plan then binds a client that was already
    slower than ``rate`` (one pacing at Amazon's published rates under a scaled plan)."""


@dataclass(frozen=True)
class BucketDrain:
    """Other traffic of the same seller and application (a second instance, a report job)
    spends an operation's bucket: the request that follows the first ``after_requests``
    requests of that operation finds it empty (429), whatever the integration's pace.

    The bucket then refills at the plan's rate as usual, so a client that waits is served.
    Scenarios use it so a slow client meets the 429s a throttling check judges.
    """

    operation: str
    after_requests: int


@dataclass
class SimConfig:
    clock_speed: float = 1.0
    """Virtual seconds per wall second (720 makes an hour last five seconds)."""
    token_lifetime: float = 3600.0
    """Access-token lifetime in virtual seconds (Amazon: one hour)."""
    rdt_lifetime: float = 3600.0
    expires_in: int | None = None
    """Force the ``expires_in`` LWA reports; by default the lifetime in wall seconds."""
    expire_tokens_after: tuple[int, ...] = ()
    """After the n-th SP-API call that carried an accepted access token (for each n here),
    Amazon stops accepting every access token issued so far (revocation, clock skew): the
    early-expiry 403 then comes inside an action, for one-process-per-action integrations too."""
    throttling: bool = True
    orders_per_marketplace: int = 2
    orders_page_size: int = 100
    """Upper bound on getOrders page size, to make integrations page (Amazon: 100)."""
    seed: int = 20260302
    seller_marketplaces: tuple[str, ...] = ()
    """The marketplaces the seller sells in (orders are seeded there); empty: ACORN's
    cross-border seller (US, CA, GB, DE, FR, IT, ES, JP)."""
    app_roles: frozenset[str] | None = None
    """Restricted roles the application holds, as RDT dataElements; None: not declared.

    Only the integration's team knows which roles its app was granted (`app_roles` in
    acorn.toml). Undeclared, every documented data element is granted, since refusing one the
    real app may hold would be stricter than Amazon; a Tax Invoicing request is then
    recorded as a fidelity note. Declared, a data element outside them is refused as Amazon
    refuses it (RDT-ROLE-MISSING); an empty set is an app without roles (RDT-NO-ROLES)."""
    # -- listings and feeds (virtual seconds) ----------------------------------------------
    listing_processing_seconds: float = 300.0
    """How long after ACCEPTED Amazon's asynchronous listing checks report their issues."""
    post_accept_issues: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Marketplace id -> issues every ACCEPTED listing there receives after processing."""
    feed_queue_seconds: float = 120.0
    """A feed waits this long IN_QUEUE before IN_PROGRESS."""
    feed_processing_seconds: float = 900.0
    """...and this long IN_PROGRESS before DONE."""
    feed_preset: str | None = None
    """None, "stuck" (IN_PROGRESS for ever, Amazon's 48-hour stalls) or "fatal"."""
    # -- reports (virtual seconds; harness/sim/handlers/reports.py) --------------------------
    report_queue_seconds: float = 30.0
    """A report waits this long IN_QUEUE before IN_PROGRESS."""
    report_processing_seconds: float = 30.0
    """...and this long IN_PROGRESS before it ends (a scenario raises it: slow processing)."""
    report_preset: str | None = None
    """How reports requested from now on end: None (DONE), "no_data" (CANCELLED after
    processing: the 2021-06-30 model's automatic cancellation when there is no data),
    "cancelled" (CANCELLED in the queue, never started) or "fatal" (FATAL)."""
    report_url_expiry: int = 0
    """The first n getReportDocument answers are followed by a jump of the virtual clock past
    their URL's five minutes (a paused process, a slow disk): the download then meets S3's
    expired-URL 403, and a ready integration asks getReportDocument for a fresh URL."""
    inventory_pools: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            "EU": ("A1PA6795UKMFR9", "A13V1IB3VIYZZH", "APJ6JRA9NG5V4", "A1RKKUPIHCS9HS"),
        }
    )
    """Marketplaces that sell from one stock (one EU warehouse ships DE, FR, IT, ES)."""
    # -- usage plans and throttling (wall seconds: integrations pace by the wall clock) -------
    rate_scale: float = 1.0
    """Multiply every published rate (bursts stay as published) so a scenario lasts seconds."""
    usage_plans: dict[str, tuple[float, int]] = field(default_factory=dict)
    """Operation id (or key) -> (rate, burst) in force instead of Amazon's published plan."""
    plan_changes: tuple[PlanChange, ...] = ()
    """Dynamic plans: lower an operation's rate after a number of its requests."""
    app_caps: dict[str, tuple[float, int]] | None = None
    """Application-wide buckets (all sellers of the app). None: Amazon's published ones
    (Listings, Catalog, PTD); a dict replaces them, e.g. to model other tenants' traffic."""
    missing_rate_header: bool | frozenset[str] = False
    """Leave x-amzn-RateLimit-Limit off every answer (True) or off these operation ids."""
    bucket_drains: tuple[BucketDrain, ...] = ()
    """Empty an operation's bucket at chosen requests (see :class:`BucketDrain`)."""
    answer_delay: dict[str, float] = field(default_factory=dict)
    """Operation id -> wall seconds every answer of it is held back (Amazon's getOrders often
    takes a second), so an action lasts at least that long whatever the client's speed."""
    retry_after: str | None = None
    """A Retry-After header value for 429s (Amazon sends none; some SDKs obey it if present)."""
    # -- Login with Amazon faults (wall seconds; see harness.sim.lwa.LwaFaults) ---------------
    lwa_delay: float = 0.0
    """Hold every LWA answer back this long (slow LWA makes token-refresh races visible)."""
    lwa_outage_status: int | None = None
    """500 (server_error) or 503 (temporarily_unavailable): LWA is down from the start."""
    lwa_outage_requests: int | None = None
    """How many token requests the outage refuses before LWA recovers (None: all of them)."""
    lwa_error: str | None = None
    """Refuse every token request with this OAuth error (e.g. "unauthorized_client")."""
    # -- fault plans (see harness.sim.faults) ---------------------------------------------
    faults: FaultPlan | None = None
    """Declarative, seeded failures injected into SP-API exchanges (statuses, transport)."""
    # -- transport (read when the server starts; see harness.sim.tls) ------------------------
    tls: bool = False
    """Serve LWA and every region over HTTPS with a throwaway local CA. A property of the
    listening sockets: it takes effect at Simulator.start(), not at a scenario's reset."""
