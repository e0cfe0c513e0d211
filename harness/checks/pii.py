"""PII checks: Restricted Data Tokens reused for their lifetime, and nothing leaked to logs.

PII-01 (an RDT is used at all) lives with the order checks it shares its oracle with.
"""

from __future__ import annotations

from typing import Any

from harness.checks.auth import rejected_before
from harness.checks.facts import facts_of
from harness.checks.model import Canaries, Check, Judgement, Observation
from harness.redact import TOKEN_PATTERN, encoded_forms
from harness.sim.journal import Exchange
from harness.sim.tokens import RestrictedResource

__all__ = ["PII_02", "PII_03", "scan_output"]

RDT_OPERATION = "createRestrictedDataToken"
# An RDT re-requested before half its lifetime, for resources a live one covers, is waste.
FRESH_SHARE = 0.5


def _resources(e: Exchange) -> list[RestrictedResource]:
    body = e.request_body if isinstance(e.request_body, dict) else {}
    found = []
    for raw in body.get("restrictedResources") or []:
        if isinstance(raw, dict) and raw.get("method") and raw.get("path"):
            found.append(RestrictedResource(str(raw["method"]), str(raw["path"])))
    return found


def _covered(by: list[RestrictedResource], wanted: list[RestrictedResource]) -> bool:
    def covers(r: RestrictedResource, w: RestrictedResource) -> bool:
        same_method = r.method.upper() == w.method.upper()
        return same_method and (r.path == w.path or r.covers(w.method, w.path))

    return bool(wanted) and all(any(covers(r, w) for r in by) for w in wanted)


def _redundant_rdts(obs: Observation, grants: list[Exchange]) -> list[tuple[Exchange, Exchange]]:
    found = []
    for i, grant in enumerate(grants):
        wanted = _resources(grant)
        for earlier in grants[:i]:
            lifetime = facts_of(earlier).expires_in
            if (
                earlier.endpoint == grant.endpoint
                and grant.wall - earlier.wall < FRESH_SHARE * lifetime
                and _covered(_resources(earlier), wanted)
                and not rejected_before(obs, str(facts_of(earlier).issued_token), grant.seq)
            ):
                found.append((grant, earlier))
                break
    return found


def _judge_rdt_lifetime(obs: Observation) -> Judgement:
    grants = [e for e in obs.sp_api() if e.operation == RDT_OPERATION and e.status == 200]
    if not grants:
        return Judgement(None, "No Restricted Data Token was obtained (PII-01 judges the need).")
    uses = [e for e in obs.sp_api() if e.token is not None and e.token.kind == "rdt"]
    late = [
        e
        for e in uses
        if e.token is not None
        and e.token.told_expired_at is not None
        and e.wall > e.token.told_expired_at
    ]
    redundant = _redundant_rdts(obs, grants)
    if not uses and not redundant:
        return Judgement(
            None,
            f"{len(grants)} Restricted Data Token(s) obtained but never used on a restricted "
            "call, so their reuse and renewal were not exercised; an order sync that fetches "
            "addresses with the RDT would make this provable.",
            [g.summary() for g in grants][:5],
        )
    first_expiry = min(g.wall + facts_of(g).expires_in for g in grants)
    renewed = [e for e in uses if e.wall > first_expiry and e.token and e.token.outcome == "ok"]
    metrics: dict[str, Any] = {
        "rdt_requests": len(grants),
        "rdt_uses": len(uses),
        "uses_per_rdt": round(len(uses) / len(grants), 2),
        "redundant_rdt_requests": len(redundant),
        "late_rdt_uses": len(late),
        "calls_after_first_expiry": len(renewed),
    }
    problems = []
    evidence: list[str] = []
    if redundant:
        problems.append(
            f"{len(redundant)} RDT request(s) asked for resources an RDT obtained moments before "
            "already covered (the RDT was not reused)"
        )
        evidence += [f"{g.summary()} (covered by {e.request_id})" for g, e in redundant]
    if late:
        first = late[0]
        assert first.token is not None
        problems.append(
            f"{len(late)} restricted call(s) carried an RDT after the expiresIn it came with "
            f"({first.token.expires_in}s) had run out, instead of renewing it"
        )
        evidence += [e.summary() for e in late]
    if problems:
        return Judgement(False, "; ".join(problems) + ".", evidence, metrics)
    per_token: dict[str, int] = {}
    for e in uses:
        if e.token is not None:
            per_token[e.token.id] = per_token.get(e.token.id, 0) + 1
    if not renewed and max(per_token.values(), default=0) < 2:
        return Judgement(
            None,
            f"Each of {len(grants)} RDT(s) served at most one restricted call and none was "
            "needed after the first expired, so neither reuse nor renewal was exercised; "
            "several restricted calls within an RDT's lifetime, and some after it, would make "
            "this provable.",
            [g.summary() for g in grants][:10],
            metrics,
        )
    renewal = (
        f"after the first one expired, {len(renewed)} call(s) used a renewed RDT"
        if renewed
        else "the scenario ended before the first RDT expired"
    )
    return Judgement(
        True,
        f"{len(grants)} RDT(s) served {len(uses)} restricted call(s), each within its "
        f"lifetime; {renewal}.",
        [g.summary() for g in grants][:10],
        metrics,
    )


PII_02 = Check(
    id="PII-02",
    title="Reuses a Restricted Data Token for its lifetime, renews it after",
    area="PII",
    severity="normal",
    requirement="Reuse an RDT for every restricted call it covers until its expiresIn runs "
    "out, then obtain a new one; never send an expired RDT.",
    why="createRestrictedDataToken allows 1 request per second (burst 10): an RDT per order "
    "is throttled as soon as a day has more than ten orders, and labels stop printing. An "
    "RDT used past its hour is refused with 403, and the address is missing.",
    remediation="Request one RDT for the generic path (e.g. /orders/v0/orders/{orderId}/"
    "address), cache it with obtained_at + expiresIn, reuse it for every order, and renew it "
    "shortly before it expires.",
    judge=_judge_rdt_lifetime,
    needs=("sync_orders",),
    brief="An RDT is reused for its lifetime and renewed after, never sent expired.",
).register()


def _contains(line: str, values: tuple[str, ...]) -> bool:
    for value in values:
        if len(value) < 4:
            continue
        if any(form in line for form in encoded_forms(value)):
            return True
        if value.casefold() in line.casefold():
            return True
    return False


# Canary labels that already name a token: a token-shaped match on such a line adds nothing.
_NAMED_TOKENS = frozenset({"access token", "restricted data token", "refresh token"})


def scan_output(output: dict[str, str], canaries: Canaries) -> list[tuple[str, int, list[str]]]:
    """(source, line number, what leaked) for every line that holds a canary; no values."""
    findings = []
    for source, text in output.items():
        for number, line in enumerate(text.splitlines(), start=1):
            kinds = [label for label, values in canaries.secrets.items() if _contains(line, values)]
            if TOKEN_PATTERN.search(line) and not _NAMED_TOKENS & set(kinds):
                kinds.append("LWA/RDT token")
            kinds += [label for label, values in canaries.pii.items() if _contains(line, values)]
            if kinds:
                findings.append((source, number, kinds))
    return findings


def _judge_output(obs: Observation) -> Judgement:
    if obs.canaries is None:
        return Judgement(None, "The scenario captured no canaries to scan for.")
    if not obs.output:
        return Judgement(
            None,
            "No output of the integration was captured (no stdout/stderr, no log file), so "
            "nothing could be scanned; a run through a driver that captures its output would "
            "make this provable.",
        )
    lines = sum(len(text.splitlines()) for text in obs.output.values())
    findings = scan_output(obs.output, obs.canaries)
    kinds = sorted({k for _, _, ks in findings for k in ks})
    metrics = {"lines_scanned": lines, "lines_with_leaks": len(findings), "leaked": kinds}
    if findings:
        by_source: dict[str, int] = {}
        for source, _, _ in findings:
            by_source[source] = by_source.get(source, 0) + 1
        where = ", ".join(f"{n} line(s) of {s}" for s, n in sorted(by_source.items()))
        return Judgement(
            False,
            f"The integration's own output contains {', '.join(kinds)} ({where}). The values "
            "are not repeated here.",
            [f"{source} line {number}: {', '.join(ks)}" for source, number, ks in findings],
            metrics,
        )
    sources = ", ".join(f"{s} ({len(t.splitlines())} lines)" for s, t in obs.output.items())
    return Judgement(
        True,
        f"No secret, token or buyer PII in the integration's output: {sources}"
        + (" (it wrote nothing ACORN captures)." if not lines else "."),
        [],
        metrics,
    )


PII_03 = Check(
    id="PII-03",
    title="Keeps secrets and buyer PII out of its own logs",
    area="PII",
    severity="blocker",
    requirement="The integration's stdout/stderr and the log file it declares (ACORN_LOG_FILE) "
    "contain no buyer name, street, phone or e-mail, no client secret, refresh token, access "
    "token or RDT.",
    why="Logs are copied to log services, tickets and chat, kept for months and read by many. "
    "Amazon's Data Protection Policy forbids buyer PII outside the order flow (and requires "
    "deleting it after 30 days); a logged secret or token is a leaked credential.",
    remediation="Log operation, status and request id only; never log request/response bodies, "
    "headers or the LWA form. Mask tokens (keep the 'Atza|' prefix at most) and add a log "
    "filter that drops known secret fields.",
    judge=_judge_output,
    needs=("sync_orders",),
    brief="No buyer PII, secret or token in the integration's stderr/stdout or log file.",
).register()
