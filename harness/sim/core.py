"""The simulator's request pipeline, independent of any HTTP framework.

route -> authenticate -> throttle -> validate -> handle -> envelope and headers -> journal.
The ASGI app in :mod:`harness.sim.app` only converts HTTP to :class:`SimRequest` and back.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from typing import Any

from harness.contracts import ContractSet, Operation, UsagePlan, load_contracts
from harness.redact import Redactor
from harness.sim.access import authenticate
from harness.sim.clock import VirtualClock
from harness.sim.config import SimConfig
from harness.sim.credentials import Credentials, exposure, new_credentials
from harness.sim.errors import sp_error
from harness.sim.faults import FaultInjector
from harness.sim.fidelity import note_fact
from harness.sim.handlers import Ctx, handler_for
from harness.sim.handlers.documents import PREFIX as DOCUMENTS_PREFIX
from harness.sim.handlers.documents import serve_document
from harness.sim.http import Reply, SimRequest, parse_json
from harness.sim.journal import SPILL_AFTER, Exchange, Journal, TokenUse
from harness.sim.limits import too_large
from harness.sim.lwa import LwaFaults, parse_token_request, token_endpoint
from harness.sim.refusals import refuse
from harness.sim.state import SEEDED_MARKETPLACES, SellerState, seed_state
from harness.sim.throttle import PlanBook, Throttle, journal_level, truncate
from harness.sim.tokens import IssuedToken, TokenStore
from harness.sim.validate import validate_request
from harness.sim.world import World

__all__ = ["LWA", "SimCore"]

LWA = "LWA"
TOKEN_PATH = "/auth/o2/token"
_RATE_HEADER_STATUSES = (400, 404)


def _identity(request: SimRequest) -> str:
    """The exact request (for sticky faults): method, path, query and body."""
    query = sorted((k, sorted(v)) for k, v in request.query.items())
    return f"{request.method} {request.path} {query} {hashlib.sha256(request.body).hexdigest()}"


class SimCore:
    """Everything the simulator knows; safe to call from the server thread and tests."""

    def __init__(
        self,
        contracts: ContractSet | None = None,
        config: SimConfig | None = None,
        credentials: Credentials | None = None,
        journal_memory: int = SPILL_AFTER,
    ) -> None:
        """``journal_memory``: exchanges the journal keeps in memory before spilling (each
        world's journal); a served simulator keeps fewer, see SERVED_JOURNAL_MEMORY."""
        self.journal_memory = journal_memory
        self.contracts = contracts or load_contracts()
        self.credentials = credentials or new_credentials()
        self._original_secret = self.credentials.client_secret
        self._issued_secrets: set[str] = set(self.credentials.secrets())
        self.reset(config or SimConfig())

    def world(self) -> World:
        """What handlers may touch, as of now (a ``reset`` replaces state, clock and tokens)."""
        return World(self.state, self.clock, self.config, self.contracts, self.tokens)

    def reset(self, config: SimConfig | None = None) -> None:
        """A fresh world (state, tokens, buckets, journal) under ``config``; same credentials.

        Revocations and secret rotations of the previous world are undone, so one scenario's
        lifecycle events never leak into the next.
        """
        self.config = config or SimConfig()
        self.credentials.client_secret = self._original_secret
        self.credentials.revoked_refresh_tokens.clear()
        self.credentials.retired_client_secrets.clear()
        self.clock = VirtualClock(speed=self.config.clock_speed)
        self.tokens = TokenStore(
            self.clock,
            access_lifetime=self.config.token_lifetime,
            rdt_lifetime=self.config.rdt_lifetime,
            expires_in_override=self.config.expires_in,
        )
        self.state: SellerState = seed_state(
            self.contracts,
            seller_id=self.credentials.seller_id,
            now=self.clock.now_datetime(),
            orders_per_marketplace=self.config.orders_per_marketplace,
            seed=self.config.seed,
            marketplaces=self.config.seller_marketplaces or SEEDED_MARKETPLACES,
        )
        self.throttle = Throttle(enabled=self.config.throttling)
        if self.config.faults is not None:
            self.config.faults.check_against(self.contracts)
        self.faults = FaultInjector(self.config.faults) if self.config.faults else None
        self.plans = PlanBook(self.contracts, self.config)
        self.journal = Journal(self.journal_memory)
        self._accepted_calls = 0
        self.oauth_codes: dict[str, float] = {}
        self.lwa_faults = LwaFaults(
            delay=self.config.lwa_delay,
            outage_status=self.config.lwa_outage_status,
            outage_requests=self.config.lwa_outage_requests,
            forced_error=self.config.lwa_error,
        )
        # Every secret ever issued stays masked, including rotated-away client secrets.
        self.redactor = Redactor(secrets=self._issued_secrets, pii=self.state.pii_canaries())
        self.state.on_new_pii.append(lambda values: self.redactor.add(pii=values))

    # -- scenario controls -------------------------------------------------------------

    def issue_oauth_code(self) -> str:
        """An ``spapi_oauth_code`` as the seller's consent would produce (valid 5 minutes)."""
        code = "ANDaNCOrnCode" + secrets.token_hex(8)
        self.oauth_codes[code] = self.clock.now()
        return code

    def revoke_refresh_token(self) -> None:
        self.credentials.revoked_refresh_tokens.add(self.credentials.refresh_token)

    def change_plan(self, operation: str, rate: float, burst: int | None = None) -> None:
        """Amazon lowers an operation's usage plan from now on (dynamic plans)."""
        self.plans.change(operation, rate, burst)

    def lwa_outage(self, status: int = 503, requests: int | None = None) -> None:
        """LWA answers ``status`` (500/503) to the next ``requests`` token requests (None: all,
        until :meth:`end_lwa_outage`)."""
        self.lwa_faults.start_outage(status, requests)

    def end_lwa_outage(self) -> None:
        self.lwa_faults.end_outage()

    def rotate_client_secret(self) -> str:
        """Retire the current secret (LWA now answers invalid_client to it); return the new one."""
        self.credentials.retired_client_secrets.add(self.credentials.client_secret)
        self.credentials.client_secret = "amzn1.oa2-cs.v1." + secrets.token_hex(32)
        self._issued_secrets.add(self.credentials.client_secret)
        self.redactor.add(secrets=[self.credentials.client_secret])
        return self.credentials.client_secret

    # -- the pipeline ----------------------------------------------------------------------

    def handle(self, endpoint: str, request: SimRequest) -> Reply:
        started = time.perf_counter()
        request_id = str(uuid.uuid4())
        operation: str | None = None
        token_use: TokenUse | None = None
        if request.oversize:  # over the body cap (harness.sim.limits): never read whole
            reply = too_large(endpoint)
        elif endpoint == LWA:
            if request.path.rstrip("/") == TOKEN_PATH:
                reply = token_endpoint(self, request)
                operation = f"lwa:{reply.facts.get('grant_type', 'token')}"
            else:
                reply = refuse(
                    "LWA-UNKNOWN-PATH",
                    Reply(404, {"error": "not_found", "error_description": "Unknown path"}),
                )
        elif request.path.startswith(DOCUMENTS_PREFIX):
            # Presigned S3-style document URLs (feeds, reports, schemas): no SP-API token.
            reply = serve_document(self.world(), request)
            operation = f"s3:{request.method}"
        else:
            reply, operation, token_use = self._sp_api(endpoint, request)
        exposed = exposure(self.credentials, request, token_endpoint=endpoint == LWA)
        if exposed:
            reply.facts.update(exposed)
        reply.headers.setdefault("x-amzn-RequestId", request_id)
        self._journal(endpoint, request, reply, request_id, operation, token_use, started)
        return reply

    def _sp_api(
        self, region: str, request: SimRequest
    ) -> tuple[Reply, str | None, TokenUse | None]:
        match = self.contracts.match(request.method, request.path)
        token, token_use, refused = authenticate(
            self.tokens, self.clock.now(), request, match.operation if match else None
        )
        if match is None:
            # Unknown resources are refused before routing, like Amazon's gateway does.
            if refused:
                return refused, None, token_use
            reply = refuse(
                "ROUTE-UNKNOWN", Reply(404, sp_error("NotFound", "Resource not found", ""))
            )
            # Amazon may well have this operation (its models hold ~370): not verified.
            reply.facts["fidelity"] = [note_fact("ROUTE-OUTSIDE-CONTRACTS")]
            return reply, None, token_use
        op = match.operation
        if refused:
            return refused, op.operation_id, token_use
        self._count_accepted(token_use)
        plan, drained = self.plans.admit(op)
        bucket = self.throttle.take(
            (self.state.seller_id, self.credentials.application_id, op.key),
            plan,
            self.plans.app_plan(op),
            drain=drained,
        )
        facts: dict[str, Any] = {
            "bucket_before": journal_level(bucket.level_before, bucket.limited_by != "operation"),
            "bucket_after": truncate(bucket.level_after),
            "plan_rate": plan.rate,
            "plan_burst": plan.burst,
        }
        if bucket.app_before is not None and bucket.app_after is not None:
            facts["app_bucket_before"] = journal_level(
                bucket.app_before, bucket.limited_by != "application"
            )
            facts["app_bucket_after"] = truncate(bucket.app_after)
        if bucket.limited_by is not None:
            facts["throttled_by"] = bucket.limited_by
        if drained:  # a scenario's BucketDrain: the journal says the 429 was forced
            facts["bucket_drained"] = "other traffic of this seller and application"
        if not bucket.allowed:
            reply = refuse(
                "THROTTLED",
                Reply(
                    429,
                    sp_error(
                        "QuotaExceeded",
                        "You exceeded your quota for the requested resource.",
                        None,
                    ),
                ),
            )
            if self.config.retry_after is not None:  # not Amazon's behaviour: a scenario switch
                reply.headers["Retry-After"] = self.config.retry_after
        else:
            reply = self._dispatch_or_fault(region, request, match.path_params, op, token)
        reply.facts = {**facts, **reply.facts}
        self._decorate(op, reply, plan)
        delay = self.config.answer_delay.get(op.operation_id, 0.0)
        if delay > 0:  # a slow operation: the answer leaves this much later
            reply.delay = max(reply.delay, delay)
            reply.facts["answer_delay_s"] = delay
        return reply, op.operation_id, token_use

    def _count_accepted(self, token_use: TokenUse | None) -> None:
        """SimConfig.expire_tokens_after: after the n-th call with an accepted access token,
        every access token issued so far stops being accepted (the next call gets the 403)."""
        if not self.config.expire_tokens_after or token_use is None:
            return
        if token_use.kind != "access" or token_use.outcome != "ok":
            return
        self._accepted_calls += 1
        if self._accepted_calls in self.config.expire_tokens_after:
            self.tokens.expire_all(frozenset({"access"}))

    def _dispatch_or_fault(
        self,
        region: str,
        request: SimRequest,
        params: dict[str, str],
        op: Operation,
        token: IssuedToken | None,
    ) -> Reply:
        """The handler's answer, unless the scenario's fault plan strikes this call.

        The fault (and whether the write was applied first) goes into ``facts["fault"]``.
        """
        rule = (
            self.faults.pick(
                op.operation_id, self.clock.wall_elapsed(), request.path, _identity(request)
            )
            if self.faults
            else None
        )
        if rule is None:
            return self._dispatch(region, request, params, op, token)
        applied = None
        if rule.runs_handler():
            applied = self._dispatch(region, request, params, op, token)
        return rule.answer(op, applied, request.path)

    def _dispatch(
        self,
        region: str,
        request: SimRequest,
        params: dict[str, str],
        op: Operation,
        token: IssuedToken | None,
    ) -> Reply:
        ctx = Ctx(self.world(), op, request, params, region, token)
        violations = validate_request(op, request, params)
        if violations:
            first = violations[0]
            if first.rule == "depth":  # unparseable here; Amazon's own limit is unknown
                ctx.note("JSON-TOO-DEEP")
                reply = ctx.bad_request(first.message, rule="CONTRACT-JSON-DEPTH")
                reply.facts["fidelity"] = ctx.notes
            elif first.status != 415:
                reply = ctx.bad_request(first.message, rule="CONTRACT-SCHEMA")
            elif 415 in op.errors:
                reply = ctx.error(
                    415,
                    "UnsupportedMediaType",
                    "The request payload is in an unsupported format.",
                    rule="CONTRACT-MEDIA-TYPE",
                )
            else:  # an operation whose model declares no 415 gets Amazon's 400 instead
                reply = ctx.bad_request(first.message, rule="CONTRACT-MEDIA-TYPE")
            reply.facts["contract_violations"] = [v.to_dict() for v in violations]
            reply.facts["contract"] = "invalid"
            return reply
        if op.request_body is not None and request.body.strip() and not request.content_type:
            ctx.note("CONTENT-TYPE-MISSING")  # read as JSON, as validate_request did
        handler = handler_for(op)
        if handler is None:
            ctx.note("OPERATION-NOT-SIMULATED")
            reply = ctx.error(
                501,
                "NotImplemented",
                f"ACORN does not simulate {op.operation_id} yet.",
                "",
                rule="NOT-SIMULATED",
            )
            reply.facts["fidelity"] = ctx.notes
            return reply
        reply = handler(ctx)
        reply.facts.setdefault("contract", "valid")  # CONTRACT-01 counts validated requests
        if ctx.notes:  # what was accepted without a source (harness.sim.fidelity)
            reply.facts["fidelity"] = [*reply.facts.get("fidelity", []), *ctx.notes]
        return reply

    def _decorate(self, op: Operation, reply: Reply, plan: UsagePlan) -> None:
        ok = 200 <= reply.status < 300
        if ok and op.envelope == "payload" and reply.body is not None:
            reply.body = {"payload": reply.body, **reply.beside_payload}
        # Best effort at Amazon: only on 20x, 400 and 404; never on 429/401/403.
        missing = self.config.missing_rate_header
        header_off = missing is True or (
            isinstance(missing, frozenset | set) and op.operation_id in missing
        )
        if (
            op.rate_limit_header
            and not header_off
            and (ok or reply.status in _RATE_HEADER_STATUSES)
        ):
            # The plan this request met (scaled or lowered), in wall-clock requests per second.
            reply.headers["x-amzn-RateLimit-Limit"] = str(float(plan.rate))

    def _journal(
        self,
        endpoint: str,
        request: SimRequest,
        reply: Reply,
        request_id: str,
        operation: str | None,
        token_use: TokenUse | None,
        started: float,
    ) -> None:
        redact = self.redactor
        body: Any
        if endpoint == LWA:
            form = parse_token_request(request) or {}
            if "code" in form:  # the OAuth code is a one-time credential
                form["code"] = "***"
            body = redact.value(form)
        elif request.body:
            try:
                body = redact.copy(parse_json(request.body))
            except (ValueError, UnicodeDecodeError):
                body = redact.text(request.body.decode("utf-8", errors="replace"))[:2000]
        else:
            body = None
        self.journal.append(
            Exchange(
                seq=self.journal.next_seq(),
                request_id=request_id,
                wall=self.clock.wall_elapsed(),
                virtual=self.clock.now(),
                endpoint=endpoint,
                operation=operation,
                method=request.method,
                path=redact.text(request.path),
                query=redact.query(request.query),
                request_headers=redact.headers(request.headers),
                request_body=body,
                status=reply.status,
                response_headers=redact.headers(reply.headers),
                response_body=(
                    f"<{len(reply.body)} bytes>"
                    if isinstance(reply.body, bytes)
                    else redact.copy(reply.body)
                ),
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
                token=token_use,
                facts=redact.copy(reply.facts),
            )
        )
