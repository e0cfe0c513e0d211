"""AUTH-08: the long-lived credentials travel to the token endpoint, in a body, and nowhere else.

The simulator sees every request before masking, so it records *that* (never *what*) a
request carried the client secret or refresh token where it must not: ``facts
["secrets_in_url"]`` and ``facts["secrets_to_sp_api"]``.
"""

from __future__ import annotations

from harness.checks.facts import facts_of
from harness.checks.model import Check, Judgement, Observation

__all__ = ["AUTH_08"]


def _judge_secrets(obs: Observation) -> Judgement:
    if not obs.exchanges:
        return Judgement(None, "The integration made no request.")
    in_url = [e for e in obs.exchanges if facts_of(e).secrets_in_url]
    to_sp_api = [e for e in obs.sp_api() if facts_of(e).secrets_to_sp_api]
    token_requests = [e for e in obs.lwa() if (e.operation or "").startswith("lwa:")]
    metrics = {
        "requests": len(obs.exchanges),
        "token_requests": len(token_requests),
        "secrets_in_url": len(in_url),
        "secrets_to_sp_api": len(to_sp_api),
    }
    if not token_requests and not in_url and not to_sp_api:
        return Judgement(
            None,
            f"The integration made {len(obs.exchanges)} request(s) but no LWA token request, "
            "so where it sends its client secret and refresh token was not exercised; a "
            "scenario in which it obtains a token would make this provable.",
            [],
            metrics,
        )
    if in_url or to_sp_api:
        parts = []
        evidence = []
        if in_url:
            kinds = sorted({k for e in in_url for k in facts_of(e).secrets_in_url})
            parts.append(f"{len(in_url)} request(s) put the {', '.join(kinds)} in the URL")
            evidence += [
                f"{e.summary()}: {', '.join(facts_of(e).secrets_in_url)} in the URL" for e in in_url
            ]
        if to_sp_api:
            kinds = sorted({k for e in to_sp_api for k in facts_of(e).secrets_to_sp_api})
            parts.append(
                f"{len(to_sp_api)} request(s) sent the {', '.join(kinds)} to an SP-API host"
            )
            evidence += [
                f"{e.summary()}: carried the {', '.join(facts_of(e).secrets_to_sp_api)}"
                for e in to_sp_api
            ]
        return Judgement(False, "; ".join(parts) + ".", evidence, metrics)
    return Judgement(
        True,
        f"The client secret and refresh token went only to the token endpoint, in the request "
        f"body ({len(token_requests)} token request(s)); none of {len(obs.exchanges)} requests "
        "carried them in a URL or to SP-API.",
        [],
        metrics,
    )


AUTH_08 = Check(
    id="AUTH-08",
    title="Keeps the client secret and refresh token secret",
    area="Auth",
    severity="blocker",
    requirement="Send the LWA client secret and the refresh token only to the LWA token "
    "endpoint, in the POST body: never in a URL, never to an SP-API host.",
    why="URLs end up in proxy, load-balancer and server logs; SP-API hosts have no use for "
    "these values. A leaked client secret or refresh token gives a stranger the seller's "
    "data, and Amazon revokes the application's access when it learns of a leak.",
    remediation="POST grant_type/refresh_token/client_id/client_secret as a form or JSON body "
    "to https://api.amazon.com/auth/o2/token only; send SP-API nothing but the access token "
    "in x-amz-access-token.",
    judge=_judge_secrets,
    needs=("sync_orders",),
    brief="Client secret and refresh token only in the token request body, never in URLs or to "
    "SP-API.",
).register()
