"""Recorded SP-API exchanges: the cassette format, scrubbing, scanning and matching.

Data-level: nothing here opens a socket. The recording proxy and the replay server that use
it live in :mod:`harness.sim.proxy` and :mod:`harness.sim.replay`.
"""

from harness.cassettes.format import (
    CASSETTE_FILE,
    FORMAT_VERSION,
    Cassette,
    CassetteError,
    Interaction,
    RecordedRequest,
    RecordedResponse,
    cassette_path,
    dump,
    endpoint_of,
    load,
    parse,
)
from harness.cassettes.match import MatchPolicy, Miss, Player, probe
from harness.cassettes.scan import Finding, KnownValues, Scanner, scan_paths
from harness.cassettes.scrub import CassetteLeakError, Scrubber, mask_token, save
from harness.cassettes.versions import api_versions, check_api_versions

__all__ = [
    "CASSETTE_FILE",
    "FORMAT_VERSION",
    "Cassette",
    "CassetteError",
    "CassetteLeakError",
    "Finding",
    "Interaction",
    "KnownValues",
    "MatchPolicy",
    "Miss",
    "Player",
    "RecordedRequest",
    "RecordedResponse",
    "Scanner",
    "Scrubber",
    "api_versions",
    "cassette_path",
    "check_api_versions",
    "dump",
    "endpoint_of",
    "load",
    "mask_token",
    "parse",
    "probe",
    "save",
    "scan_paths",
]
