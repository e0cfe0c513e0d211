"""The reference connector with TLS verification turned off: the classic "fix" for a
certificate error. It must fail TLS-01, with the requests that crossed the bad certificate
as evidence; nothing else about it differs from examples/reference.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[4] / "examples" / "reference"))

_Client = httpx.Client


class _UnverifiedClient(_Client):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["verify"] = False  # the mistake under test
        super().__init__(*args, **kwargs)


httpx.Client = _UnverifiedClient  # type: ignore[misc]

from reference_connector import Connector  # noqa: E402

__all__ = ["Connector"]
