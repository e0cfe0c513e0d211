"""FEED-01's re-submission judgement on synthetic journals: the cases e2e clients do not reach.

The journal shapes are the simulator's: the presigned upload (``s3:PUT``) carries the feed
document and ``facts.document``; createFeed (202) names ``inputFeedDocumentId`` and carries
``facts.feed_id``; the getFeed that sees DONE carries ``facts.rejected`` from the report.
"""

from __future__ import annotations

from typing import Any

from harness.checks import FEED_01, Observation
from harness.checks.feed_resubmit import feed_traces
from harness.drive.base import ActionOutcome
from harness.sim.journal import Exchange

WANT = {"mode": "report", "rejected_skus": ["B", "C"], "fixable_skus": ["B"]}


def _ex(seq: int, operation: str, method: str, body: Any, status: int, facts: Any) -> Exchange:
    return Exchange(seq, f"rid-{seq}", float(seq), 0.0, "EU", operation, method, "/x", {}, {},
                    body, status, {}, None, 1.0, None, facts)  # fmt: skip


def _msg(n: int, sku: str, value: str) -> dict[str, Any]:
    return {"messageId": n, "sku": sku, "operationType": "UPDATE", "productType": "LUGGAGE",
            "attributes": {"item_name": [{"value": value}]}}  # fmt: skip


ORIGINAL = [_msg(1, "A", "ok"), _msg(2, "B", "lacks dsa"), _msg(3, "C", "lacks gpsr")]
FIXED_B = _msg(1, "B", "rebuilt from the product data")


def _feed(
    seq: int, feed_id: str, messages: list[dict[str, Any]], rejected: list[tuple[int, str]] | None
) -> list[Exchange]:
    """Upload, createFeed and (unless ``rejected`` is None) the getFeed that sees DONE."""
    doc = f"doc-{feed_id}"
    out = [
        _ex(seq, "s3:PUT", "PUT", {"header": {}, "messages": messages}, 200, {"document": doc}),
        _ex(seq + 1, "createFeed", "POST", {"inputFeedDocumentId": doc}, 202, {"feed_id": feed_id}),
    ]
    if rejected is not None:
        facts = {"feed_id": feed_id, "status": "DONE",
                 "rejected": [{"messageId": m, "sku": s} for m, s in rejected]}  # fmt: skip
        out.append(_ex(seq + 2, "getFeed", "GET", None, 200, facts))
    return out


def _run(ok: bool, still: list[str]) -> ActionOutcome:
    result = {"ok": ok, "feeds": [{"status": "DONE", "rejected": [{"sku": "B"}, {"sku": "C"}]}],
              "still_rejected": [{"sku": s} for s in still]}  # fmt: skip
    return ActionOutcome("submit_feed", {}, "ok" if ok else "failed", result, None, 1.0)


def _judge(exchanges: list[Exchange], run: ActionOutcome, windows: Any = ()) -> Any:
    obs = Observation("unit", exchanges, [run], {"feeds": [WANT]}, action_windows=list(windows))
    return FEED_01.evaluate(obs)


FIRST = _feed(1, "F1", ORIGINAL, [(2, "B"), (3, "C")])


def test_the_journal_links_each_feed_to_its_uploaded_messages() -> None:
    traces = feed_traces(FIRST + _feed(10, "F2", [FIXED_B], []))
    assert [t.feed_id for t in traces] == ["F1", "F2"]
    assert traces[0].messages == ORIGINAL
    assert traces[1].messages == [FIXED_B]
    assert traces[0].rejected() == [(2, "B"), (3, "C")]
    assert traces[1].rejected() == []


def test_only_the_corrected_message_in_one_follow_up_passes() -> None:
    result = _judge(FIRST + _feed(10, "F2", [FIXED_B], []), _run(False, ["C"]))
    assert result.status == "passed", result.summary
    assert result.metrics["resubmitted"] == 1
    assert result.metrics["still_rejected"] == 1
    assert any("rid-11" in line for line in result.evidence)  # the follow-up's createFeed


def test_a_feed_of_a_later_action_is_not_a_follow_up() -> None:
    later = _feed(10, "F2", [FIXED_B], [])
    other = ActionOutcome("publish_listing", {}, "ok", {"ok": True}, None, 1.0)
    obs = Observation("unit", FIRST + later, [_run(False, ["C"]), other], {"feeds": [WANT]},
                      action_windows=[(0.0, 5.0), (9.0, 20.0)])  # fmt: skip
    result = FEED_01.evaluate(obs)
    assert result.status == "failed"
    assert "no follow-up feed: the rejected message(s) for B could be corrected" in result.summary


def test_one_follow_up_per_message_fails() -> None:
    second = _feed(20, "F3", [_msg(1, "C", "guessed")], [(1, "C")])
    result = _judge(FIRST + _feed(10, "F2", [FIXED_B], []) + second, _run(False, ["C"]))
    assert result.status == "failed"
    assert "2 follow-up feeds; one feed should carry every correction" in result.summary


def test_a_follow_up_never_seen_done_fails() -> None:
    result = _judge(FIRST + _feed(10, "F2", [FIXED_B], None), _run(False, ["C"]))
    assert "follow-up feed F2 was not followed to DONE" in result.summary


def test_a_correction_rejected_again_must_be_reported() -> None:
    exchanges = FIRST + _feed(10, "F2", [FIXED_B], [(1, "B")])
    result = _judge(exchanges, _run(False, ["C"]))
    assert "the corrected message(s) for B were rejected again" in result.summary
    assert "reported still rejected ['C'], but ['B', 'C'] stayed rejected" in result.summary


def test_reporting_ok_or_nothing_left_while_a_message_stays_rejected_fails() -> None:
    result = _judge(FIRST + _feed(10, "F2", [FIXED_B], []), _run(True, []))
    assert "reported still rejected none, but ['C'] stayed rejected" in result.summary
    assert "reported ok although C stayed rejected" in result.summary


def test_without_done_the_scenario_report_says_which_messages_were_rejected() -> None:
    # The original feed's DONE was never polled (a notification-driven client, say).
    first = _feed(1, "F1", ORIGINAL, None)
    resent = [{**ORIGINAL[0], "messageId": 1}, {**FIXED_B, "messageId": 2}]
    result = _judge(first + _feed(10, "F2", resent, []), _run(False, ["C"]))
    assert result.status == "failed"
    assert "re-sent 1 message(s) Amazon had already accepted (A (message 1))" in result.summary
    assert result.metrics["resubmitted"] == 1


def test_rejections_named_in_plain_messages_count_once_the_report_was_read() -> None:
    want = {"mode": "report", "rejected_skus": ["B", "C"]}
    download = _ex(4, "s3:GET", "GET", None, 200, {"kind": "report"})
    plain = ActionOutcome(
        "submit_feed",
        {},
        "failed",
        {"ok": False, "errors": [{"message": "B: 90220 missing dsa"}, "C rejected (gpsr)"]},
        None,
        1.0,
    )

    def judge(exchanges: list[Exchange]) -> Any:
        return FEED_01.evaluate(Observation("unit", exchanges, [plain], {"feeds": [want]}))

    assert judge([*FIRST, download]).status == "passed"
    # The same words without the processing report on the wire are an echo, not a report.
    unread = judge(FIRST)
    assert unread.status == "failed"
    assert "reported rejected SKUs none" in unread.summary
