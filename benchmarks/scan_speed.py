"""How long the leak scanner takes on long lines (target: `acorn scan` of a 5 MB single-line
file in under 2 s, start-up included).

The old scanner was quadratic on long lines (its e-mail pattern retried a run of local-part
characters from every start): a 200 KB line took 88 s to scan and saving a cassette with one
200 KB response line took 186 s. Each input here is one line, shaped to be the worst case of
one part of the scanner: a run with no separator (pattern retries), a base64 blob (decoding),
%-escapes and \\u-escapes everywhere (decoded views), text full of "@" and "Atz" cues, and
the same with hundreds of known values (Aho-Corasick). Figures go to stdout; nothing is
asserted (a benchmark, not a timed test).

    .venv/bin/python benchmarks/scan_speed.py [SIZE_MB]
"""

from __future__ import annotations

import base64
import json
import random
import secrets
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from harness.cassettes import (
    Cassette,
    Interaction,
    KnownValues,
    RecordedRequest,
    RecordedResponse,
    Scanner,
    Scrubber,
    save,
)

MB = 1_000_000


def _inputs(size: int) -> dict[str, str]:
    rng = random.Random(13)
    words = string.ascii_letters + string.digits
    noisy = "".join(
        rng.choice((words, "@", ".", "%41", "\\u0041", "Atz", " ", "=", "/"))
        if rng.random() < 0.2
        else rng.choice(words)
        for _ in range(size // 3)
    )
    return {
        "one run, no separator": "a" * (size - 20) + "@example.invalid",
        "dotted run after @": "x@" + "a." * (size // 2 - 2),
        "base64 blob": base64.b64encode(secrets.token_bytes(size * 3 // 4)).decode(),
        "percent-escapes": "%41" * (size // 3),
        "json \\u escapes": "\\u0041" * (size // 6),
        "noisy text (@ % \\u Atz cues)": noisy[:size],
        "json body": json.dumps(
            {"payload": [{"OrderId": f"{i:07d}", "Note": "x" * 80} for i in range(size // 110)]}
        )[:size],
        "json, a buyer on every order": json.dumps(
            {
                "orders": [
                    {"ship_to": {"name": f"Buyer {i}", "address_line1": f"{i} Main St"}}
                    for i in range(size // 70)
                ]
            }
        )[:size],
    }


def _time(run: Callable[..., object], *args: object) -> float:
    start = time.perf_counter()
    run(*args)
    return time.perf_counter() - start


def _acorn_scan(acorn: Path, path: Path) -> None:
    command = [str(acorn)] if acorn.exists() else [sys.executable, "-m", "harness.cli.main"]
    subprocess.run(
        [*command, "scan", "--no-env-secrets", str(path)], capture_output=True, check=False
    )


def _many_known() -> KnownValues:
    """Roughly a long run's canaries: 300 tokens and 100 PII values (~4,600 forms)."""
    return KnownValues(
        secrets=["Atza|" + secrets.token_urlsafe(64) for _ in range(300)],
        pii=[f"Buyer {i} Canary-{secrets.token_hex(3)}" for i in range(100)],
    )


def main() -> None:
    size = int(float(sys.argv[1]) * MB) if len(sys.argv) > 1 else 5 * MB
    acorn = Path(sys.executable).with_name("acorn")
    known = _many_known()
    print(f"single-line files of {size / MB:g} MB ({len(known.values())} known forms in column 3)")
    print(f"{'input':32} {'acorn scan (s)':>15} {'in-process (s)':>15} {'+known (s)':>11}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, line in _inputs(size).items():
            path = Path(tmp) / "one-line.log"
            path.write_text(line + "\n")
            wall = _time(_acorn_scan, acorn, path)
            alone = _time(Scanner().file, path)
            with_known = _time(Scanner(known).file, path)
            print(f"{name:32} {wall:15.2f} {alone:15.2f} {with_known:11.2f}")
        _cassette_save(Path(tmp))


def _cassette_save(folder: Path) -> None:
    """The issue's second case: save (scrub, check, dump, scan) a cassette with one long
    response line."""
    for size in (200_000, 5 * MB):
        body = json.dumps({"payload": {"Notes": "y" * size}})
        item = Interaction(
            RecordedRequest("GET", "https://sandbox.sellingpartnerapi-na.amazon.com/x", {}, None),
            RecordedResponse(200, "OK", {"content-type": ["application/json"]}, body),
            endpoint="NA",
        )
        cassette = Cassette("bench", [item])
        seconds = _time(save, cassette, folder / "c.yaml", Scrubber())
        print(f"save a cassette with one {size / 1000:g} KB response line: {seconds:.2f} s")


if __name__ == "__main__":
    main()
