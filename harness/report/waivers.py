"""Accepted risks: a failed check the business chose to ship with, owned, ticketed and dated.

A waiver never turns "unknown" into "fine": it covers a check that *failed* (ACORN saw the
problem and someone with a name accepted it until a date). It does not cover a check that
was not proven (skipped): "not proven is not GO", and nobody can accept a risk nobody saw.
A waiver that is expired, malformed, or does not match what the run found never counts and
is reported itself ("waiver problems"), so a reviewer sees it; the rest of the run is reported
as usual and the verdict is decided without it. Only a waivers file ACORN cannot read at all
(missing, not TOML) stops the run before it starts (exit 2), because then nothing the user
meant to accept is known.

The file (``acorn run --waivers FILE`` or ``waivers = "FILE"`` in the integration's
acorn.toml)::

    [[waiver]]
    check = "THR-03"             # the check id
    marketplace = "DE"           # optional: only this marketplace's failure
    reason = "Retry-After handling ships in 2.4"
    owner = "Jane Doe"
    ticket = "OPS-1234"
    expiry = 2026-03-31          # a TOML date; the waiver counts through that day
    approved_by = "CISO"         # required when the check is a blocker
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from harness.checks import CheckResult
from harness.errors import ConfigError, suggest

__all__ = ["Waiver", "WaiverSet", "load_waivers", "parse_waivers"]

_REQUIRED = ("check", "reason", "owner", "ticket", "expiry")
_KEYS = frozenset({*_REQUIRED, "marketplace", "approved_by"})
_TABLE = "waiver"
MAX_WAIVER_BYTES = 1_000_000


@dataclass(frozen=True)
class Waiver:
    check: str
    reason: str
    owner: str
    ticket: str
    expiry: date
    approved_by: str | None = None
    marketplace: str | None = None
    """A country code (``DE``) when the waiver covers one marketplace's failure only."""
    entry: int = 0
    """1-based position in the file, so a problem names the entry."""

    def text(self) -> str:
        """ "waived by OWNER until DATE: reason": the one sentence every format shows."""
        where = f" in {self.marketplace}" if self.marketplace else ""
        return f"waived{where} by {self.owner} until {self.expiry.isoformat()}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "marketplace": self.marketplace,
            "owner": self.owner,
            "ticket": self.ticket,
            "expiry": self.expiry.isoformat(),
            "reason": self.reason,
            "approved_by": self.approved_by,
            "text": self.text(),
            "entry": self.entry,
        }


@dataclass
class WaiverSet:
    """The waivers of one file that may count, and what is wrong with the others."""

    source: str = ""
    waivers: list[Waiver] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    countries: tuple[str, ...] = ()
    """Every country code a failure may name (to confine a marketplace waiver)."""

    def waiver_for(self, result: CheckResult) -> Waiver | None:
        """The waiver that covers ``result``, or None. Only a failure is ever waived.

        A waiver naming a marketplace covers a failure only when every marketplace the
        failure names (in its summary and evidence) is waived: a DE
        waiver never hides a failure that also hits US."""
        if result.status != "failed":
            return None
        mine = [w for w in self.waivers if w.check == result.id]
        whole = next((w for w in mine if w.marketplace is None), None)
        if whole is not None:
            return whole
        scoped = {w.marketplace: w for w in mine if w.marketplace}
        if not scoped:
            return None
        hit = marketplaces_named(result, self.countries)
        if hit and hit <= set(scoped):
            return scoped[sorted(hit)[0]]
        return None

    def apply(self, results: Sequence[CheckResult]) -> list[CheckResult]:
        """Each failure a waiver covers becomes ``waived``, carrying the waiver; the rest as is."""
        out = []
        for r in results:
            w = self.waiver_for(r)
            out.append(replace(r, status="waived", waiver=w.to_dict()) if w is not None else r)
        return out

    def report(self, results: Sequence[CheckResult]) -> dict[str, Any]:
        """applied / unused / problems of results :meth:`apply` has marked."""
        by_id = {r.id: r for r in results}
        applied = [r.waiver for r in results if r.status == "waived" and r.waiver is not None]
        unused: list[dict[str, Any]] = []
        problems = list(self.problems)
        entries = {a.get("entry") for a in applied}
        used = {w for w in self.waivers if w.entry in entries}
        for w in self.waivers:
            if w in used:
                continue
            found = by_id.get(w.check)
            if found is not None and found.status == "skipped":
                problems.append(
                    f"{self._at(w)}: {w.check} was not proven (not exercised), and a waiver "
                    "covers only a failure ACORN saw: not proven is not GO. Make the check "
                    "provable (see its summary) instead of waiving it."
                )
                continue
            why = {
                None: "the check is not in this run",
                "passed": "the check passed: the waiver can be removed",
                "not_applicable": "the check is out of the integration's scope",
                "error": "the check could not be judged",
                "failed": f"the failure is not confined to {w.marketplace}"
                if w.check not in {u.check for u in used}
                else "another waiver of this check applies",
                "waived": "another waiver of this check applies",
            }[found.status if found is not None else None]
            unused.append({**w.to_dict(), "why_unused": why})
        return {"file": self.source, "applied": applied, "unused": unused, "problems": problems}

    def _at(self, w: Waiver) -> str:
        return f"{self.source or 'waivers'} waiver #{w.entry}"


def marketplaces_named(result: CheckResult, countries: Iterable[str]) -> set[str]:
    """The country codes of ``countries`` a failure names as whole words."""
    text = " ".join([result.summary, *result.evidence])
    return {c for c in countries if re.search(rf"(?<![A-Za-z0-9]){re.escape(c)}(?![A-Za-z])", text)}


def load_waivers(
    path: Path,
    *,
    today: date | None = None,
    check_ids: Mapping[str, str] | None = None,
    countries: Mapping[str, str] | None = None,
) -> WaiverSet:
    """Read a waivers file. Unreadable or not TOML: ConfigError (exit 2, naming file and line).
    Anything else wrong is a problem of the returned set, reported with the run's results."""
    try:
        size = path.stat().st_size
        if size > MAX_WAIVER_BYTES:
            raise ConfigError(
                f"the waivers file is {size:,} bytes; a waivers file is far smaller",
                where=str(path),
                fix="point --waivers at the right file",
            )
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"the waivers file {path} does not exist",
            fix="give the path of an existing waivers.toml (--waivers, or waivers in acorn.toml)",
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"not UTF-8 text (byte {exc.start})", where=str(path), fix="save the file as UTF-8"
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"cannot read the waivers file {path}: {exc.strerror or exc}",
            fix="check the path and its permissions",
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"not valid TOML: {exc}",
            where=str(path),
            fix="correct the TOML syntax there (see README, Accepted risks)",
        ) from None
    return parse_waivers(
        data, source=str(path), today=today, check_ids=check_ids, countries=countries
    )


def _known_checks() -> dict[str, str]:
    from harness.checks import ALL_CHECKS

    return {c.id: c.severity for c in ALL_CHECKS}


def _known_countries() -> dict[str, str]:
    """Country code and marketplace id -> country code (UK means GB, as sellers say)."""
    from harness.contracts import load_marketplaces

    out = {"UK": "GB"}
    for m in load_marketplaces():
        out[m.country.upper()] = m.country.upper()
        out[m.id.upper()] = m.country.upper()
    return out


def parse_waivers(
    data: Mapping[str, Any],
    *,
    source: str = "waivers",
    today: date | None = None,
    check_ids: Mapping[str, str] | None = None,
    countries: Mapping[str, str] | None = None,
) -> WaiverSet:
    """Validate each ``[[waiver]]``; ``today`` is injectable so expiry is testable."""
    today = today or date.today()
    checks = dict(check_ids) if check_ids is not None else _known_checks()
    known = countries if countries is not None else _known_countries()
    out = WaiverSet(source=source, countries=tuple(sorted(set(known.values()))))
    for key in data:
        if key != _TABLE:
            out.problems.append(
                f"{source}: unknown key {key!r}; {suggest(key, {_TABLE})}each waiver is a "
                "[[waiver]] table. Nothing under it counts."
            )
    entries = data.get(_TABLE, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        out.problems.append(f"{source}: 'waiver' must be [[waiver]] tables; none counts.")
        return out
    for number, entry in enumerate(entries, start=1):
        errors: list[str] = []
        at = f"{source} waiver #{number}"
        check = entry.get("check")
        if isinstance(check, str) and check:
            at += f" ({check})"
        for key in entry:
            if key not in _KEYS:
                errors.append(f"unknown key {key!r}; {suggest(key, _KEYS)}known: {_list(_KEYS)}")
        for key in _REQUIRED:
            if key not in entry:
                errors.append(f"{key} is missing")
        for key in ("check", "reason", "owner", "ticket", "marketplace", "approved_by"):
            value = entry.get(key)
            if key in entry and (not isinstance(value, str) or not value.strip()):
                errors.append(f"{key} must be a non-empty string, not {value!r}")
        if isinstance(check, str) and check.strip() and check not in checks:
            errors.append(
                f"no check {check!r}; {suggest(check.upper(), checks)}the checks are "
                f"{_list(checks)}"
            )
        expiry = entry.get("expiry")
        if "expiry" in entry and (not isinstance(expiry, date) or hasattr(expiry, "hour")):
            errors.append(
                f"expiry must be a TOML date such as 2026-03-31 (no quotes), not {expiry!r}"
            )
        elif isinstance(expiry, date) and expiry < today:
            errors.append(f"expired on {expiry.isoformat()} (today is {today.isoformat()})")
        if checks.get(str(check)) == "blocker" and not entry.get("approved_by"):
            errors.append(
                f"{check} is a blocker: a waiver of a blocker needs approved_by (who accepted "
                "the risk)"
            )
        marketplace = entry.get("marketplace")
        country: str | None = None
        if isinstance(marketplace, str) and marketplace.strip():
            country = known.get(marketplace.strip().upper())
            if country is None:
                errors.append(
                    f"marketplace {marketplace!r} is not one ACORN knows; "
                    f"{suggest(marketplace.upper(), set(known.values()))}use a country code "
                    f"such as {', '.join(sorted(set(known.values()))[:6])}"
                )
        if errors:
            out.problems.append(f"{at}: {'; '.join(errors)}. This waiver does not count.")
            continue
        assert isinstance(expiry, date)
        out.waivers.append(
            Waiver(
                check=str(check),
                reason=str(entry["reason"]).strip(),
                owner=str(entry["owner"]).strip(),
                ticket=str(entry["ticket"]).strip(),
                expiry=expiry,
                approved_by=str(entry["approved_by"]).strip() if "approved_by" in entry else None,
                marketplace=country,
                entry=number,
            )
        )
    return out


def _list(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))
