"""Contracts: marketplaces and operations as data, loaded and checked."""

from harness.contracts.loader import default_contracts_dir, load_contracts
from harness.contracts.model import (
    REGIONS,
    ContractSet,
    Marketplace,
    Operation,
    Parameter,
    Region,
    RouteMatch,
    UsagePlan,
)

__all__ = [
    "REGIONS",
    "ContractSet",
    "Marketplace",
    "Operation",
    "Parameter",
    "Region",
    "RouteMatch",
    "UsagePlan",
    "default_contracts_dir",
    "load_contracts",
]
