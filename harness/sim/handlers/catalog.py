"""The product-type schemas the simulator serves (PTD) and validates listings against.

Schemas live in ``contracts/product-types/`` (one file per product type and marketplace, in
Amazon's shape). Each file says which product type and marketplace it is for itself: ``$id``
ends with the product type, ``$defs.marketplace_id.default`` names the marketplace, so the
folder layout does not matter. Validation uses ``harness.contracts.product_types`` (Amazon's
custom vocabulary, Amazon-style issues) when it can index the folder, and plain JSON
Schema 2019-09 otherwise, so the simulator always answers with Amazon-shaped issues.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from jsonschema import Draft201909Validator

from harness.contracts.product_types import load_product_types
from harness.paths import bundled

__all__ = ["ProductTypeCatalog", "SchemaFile", "catalog"]


class IssueSource(Protocol):
    def issues(self, attributes: Mapping[str, Any]) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class SchemaFile:
    product_type: str
    marketplace_id: str
    path: Path
    title: str

    def content(self) -> bytes:
        return self.path.read_bytes()

    def schema(self) -> dict[str, Any]:
        return _parsed(self.path)


@functools.lru_cache(maxsize=64)
def _parsed(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


class _JsonSchemaIssues:
    """Fallback: JSON Schema 2019-09 errors mapped to Amazon's two generic issue codes."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self._validator = Draft201909Validator(schema)

    def issues(self, attributes: Mapping[str, Any]) -> list[dict[str, Any]]:
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


def _external_catalog() -> Any:
    """The shared validator from ``harness.contracts``, unless the folder is not in its layout."""
    try:
        return load_product_types()
    except Exception:
        return None


@dataclass
class ProductTypeCatalog:
    files: dict[tuple[str, str], SchemaFile]
    external: Any = None
    root: Path | None = None
    _validators: dict[tuple[str, str], IssueSource] = field(default_factory=dict)

    def definition(self, product_type: str) -> dict[str, Any]:
        """``<PT>/definition.json`` (displayName, propertyGroups, version) if there is one."""
        if self.root is None:
            return {}
        path = self.root / product_type / "definition.json"
        return _parsed(path) if path.is_file() else {}

    def meta_schema(self) -> bytes | None:
        if self.root is None:
            return None
        found = sorted(self.root.glob("meta-schema/*.json"))
        return found[0].read_bytes() if found else None

    def language_tags(self, product_type: str, marketplace_id: str) -> list[str]:
        """The language tags the marketplace accepts (the enum branch of ``$defs``)."""
        found = self.files.get((product_type, marketplace_id))
        if found is None:
            return []
        tag = (found.schema().get("$defs") or {}).get("language_tag") or {}
        for branch in tag.get("anyOf", []):
            if isinstance(branch, dict) and "enum" in branch:
                return [str(v) for v in branch["enum"]]
        return [str(v) for v in tag.get("enum", [])]

    def product_types(self) -> list[str]:
        return sorted({pt for pt, _ in self.files})

    def marketplaces(self, product_type: str) -> list[str]:
        return sorted(mp for pt, mp in self.files if pt == product_type)

    def get(self, product_type: str, marketplace_id: str) -> SchemaFile | None:
        return self.files.get((product_type, marketplace_id))

    def validator(self, product_type: str, marketplace_id: str) -> IssueSource | None:
        key = (product_type, marketplace_id)
        if key in self._validators:
            return self._validators[key]
        found = self.files.get(key)
        if found is None:
            return None
        validator: IssueSource | None = None
        if self.external is not None:
            try:
                validator = self.external.validator(product_type, marketplace_id)
            except Exception:
                validator = None
        if validator is None:
            validator = _JsonSchemaIssues(found.schema())
        self._validators[key] = validator
        return validator


def _identify(path: Path) -> SchemaFile | None:
    try:
        data = _parsed(path)
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or "properties" not in data or "$defs" not in data:
        return None
    schema_id = str(data.get("$id", ""))
    product_type = schema_id.rstrip("/").rsplit("/", 1)[-1] if schema_id else path.stem
    mp = (data.get("$defs") or {}).get("marketplace_id") or {}
    marketplace_id = mp.get("default")
    if not marketplace_id:
        return None
    title = str(data.get("title") or data.get("$comment") or product_type)
    return SchemaFile(product_type.upper(), str(marketplace_id), path, title)


@functools.lru_cache(maxsize=4)
def catalog(root: Path | None = None) -> ProductTypeCatalog:
    """Every schema under ``contracts/product-types`` (cached: the files do not change)."""
    override = os.environ.get("ACORN_PRODUCT_TYPES_DIR")
    base = root or (Path(override) if override else bundled("contracts") / "product-types")
    files: dict[tuple[str, str], SchemaFile] = {}
    if base.is_dir():
        for path in sorted(base.rglob("*.json")):
            found = _identify(path)
            if found is not None:
                files[(found.product_type, found.marketplace_id)] = found
    return ProductTypeCatalog(files, _external_catalog() if files else None, base)
