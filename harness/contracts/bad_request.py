"""The ``code`` and default ``message`` of an API's generic 400 answer, from its contract.

Amazon's 400 ``code`` differs per API (``InvalidInput``, ``BAD_REQUEST``, ``InvalidRequest``,
``"400"``), so integrations must key on the status, and the simulator must answer with each
API's own code. A contract file says it in ``"bad_request": {"code": ..., "message": ...}``;
``acorn contracts import`` derives it from the model's static-sandbox 400 cases (the pair most
of them use). Where Amazon's model is silent (no 400 case, or only case-specific codes such
as Product Pricing 2022-05-01's ``INVALID_SKU``), :data:`SILENT` is ACORN's explicit choice,
unverified, and every entry says why (docs/fidelity.md, "400 codes").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["DEFAULT", "SILENT", "bad_request_for", "from_sandbox"]

DEFAULT = ("InvalidInput", "Invalid Input")
"""The code of the v0/v1 APIs (Orders, Sellers, Product Pricing v0 in their models)."""

SILENT: dict[str, tuple[str, str]] = {
    # No static-sandbox 400 case in the model; a v1 API, so the v0/v1 family's code.
    "fba-inventory/v1": DEFAULT,
    # No static-sandbox 400 case in the model; a v1 API, so the v0/v1 family's code.
    "notifications/v1": DEFAULT,
    # Only item-level codes (INVALID_SKU, INVALID_ASIN) in the model's cases; the v0 API's.
    "product-pricing/2022-05-01": DEFAULT,
}


def from_sandbox(cases: Iterable[Mapping[str, Any]]) -> tuple[str, str] | None:
    """The (code, message) most 400 static-sandbox cases answer with; None if no clear one."""
    seen: Counter[tuple[str, str]] = Counter()
    for case in cases:
        body = case.get("response")
        if case.get("status") != 400 or not isinstance(body, Mapping):
            continue
        for error in body.get("errors") or ():
            if isinstance(error, Mapping) and "code" in error:
                seen[(str(error["code"]), str(error.get("message", "")))] += 1
    ranked = seen.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


def bad_request_for(api: str, version: str, declared: Mapping[str, str] | None) -> tuple[str, str]:
    """The contract's declared pair, else the documented choice for a silent model."""
    if declared:
        return str(declared["code"]), str(declared["message"])
    return SILENT.get(f"{api}/{version}", DEFAULT)
