"""Product type definitions in ``contracts/product-types/``: an index of product type x marketplace.

Layout (written by ``contracts/product-types/generate.py``; ``acorn product-types pull`` writes
real schemas in the same layout)::

    contracts/product-types/
      meta-schema/amazon-product-type-definition-meta-schema-v1.json
      <PRODUCT_TYPE>/definition.json     displayName, productTypeVersion, propertyGroups
      <PRODUCT_TYPE>/<COUNTRY>.json      the schema for one marketplace (US.json, DE.json, ...)

This is the one product-type catalog: the CLI validates against it and the simulator's PTD,
Listings and listing-issue handlers serve and judge from it (``shared_catalog``), and its
meta-schema file is the one source of Amazon's meta-schema.

API (stable; the simulator's PTD and Listings handlers use it)::

    catalog = load_product_types()                   # cheap: schemas are read on first use
    catalog.product_types                            # ("HEADPHONES", "LUGGAGE", ...)
    catalog.marketplace("DE")                        # Marketplace, by country code or id
    catalog.marketplaces_for("HEADPHONES")           # [Marketplace, ...] that have a schema
    s = catalog.schema("HEADPHONES", "A1PA6795UKMFR9")
    s.raw, s.checksum, s.schema                      # bytes served by the link, base64 MD5, dict
    catalog.meta_schema_raw, catalog.meta_schema_checksum
    catalog.get("HEADPHONES", "A1PA6795UKMFR9")     # the schema, or None (no error)
    catalog.language_tags("HEADPHONES", "DE")        # the language tags the marketplace takes
    catalog.definition("HEADPHONES")                 # definition.json (displayName, version...)
    catalog.property_groups("HEADPHONES", "DE")      # groups limited to DE's properties
    v = catalog.validator("HEADPHONES", "DE", strict=True)   # compiled once, cached
    v.issues(attributes) -> list[Issue]              # [] when valid; Issue.to_dict() is Amazon's
    v.is_valid(attributes) -> bool

Unknown product types and marketplaces, unreadable files and invalid schemas raise
:class:`harness.errors.ContractError` naming the file or value and how to fix it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.contracts.listing_validator import Engine, ListingValidator
from harness.contracts.loader import default_contracts_dir, load_contracts, load_marketplaces
from harness.contracts.model import Marketplace, find_marketplace
from harness.errors import ContractError

__all__ = [
    "META_SCHEMA_FILE",
    "ProductTypeCatalog",
    "ProductTypeSchema",
    "default_product_types_dir",
    "load_product_types",
    "shared_catalog",
]

META_SCHEMA_FILE = "amazon-product-type-definition-meta-schema-v1.json"


def default_product_types_dir() -> Path:
    """``$ACORN_PRODUCT_TYPES_DIR`` if set (the simulator honours it too), else bundled."""
    override = os.environ.get("ACORN_PRODUCT_TYPES_DIR")
    return Path(override) if override else default_contracts_dir() / "product-types"


def _checksum(raw: bytes) -> str:
    """Base64 MD5, as in PTD's ``schema.checksum`` (docs/fidelity.md §8.1)."""
    return base64.b64encode(hashlib.md5(raw, usedforsecurity=False).digest()).decode("ascii")


def _parse(raw: bytes, where: Path) -> Any:
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ContractError(
            f"not valid JSON ({exc})",
            where=str(where),
            fix="repair the file or download it again with `acorn product-types pull`",
        ) from None


class ProductTypeSchema:
    """One downloaded schema: the bytes as served, their checksum, and the parsed document."""

    def __init__(self, product_type: str, marketplace: Marketplace, path: Path) -> None:
        self.product_type = product_type
        self.marketplace = marketplace
        self.path = path
        try:
            self.raw = path.read_bytes()
        except OSError as exc:
            raise ContractError(
                f"cannot read the schema ({exc.strerror})", where=str(path)
            ) from None
        self.checksum = _checksum(self.raw)
        self._schema: dict[str, Any] | None = None

    @property
    def schema(self) -> dict[str, Any]:
        if self._schema is None:
            data = _parse(self.raw, self.path)
            if not isinstance(data, dict):
                raise ContractError(
                    "a product type schema must be a JSON object", where=str(self.path)
                )
            self._schema = data
        return self._schema

    @property
    def size(self) -> int:
        return len(self.raw)

    @property
    def title(self) -> str:
        """The schema's own title (PTD's displayName when there is no definition.json)."""
        return str(self.schema.get("title") or self.schema.get("$comment") or self.product_type)


class ProductTypeCatalog:
    """Every product type schema under one folder, indexed by product type and marketplace."""

    def __init__(self, root: Path, marketplaces: Mapping[str, Marketplace]) -> None:
        self.root = root
        self._marketplaces = dict(marketplaces)
        self._by_country = {m.country: m for m in marketplaces.values()}
        self._files: dict[str, dict[str, Path]] = {}
        folders = root.iterdir() if root.is_dir() else iter(())
        for folder in sorted(p for p in folders if p.is_dir() and p.name != "meta-schema"):
            files = {}
            for path in sorted(folder.glob("*.json")):
                mp = self._by_country.get(path.stem)
                if mp is not None:
                    files[mp.id] = path
            if files:
                self._files[folder.name] = files
        self._schemas: dict[tuple[str, str], ProductTypeSchema] = {}
        self._validators: dict[tuple[str, str, str, bool], ListingValidator] = {}
        self._lock = threading.Lock()

    # -- Amazon's meta-schema (read on first use: a catalog without it can still serve) ------

    @functools.cached_property
    def meta_schema_raw(self) -> bytes:
        meta_path = self.root / "meta-schema" / META_SCHEMA_FILE
        try:
            return meta_path.read_bytes()
        except OSError:
            raise ContractError(
                "Amazon's meta-schema is missing",
                where=str(meta_path),
                fix="run `python contracts/product-types/generate.py` or "
                "`acorn product-types pull`",
            ) from None

    @property
    def meta_schema_checksum(self) -> str:
        return _checksum(self.meta_schema_raw)

    @functools.cached_property
    def meta_schema(self) -> dict[str, Any]:
        where = self.root / "meta-schema" / META_SCHEMA_FILE
        meta = _parse(self.meta_schema_raw, where)
        if not isinstance(meta, dict):
            raise ContractError("the meta-schema must be a JSON object", where=str(where))
        return meta

    # -- lookup ----------------------------------------------------------------------------

    @property
    def product_types(self) -> tuple[str, ...]:
        return tuple(self._files)

    def marketplace(self, ref: str) -> Marketplace:
        """A marketplace by id (``A1PA6795UKMFR9``) or country code (``DE``; ``UK`` means GB)."""
        found = find_marketplace(self._marketplaces, ref)
        if found is None:
            known = ", ".join(sorted(self._by_country))
            raise ContractError(
                f"unknown marketplace {ref!r}",
                fix=f"use a marketplace id or one of these country codes: {known}",
            )
        return found

    def marketplaces_for(self, product_type: str) -> list[Marketplace]:
        return [self._marketplaces[mid] for mid in self._product_type_files(product_type)]

    @property
    def files(self) -> dict[tuple[str, str], Path]:
        """Every schema file by (product type, marketplace id)."""
        return {(pt, mid): path for pt, files in self._files.items() for mid, path in files.items()}

    def marketplace_ids(self, product_type: str) -> list[str]:
        """The marketplace ids that have a schema for the product type (sorted; [] if none)."""
        return sorted(self._files.get(product_type, {}))

    def get(self, product_type: str, marketplace_id: str) -> ProductTypeSchema | None:
        """The schema, or None when this catalog has none for the pair (never raises)."""
        mp = self._marketplaces.get(marketplace_id)
        if mp is None or marketplace_id not in self._files.get(product_type, {}):
            return None
        return self.schema(product_type, mp.id)

    def language_tags(self, product_type: str, marketplace_id: str) -> list[str]:
        """The language tags the marketplace accepts (the enum branch of ``$defs``)."""
        found = self.get(product_type, marketplace_id)
        if found is None:
            return []
        tag = (found.schema.get("$defs") or {}).get("language_tag") or {}
        for branch in tag.get("anyOf", []):
            if isinstance(branch, dict) and "enum" in branch:
                return [str(v) for v in branch["enum"]]
        return [str(v) for v in tag.get("enum", [])]

    def has(self, product_type: str, marketplace: str) -> bool:
        files = self._files.get(product_type, {})
        return self.marketplace(marketplace).id in files

    def _product_type_files(self, product_type: str) -> dict[str, Path]:
        files = self._files.get(product_type)
        if files is None:
            raise ContractError(
                f"unknown product type {product_type!r}",
                fix=f"use one of {', '.join(self._files) or '(none)'}, or download its schemas "
                "with `acorn product-types pull`",
                where=str(self.root),
            )
        return files

    def schema(self, product_type: str, marketplace: str) -> ProductTypeSchema:
        mp = self.marketplace(marketplace)
        files = self._product_type_files(product_type)
        path = files.get(mp.id)
        if path is None:
            have = ", ".join(self._marketplaces[m].country for m in files)
            raise ContractError(
                f"product type {product_type} has no schema for {mp.country} ({mp.id})",
                fix=f"choose one of {have}, or pull the {mp.country} schema with "
                "`acorn product-types pull`",
                where=str(self.root / product_type),
            )
        key = (product_type, mp.id)
        with self._lock:
            if key not in self._schemas:
                self._schemas[key] = ProductTypeSchema(product_type, mp, path)
            return self._schemas[key]

    def definition(self, product_type: str, *, synthesize: bool = True) -> dict[str, Any]:
        """``definition.json``: displayName, productTypeVersion and propertyGroups.

        Without the file: a made-up definition, or ``{}`` when ``synthesize`` is false (the
        simulator then derives groups and the display name from the schema itself)."""
        files = self._product_type_files(product_type)
        path = self.root / product_type / "definition.json"
        if not path.exists():
            if not synthesize:
                return {}
            return {
                "productType": product_type,
                "displayName": product_type.replace("_", " ").title(),
                "productTypeVersion": {
                    "version": "LATEST",
                    "latest": True,
                    "releaseCandidate": False,
                },
                "propertyGroups": {},
                "marketplaces": {self._marketplaces[m].country: m for m in files},
            }
        data = _parse(path.read_bytes(), path)
        if not isinstance(data, dict):
            raise ContractError("definition.json must be a JSON object", where=str(path))
        return data

    def property_groups(self, product_type: str, marketplace: str) -> dict[str, Any]:
        """The definition's propertyGroups, limited to properties this marketplace's schema has."""
        names = set(self.schema(product_type, marketplace).schema.get("properties", {}))
        groups: dict[str, Any] = {}
        for key, group in self.definition(product_type).get("propertyGroups", {}).items():
            present = [n for n in group.get("propertyNames", []) if n in names]
            if present:
                groups[key] = {**group, "propertyNames": present}
        return groups

    def validator(
        self,
        product_type: str,
        marketplace: str,
        *,
        engine: Engine = "fast",
        strict: bool = False,
    ) -> ListingValidator:
        """The compiled validator for one product type in one marketplace (cached)."""
        doc = self.schema(product_type, marketplace)
        key = (product_type, doc.marketplace.id, engine, strict)
        with self._lock:
            cached = self._validators.get(key)
        if cached is not None:
            return cached
        validator = ListingValidator(
            doc.schema,
            meta_schema=self.meta_schema,
            marketplace_id=doc.marketplace.id,
            product_type=product_type,
            engine=engine,
            strict=strict,
            where=str(doc.path),
        )
        with self._lock:
            return self._validators.setdefault(key, validator)


def load_product_types(
    root: Path | str | None = None, *, contracts_dir: Path | str | None = None
) -> ProductTypeCatalog:
    """Index the product type folder (default ``contracts/product-types``)."""
    folder = Path(root) if root is not None else default_product_types_dir()
    if not folder.is_dir():
        raise ContractError(
            f"the product types folder {folder} does not exist",
            fix="run `python contracts/product-types/generate.py` or `acorn product-types pull`",
        )
    contracts = load_contracts(contracts_dir)
    found = ProductTypeCatalog(folder, contracts.marketplaces)
    _ = found.meta_schema  # a folder without Amazon's meta-schema is refused here, by name
    return found


@functools.lru_cache(maxsize=4)
def shared_catalog(root: Path | None = None) -> ProductTypeCatalog:
    """The catalog the simulator serves (cached: the files do not change during a run).

    Unlike :func:`load_product_types` it never refuses: a missing folder is an empty catalog
    (the simulator then judges listings structurally) and a missing meta-schema only fails
    when a validator needs it."""
    folder = root or default_product_types_dir()
    return ProductTypeCatalog(folder, {m.id: m for m in load_marketplaces()})
