"""``python -m reference_connector ACTION`` is the same as ``python -m reference_connector.cli``."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
