"""Wire probes for tests/field/amzn_sp_api: the same probes, scripts and stub as
probe_sp_api_python.py, run against this integration's own command. Usage::

    python tests/field/probes/probe_amzn_sp_api.py <probe> [<probe> ...] | all
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import probe_sp_api_python as probes

probes.FOLDER = probes.HERE.parent / "amzn_sp_api"

if __name__ == "__main__":
    sys.exit(probes.main(sys.argv[1:]))
