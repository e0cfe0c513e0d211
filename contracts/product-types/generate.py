#!/usr/bin/env python3
"""Write ACORN's product type definitions: ``python contracts/product-types/generate.py``.

Amazon publishes no product type schema with provenance (facts sheet §8.3), so ACORN writes its
own in Amazon's shape: JSON Schema draft 2019-09 extended by Amazon's meta-schema v1, ``$defs``
for ``marketplace_id``/``language_tag``, every attribute an array of objects with ``selectors``,
``minUniqueItems``/``maxUniqueItems``, ``maxUtf8ByteLength`` on text, ``enumNames`` beside enums,
and ``allOf`` if/then blocks for conditional requirements (batteries, dangerous goods, toy age).

One schema per product type and marketplace, as Amazon serves them (one marketplace per
getDefinitionsProductType call), because the rules differ per marketplace:

- EU (DE, FR, IT, ES): GPSR manufacturer reference, safety attestation and DSA responsible person
  are required; toys need EU toy-safety warnings in the marketplace's language.
- DE adds EPR packaging data (required) and ``epr_eco_fee_eubr``/``uvp_list_price`` (optional).
- GB: no DSA attribute (absent from the UK schema, models #4218); GPSR attestation required; an
  electrical or toy product needs a UKCA or CE marking certification (ACORN's modelling: facts §13
  lists the exact UK attribute as unverified).
- US: FCC compliance for radio devices, CPSIA cautionary statement for toys.
- JP: text limited by UTF-8 bytes well below ``maxLength`` (Japanese characters take 3 bytes).
- Language tags and currencies are those of each marketplace; JPY prices are whole numbers.

The output is deterministic (fixed seeds, sorted keys where order carries no meaning): running
this script again reproduces the committed files byte for byte, and a unit test checks that.
HEADPHONES is padded with generated product-detail attributes to the size of a real schema
(0.5-1 MB); the other product types stay small enough to read.

The code lives in the ``generator/`` package beside this script (one module per responsibility);
this file is the entry point the README and the unit test use, and re-exports ``generate``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

_PACKAGE = "acorn_product_type_generator"


def _load_generator() -> ModuleType:
    """Import ``generator/`` by path under a private name, without touching ``sys.path``.

    The unit test loads this file by path too, so neither it nor the generator can rely on
    ``contracts/product-types`` being importable; a private module name keeps the package from
    shadowing anything else in the process.
    """
    loaded = sys.modules.get(_PACKAGE)
    if loaded is not None:
        return loaded
    init = Path(__file__).resolve().parent / "generator" / "__init__.py"
    spec = importlib.util.spec_from_file_location(
        _PACKAGE, init, submodule_search_locations=[str(init.parent)]
    )
    if spec is None or spec.loader is None:  # pragma: no cover - the folder ships with the file
        raise ImportError(f"cannot load the product type generator from {init}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[_PACKAGE] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[_PACKAGE]
        raise
    return module


_generator = _load_generator()
HERE: Path = _generator.HERE
COUNTRIES = _generator.COUNTRIES
PRODUCT_TYPES = _generator.PRODUCT_TYPES
build_schema = _generator.build_schema
definition = _generator.definition
meta_schema = _generator.meta_schema
dump = _generator.dump
generate = _generator.generate


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for rel, size in generate(target).items():
        print(f"{size:>9,} {rel}")
