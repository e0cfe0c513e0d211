"""The journal as a file: JSON Lines that ``acorn serve --journal`` writes and ``acorn judge``
reads, so traffic ACORN did not drive can be judged after the fact (observe mode).

Line 1 is a header naming the format and its version; then one object per line, each with a
``type``: ``exchange`` (an :class:`Exchange`, masked exactly as the in-memory journal is,
because it is that journal's record), ``reset`` (a fresh world starts: the lines after it are
judged on their own) and ``settings`` (the clock and usage plans of the world so far, which
throttling verdicts state). Each line is flushed as it is written: the file is usable while
the simulator runs and after it is killed.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from harness.errors import AcornUsageError
from harness.sim.journal import Exchange, TokenUse

__all__ = ["FORMAT", "VERSION", "JournalWriter", "Segment", "exchange_from_dict", "read_journal"]

FORMAT = "acorn-journal"
VERSION = 1
_FIX = (
    "give a file that `acorn serve --journal FILE` wrote (its first line is "
    f'{{"format": "{FORMAT}", "version": {VERSION}, ...}}), or GET /__acorn/journal from a '
    "running `acorn serve` and save it"
)


class JournalWriter:
    """Appends journal lines to a file, one flushed line per record (thread-safe)."""

    def __init__(self, path: Path, *, scenario: str | None, settings: dict[str, Any]) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file: IO[str] = path.open("w", encoding="utf-8")
        except OSError as exc:
            raise AcornUsageError(
                f"cannot write the journal file {path}: {exc.strerror or exc}",
                fix="give --journal a path in a writable folder",
            ) from None
        self._write(
            {"format": FORMAT, "version": VERSION, "scenario": scenario, "settings": settings}
        )

    def exchange(self, exchange: Exchange) -> None:
        self._write({"type": "exchange", **exchange.to_dict()})

    def event(self, kind: str, **data: Any) -> None:
        self._write({"type": kind, **data})

    def _write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, default=_plain, ensure_ascii=False)
        with self._lock:
            if self._file.closed:
                return
            self._file.write(line + "\n")
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            self._file.close()


def _plain(value: Any) -> Any:
    """JSON for what the journal holds besides JSON types (sets, frozensets, tuples)."""
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


@dataclass
class Segment:
    """One world's traffic: from the header or a reset to the next reset."""

    scenario: str | None
    settings: dict[str, Any] = field(default_factory=dict)
    exchanges: list[Exchange] = field(default_factory=list)
    source: str = ""


def exchange_from_dict(data: dict[str, Any]) -> Exchange:
    fields = {k: v for k, v in data.items() if k != "type"}
    token = fields.get("token")
    fields["token"] = TokenUse(**token) if isinstance(token, dict) else None
    return Exchange(**fields)


def read_journal(path: Path) -> list[Segment]:
    """The worlds recorded in ``path``; anything that is not ACORN's journal is refused."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise AcornUsageError(f"no journal file {path}", fix=_FIX) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AcornUsageError(f"cannot read the journal file {path}: {exc}", fix=_FIX) from None
    header = _header(path, lines[0] if lines else "")
    segment = Segment(header.get("scenario"), dict(header.get("settings") or {}), source=str(path))
    segments = [segment]
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            kind = record.get("type")
            if kind == "exchange":
                segment.exchanges.append(exchange_from_dict(record))
            elif kind == "reset":
                segment = Segment(
                    record.get("scenario"), dict(record.get("settings") or {}), source=str(path)
                )
                segments.append(segment)
            elif kind == "settings":
                segment.settings.update(record.get("settings") or {})
        except (ValueError, TypeError, AttributeError) as exc:
            if number == len(lines):  # the last line of a killed writer may be cut off
                break
            raise AcornUsageError(
                f"{path}, line {number}: not a journal record ({type(exc).__name__})",
                fix="record the traffic again with `acorn serve --journal FILE`; journal "
                "files are written by ACORN and not meant to be edited",
            ) from None
    return [s for s in segments if s.exchanges]


def _header(path: Path, first: str) -> dict[str, Any]:
    try:
        header = json.loads(first) if first.strip() else None
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise AcornUsageError(
            f"{path} is not an ACORN journal: its first line is not the "
            f"{FORMAT!r} header with a format version",
            fix=_FIX,
        )
    version = header.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise AcornUsageError(
            f"{path} is an ACORN journal of format version {version!r}; this ACORN reads "
            f"version {VERSION}",
            fix="judge it with the ACORN version that recorded it, or upgrade ACORN",
        )
    return header
