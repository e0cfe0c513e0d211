"""The ``x-amzn-api-sandbox`` static cases of Amazon's models (docs/fidelity.md §4.2).

Each response of an operation may publish cases: "these request parameters get this canned
answer". The static sandbox mode serves them and the importer writes them into contracts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.errors import ContractError

__all__ = ["SandboxCase", "sandbox_cases"]


@dataclass(frozen=True)
class SandboxCase:
    """One published static-sandbox case: these request parameters get this canned answer."""

    status: int
    parameters: Mapping[str, Mapping[str, Any]]
    """Swagger parameter name (path, query, header or the body's name) -> ``{"value": v}``,
    or ``{}`` when the case lists the parameter without constraining its value."""
    body: Any
    has_body: bool
    headers: Mapping[str, str]
    pointer: str

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status, "parameters": dict(self.parameters)}
        if self.has_body:
            out["response"] = self.body
        if self.headers:
            out["response_headers"] = dict(self.headers)
        return out


def _case_value(spec: Any) -> dict[str, Any]:
    """Normalise a case parameter to ``{"value": v}``, or ``{}`` for "any value".

    Amazon writes ``{"value": v}``; ``{}`` lists the parameter without constraining it (the
    catch-all cases of Listings and PTD); three Easy Ship cases give the body without the
    ``value`` wrapper, which can only mean the body itself.
    """
    if isinstance(spec, dict) and "value" in spec:
        return {"value": spec["value"]}
    if spec == {}:
        return {}
    return {"value": spec}


def sandbox_cases(
    response: Mapping[str, Any], status: str, where: str, pointer: str
) -> tuple[list[SandboxCase], bool]:
    """The static cases of one response, and whether it is flagged for the dynamic sandbox."""
    block = response.get("x-amzn-api-sandbox")
    if not isinstance(block, dict):
        return [], False
    cases = []
    for i, raw in enumerate(block.get("static", []) or []):
        ptr = f"{pointer}/x-amzn-api-sandbox/static/{i}"
        if not isinstance(raw, dict):
            raise ContractError(
                f"field {ptr}: a sandbox case must be an object",
                where=where,
                fix="correct the model at that position",
            )
        params = (raw.get("request") or {}).get("parameters") or {}
        if not isinstance(params, dict):
            raise ContractError(
                f"field {ptr}/request/parameters: expected an object of parameters",
                where=where,
                fix="correct the model at that position",
            )
        values = {name: _case_value(spec) for name, spec in params.items()}
        headers = {
            str(k): str(v["value"] if isinstance(v, dict) and "value" in v else v)
            for k, v in (raw.get("responseHeaders") or {}).items()
        }
        cases.append(
            SandboxCase(
                status=int(status),
                parameters=values,
                body=raw.get("response"),
                has_body="response" in raw,
                headers=headers,
                pointer=ptr,
            )
        )
    return cases, "dynamic" in block
