"""Write every file to disk, deterministically, and report the bytes written.

The JSON formatting here (indent 2, UTF-8, trailing newline) is part of the contract with the
committed files: the unit test regenerates and compares byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .definition import definition, meta_schema
from .marketplaces import COUNTRIES, HERE, META_FILE, load_marketplaces
from .schema import PRODUCT_TYPES, build_schema


def dump(path: Path, data: dict[str, Any]) -> int:
    body = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return len(body.encode("utf-8"))


def generate(out: Path = HERE) -> dict[str, int]:
    """Write every file under ``out``; returns bytes written per relative path."""
    sizes: dict[str, int] = {}
    mps = load_marketplaces()
    sizes[f"meta-schema/{META_FILE}"] = dump(out / "meta-schema" / META_FILE, meta_schema())
    for pt in PRODUCT_TYPES:
        schemas = {c: build_schema(pt, c, mps[c]) for c in COUNTRIES}
        for country, schema in schemas.items():
            sizes[f"{pt}/{country}.json"] = dump(out / pt / f"{country}.json", schema)
        sizes[f"{pt}/definition.json"] = dump(out / pt / "definition.json", definition(pt, schemas))
    return sizes
