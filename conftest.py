"""Settings and fixtures shared by every test folder (unit, e2e, field, robustness).

At the top, as docs/ARCHITECTURE.md lays out: the readiness suite in scenarios/ has its own
pytest.ini and does not see it, so nothing here leaks into an `acorn run`.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent

# Tests that press Ctrl-C on an `acorn run` or `acorn serve` they started need SIGINT to reach
# it. A pytest started in the background by a non-interactive shell (`bash .ci/run &`, some CI
# runners) inherits SIGINT ignored, and so would every process it starts: Python then never
# raises KeyboardInterrupt and the test waits out its timeout. A handler here (not "ignore")
# makes children start with the default again, however pytest itself was started.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# Property tests are deterministic by default, so CI sees the same examples on every run.
# HYPOTHESIS_PROFILE=explore draws fresh random examples (and more of them) to hunt for bugs;
# a failure prints the example, and @reproduce_failure replays it.
settings.register_profile("acorn", derandomize=True, deadline=None, database=None)
settings.register_profile("explore", derandomize=False, deadline=None, max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "acorn"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Longest modules first on the xdist workers, as `acorn run --jobs` orders scenarios.

    The suite runs ``--dist loadfile --no-loadscope-reorder``: each module goes to one worker,
    in collection order. xdist's own order puts the modules with the most tests first, so the
    minutes-long ones with few tests (whole `acorn run`s, the field corpus) started last and
    ran on alone. Such a module carries ``pytestmark = pytest.mark.seconds(N)``, about its wall
    time on two cores; harness.record.longest_first orders by it.
    """
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        from harness.record import longest_first

        longest_first(items, int(workerinput.get("workercount", 1)), mark="seconds")


def _is_amazon_layout(path: Path) -> bool:
    return (path / "models").is_dir() and any((path / "models").glob("*/*.json"))


@pytest.fixture(scope="session")
def amazon_models_dir() -> Path:
    """Amazon's models checkout (``ACORN_MODELS_DIR``, set by .ci/run).

    Set but missing or not Amazon's layout: the test fails, because CI promised the models.
    Unset: ``../shared/reference/sp-api-models`` beside the checkout if it exists, else skip.
    """
    env = os.environ.get("ACORN_MODELS_DIR")
    if env:
        path = Path(env)
        if not _is_amazon_layout(path):
            pytest.fail(
                f"ACORN_MODELS_DIR={env} is not a checkout of amzn/selling-partner-api-models "
                "(expected models/<api>-model/*.json under it); fix the path or unset it",
                pytrace=False,
            )
        return path
    fallback = ROOT.parent / "shared" / "reference" / "sp-api-models"
    if _is_amazon_layout(fallback):
        return fallback
    pytest.skip(
        "Amazon's models are not available: set ACORN_MODELS_DIR to a checkout of "
        "amzn/selling-partner-api-models"
    )
