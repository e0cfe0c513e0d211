"""The simulator's view of the one product-type catalog (``harness.contracts.product_types``).

The schemas, the meta-schema and the language tags all come from the contracts layer's
catalog (``$ACORN_PRODUCT_TYPES_DIR`` or ``contracts/product-types/``). What is the
simulator's own is the answer when Amazon's validator cannot be built for a schema (a schema
broken against the meta-schema, or no meta-schema in the folder): plain JSON Schema 2019-09
errors mapped to Amazon's two generic issue codes, so the simulator always answers with
Amazon-shaped issues.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from jsonschema import Draft201909Validator

from harness.contracts.product_types import ProductTypeCatalog, ProductTypeSchema, shared_catalog

__all__ = ["ProductTypeCatalog", "ProductTypeSchema", "catalog", "issue_source"]


class IssueSource(Protocol):
    def issues(self, attributes: Mapping[str, Any]) -> list[Any]: ...


class _JsonSchemaIssues:
    """Fallback: JSON Schema 2019-09 errors mapped to Amazon's two generic issue codes."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self._validator = Draft201909Validator(schema)

    def issues(self, attributes: Mapping[str, Any]) -> list[Any]:
        found: list[dict[str, Any]] = []
        for err in self._validator.iter_errors(dict(attributes)):
            if err.validator == "required" and not err.absolute_path:
                for name in err.validator_value:
                    if name not in attributes:
                        found.append(_missing(name))
                continue
            name = str(err.absolute_path[0]) if err.absolute_path else ""
            found.append(
                {
                    "code": "90000900",
                    "message": f"The attribute '{name}' is invalid: {err.message}",
                    "severity": "ERROR",
                    "attributeNames": [name] if name else [],
                    "categories": ["INVALID_ATTRIBUTE"],
                }
            )
        unique = {json.dumps(i, sort_keys=True): i for i in found}
        return list(unique.values())


def _missing(name: str) -> dict[str, Any]:
    return {
        "code": "90220",
        "message": f"'{name}' is required but not supplied.",
        "severity": "ERROR",
        "attributeNames": [name],
        "categories": ["MISSING_ATTRIBUTE"],
    }


def catalog(root: Path | None = None) -> ProductTypeCatalog:
    """The product-type catalog the simulator serves (cached in the contracts layer)."""
    return shared_catalog(root)


_FALLBACKS: dict[tuple[Path, str, str], IssueSource] = {}


def issue_source(types: ProductTypeCatalog, product_type: str, mp: str) -> IssueSource | None:
    """Amazon's validator for the pair, the JSON Schema fallback, or None (no schema)."""
    found = types.get(product_type, mp)
    if found is None:
        return None
    try:
        return types.validator(product_type, mp)
    except Exception:  # broken schema or no meta-schema: still answer in Amazon's shape
        key = (types.root, product_type, mp)
        if key not in _FALLBACKS:
            _FALLBACKS[key] = _JsonSchemaIssues(found.schema)
        return _FALLBACKS[key]
