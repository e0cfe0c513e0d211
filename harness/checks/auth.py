"""Auth checks: the LWA access-token lifecycle as the integration lives it."""

from __future__ import annotations

from harness.checks.model import Check, Judgement, Observation
from harness.sim.errors import DETAILS_EXPIRED
from harness.sim.journal import Exchange

__all__ = ["AUTH_01", "AUTH_02"]


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
    first_expiry = grants[0].wall + float(grants[0].facts["expires_in"]) if grants else float("inf")
    if not any(e.wall > first_expiry for e in obs.sp_api()):
        return Judgement(
            None, "The scenario ended before the first access token expired.", [], metrics
        )
    return Judgement(
        True,
        f"Every call used a token inside its announced lifetime; {len(grants)} token "
        "request(s) renewed it before expiry.",
        [g.summary() for g in grants],
        metrics,
    )


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
)


def _judge_refresh_after_403(obs: Observation) -> Judgement:
    exchanges = obs.exchanges
    expired = [e for e in exchanges if not e.is_lwa and _expired_403(e)]
    if not expired:
        return Judgement(None, "No call was answered with an expired-token 403.")
    problems: list[str] = []
    evidence: list[str] = []
    handled = 0
    for e in expired:
        later = [x for x in exchanges if x.seq > e.seq]
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
        refreshes = [x for x in later if x.seq < until and x.operation == renewal]
        evidence.append(e.summary())
        if retry is None:
            problems.append(f"request {e.request_id} ({e.operation}) was never retried")
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
)
