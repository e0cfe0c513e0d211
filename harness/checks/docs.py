"""The Amazon documentation each readiness check rests on, one data table for every report.

A reviewer who doubts a finding follows the link to what Amazon itself says. Every URL is a
developer-docs.amazon.com page cited by the facts sheet behind the simulator
(docs/spapi-facts.md in the shared notes), or the current home of a developer-guide section it
cites ([DG] Connecting to the SP-API, Response format, the use-case guides [LI21], [PTD21],
[FD21], [TOK21]). Adding a check means adding its row here; a unit test keeps them in step.
"""

from __future__ import annotations

__all__ = ["DOCS", "docs_for"]

_BASE = "https://developer-docs.amazon.com/sp-api/docs/"
_CONNECT = (
    "Connecting to the Selling Partner API",
    _BASE + "connecting-to-the-selling-partner-api",
)
_RESPONSE = ("Response format (errors, x-amzn-RequestId)", _BASE + "response-format")
_USAGE = ("Usage plans and rate limits", _BASE + "usage-plans-and-rate-limits")
_OPTIMIZE = (
    "Strategies to optimize rate limits",
    _BASE + "strategies-to-optimize-rate-limits-for-your-application-workloads",
)
_TOKENS = ("Tokens API use case guide (Restricted Data Token)", _BASE + "tokens-api-use-case-guide")
_ROTATE = ("Rotating your app's LWA credentials", _BASE + "rotating-your-apps-lwa-credentials")
_LWA_FAQ = ("LWA credentials FAQ", _BASE + "lwa-credentials-faq")
_RENEW = ("Renew authorizations", _BASE + "renew-authorizations")
_MARKETPLACES = ("Marketplace IDs", _BASE + "marketplace-ids")
_ENDPOINTS = ("SP-API endpoints", _BASE + "sp-api-endpoints")
_LISTINGS = (
    "Listings Items API use case guide",
    _BASE + "listings-items-api-v2021-08-01-use-case-guide",
)
_LISTING_LIMITS = ("Listings Items API rate limits", _BASE + "listings-items-api-rate-limits")
_PTD = (
    "Product Type Definitions API use case guide",
    _BASE + "product-type-definitions-api-v2020-09-01-use-case-guide",
)
_META = ("Product type definition meta-schema", _BASE + "product-type-definition-meta-schema")
_FEEDS = ("Feeds API use case guide", _BASE + "feeds-api-v2021-06-30-use-case-guide")
_FEED_TYPES = ("Listings feed type values", _BASE + "listings-feed-type-values")
_REPORTS = ("Reports API use case guide", _BASE + "reports-api-v2021-06-30-use-case-guide")
_REPORT_TYPES = ("Report type values", _BASE + "report-type-values")
_PII_BULK = (
    "Authorization to access PII for bulk orders",
    _BASE + "get-authorization-to-access-pii-for-bulk-orders",
)

_NOTIFICATIONS = (
    "Notifications API v1 use case guide",
    _BASE + "notifications-api-v1-use-case-guide",
)
_GRANTLESS = ("Grantless operations", _BASE + "grantless-operations")

DOCS: dict[str, tuple[tuple[str, str], ...]] = {
    "AUTH-01": (_CONNECT,),
    "AUTH-02": (_CONNECT, _RESPONSE),
    "AUTH-03": (_CONNECT,),
    "AUTH-04": (_CONNECT,),
    "AUTH-05": (_RENEW, _CONNECT),
    "AUTH-06": (_ROTATE, _LWA_FAQ),
    "AUTH-07": (_CONNECT,),
    "AUTH-08": (_ROTATE, _LWA_FAQ),
    "CONTRACT-01": (_RESPONSE,),
    "ERR-01": (_RESPONSE,),
    "ERR-02": (_RESPONSE, _USAGE),
    "ERR-03": (_RESPONSE,),
    "ERR-04": (_RESPONSE,),
    "ERR-05": (_RESPONSE,),
    "ERR-06": (_RESPONSE,),
    "ERR-07": (_ENDPOINTS,),
    "ERR-08": (_ENDPOINTS, _MARKETPLACES),
    "ORD-01": (_ENDPOINTS, _MARKETPLACES),
    "PII-01": (_TOKENS, _PII_BULK),
    "PII-02": (_TOKENS,),
    "PII-03": (_TOKENS,),
    "THR-01": (_USAGE, _OPTIMIZE),
    "THR-02": (_USAGE,),
    "THR-03": (_USAGE,),
    "THR-04": (_USAGE, _OPTIMIZE),
    "THR-05": (_USAGE, _OPTIMIZE),
    "LST-01": (_PTD, _META, _MARKETPLACES),
    "LST-02": (_LISTINGS,),
    "LST-03": (_LISTINGS,),
    "LST-04": (_LISTINGS,),
    "LST-05": (_PTD, _LISTINGS),
    "LST-06": (_PTD, _LISTINGS),
    "INV-01": (_LISTINGS,),
    "PRC-01": (_LISTING_LIMITS, _OPTIMIZE),
    "FEED-01": (_FEEDS, _FEED_TYPES),
    "RPT-01": (_REPORTS, _USAGE),
    "RPT-02": (_REPORTS,),
    "RPT-03": (_REPORTS,),
    "RPT-04": (_REPORTS, _TOKENS, _REPORT_TYPES),
    "RPT-05": (_REPORTS, _OPTIMIZE),
    "TLS-01": (_CONNECT, _ENDPOINTS),
    # -- notifications (issue 17) --
    "NOT-01": (_NOTIFICATIONS, _GRANTLESS),
    "NOT-02": (_NOTIFICATIONS,),
    "NOT-03": (_NOTIFICATIONS,),
    "NOT-04": (_NOTIFICATIONS, _USAGE),
    "MON-01": (_RESPONSE, _RENEW, _ROTATE),
    "MON-02": (_RESPONSE,),
}
"""Check id -> (title, URL) of the Amazon pages it rests on."""


def docs_for(check_id: str) -> tuple[tuple[str, str], ...]:
    """The (title, URL) pairs of the Amazon pages behind ``check_id`` (empty if none known)."""
    return DOCS.get(check_id, ())
