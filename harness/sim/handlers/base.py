"""What a handler gets: the request, its operation, the token it carried, and the world."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from harness.contracts import Operation
from harness.sim.errors import sp_error
from harness.sim.fidelity import note_fact
from harness.sim.http import Reply, SimRequest
from harness.sim.refusals import refuse
from harness.sim.tokens import IssuedToken

if TYPE_CHECKING:
    from harness.sim.world import World

__all__ = ["Ctx", "Handler"]


@dataclass
class Ctx:
    """One request as a handler sees it. Handlers use ``world`` (state, clock, plans,
    contracts, tokens; locking through ``world.locked()``), never the core."""

    world: World
    op: Operation
    request: SimRequest
    params: dict[str, str]
    region: str
    token: IssuedToken | None
    notes: list[dict[str, str]] = field(default_factory=list)
    """Fidelity notes raised while answering (the core copies them into the reply's facts)."""

    def error(
        self, status: int, code: str, message: str, details: str | None = "", *, rule: str
    ) -> Reply:
        """A refusal; ``rule`` names its entry in :data:`harness.sim.refusals.REFUSALS`, the
        registry that says which source shows Amazon refusing the same way."""
        return refuse(rule, Reply(status, sp_error(code, message, details)))

    def bad_request(self, message: str | None = None, *, rule: str) -> Reply:
        code, default = self.op.bad_request  # the API's own 400 code, from its contract
        return self.error(400, code, message or default, rule=rule)

    def not_found(self, message: str = "The requested resource doesn't exist.") -> Reply:
        return self.error(404, "NotFound", message, rule="NOT-FOUND")

    def foreign_token(self, message: str) -> Reply:
        """A pagination token ACORN never issued: no page can be served, so refuse, and note
        that Amazon's exact answer to such a token is not documented."""
        self.note("PAGE-TOKEN-REFUSED")
        return self.bad_request(message, rule="PAGE-TOKEN")

    def note(self, code: str, about: str | None = None) -> None:
        """Record that this request is answered in a way no source covers (mostly: accepted
        where no source shows Amazon refusing); ``about`` names the operation the note
        concerns when it is not this one (an operation id, never a value the client sent)."""
        subject = self.op.operation_id + (f" for {about}" if about else "")
        self.notes.append(note_fact(code, subject))

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
        known = self.world.contracts.marketplaces
        unknown = [m for m in marketplace_ids if m not in known]
        if unknown:
            return self.bad_request(
                f"Invalid marketplace identifier(s): {', '.join(unknown)}.", rule="MKT-UNKNOWN"
            )
        foreign = [m for m in marketplace_ids if known[m].region != self.region]
        if foreign:
            # Amazon: valid token, wrong regional endpoint -> 403 with empty details.
            return self.error(
                403,
                "Unauthorized",
                "Access to requested resource is denied.",
                "",
                rule="MKT-REGION",
            )
        return None


Handler = Callable[[Ctx], Reply]
