"""Import Amazon's models and load every imported contract (target: loading < 3 s).

Prints: the import (models -> contracts/apis/*.json), a cold load in a fresh interpreter (what
`acorn serve --sandbox` or a run pays), warm loads, and, for information, compiling every
operation's validators, which the simulator does lazily (on an operation's first request).

    .venv/bin/python benchmarks/bench_contracts.py [MODELS_DIR]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time

from _models import ROOT, models_dir

from harness.contracts import load_contracts
from harness.contracts.importer import import_models

COLD = """
import time, sys
t = time.perf_counter()
from harness.contracts import load_contracts
c = load_contracts(sys.argv[1])
print(len(c.operations), time.perf_counter() - t)
"""


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="acorn-bench-") as out:
        result = import_models(models_dir(), out)
        print(
            f"import: {result.operations} operations, {result.files} files, "
            f"{result.sandbox_cases} sandbox cases in {result.seconds:.2f} s"
        )
        colds = []
        for _ in range(3):
            ran = subprocess.run(
                [sys.executable, "-c", COLD, out],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            ops, seconds = ran.stdout.split()
            colds.append(float(seconds))
        print(
            f"load, fresh interpreter (imports included): {ops} operations, "
            f"median {statistics.median(colds):.3f} s of {len(colds)}"
        )
        warm = []
        for _ in range(5):
            t0 = time.perf_counter()
            contracts = load_contracts(out)
            warm.append(time.perf_counter() - t0)
        print(f"load, warm: median {statistics.median(warm):.3f} s of {len(warm)}")
        from harness.sim.validate import OperationValidator

        t0 = time.perf_counter()
        for op in contracts.operations:
            OperationValidator(op)
        print(
            f"compile every operation's validators (lazy in the simulator): "
            f"{time.perf_counter() - t0:.2f} s for {len(contracts.operations)} operations"
        )


if __name__ == "__main__":
    main()
