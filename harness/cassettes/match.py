"""Which recorded answer a request gets: configurable matchers, ordered repeats, near misses.

A request matches an entry when every matcher in :attr:`MatchPolicy.on` agrees (method,
endpoint, path, query, body). Several entries can match the same request (a feed polled until
DONE): they are served in recorded order, and once exhausted the last one repeats, so polling
past the end of the recording sees the final state rather than an error.

The incoming request is scrubbed with the same rules as the recording before it is compared
(its tokens masked, ids left as the integration sent them), so secrets never need to match.
On a miss :class:`Miss` lists the nearest entries and, for each, what differs.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from harness.cassettes.format import Cassette, Interaction
from harness.errors import AcornUsageError

__all__ = ["DEFAULT_MATCH_ON", "MATCHERS", "MatchPolicy", "Miss", "Player", "Probe", "probe"]

MATCHERS = ("method", "endpoint", "path", "query", "body")
DEFAULT_MATCH_ON = MATCHERS
_MASKED_TOKEN = re.compile(r"(Atz(?:a|r|\.sprdt)\|\*\*\*)[0-9a-f]{8}")


@dataclass(frozen=True)
class MatchPolicy:
    on: tuple[str, ...] = DEFAULT_MATCH_ON
    ignore_query: frozenset[str] = frozenset()
    """Query parameters left out of the comparison (e.g. a CreatedAfter computed from now)."""
    ignore_body: frozenset[str] = frozenset({"client_id"})
    """Top-level JSON or form keys left out of the body comparison. The LWA ``client_id`` is
    by default: a replay is run with other (test) credentials than the recording."""
    repeat_last: bool = True

    @classmethod
    def parse(
        cls,
        on: Iterable[str] | None = None,
        ignore_query: Iterable[str] = (),
        ignore_body: Iterable[str] = (),
    ) -> MatchPolicy:
        chosen = tuple(dict.fromkeys(m.strip() for m in (on or DEFAULT_MATCH_ON) if m.strip()))
        unknown = [m for m in chosen if m not in MATCHERS]
        if unknown or not chosen:
            raise AcornUsageError(
                f"unknown matcher(s) {', '.join(unknown) or '(none given)'}",
                where="--match-on",
                fix=f"choose among {', '.join(MATCHERS)} (comma-separated)",
            )
        return cls(chosen, frozenset(ignore_query), frozenset({"client_id", *ignore_body}))


@dataclass(frozen=True)
class Probe:
    """A request reduced to what matchers compare (already scrubbed)."""

    method: str
    endpoint: str | None
    path: str
    query: tuple[tuple[str, tuple[str, ...]], ...]
    body: str

    def show(self) -> str:
        query = "&".join(f"{k}={','.join(v)}" for k, v in self.query)
        return f"{self.endpoint or '*'} {self.method} {self.path}" + (f"?{query}" if query else "")


def _canon_body(body: str | None, ignore: frozenset[str]) -> str:
    if not body:
        return ""
    text = _MASKED_TOKEN.sub(r"\1", body)
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if data is not None:
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k not in ignore}
        return json.dumps(data, sort_keys=True, separators=(",", ":"))
    if "=" in text and " " not in text:
        pairs = sorted(
            (k, v) for k, v in parse_qsl(text, keep_blank_values=True) if k not in ignore
        )
        return "&".join(f"{k}={v}" for k, v in pairs)
    return text


def probe(
    method: str,
    endpoint: str | None,
    path: str,
    query: str,
    body: str | None,
    policy: MatchPolicy,
) -> Probe:
    grouped: dict[str, list[str]] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key not in policy.ignore_query:
            # Arrays go comma-separated or as repeated keys; both compare the same.
            grouped.setdefault(key, []).extend(value.split(","))
    return Probe(
        method=method.upper(),
        endpoint=endpoint,
        path=_MASKED_TOKEN.sub(r"\1", unquote(path).rstrip("/") or "/"),
        query=tuple(sorted((k, tuple(v)) for k, v in grouped.items())),
        body=_canon_body(body, policy.ignore_body),
    )


def _differences(recorded: Probe, sent: Probe, on: tuple[str, ...]) -> list[str]:
    out = []
    if "method" in on and recorded.method != sent.method:
        out.append(f"method: recorded {recorded.method}, sent {sent.method}")
    if (
        "endpoint" in on
        and recorded.endpoint is not None
        and sent.endpoint is not None
        and recorded.endpoint != sent.endpoint
    ):
        out.append(f"endpoint: recorded {recorded.endpoint}, sent to {sent.endpoint}")
    if "path" in on and recorded.path != sent.path:
        out.append(f"path: recorded {recorded.path}, sent {sent.path}")
    if "query" in on and recorded.query != sent.query:
        rec, got = dict(recorded.query), dict(sent.query)
        for key in sorted(set(rec) | set(got)):
            if rec.get(key) != got.get(key):
                out.append(
                    f"query {key}: recorded {_show(rec.get(key))}, sent {_show(got.get(key))}"
                )
    if "body" in on and recorded.body != sent.body:
        out.append(f"body: recorded {_clip(recorded.body)}, sent {_clip(sent.body)}")
    return out


def _show(values: tuple[str, ...] | None) -> str:
    return "(absent)" if values is None else ",".join(values) or "''"


def _clip(text: str) -> str:
    return (text[:117] + "...") if len(text) > 120 else (text or "(empty)")


@dataclass(frozen=True)
class Near:
    index: int
    request: str
    differences: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"entry": self.index, "request": self.request, "differs": self.differences}


@dataclass(frozen=True)
class Miss:
    """No entry matched; the nearest ones and how they differ (journal facts, CLI output)."""

    request: str
    nearest: list[Near] = field(default_factory=list)

    def explain(self) -> str:
        lines = [f"no recorded answer for {self.request}"]
        if not self.nearest:
            lines.append("  the cassette records nothing on this endpoint")
        for near in self.nearest:
            lines.append(f"  nearest: entry {near.index} {near.request}")
            lines += [f"    differs in {d}" for d in near.differences]
        return "\n".join(lines)


class Player:
    """Serves a cassette's entries for incoming probes; thread-safe."""

    def __init__(self, cassette: Cassette, policy: MatchPolicy | None = None) -> None:
        self.cassette = cassette
        self.policy = policy or MatchPolicy()
        self._probes = [self.probe_of(item) for item in cassette.interactions]
        self._played: dict[int, int] = {}
        self._lock = threading.Lock()

    def probe_of(self, item: Interaction) -> Probe:
        req = item.request
        return probe(req.method, item.endpoint, req.path, req.query_string, req.body, self.policy)

    def rewind(self) -> None:
        with self._lock:
            self._played.clear()

    @property
    def played(self) -> dict[int, int]:
        with self._lock:
            return dict(self._played)

    def _matches(self, recorded: Probe, sent: Probe) -> bool:
        return not _differences(recorded, sent, self.policy.on)

    def play(self, sent: Probe) -> tuple[int, Interaction] | Miss:
        with self._lock:
            candidates = [i for i, p in enumerate(self._probes) if self._matches(p, sent)]
            if candidates:
                fresh = [i for i in candidates if self._played.get(i, 0) == 0]
                if fresh:
                    chosen = fresh[0]
                elif self.policy.repeat_last:
                    chosen = candidates[-1]
                else:
                    return Miss(sent.show() + " (every recorded answer already played)")
                self._played[chosen] = self._played.get(chosen, 0) + 1
                return chosen, self.cassette.interactions[chosen]
        return self._miss(sent)

    def _miss(self, sent: Probe, limit: int = 3) -> Miss:
        scored = []
        for index, recorded in enumerate(self._probes):
            if (
                recorded.endpoint is not None
                and sent.endpoint is not None
                and (recorded.endpoint == "LWA") != (sent.endpoint == "LWA")
            ):
                continue
            diffs = _differences(recorded, sent, MATCHERS)
            # Same method and path first, then fewest differences, then recorded order.
            rank = (recorded.method != sent.method, recorded.path != sent.path, len(diffs), index)
            scored.append((rank, Near(index, recorded.show(), diffs)))
        scored.sort(key=lambda pair: pair[0])
        return Miss(sent.show(), [near for _, near in scored[:limit]])
