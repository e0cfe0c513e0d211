"""Auth checks for LWA refusing or failing: revoked grants, rotated secrets, outages.

Whether the integration stopped, and how often it asked LWA again, is judged on the wire (the
LWA exchanges of each action). Only that the failure was *reported* comes from the action's
result, and any honest way of saying why counts: an ``errors`` entry with ``"action_required":
"reauthorize"`` (``"rotate_client_credentials"``), ACORN's phrase "re-authorization needed"
("rotate client credentials"), or LWA's own error code (``invalid_grant``, ``invalid_client``)
or its error_description, in the result's ``errors``/``error`` messages or in a command's exit
message. See examples/README.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from harness.checks.auth import answered_at
from harness.checks.model import Check, Judgement, Observation
from harness.checks.retries import MIN_RETRY_WAIT_S
from harness.drive.base import ActionOutcome
from harness.sim.journal import Exchange

__all__ = [
    "AUTH_05",
    "AUTH_06",
    "AUTH_07",
    "MAX_OUTAGE_ATTEMPTS",
    "MAX_REFUSED_PER_ACTION",
    "MIN_LWA_RETRY_WAIT_S",
    "flagged",
]

# A refused grant is final: one request per action (two tolerated, e.g. a last check).
MAX_REFUSED_PER_ACTION = 2
# Amazon's Python helper makes 4 attempts, its SDK sample 5; beyond 6 it is a storm.
MAX_OUTAGE_ATTEMPTS = 6
MIN_LWA_RETRY_WAIT_S = 2 * MIN_RETRY_WAIT_S
"""AUTH-07: anything faster than 100 ms between an LWA 5xx and the next token request is no
backoff. Twice the SP-API minimum (harness.checks.retries), kept as AUTH-07 has always
published it: lowering it to 50 ms would loosen AUTH-07, which is the lead's call."""

_REAUTHORIZE = re.compile(r"re-?authori[sz]", re.IGNORECASE)
_ROTATE = re.compile(r"rotat\w*\W+(?:\w+\W+){0,3}?(?:client|secret|credential)", re.IGNORECASE)


def _texts(outcome: ActionOutcome) -> tuple[list[str], list[str]]:
    """(``action_required`` values, every message text) the action reported its failure with.

    Texts: the driver's error (a command's exit message, an exception), the result's
    ``error``/``message``, and every string of every ``errors`` entry (an entry may be a
    string, or an object with ``message``, ``code``, ``error``, ``error_description``...).
    """
    required: list[str] = []
    texts = [outcome.error or ""]
    result = outcome.result or {}
    for key in ("error", "message", "error_description"):
        value = result.get(key)
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, dict):
            texts += [str(v) for v in value.values() if isinstance(v, str)]
    errors = result.get("errors")
    for entry in errors if isinstance(errors, list) else []:
        if isinstance(entry, str):
            texts.append(entry)
        elif isinstance(entry, dict):
            if isinstance(entry.get("action_required"), str):
                required.append(entry["action_required"])
            texts += [str(v) for v in entry.values() if isinstance(v, str | int)]
    return required, [t for t in texts if t]


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def said_why(text: str, code: str, descriptions: tuple[str, ...]) -> bool:
    """Does ``text`` carry LWA's reason: its error code, or its error_description (the part
    before LWA's " : parameter" suffix, which clients often drop)?"""
    if re.search(rf"(?<![a-z0-9_]){re.escape(code)}(?![a-z0-9_])", text, re.IGNORECASE):
        return True
    said = _normal(text)
    for description in descriptions:
        core = _normal(description.split(" : ")[0])
        if len(core) >= 12 and core in said:
            return True
    return False


def flagged(
    outcome: ActionOutcome,
    kind: str,
    phrase: re.Pattern[str],
    code: str | None = None,
    descriptions: tuple[str, ...] = (),
) -> bool:
    """Did the action tell a person what to do, or why: ``action_required`` (the strongest
    form), ACORN's phrase, or LWA's own error ``code`` / error_description?"""
    required, texts = _texts(outcome)
    if kind in required:
        return True
    if any(phrase.search(text) for text in texts):
        return True
    return code is not None and any(said_why(text, code, descriptions) for text in texts)


def _descriptions(refused: list[Exchange]) -> tuple[str, ...]:
    found = []
    for e in refused:
        body = e.response_body
        if isinstance(body, dict) and isinstance(body.get("error_description"), str):
            found.append(body["error_description"])
    return tuple(dict.fromkeys(found))


def _actions(obs: Observation) -> range:
    """The actions' indexes; a synthetic observation without windows is one action."""
    return range(len(obs.action_windows) or 1)


def _group(
    exchanges: list[Exchange], owner: Callable[[Exchange], int | None]
) -> dict[int, list[Exchange]]:
    """Exchanges by the action ``owner`` gives them (-1: none)."""
    grouped: dict[int, list[Exchange]] = {}
    for e in exchanges:
        index = owner(e)
        grouped.setdefault(-1 if index is None else index, []).append(e)
    return grouped


def _outcome(obs: Observation, index: int) -> ActionOutcome | None:
    if not obs.action_windows and obs.outcomes:
        return obs.outcomes[-1]
    return obs.outcomes[index] if 0 <= index < len(obs.outcomes) else None


def _refusal_judge(
    error: str, kind: str, phrase: re.Pattern[str], what: str
) -> Callable[[Observation], Judgement]:
    def judge(obs: Observation) -> Judgement:
        refused = [e for e in obs.lwa() if e.error_code() == error]
        if not refused:
            return Judgement(
                None,
                f"LWA never answered {error} in this scenario; a token request LWA refuses "
                f"with {error} inside an action would make this provable.",
            )
        descriptions = _descriptions(refused)
        judged = 0
        problems: list[str] = []
        evidence: list[str] = []
        worst = 0
        judged_actions: set[int | None] = set()
        for index in _actions(obs):
            # Its result can only react to refusals answered while it ran; every refusal
            # it owns (a late retry too) counts against the bound.
            here = [e for e in refused if obs.in_action(e, index, during=True)]
            if not here:
                continue
            owned = [e for e in refused if obs.in_action(e, index)]
            first = here[0]
            judged += 1
            judged_actions.add(index)
            outcome = _outcome(obs, index)
            name = outcome.action if outcome else "the action"
            worst = max(worst, len(owned))
            evidence += [e.summary() for e in owned[:3]]
            if len(owned) > MAX_REFUSED_PER_ACTION:
                problems.append(
                    f"{name} (action {index + 1}) asked LWA {len(owned)} times although the "
                    f"first answer, {error}, was final"
                )
            calls = [e for e in obs.sp_api() if e.seq > first.seq and obs.in_action(e, index)]
            if calls:
                evidence += [e.summary() for e in calls[:3]]
                problems.append(
                    f"{name} (action {index + 1}) went on to make {len(calls)} SP-API call(s) "
                    "without a usable token"
                )
            if outcome is None:
                problems.append(
                    f"action {index + 1} left no result, so nobody learns that a person must act"
                )
            elif outcome.ok:
                problems.append(
                    f"{name} (action {index + 1}) reported ok: true, so nobody learns that a "
                    "person must act"
                )
            elif not flagged(outcome, kind, phrase, error, descriptions):
                problems.append(
                    f"{name} (action {index + 1}) failed without saying '{what}' or LWA's "
                    f"{error} (errors: {_errors_text(outcome)})"
                )
        outside = [e for e in refused if obs.action_during(e) is None and obs.action_windows]
        late = [e for e in outside if obs.action_of(e) not in judged_actions]
        if len(late) > MAX_REFUSED_PER_ACTION:
            problems.append(f"{len(late)} refused token requests between actions")
        metrics: dict[str, Any] = {
            "refused_token_requests": len(refused),
            "max_refused_in_one_action": worst,
        }
        if not problems and not judged:
            return Judgement(
                None,
                f"LWA answered {error} only between actions, so no action's reaction to it "
                "was observed; a refusal inside an action would make this provable.",
                evidence + [e.summary() for e in refused[:3]],
                metrics,
            )
        if problems:
            return Judgement(
                False,
                f"LWA answered {error} ({len(refused)} time(s)): " + "; ".join(problems[:6]) + ".",
                evidence,
                metrics,
            )
        return Judgement(
            True,
            f"After LWA answered {error}, each action stopped at once and reported the "
            f"failure with its reason (action_required, '{what}', or LWA's {error} or its "
            f"description; {len(refused)} refused token request(s) in all).",
            evidence,
            metrics,
        )

    return judge


def _errors_text(outcome: ActionOutcome) -> str:
    errors = (outcome.result or {}).get("errors")
    if not isinstance(errors, list) or not errors:
        return outcome.error or "none"
    first = errors[0]
    return str(first.get("message") if isinstance(first, dict) else first)[:160]


AUTH_05 = Check(
    id="AUTH-05",
    title="Stops and asks for re-authorization on invalid_grant",
    area="Auth",
    severity="critical",
    requirement="When LWA answers invalid_grant (refresh token revoked or expired), stop "
    "calling, do not retry, and report the failure with its reason (LWA's invalid_grant or "
    "its description, 're-authorization needed', or action_required = reauthorize).",
    why="A seller's authorization is revoked, or lapses after 365 days, on a day nobody "
    "watches. Retrying cannot fix it; only the seller can, by authorizing the app again. A "
    "connector that retries hammers LWA, and one that stays quiet leaves orders unsynced for "
    "days while everything looks green.",
    remediation="Treat invalid_grant as final: stop the run, raise a distinct "
    "'re-authorization needed' error (errors[].action_required = \"reauthorize\") that reaches "
    "a person, and send the seller the consent link.",
    judge=_refusal_judge("invalid_grant", "reauthorize", _REAUTHORIZE, "re-authorization needed"),
    needs=("sync_orders",),
    brief="`invalid_grant`: stop, report why (LWA's `invalid_grant` or its description, "
    '"re-authorization needed", or `action_required`), no retry storm.',
).register()

AUTH_06 = Check(
    id="AUTH-06",
    title="Stops and asks for credential rotation on invalid_client",
    area="Auth",
    severity="critical",
    requirement="When LWA answers invalid_client (client secret rotated or expired), stop "
    "calling, do not retry, and report the failure with its reason (LWA's invalid_client or "
    "its description, 'rotate client credentials', or action_required = "
    "rotate_client_credentials).",
    why="LWA client secrets must be rotated every 180 days; an expired or wrongly rotated "
    "secret stops every seller's sync at once. Retrying only adds load; the fix is deploying "
    "the new secret, and someone must be told.",
    remediation="Treat invalid_client (HTTP 401 from LWA) as final: stop, report 'rotate "
    'client credentials\' (errors[].action_required = "rotate_client_credentials"), alert the '
    "operator, and load the new secret without a code change.",
    judge=_refusal_judge(
        "invalid_client", "rotate_client_credentials", _ROTATE, "rotate client credentials"
    ),
    needs=("sync_orders",),
    brief="`invalid_client`: stop, report why (LWA's `invalid_client` or its description, "
    '"rotate client credentials", or `action_required`), no retry storm.',
).register()


def _judge_lwa_outage(obs: Observation) -> Judgement:
    lwa = obs.lwa()
    failures = [e for e in lwa if 500 <= e.status < 600]
    if not failures:
        return Judgement(None, "LWA never failed with a 5xx in this scenario.")
    problems: list[str] = []
    evidence: list[str] = []
    tight: list[tuple[Exchange, Exchange, float]] = []
    for failure in failures:
        following = next((x for x in lwa if x.seq > failure.seq), None)
        if following is None:
            continue
        gap = following.wall - answered_at(failure)
        if gap < MIN_LWA_RETRY_WAIT_S:
            tight.append((failure, following, gap))
    if tight:
        f, n, gap = tight[0]
        problems.append(
            f"{len(tight)} retr{'y' if len(tight) == 1 else 'ies'} followed a 5xx within "
            f"{MIN_LWA_RETRY_WAIT_S * 1000:.0f} ms (first: {gap * 1000:.0f} ms after "
            f"{f.request_id}): no backoff"
        )
        evidence += [f.summary(), n.summary()]
    longest = run = 0
    for e in lwa:
        run = run + 1 if 500 <= e.status < 600 else 0
        longest = max(longest, run)
    # The bound counts all an action's traffic (a late retry too); whether it gave up or
    # reported success is judged on what was answered while it ran.
    owned = _group(lwa, obs.action_of)
    per_action = _group(lwa, obs.action_during)
    most = max(
        (sum(1 for e in group if 500 <= e.status < 600) for group in owned.values()),
        default=0,
    )
    if most > MAX_OUTAGE_ATTEMPTS:
        problems.append(
            f"{most} failed token requests in one action: retries are not bounded "
            f"(at most {MAX_OUTAGE_ATTEMPTS})"
        )
    for index, group in sorted(per_action.items()):
        if index < 0:
            continue
        if len(group) == 1 and 500 <= group[0].status < 600:
            problems.append(f"action {index + 1} gave up after one 5xx without a single retry")
            evidence.append(group[0].summary())
        outcome = obs.outcomes[index] if index < len(obs.outcomes) else None
        if outcome is not None and outcome.ok and 500 <= group[-1].status < 600:
            problems.append(
                f"{outcome.action} (action {index + 1}) reported success although LWA never "
                "gave it a token"
            )
    recovered = [e for e in lwa if e.status == 200 and e.seq > failures[0].seq]
    metrics = {
        "lwa_failures": len(failures),
        "max_failures_in_one_action": most,
        "longest_failure_run": longest,
        "retries_without_backoff": len(tight),
        "recovered": bool(recovered),
    }
    gaps = []
    for failure in failures:
        nxt = next((x for x in lwa if x.seq > failure.seq), None)
        if nxt is not None:
            gaps.append(f"{nxt.wall - answered_at(failure):.2f}s")
    if not problems and not gaps:
        return Judgement(
            None,
            f"LWA failed {len(failures)} time(s) with 5xx, but no action was seen reacting "
            "(no retry, no result inside an action's window); an outage inside an action "
            "would make this provable.",
            [e.summary() for e in failures[:6]],
            metrics,
        )
    if problems:
        return Judgement(
            False,
            f"LWA failed {len(failures)} time(s) with 5xx: " + "; ".join(problems[:5]) + ".",
            evidence + [e.summary() for e in failures[:6]],
            metrics,
        )
    return Judgement(
        True,
        f"After {len(failures)} LWA 5xx answer(s) the integration waited before each retry "
        f"({', '.join(gaps[:6])}) and never made more than {most} attempts in one action"
        + ("; it got a token once LWA recovered." if recovered else "."),
        [e.summary() for e in failures[:6]] + [e.summary() for e in recovered[:2]],
        metrics,
    )


AUTH_07 = Check(
    id="AUTH-07",
    title="Retries LWA outages with bounded backoff",
    area="Auth",
    severity="normal",
    requirement="On LWA 500 server_error / 503 temporarily_unavailable: retry with a growing "
    f"delay (>= {MIN_LWA_RETRY_WAIT_S * 1000:.0f} ms), at most {MAX_OUTAGE_ATTEMPTS} attempts per "
    "action, then stop and report the failure.",
    why="LWA has short outages. Giving up at the first 503 loses a whole sync run; retrying "
    "in a tight loop turns thousands of connectors into a flood that prolongs the outage.",
    remediation="Retry only server_error/temporarily_unavailable (and network errors) with "
    "exponential backoff and jitter (e.g. 0.25 s, 0.5 s, 1 s, 2 s), cap the attempts, then "
    "fail the action with a clear 'LWA unavailable' error.",
    judge=_judge_lwa_outage,
    needs=("sync_orders",),
    brief="LWA 500/503: retry with backoff, at most 6 attempts per action.",
).register()
