"""Drift between ACORN contracts and Amazon's models (``acorn contracts diff``).

Operations are matched by method and path. For every contract operation the diff reports:

- *removed*: Amazon's models have no operation at that method and path;
- *changed*: a parameter, the request body, a response, the error statuses, the usage plan or
  the operation id disagrees, by the rules of :mod:`harness.contracts.schema_agree` (a
  hand-written contract may declare less than Amazon, never something else);
- *added*: for a contract file that declares ``"model": {"file": ..., "complete": true}`` (what
  ``acorn contracts import`` writes), an operation of that model file the contract lacks.

Hand-written contracts cover part of an API on purpose, so the model operations they leave out
are listed as *not covered*, which is information, not drift. The usage plan must equal the
model's (rate and burst): the bundled plans are Amazon's defaults, not a subset of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness.contracts.loader import load_contracts
from harness.contracts.model import Operation
from harness.contracts.schema_agree import SchemaComparer
from harness.contracts.swagger import ModelFile, ModelOperation, ModelSet, read_models
from harness.contracts.swagger_schema import esc
from harness.errors import ContractError

__all__ = ["Difference", "DriftReport", "diff_contracts"]


@dataclass(frozen=True)
class Difference:
    kind: str  # "added", "removed" or "changed"
    operation: str  # "GET /orders/v0/orders (getOrders)"
    contract: str  # contract file, or "" for an operation only Amazon has
    pointer: str  # JSON pointer into the contract file
    message: str
    model: str  # model file#pointer

    def line(self) -> str:
        where = f"{self.pointer}: " if self.pointer else ""
        return f"{where}{self.message}"


@dataclass
class DriftReport:
    contracts_dir: str
    models_dir: str
    contract_operations: int = 0
    model_operations: int = 0
    compared: int = 0
    differences: list[Difference] = field(default_factory=list)
    not_covered: list[str] = field(default_factory=list)

    @property
    def agree(self) -> bool:
        return not self.differences

    def operations_differing(self) -> list[str]:
        return sorted({d.operation for d in self.differences})

    def to_json(self) -> dict[str, Any]:
        return {
            "agree": self.agree,
            "contracts": self.contracts_dir,
            "models": self.models_dir,
            "summary": {
                "contract_operations": self.contract_operations,
                "model_operations": self.model_operations,
                "compared": self.compared,
                "operations_differing": len(self.operations_differing()),
                "differences": len(self.differences),
                "added": sum(d.kind == "added" for d in self.differences),
                "removed": sum(d.kind == "removed" for d in self.differences),
                "not_covered": len(self.not_covered),
            },
            "differences": [asdict(d) for d in self.differences],
            "not_covered": self.not_covered,
        }

    def to_text(self, *, verbose: bool = False) -> str:
        s = self.to_json()["summary"]
        lines = [
            f"Contracts: {self.contracts_dir} ({self.contract_operations} operations)",
            f"Models:    {self.models_dir} ({self.model_operations} operations)",
        ]
        by_op: dict[str, list[Difference]] = {}
        for d in self.differences:
            by_op.setdefault(d.operation, []).append(d)
        for op, diffs in sorted(by_op.items()):
            lines.append("")
            lines.append(f"{diffs[0].kind.upper()} {op}")
            lines.append(f"  contract: {diffs[0].contract or '-'}")
            lines.append(f"  model:    {diffs[0].model.split('#')[0]}")
            lines += [f"  - {d.line()}" for d in diffs]
        if self.not_covered:
            lines.append("")
            lines.append(
                f"{len(self.not_covered)} operations of the covered APIs are not in the "
                "contracts (partial contracts; not drift)"
                + (":" if verbose else "; --verbose lists them.")
            )
            if verbose:
                lines += [f"  {op}" for op in self.not_covered]
        lines.append("")
        verdict = (
            "AGREE: the contracts agree with Amazon's models"
            if self.agree
            else f"DIFFER: {s['operations_differing']} operations, {s['differences']} differences "
            f"({s['added']} added, {s['removed']} removed, "
            f"{s['differences'] - s['added'] - s['removed']} changed)"
        )
        lines.append(f"{verdict}; {self.compared} operations compared.")
        return "\n".join(lines)


def _template(path: str) -> str:
    """The path with its parameter names blanked: ``/orders/v0/orders/{}``."""
    return re.sub(r"\{[^}/]+\}", "{}", path)


def _label(method: str, path: str, op_id: str) -> str:
    return f"{method} {path} ({op_id})"


def _file_meta(path: str) -> Mapping[str, Any]:
    """The ``model`` block of a contract file (the loader has already validated the file)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    meta = data.get("model")
    return meta if isinstance(meta, dict) else {}


class _OperationDiff:
    def __init__(self, ours: Operation, theirs: ModelOperation, key: str, exhaustive: bool):
        self.ours = ours
        self.theirs = theirs
        self.base = f"/operations/{esc(key)}"
        self.exhaustive = exhaustive
        self.schemas = SchemaComparer(ours.definitions, theirs.file.definitions, exhaustive)
        self.found: list[tuple[str, str, str]] = []  # (contract pointer, message, model pointer)

    def add(self, pointer: str, message: str, model_pointer: str = "") -> None:
        self.found.append((pointer, message, model_pointer or self.theirs.pointer))

    def run(self) -> list[tuple[str, str, str]]:
        ours, theirs = self.ours, self.theirs
        if ours.operation_id not in (theirs.operation_id, f"{theirs.operation_id}_{ours.method}"):
            self.add(
                self.base,
                f"operation id {ours.operation_id!r}; Amazon's model says {theirs.operation_id!r}",
            )
        if ours.path != theirs.path:
            self.add(
                f"{self.base}/path",
                f"{ours.path}; Amazon's model names the path parameters {theirs.path}",
            )
        self._envelope()
        self._usage_plan()
        self._parameters()
        self._body()
        self._responses()
        return self.found

    def _envelope(self) -> None:
        """Whether the simulator wraps success bodies in ``payload`` as Amazon's model does."""
        amazon = self.theirs.envelope
        if amazon is not None and self.ours.envelope != amazon:
            wrapped = "is wrapped in 'payload'" if amazon == "payload" else "is not wrapped"
            self.add(
                f"{self.base}/envelope",
                f"{self.ours.envelope!r} (the operation's or the file's); Amazon's success body "
                + wrapped,
            )

    def _usage_plan(self) -> None:
        mine, amazon = self.ours.usage_plan, self.theirs.usage_plan
        ptr = f"{self.base}/usage_plan"
        if amazon is None:
            if mine.published:
                self.add(
                    ptr,
                    f"rate {mine.rate} burst {mine.burst}; Amazon's model publishes "
                    "no usage plan (write null)",
                )
        elif not mine.published:
            self.add(ptr, f"null; Amazon's model publishes rate {amazon.rate} burst {amazon.burst}")
        elif abs(mine.rate - amazon.rate) > 1e-9 or mine.burst != amazon.burst:
            self.add(
                ptr,
                f"rate {mine.rate} burst {mine.burst}; Amazon's model says rate "
                f"{amazon.rate} burst {amazon.burst}",
            )

    def _parameters(self) -> None:
        theirs = {(p.name, p.location): p for p in self.theirs.parameters if p.location != "body"}
        by_name = {p.name: p for p in theirs.values()}
        declared = set()
        for i, param in enumerate(self.ours.parameters):
            ptr = f"{self.base}/parameters/{i}"
            model = theirs.get((param.name, param.location))
            declared.add((param.name, param.location))
            if model is None:
                other = by_name.get(param.name)
                self.add(
                    ptr,
                    f"{param.location} parameter {param.name!r} is "
                    + (
                        f"a {other.location} parameter in Amazon's model"
                        if other
                        else "not in Amazon's model"
                    ),
                )
                continue
            if param.required != model.required:
                self.add(
                    f"{ptr}/required",
                    f"{param.name!r} required={param.required}; Amazon's "
                    f"model says required={model.required}",
                )
            for where, message in self.schemas.compare(param.schema, model.schema, ptr + "/schema"):
                self.add(where, f"{param.name!r}: {message}")
        for (name, location), model in theirs.items():
            if (name, location) in declared:
                continue
            if model.required:
                self.add(
                    f"{self.base}/parameters",
                    f"lacks the {location} parameter {name!r} that Amazon's model requires",
                )
            elif self.exhaustive:
                self.add(
                    f"{self.base}/parameters",
                    f"lacks the optional {location} parameter {name!r} of Amazon's model",
                )

    def _body(self) -> None:
        model = self.theirs.body_parameter
        ptr = f"{self.base}/request_body"
        mine = self.ours.request_body
        if mine is None:
            if model is not None and (model.required or self.exhaustive):
                self.add(
                    ptr,
                    "declares no request body; Amazon's model has "
                    + ("a required" if model.required else "an optional")
                    + " one",
                )
            return
        if model is None:
            self.add(ptr, "declares a request body; Amazon's model has none")
            return
        if self.ours.request_body_required != model.required:
            self.add(
                f"{ptr}/required",
                f"required={self.ours.request_body_required}; Amazon's "
                f"model says required={model.required}",
            )
        for where, message in self.schemas.compare(mine, model.schema, ptr + "/schema"):
            self.add(where, message)

    def _responses(self) -> None:
        amazon = self.theirs.responses
        for status, schema in self.ours.responses.items():
            ptr = f"{self.base}/responses/{status}"
            if status not in amazon:
                self.add(ptr, f"declares a {status} response; Amazon's model has none")
                continue
            model = amazon[status]
            if model is None:
                if schema:
                    self.add(ptr, f"declares a {status} body; Amazon's model declares none")
                continue
            for where, message in self.schemas.compare(schema, model, ptr):
                self.add(where, message)
        if self.exhaustive:
            for status in sorted(set(amazon) - set(self.ours.responses)):
                self.add(f"{self.base}/responses", f"lacks the {status} response of Amazon's model")
        amazon_errors = {int(s) for s in amazon if s.isdigit() and int(s) >= 400}
        for i, status_code in enumerate(self.ours.errors):
            if status_code not in amazon_errors:
                self.add(
                    f"{self.base}/errors/{i}",
                    f"error status {status_code}; Amazon's model declares no such response",
                )
        if self.exhaustive and amazon_errors - set(self.ours.errors):
            self.add(
                f"{self.base}/errors",
                "lacks the error statuses "
                f"{sorted(amazon_errors - set(self.ours.errors))} of Amazon's model",
            )


def diff_contracts(
    models_dir: Path | str,
    contracts_dir: Path | str | None = None,
    *,
    models: ModelSet | None = None,
) -> DriftReport:
    """Compare the contracts in ``contracts_dir`` (default: bundled) with the models."""
    from harness.contracts.loader import default_contracts_dir

    model_set = models or read_models(models_dir)
    root = Path(contracts_dir) if contracts_dir is not None else default_contracts_dir()
    contracts = load_contracts(root)
    report = DriftReport(str(root), str(model_set.root))
    report.contract_operations = len(contracts.operations)
    routes = {(o.method, _template(o.path)): o for o in model_set.operations}
    report.model_operations = len(routes)
    files_by_rel: dict[str, ModelFile] = {f.relpath: f for f in model_set.files}
    metas: dict[str, Mapping[str, Any]] = {}
    covered_routes: set[tuple[str, str]] = set()
    touched: dict[str, tuple[ModelFile, bool, str]] = {}  # model relpath -> (file, complete, src)
    for op in contracts.operations:
        meta = metas.setdefault(op.source, _file_meta(op.source))
        exhaustive = bool(meta.get("complete", False))
        label = _label(op.method, op.path, op.operation_id)
        model = routes.get((op.method, _template(op.path)))
        if model is None:
            report.differences.append(
                Difference(
                    "removed",
                    label,
                    op.source,
                    f"/operations/{esc(op.operation_id)}",
                    "Amazon's models have no operation at this method and path",
                    "",
                )
            )
            continue
        covered_routes.add(model.route)
        earlier = touched.get(model.file.relpath, (model.file, False, op.source))
        touched[model.file.relpath] = (model.file, earlier[1] or exhaustive, op.source)
        report.compared += 1
        for pointer, message, model_ptr in _OperationDiff(
            op, model, op.operation_id, exhaustive
        ).run():
            report.differences.append(
                Difference(
                    "changed",
                    label,
                    op.source,
                    pointer,
                    message,
                    f"{model.file.relpath}#{model_ptr}",
                )
            )
    for source, meta in metas.items():
        rel = meta.get("file")
        if rel and rel not in files_by_rel:
            raise ContractError(
                f"field /model/file: {rel!r} is not a file of the models in {model_set.root}",
                where=source,
                fix="correct /model/file or use the models checkout the contract came from",
            )
        if rel and meta.get("complete"):
            touched[rel] = (files_by_rel[rel], True, source)
    for model_file, complete, source in touched.values():
        for op2 in model_file.operations:
            if op2.route in covered_routes:
                continue
            label = _label(op2.method, op2.path, op2.operation_id)
            if complete:
                report.differences.append(
                    Difference(
                        "added",
                        label,
                        source,
                        "/operations",
                        "Amazon's model has this operation; the contract does not",
                        f"{model_file.relpath}#{op2.pointer}",
                    )
                )
            else:
                report.not_covered.append(label)
    return report
