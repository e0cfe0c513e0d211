"""Marketplaces the scenarios use: the seeded seller's footprint in three regions."""

US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"
GB, DE, FR, IT, ES = (
    "A1F83G8C2ARO7P",
    "A1PA6795UKMFR9",
    "A13V1IB3VIYZZH",
    "APJ6JRA9NG5V4",
    "A1RKKUPIHCS9HS",
)
JP = "A1VC38T7YXB528"
ALL = [US, CA, GB, DE, FR, IT, ES, JP]
SINCE = "2026-02-20T00:00:00Z"  # before every seeded order
