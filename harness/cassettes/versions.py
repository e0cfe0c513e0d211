"""A cassette recorded against another API version than ACORN's contracts is refused.

Replaying ``/orders/2026-01-01/...`` answers to an integration tested against Orders v0 would
prove nothing, so the mismatch is an error naming the file and the first entry concerned.
"""

from __future__ import annotations

from harness.cassettes.format import Cassette, CassetteError
from harness.contracts import ContractSet

__all__ = ["api_versions", "check_api_versions"]


def _family(path: str) -> tuple[str, str] | None:
    parts = [p for p in path.split("/") if p]
    return (parts[0], parts[1]) if len(parts) >= 2 else None


def _known(contracts: ContractSet) -> dict[str, set[str]]:
    known: dict[str, set[str]] = {}
    for op in contracts.operations:
        family = _family(op.path)
        if family:
            known.setdefault(family[0], set()).add(family[1])
    return known


def api_versions(cassette: Cassette, contracts: ContractSet) -> dict[str, str]:
    """``{"orders": "v0", ...}`` for the SP-API entries ACORN's contracts route."""
    out: dict[str, str] = {}
    for item in cassette.interactions:
        if item.endpoint == "LWA":
            continue
        match = contracts.match(item.request.method, item.request.path)
        family = _family(item.request.path)
        if match is not None and family is not None:
            out[family[0]] = family[1]
    return dict(sorted(out.items()))


def check_api_versions(cassette: Cassette, contracts: ContractSet) -> None:
    known = _known(contracts)
    recorded = cassette.meta.get("apis")
    if isinstance(recorded, dict):
        for api, version in recorded.items():
            if api in known and str(version) not in known[api]:
                _refuse(cassette, api, str(version), known[api], None)
    for index, item in enumerate(cassette.interactions):
        if item.endpoint == "LWA":
            continue
        family = _family(item.request.path)
        if family is None or family[0] not in known or family[1] in known[family[0]]:
            continue
        _refuse(cassette, family[0], family[1], known[family[0]], index)


def _refuse(cassette: Cassette, api: str, version: str, known: set[str], index: int | None) -> None:
    if index is None:
        index = next(
            (
                i
                for i, item in enumerate(cassette.interactions)
                if _family(item.request.path) == (api, version)
            ),
            0,
        )
    entry = cassette.interactions[index] if cassette.interactions else None
    what = f"entry {index} ({entry.request.method} {entry.request.path})" if entry else "metadata"
    raise CassetteError(
        f"{what} was recorded against the {api} API version {version}, but ACORN's contracts "
        f"have {', '.join(sorted(known))}",
        where=cassette.where(),
        fix="re-record the cassette against the API version your integration uses now, or "
        "add that version's contract (contracts/apis/)",
    )
