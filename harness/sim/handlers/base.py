"""What a handler gets: the request, its operation, the token it carried, and the world."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from harness.contracts import Operation
from harness.sim.errors import bad_request_code, sp_error
from harness.sim.http import Reply, SimRequest
from harness.sim.tokens import IssuedToken

if TYPE_CHECKING:
    from harness.sim.core import SimCore

__all__ = ["Ctx", "Handler"]


@dataclass
class Ctx:
    core: SimCore
    op: Operation
    request: SimRequest
    params: dict[str, str]
    region: str
    token: IssuedToken | None

    def error(self, status: int, code: str, message: str, details: str | None = "") -> Reply:
        return Reply(status, sp_error(code, message, details))

    def bad_request(self, message: str | None = None) -> Reply:
        code, default = bad_request_code(self.op.api)
        return self.error(400, code, message or default)

    def not_found(self, message: str = "The requested resource doesn't exist.") -> Reply:
        return self.error(404, "NotFound", message)

    def unlocked(self, data_element: str | None = None) -> bool:
        """Does the request carry an RDT that releases PII here (for ``data_element``)?"""
        if self.token is None or self.token.kind != "rdt":
            return False
        resource = self.token.covering(self.request.method, self.request.path)
        if resource is None:
            return False
        return data_element is None or data_element in resource.data_elements

    def check_marketplaces(self, marketplace_ids: list[str]) -> Reply | None:
        """Unknown ids are a bad request; ids of another region are refused like Amazon does."""
        known = self.core.contracts.marketplaces
        unknown = [m for m in marketplace_ids if m not in known]
        if unknown:
            return self.bad_request(f"Invalid marketplace identifier(s): {', '.join(unknown)}.")
        foreign = [m for m in marketplace_ids if known[m].region != self.region]
        if foreign:
            # Amazon: valid token, wrong regional endpoint -> 403 with empty details.
            return self.error(403, "Unauthorized", "Access to requested resource is denied.", "")
        return None


Handler = Callable[[Ctx], Reply]
