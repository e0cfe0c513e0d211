"""Recording in-process with vcrpy or pytest-recording, as safely as through ACORN's proxy.

The :class:`~harness.cassettes.Scrubber` hooks scrub each request and response before vcrpy
keeps it; :class:`ScanningPersister` is the last line: vcrpy hands it the whole cassette to
write, it serializes and scans it, and a leak raises instead of reaching the disk. With
pytest-recording::

    SCRUBBER = Scrubber()

    @pytest.fixture(scope="module")
    def vcr_config():
        return SCRUBBER.vcr_config()

    def pytest_recording_configure(config, vcr):
        install(vcr, SCRUBBER)

vcrpy is imported only when a cassette is loaded or written: it comes with the ``[vcr]``
extra (``pip install 'acorn-harness[vcr]'``), not with ACORN itself.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

from harness.cassettes.format import write_text_atomic
from harness.cassettes.scan import Scanner
from harness.cassettes.scrub import CassetteLeakError, Scrubber
from harness.errors import AcornUsageError

__all__ = ["ScanningPersister", "install", "vcr_module"]


def vcr_module(name: str) -> ModuleType:
    """Import a vcrpy module, or say which extra brings it."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise AcornUsageError(
            "recording or replaying with vcrpy needs vcrpy, which is not installed",
            fix="pip install 'acorn-harness[vcr]' (vcrpy and pytest-recording)",
        ) from None


class ScanningPersister:
    """A vcrpy persister: loads like the one it wraps, writes only text that scans clean."""

    def __init__(self, scrubber: Scrubber, inner: Any = None) -> None:
        self.scrubber = scrubber
        self.inner = inner

    def load_cassette(self, cassette_path: str | Path, serializer: Any) -> Any:
        inner = self.inner
        if inner is None:
            inner = vcr_module("vcr.persisters.filesystem").FilesystemPersister
        return inner.load_cassette(cassette_path, serializer)

    def save_cassette(self, cassette_path: str | Path, cassette_dict: Any, serializer: Any) -> None:
        text = str(vcr_module("vcr.serialize").serialize(cassette_dict, serializer))
        path = Path(cassette_path)
        leaks = Scanner(self.scrubber.known).cassette_text(text, str(path))
        if leaks:
            raise CassetteLeakError(
                "refusing to write the cassette vcrpy recorded: it still holds "
                + "; ".join(
                    f"{f.kind} ({f.where.removeprefix(str(path)).lstrip(':')})" for f in leaks[:10]
                ),
                where=str(path),
                fix="nothing was written; use Scrubber().vcr_config() for the hooks, or add "
                "the value's key to the scrubber",
            )
        write_text_atomic(path, text)


def install(vcr: Any, scrubber: Scrubber) -> ScanningPersister:
    """Make ``vcr`` (a ``vcr.VCR``) write through a :class:`ScanningPersister`."""
    persister = ScanningPersister(scrubber, getattr(vcr, "persister", None))
    vcr.register_persister(persister)
    return persister
