"""The report folder holds exactly one run's files, and every format states the same verdict.

A GO written into a folder that still held a NO-GO's attachments (an LST-01 matrix full of
INVALID) reads as a contradiction to whoever signs it. So ACORN marks the folders it writes,
clears its own previous outputs before a run, and refuses a non-empty folder it did not write
unless told ``--overwrite``: nothing of the user's is deleted without being asked.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

from harness.errors import ConfigError

if TYPE_CHECKING:
    from harness.report.model import Readiness

__all__ = ["MARKER", "OUTPUTS", "mark_junit", "prepare_report_dir", "set_junit_properties"]

MARKER = ".acorn-report"
OUTPUTS = frozenset(
    {
        MARKER,
        "readiness.json",
        "readiness.md",
        "readiness.html",
        "junit.xml",
        "allure-results",
        "allure-report",  # generated from allure-results; its history/ feeds --history
        "attachments",
        "work",
    }
)
"""What a run writes; a folder holding only these (and .gitkeep) is ACORN's to clear."""
_IGNORED = frozenset({".gitkeep"})


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def prepare_report_dir(report_dir: Path, *, overwrite: bool = False) -> list[str]:
    """Make ``report_dir`` an empty, writable folder for this run; return what was removed.

    Raises ConfigError (exit 2, before any scenario) for a path that is a file, a folder that
    cannot be written, or a non-empty folder ACORN did not write (without ``overwrite``).
    """
    if report_dir.exists() and not report_dir.is_dir():
        raise ConfigError(
            f"the report folder {report_dir} is a file, not a folder",
            fix="pass --report-dir with a folder path (it is created if missing)",
        )
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
        entries = sorted(p for p in report_dir.iterdir() if p.name not in _IGNORED)
    except OSError as exc:
        raise ConfigError(
            f"cannot write to the report folder {report_dir}: {exc.strerror or exc}",
            fix="choose a writable --report-dir, or fix its permissions",
        ) from None
    foreign = [p.name for p in entries if p.name not in OUTPUTS]
    ours = (report_dir / MARKER).is_file()
    if entries and not overwrite and (foreign or not ours):
        shown = ", ".join((foreign or [p.name for p in entries])[:6])
        raise ConfigError(
            f"the report folder {report_dir} holds files ACORN did not write ({shown})",
            fix="choose an empty or new --report-dir, or pass --overwrite to clear it "
            "(everything in it is deleted)",
        )
    removed = []
    try:
        for path in entries:
            _remove(path)
            removed.append(path.name)
        (report_dir / MARKER).write_text(
            "This folder is written by `acorn run`; each run replaces its contents.\n",
            encoding="utf-8",
        )
        probe = report_dir / ".acorn-write-check"
        probe.write_bytes(b"\0" * 65536)  # a nearly full disk fails here, not after the run
        probe.unlink()
    except OSError as exc:
        raise ConfigError(
            f"cannot write to the report folder {report_dir}: {exc.strerror or exc}",
            fix="choose a writable --report-dir with free space, or fix its permissions",
        ) from None
    return removed


def mark_junit(junit: Path, readiness: Readiness) -> None:
    """State the verdict, scope and selection in junit.xml, so CI sees what readiness.json says.

    A failed normal check is a failed test case but does not block GO; the ``acorn.verdict``
    property keeps a CI dashboard from reading a GO as a failure, or a partial run as whole.
    """
    if not junit.is_file():
        return
    tree = ET.parse(junit)
    root = tree.getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    values = {
        "acorn.verdict": readiness.verdict,
        "acorn.headline": readiness.headline,
        "acorn.scope": str(readiness.scope.get("areas", "")),
        "acorn.selection": readiness.selection or "(whole suite)",
        **{f"acorn.count.{k}": str(v) for k, v in readiness.counts().items()},
    }
    set_junit_properties(suites, values, prefix="acorn.")
    tree.write(junit, encoding="utf-8", xml_declaration=True)


def set_junit_properties(suites: list[ET.Element], values: dict[str, str], *, prefix: str) -> None:
    """Replace every suite's ``prefix*`` properties with ``values`` (a rerun of the report
    must not leave the previous run's properties beside the new ones)."""
    for suite in suites:
        props = suite.find("properties")
        if props is None:
            props = ET.Element("properties")
            suite.insert(0, props)
        for prop in list(props):
            if prop.get("name", "").startswith(prefix):
                props.remove(prop)
        for name, value in values.items():
            ET.SubElement(props, "property", {"name": name, "value": value})
