"""Turn Amazon's models into ACORN contracts (``acorn contracts import``).

One contract file per model file, in the format of ``contracts/README.md``: every operation,
its parameters and body, every response schema with the model's definitions (``$ref``s kept as
``#/definitions/Name``, each one checked), the usage plan parsed from the description, and the
static sandbox cases. A file says ``"model": {"file": ..., "complete": true}``: it mirrors the
whole model, so the diff counts an operation Amazon adds later as drift.

What the models do not say is left at the format's defaults and stated here: ``restricted`` is
false (the models do not mark restricted operations), ``grantless`` is true when the
description calls the operation grantless, and ``usage_plan`` is null when Amazon publishes
none (the loader then applies a documented fallback).
"""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.contracts.bad_request import from_sandbox
from harness.contracts.model import ContractSet
from harness.contracts.swagger import ModelFile, ModelOperation, ModelSet, read_models
from harness.errors import ContractError

__all__ = [
    "ImportResult",
    "contract_for",
    "import_models",
    "load_models_as_contracts",
    "operation_contract",
]


@dataclass(frozen=True)
class ImportResult:
    out: Path
    files: int
    operations: int
    sandbox_cases: int
    seconds: float


def _envelope(model: ModelFile) -> str:
    """The file's envelope: the one most of its operations use."""
    kinds = Counter(e for e in (op.envelope for op in model.operations) if e is not None)
    return kinds.most_common(1)[0][0] if kinds else "bare"


def operation_contract(op: ModelOperation) -> dict[str, Any]:
    """One operation in ACORN's contract format."""
    body = op.body_parameter
    plan = op.usage_plan
    return {
        "method": op.method,
        "path": op.path,
        "usage_plan": None if plan is None else {"rate": plan.rate, "burst": plan.burst},
        "rate_limit_header": True,
        "restricted": False,
        "grantless": "grantless" in op.description.lower(),
        "parameters": [
            {"name": p.name, "in": p.location, "required": p.required, "schema": dict(p.schema)}
            for p in op.parameters
            if p.location != "body"
        ],
        "request_body": None
        if body is None
        else {"required": body.required, "schema": dict(body.schema)},
        "responses": {status: dict(schema or {}) for status, schema in op.responses.items()},
        "errors": sorted(int(s) for s in op.responses if s.isdigit() and int(s) >= 400),
        "sandbox": [case.to_json() for case in op.sandbox],
    }


def contract_for(model: ModelFile) -> dict[str, Any]:
    """The contract file for one model file."""
    envelope = _envelope(model)
    operations: dict[str, Any] = {}
    seen: Counter[str] = Counter(op.operation_id for op in model.operations)
    for op in model.operations:
        key = op.operation_id
        if seen[key] > 1 or key in operations:  # shipping v2 reuses linkCarrierAccount
            key = f"{op.operation_id}_{op.method}"
        operations[key] = operation_contract(op)
        own = op.envelope
        if own is not None and own != envelope:
            operations[key]["envelope"] = own
    found = from_sandbox(case.to_json() for op in model.operations for case in op.sandbox)
    bad_request = {} if found is None else {"bad_request": {"code": found[0], "message": found[1]}}
    return {
        "api": model.api,
        "version": model.version,
        "title": model.title,
        "envelope": envelope,
        **bad_request,
        "model": {"file": model.relpath, "complete": True},
        "definitions": dict(model.definitions),
        "operations": operations,
    }


def import_models(
    models_dir: Path | str,
    out: Path | str,
    *,
    marketplaces: Path | None = None,
    models: ModelSet | None = None,
) -> ImportResult:
    """Write ``out/apis/*.json`` (and ``out/marketplaces.json``) from the models.

    ``marketplaces.json`` is ACORN's own data (the models have none), copied from the bundled
    contracts so ``out`` is a complete contracts folder the simulator can load.
    """
    from harness.contracts.loader import default_contracts_dir

    started = time.perf_counter()
    model_set = models or read_models(models_dir)
    target = Path(out)
    apis = target / "apis"
    try:
        apis.mkdir(parents=True, exist_ok=True)
        source = marketplaces or default_contracts_dir() / "marketplaces.json"
        shutil.copyfile(source, target / "marketplaces.json")
    except OSError as exc:
        raise ContractError(
            f"cannot write the contracts ({exc.strerror})",
            where=str(exc.filename or target),
            fix="choose an --out folder you can write to",
        ) from None
    operations = 0
    for model in model_set.files:
        data = contract_for(model)
        operations += len(data["operations"])
        path = apis / f"{model.name}.json"
        try:
            path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", "utf-8")
        except OSError as exc:
            raise ContractError(
                f"cannot write the contract ({exc.strerror})",
                where=str(path),
                fix="choose an --out folder you can write to",
            ) from None
    return ImportResult(
        out=target,
        files=len(model_set.files),
        operations=operations,
        sandbox_cases=model_set.static_cases(),
        seconds=time.perf_counter() - started,
    )


def load_models_as_contracts(models_dir: Path | str) -> ContractSet:
    """Import into a temporary folder and load it: the models as a :class:`ContractSet`.

    Going through the files keeps one path (the loader's checks) for imported contracts.
    """
    import tempfile

    from harness.contracts.loader import load_contracts

    with tempfile.TemporaryDirectory(prefix="acorn-models-") as tmp:
        import_models(models_dir, tmp)
        return load_contracts(tmp)
