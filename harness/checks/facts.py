"""The simulator's journal facts, as the checks read them: one typed accessor per key.

The simulator records what it knows about an exchange in ``Exchange.facts``, a plain dict
(harness/sim/journal.py is the simulator's). A check that read a key the simulator renamed
would silently see nothing and turn "skipped"; reading ``facts_of(e).expires_in`` instead of
``e.facts.get("expires_in")`` names every key once, here, with its type and meaning, so mypy
catches a misspelt attribute and a renamed key is one line to change.
"""

from __future__ import annotations

from typing import Any

from harness.sim.journal import Exchange

__all__ = ["JournalFacts", "facts_of"]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _id(value: Any) -> str | None:
    return str(value) if value else None


class JournalFacts:
    """Typed read-only view of one exchange's facts (absent keys read as None, 0 or empty)."""

    __slots__ = ("_raw",)

    def __init__(self, exchange: Exchange) -> None:
        self._raw = exchange.facts

    # -- LWA ------------------------------------------------------------------------------
    @property
    def expires_in(self) -> float:
        """LWA grant: the lifetime (s) LWA announced for the access token (0: none)."""
        return float(self._raw.get("expires_in") or 0)

    @property
    def issued_token(self) -> str | None:
        """LWA grant: the id of the access token issued."""
        value = self._raw.get("issued_token")
        return None if value is None else str(value)

    @property
    def delay_s(self) -> float | None:
        """Seconds the simulator held the answer back (slow LWA, stalls)."""
        value = self._raw.get("delay_s")
        return float(value) if isinstance(value, int | float) else None

    @property
    def secrets_in_url(self) -> list[str]:
        """Labels of LWA secrets the request carried in its URL."""
        return [str(s) for s in self._raw.get("secrets_in_url") or []]

    @property
    def secrets_to_sp_api(self) -> list[str]:
        """Labels of LWA secrets an SP-API request carried."""
        return [str(s) for s in self._raw.get("secrets_to_sp_api") or []]

    # -- throttling -----------------------------------------------------------------------
    @property
    def plan_rate(self) -> float | None:
        """The usage plan's rate (requests/s) in force for this request."""
        value = self._raw.get("plan_rate")
        return float(value) if isinstance(value, int | float) else None

    @property
    def plan_burst(self) -> int | None:
        """The usage plan's burst in force for this request."""
        value = self._raw.get("plan_burst")
        return value if isinstance(value, int) else None

    @property
    def bucket_before(self) -> float:
        """Tokens in the bucket when the request met it."""
        return float(self._raw.get("bucket_before", 0.0))

    @property
    def bucket_after(self) -> float | None:
        """Tokens left after it (None: not recorded)."""
        value = self._raw.get("bucket_after")
        return None if value is None else float(value)

    # -- contracts, TLS, PII ---------------------------------------------------------------
    @property
    def contract(self) -> str | None:
        """ "valid" or "invalid": the request against its operation's contract."""
        return _text(self._raw.get("contract"))

    @property
    def contract_violations(self) -> list[Any]:
        """The contract findings (field, rule, model citation) for this request."""
        return list(self._raw.get("contract_violations") or [])

    @property
    def tls_probe(self) -> str | None:
        """The kind of TLS probe this exchange was (TLS-01)."""
        return _text(self._raw.get("tls_probe"))

    @property
    def pii(self) -> str | None:
        """How much buyer PII the answer released ("full" with a valid RDT)."""
        return _text(self._raw.get("pii"))

    # -- listings and feeds ----------------------------------------------------------------
    @property
    def submission_status(self) -> str | None:
        """Listings: the submission's status (ACCEPTED, INVALID, VALID)."""
        return _text(self._raw.get("submission_status"))

    @property
    def marketplace_id(self) -> str | None:
        return _text(self._raw.get("marketplace_id"))

    @property
    def feed_id(self) -> str | None:
        return _id(self._raw.get("feed_id"))

    @property
    def status(self) -> str | None:
        """getFeed: the feed's processingStatus (DONE, FATAL...)."""
        return _text(self._raw.get("status"))

    @property
    def rejected(self) -> list[Any]:
        """getFeed DONE: the messages the processing report rejected."""
        return list(self._raw.get("rejected") or [])

    # -- reports and documents -------------------------------------------------------------
    @property
    def document(self) -> str | None:
        """The feed or report document id."""
        return _id(self._raw.get("document"))

    @property
    def kind(self) -> str | None:
        """s3: "report" or "feed" document."""
        return _text(self._raw.get("kind"))

    @property
    def report_id(self) -> str | None:
        return _id(self._raw.get("report_id"))

    @property
    def processing_status(self) -> str | None:
        """getReport: the report's processingStatus."""
        return _text(self._raw.get("processing_status"))

    @property
    def restricted_report(self) -> bool:
        return bool(self._raw.get("restricted_report"))

    @property
    def no_data(self) -> bool:
        """A CANCELLED report that had no data."""
        return bool(self._raw.get("no_data"))

    @property
    def in_flight_same(self) -> list[Any]:
        """createReport: the same report and period already in flight."""
        return list(self._raw.get("in_flight_same") or [])

    @property
    def rows(self) -> int:
        """Report document: its data rows."""
        return int(self._raw.get("rows") or 0)

    @property
    def gzip(self) -> bool:
        """Report document: served GZIP-compressed."""
        return bool(self._raw.get("gzip"))


def facts_of(exchange: Exchange) -> JournalFacts:
    """The typed facts of ``exchange``."""
    return JournalFacts(exchange)
