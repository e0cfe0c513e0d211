"""Contracts: marketplaces and operations as data, loaded and checked."""

from harness.contracts.listing_issues import Issue
from harness.contracts.listing_validator import ListingValidator, attributes_for_marketplace
from harness.contracts.loader import default_contracts_dir, load_contracts, load_marketplaces
from harness.contracts.model import (
    REGIONS,
    ContractSet,
    Marketplace,
    Operation,
    Parameter,
    Region,
    RouteMatch,
    UsagePlan,
    find_marketplace,
)
from harness.contracts.product_types import (
    ProductTypeCatalog,
    ProductTypeSchema,
    load_product_types,
)

__all__ = [
    "REGIONS",
    "ContractSet",
    "Issue",
    "ListingValidator",
    "Marketplace",
    "Operation",
    "Parameter",
    "ProductTypeCatalog",
    "ProductTypeSchema",
    "Region",
    "RouteMatch",
    "UsagePlan",
    "attributes_for_marketplace",
    "default_contracts_dir",
    "find_marketplace",
    "load_contracts",
    "load_marketplaces",
    "load_product_types",
]
