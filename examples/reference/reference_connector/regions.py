"""Marketplace id -> SP-API region, for the 23 public marketplaces."""

from __future__ import annotations

from collections.abc import Iterable

REGIONS = ("NA", "EU", "FE")

_NA = ("ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8", "A2Q3Y263D00KWC")
_FE = ("A19VAU5U5O7RUS", "A39IBJ37TRP1C6", "A1VC38T7YXB528")
_EU = (
    "A28R8C7NBKEWEA",  # IE
    "A1RKKUPIHCS9HS",  # ES
    "A1F83G8C2ARO7P",  # GB
    "A13V1IB3VIYZZH",  # FR
    "AMEN7PMS3EDWL",  # BE
    "A1805IZSGTT6HS",  # NL
    "A1PA6795UKMFR9",  # DE
    "APJ6JRA9NG5V4",  # IT
    "A2NODRKZP88ZB9",  # SE
    "AE08WJ6YKNBMC",  # ZA
    "A1C3SOZRARQ6R3",  # PL
    "ARBP9OOSHTCHU",  # EG
    "A33AVAJ2PDY3EV",  # TR
    "A17E79C6D8DWNP",  # SA
    "A2VIGQ35RCS4UG",  # AE
    "A21TJRUUN4KGV",  # IN
)

MARKETPLACE_REGION: dict[str, str] = {
    **dict.fromkeys(_NA, "NA"),
    **dict.fromkeys(_EU, "EU"),
    **dict.fromkeys(_FE, "FE"),
}


class UnknownMarketplace(KeyError):
    """A marketplace id that is not one of the public marketplaces."""


def region_for(marketplace_id: str) -> str:
    """The region (``NA``, ``EU`` or ``FE``) that serves ``marketplace_id``."""
    try:
        return MARKETPLACE_REGION[marketplace_id]
    except KeyError:
        raise UnknownMarketplace(marketplace_id) from None


def group_by_region(marketplace_ids: Iterable[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Split marketplace ids by region, keeping their order and dropping duplicates.

    Returns the groups and the ids that belong to no known region.
    """
    groups: dict[str, list[str]] = {}
    unknown: list[str] = []
    for marketplace_id in marketplace_ids:
        region = MARKETPLACE_REGION.get(marketplace_id)
        if region is None:
            if marketplace_id not in unknown:
                unknown.append(marketplace_id)
            continue
        members = groups.setdefault(region, [])
        if marketplace_id not in members:
            members.append(marketplace_id)
    return groups, unknown
