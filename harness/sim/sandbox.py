"""Static sandbox mode: the simulator answers like Amazon's static SP-API sandbox.

Amazon's sandbox endpoints (``sandbox.sellingpartnerapi-*.amazon.com``) do not run the
service: each operation answers only the canned cases published in its model
(``x-amzn-api-sandbox.static``), matched mocking-framework style (docs/fidelity.md §4.2):

- a case matches when every parameter it lists is present in the request with exactly that
  value (path, query and header parameters by name, anything else is the JSON body); a listed
  parameter without a value (``{}``) only has to be present, a case listing nothing is a
  catch-all; the case with the most valued parameters wins, then the one listing the most,
  then the model's order;
- a path parameter may be empty (``/catalog/2022-04-01/items/`` is getCatalogItem with
  ``asin=""``, as Catalog's published 400 case has it);
- the canned body is the whole answer (a v0 ``payload`` wrapper included) with the case's
  status and published response headers;
- no match: ``400 {"errors":[{"code":"InvalidInput","message":"Could not match input
  arguments","details":""}]}``; the request is not otherwise validated;
- every operation has the same usage plan, rate 5 / burst 15.

Authentication is the production one (same LWA tokens), so the pipeline of
:class:`~harness.sim.core.SimCore` runs unchanged up to the dispatch.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from harness.contracts import (
    ContractSet,
    Marketplace,
    Operation,
    RouteMatch,
    UsagePlan,
    load_contracts,
)
from harness.errors import ConfigError
from harness.sim.config import SimConfig
from harness.sim.core import SimCore
from harness.sim.errors import sp_error
from harness.sim.http import Reply, SimRequest
from harness.sim.refusals import refuse
from harness.sim.tokens import IssuedToken

if TYPE_CHECKING:
    from harness.sim.server import Simulator

__all__ = [
    "NO_MATCH_MESSAGE",
    "SANDBOX_PLAN",
    "SandboxContractSet",
    "SandboxCore",
    "match_case",
    "no_match",
    "sandbox_contracts",
    "sandbox_simulator",
    "wire_value",
]

SANDBOX_PLAN = UsagePlan(5.0, 15)
"""Amazon: "every operation shares rate 5 / burst 15" in the sandbox (docs/fidelity.md §3)."""
NO_MATCH_MESSAGE = "Could not match input arguments"
_MISSING = object()


def no_match() -> Reply:
    return refuse("SANDBOX-NO-MATCH", Reply(400, sp_error("InvalidInput", NO_MATCH_MESSAGE, "")))


class SandboxContractSet(ContractSet):
    """Routing that also accepts an empty path parameter, most literal template first."""

    def __init__(self, marketplaces: Iterable[Marketplace], operations: Iterable[Operation]):
        super().__init__(marketplaces, operations)
        ranked = sorted(self.operations, key=lambda op: -len(_PARAM.sub("", op.path)))
        self._loose = [(op, _loose_regex(op.path)) for op in ranked]

    def match(self, method: str, path: str) -> RouteMatch | None:
        method = method.upper()
        for op, regex in self._loose:
            if op.method == method:
                m = regex.match(path)
                if m:
                    return RouteMatch(op, {k: unquote(v) for k, v in m.groupdict().items()})
        return None


_PARAM = re.compile(r"\{([^}/]+)\}")


def _loose_regex(path: str) -> re.Pattern[str]:
    pattern, pos = "", 0
    for m in _PARAM.finditer(path):
        pattern += re.escape(path[pos : m.start()]) + f"(?P<{m.group(1)}>[^/]*)"
        pos = m.end()
    return re.compile(f"^{pattern}{re.escape(path[pos:])}/?$")


def sandbox_contracts(contracts: ContractSet) -> ContractSet:
    """The same operations with the sandbox plan and no envelope added (cases are whole)."""
    ops = [
        dataclasses.replace(op, usage_plan=SANDBOX_PLAN, envelope="bare")
        for op in contracts.operations
    ]
    return SandboxContractSet(contracts.marketplaces.values(), ops)


def wire_value(value: Any) -> str:
    """How a client puts a case's value on the wire: strings as is, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def _items(value: Any) -> list[str]:
    return [wire_value(v) for v in value] if isinstance(value, list) else [wire_value(value)]


def _actual(
    op: Operation, name: str, request: SimRequest, path_params: Mapping[str, str]
) -> tuple[str, Any]:
    """Where the parameter ``name`` is and what the request sent for it."""
    param = next((p for p in op.parameters if p.name == name), None)
    if param is None:  # the body parameter, whatever the model calls it
        if not request.body.strip():
            return "body", _MISSING
        try:
            return "body", request.json()
        except (UnicodeDecodeError, ValueError):
            return "body", _MISSING
    if param.location == "path":
        return "path", path_params.get(name, _MISSING)
    if param.location == "header":
        return "header", request.headers.get(name.lower(), _MISSING)
    raw = request.query.get(name)
    if not raw:
        return "query", _MISSING
    if param.schema.get("type") == "array":  # an empty item stays: Catalog's 400 case sends ""
        return "query", [v for r in raw for v in r.split(",")]
    return "query", list(raw)


def _matches(expected: Any, location: str, actual: Any) -> bool:
    if location == "body":
        return bool(expected == actual)
    if location == "query":
        return bool(_items(expected) == actual)
    return bool(wire_value(expected) == actual)


def match_case(
    op: Operation, request: SimRequest, path_params: Mapping[str, str]
) -> Mapping[str, Any] | None:
    """The published case this request matches, most specific first; None if none does."""
    best: Mapping[str, Any] | None = None
    best_rank = (-1, -1)
    for case in op.sandbox:
        listed: Mapping[str, Mapping[str, Any]] = case["parameters"]
        # A parameter with a value is more specific than one that only has to be present.
        rank = (sum("value" in spec for spec in listed.values()), len(listed))
        if rank <= best_rank:
            continue
        for name, spec in listed.items():
            location, actual = _actual(op, name, request, path_params)
            if actual is _MISSING:
                break
            if "value" in spec and not _matches(spec["value"], location, actual):
                break
        else:
            best, best_rank = case, rank
    return best


def answer(op: Operation, request: SimRequest, path_params: Mapping[str, str]) -> Reply:
    case = match_case(op, request, path_params)
    if case is None:
        reply = no_match()
        reply.facts["sandbox"] = "no-match"
        return reply
    status = int(case["status"])
    # HTTP gives a 204 no body: the published ``{}`` or ``""`` of a 204 case is sent as none.
    reply = Reply(status, None if status == 204 else case.get("response"))
    reply.headers.update(case.get("response_headers", {}))
    reply.facts["sandbox"] = "matched"
    reply.facts["sandbox_case"] = op.sandbox.index(case)
    return reply


class SandboxCore(SimCore):
    """:class:`SimCore` whose dispatch answers from the static cases instead of handlers.

    Run it with ``Simulator(core=SandboxCore(...))``; ``acorn serve --sandbox`` does.
    """

    def __init__(
        self,
        contracts: ContractSet | None = None,
        config: SimConfig | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(sandbox_contracts(contracts or load_contracts()), config, **kwargs)

    def _dispatch(
        self,
        region: str,
        request: SimRequest,
        params: dict[str, str],
        op: Operation,
        token: IssuedToken | None,
    ) -> Reply:
        return answer(op, request, params)


def sandbox_simulator(
    models_dir: Path | str | None = None,
    *,
    contracts: ContractSet | None = None,
    config: SimConfig | None = None,
) -> Simulator:
    """A :class:`Simulator` in static-sandbox mode, for scenarios and tests.

    Cases come from Amazon's models (``models_dir``, imported in memory) or from ``contracts``
    written by ``acorn contracts import``; ``with sandbox_simulator(dir) as sim:`` serves them.
    """
    from harness.contracts.importer import load_models_as_contracts
    from harness.sim.server import Simulator

    if contracts is None:
        if models_dir is None:
            raise ConfigError(
                "a sandbox simulator needs Amazon's models or imported contracts",
                fix="pass models_dir (a checkout of amzn/selling-partner-api-models) or contracts",
            )
        contracts = load_models_as_contracts(models_dir)
    return Simulator(core=SandboxCore(contracts, config))
