"""FEED-01's second half: after a processing report, re-submit the corrected messages only.

A JSON_LISTINGS_FEED that ends DONE may still have rejected some of its messages; the only
trace is the processing report. A ready integration corrects what it can (a required attribute
the seller's product data has but the message lacked) and sends ONE follow-up feed with just
those messages: feeds are scarce (createFeed 0.0083/s; JSON_LISTINGS_FEED 5 per 5 minutes per
region), re-sending accepted messages re-applies old data, and re-sending a rejected message
unchanged only earns the same rejection.

Everything here is read from the journal: createFeed (202) names its input document, the
presigned upload (``s3:PUT``) carries that document's messages, and the getFeed that first sees
DONE carries the report's rejected messages in its facts (the simulator's record of the report).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from harness.checks.facts import facts_of
from harness.checks.model import Observation
from harness.drive.base import ActionOutcome
from harness.sim.journal import Exchange

__all__ = ["FeedTrace", "feed_traces", "judge_resubmission"]


@dataclass
class FeedTrace:
    """One feed as the journal saw it: its creation, its uploaded messages, its end."""

    feed_id: str
    created: Exchange
    upload: Exchange | None
    messages: list[dict[str, Any]]
    done: Exchange | None  # the first getFeed answering DONE (facts: rejected messages)

    def rejected(self) -> list[tuple[int, str]] | None:
        if self.done is None:
            return None
        return [
            (int(r.get("messageId", 0)), str(r.get("sku", "")))
            for r in facts_of(self.done).rejected
            if isinstance(r, dict)
        ]


def _messages(upload: Exchange | None) -> list[dict[str, Any]]:
    body = upload.request_body if upload is not None else None
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return []
    found = body.get("messages") if isinstance(body, dict) else None
    return [m for m in found or [] if isinstance(m, dict)]


def feed_traces(exchanges: list[Exchange]) -> list[FeedTrace]:
    """Every feed created (202), in order, with the document uploaded for it."""
    uploads: dict[str, Exchange] = {}
    traces: dict[str, FeedTrace] = {}
    for e in exchanges:
        if e.operation == "s3:PUT" and e.status == 200 and facts_of(e).document:
            uploads[str(facts_of(e).document)] = e  # the last upload before createFeed counts
        elif e.operation == "createFeed" and e.status == 202 and facts_of(e).feed_id:
            body = e.request_body if isinstance(e.request_body, dict) else {}
            upload = uploads.get(str(body.get("inputFeedDocumentId", "")))
            feed_id = str(facts_of(e).feed_id)
            traces[feed_id] = FeedTrace(feed_id, e, upload, _messages(upload), None)
        elif e.operation == "getFeed" and e.status == 200 and facts_of(e).status == "DONE":
            trace = traces.get(facts_of(e).feed_id or "")
            if trace is not None and trace.done is None:
                trace.done = e
    return list(traces.values())


def _key(message: dict[str, Any]) -> str:
    """A message's content without its messageId (a follow-up feed numbers from 1 again)."""
    return json.dumps({k: v for k, v in message.items() if k != "messageId"}, sort_keys=True)


def _name(message: dict[str, Any]) -> str:
    return f"{message.get('sku', '?')} (message {message.get('messageId', '?')})"


class _Original:
    """The first feed of an action, split into the messages its report accepted and rejected."""

    def __init__(self, trace: FeedTrace, want: dict[str, Any]) -> None:
        outcome = trace.rejected()
        if outcome is not None:
            ids = {m for m, _ in outcome}
        else:  # never polled to DONE: fall back on what the scenario's report holds
            wanted = set(want.get("rejected_skus") or [])
            ids = {int(m.get("messageId", 0)) for m in trace.messages if m.get("sku") in wanted}
        self.rejected = [m for m in trace.messages if int(m.get("messageId", 0)) in ids]
        self.accepted = [m for m in trace.messages if int(m.get("messageId", 0)) not in ids]
        self.rejected_skus = {str(m.get("sku")) for m in self.rejected}
        self.accepted_only = {str(m.get("sku")) for m in self.accepted} - self.rejected_skus
        self.accepted_keys = {_key(m) for m in self.accepted}
        self.rejected_keys = {_key(m) for m in self.rejected}
        self._by_key = {_key(m): m for m in trace.messages}

    def name(self, message: dict[str, Any]) -> str:
        """A re-sent message named as in the first feed (a follow-up numbers from 1 again)."""
        return _name(self._by_key.get(_key(message), message))


def _resent_problems(
    label: str, original: _Original, follow_ups: list[FeedTrace], fixable: set[str]
) -> tuple[list[str], set[str], dict[str, int]]:
    """What the follow-up feeds carried: duplicates, unchanged copies, corrections."""
    resent = [m for t in follow_ups for m in t.messages]
    accepted_keys, accepted_only = original.accepted_keys, original.accepted_only
    duplicates = [m for m in resent if _key(m) in accepted_keys or m.get("sku") in accepted_only]
    unchanged = [m for m in resent if _key(m) in original.rejected_keys]
    known = original.rejected_keys | accepted_keys
    corrected = {
        str(m.get("sku"))
        for m in resent
        if m.get("sku") in original.rejected_skus and _key(m) not in known
    }
    problems: list[str] = []
    if fixable and not follow_ups:
        problems.append(
            f"{label}: no follow-up feed: the rejected message(s) for {', '.join(sorted(fixable))} "
            "could be corrected from the seller's product data but were never re-submitted"
        )
    if len(follow_ups) > 1:
        problems.append(
            f"{label}: {len(follow_ups)} follow-up feeds; one feed should carry every correction "
            "(JSON_LISTINGS_FEED allows 5 feeds per 5 minutes per region)"
        )
    if duplicates:
        problems.append(
            f"{label}: the follow-up re-sent {len(duplicates)} message(s) Amazon had already "
            f"accepted ({', '.join(map(original.name, duplicates[:5]))}): old data applied again"
        )
    if unchanged:
        problems.append(
            f"{label}: the follow-up re-sent rejected message(s) unchanged "
            f"({', '.join(map(original.name, unchanged[:5]))}): they can only be rejected again"
        )
    missing = sorted(fixable - corrected)
    if follow_ups and missing:
        problems.append(
            f"{label}: no corrected message for {', '.join(missing)} in the follow-up, although "
            "the seller's product data has what the marketplace asked for"
        )
    counts = {"resent_accepted": len(duplicates), "resent_unchanged": len(unchanged)}
    return problems, corrected, counts


def judge_resubmission(
    obs: Observation, index: int, run: ActionOutcome, want: dict[str, Any], label: str
) -> tuple[list[str], list[str], dict[str, int]]:
    """Problems, evidence and metrics for the feed submitted by action ``index``.

    ``want``: ``rejected_skus`` (what the report rejects) and ``fixable_skus`` (rejected
    messages the seller's product data can correct; the others must be reported as still
    rejected, not re-sent as they were).
    """
    traces = [t for t in feed_traces(obs.exchanges) if obs.in_action(t.created, index)]
    if not traces:
        return [f"{label}: no feed was created (no createFeed answered 202)"], [], {}
    first, follow_ups = traces[0], traces[1:]
    original = _Original(first, want)
    steps = (first.upload, first.created, first.done)
    evidence = [f"{label}: {e.summary()}" for e in steps if e is not None]
    for trace in follow_ups:
        steps = (trace.upload, trace.created, trace.done)
        evidence += [f"{label} follow-up: {e.summary()}" for e in steps if e is not None]
    problems, corrected, counts = _resent_problems(
        label, original, follow_ups, set(want.get("fixable_skus") or [])
    )
    rejected_again: set[str] = set()
    for trace in follow_ups:
        outcome = trace.rejected()
        if outcome is None:
            problems.append(
                f"{label}: follow-up feed {trace.feed_id} was not followed to DONE, so nobody "
                "knows whether the corrections were accepted"
            )
        else:
            rejected_again |= {sku for _, sku in outcome} & corrected
    if rejected_again:
        problems.append(
            f"{label}: the corrected message(s) for {', '.join(sorted(rejected_again))} were "
            "rejected again by the follow-up's processing report"
        )
    stayed = sorted(original.rejected_skus - (corrected - rejected_again))
    if follow_ups:
        told = sorted({str(r.get("sku")) for r in (run.result or {}).get("still_rejected") or []
                       if isinstance(r, dict)})  # fmt: skip
        if told != stayed:
            problems.append(
                f"{label}: reported still rejected {told or 'none'}, but "
                f"{stayed or 'none'} stayed rejected after the follow-up"
            )
    if run.ok and stayed:
        problems.append(f"{label}: reported ok although {', '.join(stayed)} stayed rejected")
    metrics = {"follow_up_feeds": len(follow_ups), "resubmitted": len(corrected),
               "still_rejected": len(stayed), **counts}  # fmt: skip
    return problems, evidence, metrics
