"""Auth checks: the LWA access-token lifecycle as the integration lives it."""

from __future__ import annotations

from harness.checks.facts import facts_of
from harness.checks.model import Check, Judgement, Observation
from harness.redact import mask_token
from harness.sim.errors import DETAILS_EXPIRED
from harness.sim.journal import Exchange

__all__ = [
    "AUTH_01",
    "AUTH_02",
    "AUTH_03",
    "AUTH_04",
    "answered_at",
    "herds",
    "redundant_refreshes",
    "refresh_requests",
    "rejected_before",
]


def _expired_403(e: Exchange) -> bool:
    return e.status == 403 and e.error_details() == DETAILS_EXPIRED


def _token_grants(obs: Observation) -> list[Exchange]:
    return [e for e in obs.lwa() if e.operation == "lwa:refresh_token" and e.status == 200]


def _judge_proactive_refresh(obs: Observation) -> Judgement:
    late = [
        e
        for e in obs.sp_api()
        if e.token is not None
        and e.token.kind == "access"
        and e.token.told_expired_at is not None
        and e.wall > e.token.told_expired_at
    ]
    grants = _token_grants(obs)
    metrics = {"token_requests": len(grants), "late_token_uses": len(late)}
    if late:
        first = late[0]
        assert first.token is not None
        return Judgement(
            False,
            f"{len(late)} SP-API call(s) carried an access token after the moment LWA said it "
            f"would expire (expires_in={first.token.expires_in}s). The first was "
            f"{first.wall - (first.token.told_expired_at or 0):.1f}s past expiry; Amazon "
            "answered 403 Unauthorized.",
            [e.summary() for e in late],
            metrics,
        )
    outlived = _outlived(obs, grants)
    if outlived is None:
        return Judgement(
            None,
            "Not exercised: every action ended before the first access token expired that it "
            "had obtained itself (an integration run as one process per action starts each "
            "action with a fresh token). An action that outlives expires_in would make it "
            "provable.",
            [],
            metrics,
        )
    grant, call = outlived
    return Judgement(
        True,
        f"Every call used a token inside its announced lifetime: one action went on "
        f"{call.wall - grant.wall - facts_of(grant).expires_in:.1f}s past the expiry of "
        f"the token granted at t={grant.wall:.2f}s (expires_in={facts_of(grant).expires_in:g}s), "
        f"and {len(grants)} token request(s) renewed it before expiry.",
        [*(g.summary() for g in grants[:10]), f"past that expiry: {call.summary()}"],
        metrics,
    )


def _outlived(obs: Observation, grants: list[Exchange]) -> tuple[Exchange, Exchange] | None:
    """A grant and a later SP-API call of the same action, past the grant's announced
    expiry: proof that the integration had to renew within one process. Without recorded
    action windows the whole scenario counts as one action."""
    windows = bool(obs.action_windows)
    for grant in grants:
        expiry = grant.wall + facts_of(grant).expires_in
        where = obs.action_of(grant)
        if windows and where is None:
            continue
        past = [e for e in obs.sp_api() if e.wall > expiry and obs.action_of(e) == where]
        if past:
            return grant, past[-1]
    return None


AUTH_01 = Check(
    id="AUTH-01",
    title="Refreshes the access token before it expires",
    area="Auth",
    severity="critical",
    requirement="Never send an access token after the expiry LWA announced in expires_in.",
    why="LWA access tokens live one hour. A connector that assumes a fixed lifetime, or ignores "
    "expires_in, sends dead tokens: every call fails with 403 until it notices, orders and "
    "stock updates stall, and support sees a storm of Unauthorized errors.",
    remediation="Cache the token with its expiry (obtained_at + expires_in), and refresh it a "
    "little before that moment (e.g. min(60 s, 10% of expires_in) early). Read expires_in from "
    "every LWA answer instead of hard-coding 3600.",
    judge=_judge_proactive_refresh,
    needs=("sync_orders",),
    brief="Never send an access token after the expiry LWA announced in `expires_in`.",
).register()


def _judge_refresh_after_403(obs: Observation) -> Judgement:
    exchanges = obs.exchanges
    expired = [e for e in exchanges if not e.is_lwa and _expired_403(e)]
    if not expired:
        return Judgement(
            None,
            "Not exercised: no call was answered with an expired-token 403. A scenario that "
            "stops accepting the token in the middle of an action would make it provable.",
        )
    problems: list[str] = []
    evidence: list[str] = []
    handled = 0
    windows = bool(obs.action_windows)
    for e in expired:
        # The retry and the refresh belong to the same action: a new process that asks for
        # the same page in the next action has not retried anything.
        where = obs.action_of(e)
        later = [x for x in exchanges if x.seq > e.seq and obs.action_of(x) == where]
        retry = next(
            (
                x
                for x in later
                if not x.is_lwa and (x.endpoint, x.method, x.path) == (e.endpoint, e.method, e.path)
            ),
            None,
        )
        until = retry.seq if retry else (later[-1].seq + 1 if later else e.seq + 1)
        # An access token is renewed at LWA; a Restricted Data Token at the Tokens API.
        renewal = (
            "createRestrictedDataToken"
            if e.token and e.token.kind == "rdt"
            else "lwa:refresh_token"
        )
        # Only renewals that gave a token count: a createRestrictedDataToken refused because
        # the access token it carried had expired too is the nested recovery, not a second
        # renewal (the client then refreshes that token and asks again).
        refreshes = [
            x for x in later if x.seq < until and x.operation == renewal and 200 <= x.status < 300
        ]
        evidence.append(e.summary())
        if retry is None:
            problems.append(
                f"request {e.request_id} ({e.operation}) was never retried"
                + (" within its action" if windows else "")
            )
            continue
        evidence.append(retry.summary())
        if not refreshes:
            problems.append(
                f"request {e.request_id} ({e.operation}) was retried without a new token"
            )
        elif len(refreshes) > 1:
            problems.append(f"{len(refreshes)} token requests before retrying {e.request_id}")
        elif _expired_403(retry):
            problems.append(f"the retry {retry.request_id} failed again with an expired token")
        else:
            handled += 1
    repeated = len(expired) - len(
        {(e.endpoint, e.method, e.path, e.token.id if e.token else "") for e in expired}
    )
    if repeated > 0:
        problems.append(f"the same expired token was sent {repeated} more time(s) to the same path")
    metrics = {"expired_403": len(expired), "recovered": handled}
    if problems:
        return Judgement(
            False,
            "After Amazon said the access token had expired, the integration did not refresh "
            "once and retry once: " + "; ".join(problems[:5]) + ".",
            evidence,
            metrics,
        )
    return Judgement(
        True,
        f"Each of {len(expired)} expired-token 403(s) was followed by one token refresh and "
        "one successful retry.",
        evidence,
        metrics,
    )


AUTH_02 = Check(
    id="AUTH-02",
    title="Refreshes and retries once after an expired-token 403",
    area="Auth",
    severity="blocker",
    requirement="On 403 'The access token you provided has expired.': refresh the token once "
    "and retry the call once; never loop.",
    why="Tokens can die before the time announced (clock skew, revocation, a cache that "
    "outlived its process). Without a refresh-and-retry the sync silently loses that run's "
    "orders; with an unbounded loop it hammers LWA and SP-API.",
    remediation="Treat this exact 403 details text as 'token expired': drop the cached token, "
    "fetch a new one from LWA (one request, shared by concurrent callers) and repeat the failed "
    "call once. If it fails again, stop and report.",
    judge=_judge_refresh_after_403,
    needs=("sync_orders",),
    brief="On an expired-token 403: refresh once, retry once, never loop.",
).register()


# -- AUTH-03 / AUTH-04: one token, shared and cached ---------------------------------------

# A refresh this soon after a grant whose token was never refused is not needed: even the most
# cautious client renews only in the last part of the lifetime (Java SDK: 60 s early).
FRESH_SHARE = 0.5
# Token requests per SP-API call above this are not "caching" (a cached token: ~0).
MAX_TOKEN_REQUESTS_PER_CALL = 0.2
MIN_CALLS_FOR_RATIO = 10


def refresh_requests(obs: Observation) -> list[Exchange]:
    """Every refresh-token request to LWA, answered or refused."""
    return [e for e in obs.lwa() if e.operation == "lwa:refresh_token"]


def answered_at(e: Exchange) -> float:
    """Wall time the answer left the simulator (slow LWA holds it back ``delay_s``)."""
    return e.wall + (facts_of(e).delay_s or 0.0)


def rejected_before(obs: Observation, token_id: str, seq: int) -> bool:
    """Was the token ``token_id`` refused on an SP-API call before exchange ``seq``? (Then
    asking for a new one, however young the old one is, is the right move.)

    ``token_id`` comes from a grant's ``issued_token`` fact, which the journal masks like any
    token-shaped text (``Atza|***...``): the fingerprint matches in either form."""
    return any(
        e.token is not None
        and token_id in (e.token.id, mask_token(e.token.id))
        and e.token.outcome != "ok"
        for e in obs.sp_api()
        if e.seq < seq
    )


def redundant_refreshes(obs: Observation, *, same_action: bool) -> list[tuple[Exchange, Exchange]]:
    """(request, previous grant) pairs: a token was requested although the last one granted
    was young and never refused. ``same_action``: only when both fall in one action (a
    command-driver integration starts a new process, and cache, per action)."""
    found = []
    grant: Exchange | None = None
    for e in refresh_requests(obs):
        if grant is not None and facts_of(grant).issued_token is not None:
            lifetime = facts_of(grant).expires_in
            young = e.wall - answered_at(grant) < FRESH_SHARE * lifetime
            same = obs.action_of(e) == obs.action_of(grant)
            if (
                young
                and (same or not same_action)
                and not rejected_before(obs, str(facts_of(grant).issued_token), e.seq)
            ):
                found.append((e, grant))
        if e.status == 200:
            grant = e
    return found


def herds(obs: Observation) -> list[list[Exchange]]:
    """Groups of token requests sent while another one was still unanswered."""
    groups: list[list[Exchange]] = []
    current: list[Exchange] = []
    busy_until = float("-inf")
    for e in refresh_requests(obs):
        if current and e.wall < busy_until:
            current.append(e)
            busy_until = max(busy_until, answered_at(e))
        else:
            if len(current) > 1:
                groups.append(current)
            current = [e]
            busy_until = answered_at(e)
    if len(current) > 1:
        groups.append(current)
    return groups


def _judge_single_flight(obs: Observation) -> Judgement:
    requests = refresh_requests(obs)
    if not requests:
        return Judgement(None, "The integration never asked LWA for a token.")
    groups = herds(obs)
    in_herd = {e.seq for group in groups for e in group}
    redundant = [
        (e, g)
        for e, g in redundant_refreshes(obs, same_action=True)
        if e.wall - g.wall < 1.0 and e.seq not in in_herd
    ]
    metrics = {
        "token_requests": len(requests),
        "largest_herd": max((len(g) for g in groups), default=1),
        "redundant_refreshes": len(redundant),
    }
    if groups or redundant:
        parts = []
        if groups:
            biggest = max(groups, key=len)
            parts.append(
                f"{len(biggest)} token requests were in flight at the same time "
                f"(t={biggest[0].wall:.2f}s to {biggest[-1].wall:.2f}s): each concurrent call "
                "fetched its own token instead of waiting for the one refresh under way"
            )
        if redundant:
            parts.append(
                f"{len(redundant)} token request(s) came right after another refresh had "
                "already produced a token nobody had refused"
            )
        evidence = [e.summary() for g in groups for e in g]
        evidence += [f"{e.summary()} (after {g.request_id})" for e, g in redundant]
        return Judgement(False, "; ".join(parts) + ".", evidence, metrics)
    return Judgement(
        True,
        f"{len(requests)} token request(s), never two at once: concurrent calls shared one "
        "refresh.",
        [e.summary() for e in requests],
        metrics,
    )


AUTH_03 = Check(
    id="AUTH-03",
    title="Concurrent calls share one token refresh",
    area="Auth",
    severity="critical",
    requirement="When several calls need a token at once (start-up, expiry, an expired-token "
    "403), exactly one request goes to LWA and every caller uses its answer.",
    why="A connector that syncs marketplaces or orders in parallel otherwise sends a burst of "
    "token requests each time the hour runs out (a 'thundering herd'). LWA throttles such "
    "bursts, the refreshes fail, and every worker stalls at the same moment.",
    remediation="Guard the token cache with a lock and refresh inside it (single flight): the "
    "first caller fetches, the others wait and reuse its token. After a 403, drop the token "
    "only if it is still the one that was refused.",
    judge=_judge_single_flight,
    needs=("sync_orders",),
    brief="Concurrent calls share one token refresh (no thundering herd on LWA).",
).register()


def _judge_cached(obs: Observation) -> Judgement:
    calls = obs.sp_api()
    requests = refresh_requests(obs)
    if len(calls) < MIN_CALLS_FOR_RATIO:
        return Judgement(None, f"Only {len(calls)} SP-API call(s): too few to judge token caching.")
    # The first token of each action is always needed: an integration run as one process per
    # action (command driver) starts with an empty cache every time.
    actions = {obs.action_of(e) for e in requests}
    extra = len(requests) - len(actions)
    ratio = extra / len(calls)
    redundant = redundant_refreshes(obs, same_action=True)
    metrics = {
        "token_requests": len(requests),
        "sp_api_calls": len(calls),
        "token_requests_per_call": round(len(requests) / len(calls), 3),
        "extra_token_requests_per_call": round(ratio, 3),
        "redundant_refreshes": len(redundant),
    }
    if ratio > MAX_TOKEN_REQUESTS_PER_CALL or redundant:
        return Judgement(
            False,
            f"{len(requests)} token requests for {len(calls)} SP-API calls in "
            f"{len(actions)} action(s): {extra} beyond the first of each action; "
            f"{len(redundant)} fetched a new token while the previous one was young and had "
            "never been refused.",
            [f"{e.summary()} (previous token from {g.request_id})" for e, g in redundant]
            or [e.summary() for e in requests],
            metrics,
        )
    return Judgement(
        True,
        f"{len(requests)} token request(s) served {len(calls)} SP-API calls "
        f"in {len(actions)} action(s): one token per action at most, reused until it neared "
        "expiry.",
        [e.summary() for e in requests],
        metrics,
    )


AUTH_04 = Check(
    id="AUTH-04",
    title="Caches the access token",
    area="Auth",
    severity="normal",
    requirement="Reuse the access token for every call until it nears expiry: within a run, "
    "no token is fetched while the cached one is young and accepted, and extra token requests "
    f"stay far below one per SP-API call (at most {MAX_TOKEN_REQUESTS_PER_CALL} here).",
    why="A token per call doubles every request's latency and load on LWA, which throttles "
    "token requests: under volume the token step fails first and takes every sync with it.",
    remediation="Keep the token with its expiry (obtained_at + expires_in) in one shared cache "
    "(per process, or shared storage for short-lived workers) and reuse it until shortly "
    "before expiry.",
    judge=_judge_cached,
    needs=("sync_orders",),
    brief="The access token is cached: no refresh while the cached one is young and accepted.",
).register()
