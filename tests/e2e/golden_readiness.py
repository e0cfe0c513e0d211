"""The reference integration's readiness, as it must stay while the house is tidied (issue 19:
"no behaviour change: the same verdicts and evidence on examples/ before and after").

What is compared is what a refactor must not change and a run cannot vary: the verdict, its
reasons, and per check the status and the summary, with numbers, ids, tokens, timestamps and
paths masked (timings and random ids differ between any two runs). The golden file was
written from a run of the code before the refactor; rewrite it only for a deliberate change
of behaviour: ``ACORN_WRITE_GOLDEN=1 pytest tests/e2e/test_cli.py -k reference``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from golden_mask import mask_text

GOLDEN = Path(__file__).parent / "golden" / "reference-readiness.json"
# The full run's summaries vary in every count (429s, retries, pages under load), so beyond
# golden_mask's ids, tokens and times every number is masked too: what is compared is the
# wording, that is which finding each check states.
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SELLER = re.compile(r"\bA[0-9A-F]{12}\b")
_AMZN_ID = re.compile(r"amzn1\.[\w.-]+")
_QUEUE = re.compile(r"notifications-[0-9a-f]+")  # each run's SQS queue has a random name


def _mask(text: str) -> str:
    text = _AMZN_ID.sub("<amzn-id>", _SELLER.sub("<seller>", mask_text(text)))
    text = _QUEUE.sub("notifications-<queue>", text)
    return _NUMBER.sub("<n>", text).replace("<f>", "<n>")  # "8%" and "8.3%" alike


def essence(report: dict[str, Any]) -> dict[str, Any]:
    """The part of readiness.json a refactor must leave as it was."""
    return {
        "verdict": report["verdict"],
        "reasons": [_mask(str(r)) for r in report["reasons"]],
        "checks": {
            f"{c['id']} in {c.get('scenario')}": {
                "status": c["status"],
                "summary": _mask(str(c.get("summary", ""))),
            }
            for c in report["checks"]
        },
    }


def assert_unchanged(report: dict[str, Any]) -> None:
    found = essence(report)
    if os.environ.get("ACORN_WRITE_GOLDEN"):
        GOLDEN.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    changed = {
        cid: {"was": expected["checks"].get(cid), "now": found["checks"].get(cid)}
        for cid in sorted(set(expected["checks"]) | set(found["checks"]))
        if expected["checks"].get(cid) != found["checks"].get(cid)
    }
    assert changed == {}, f"readiness changed (see {__name__}):\n{json.dumps(changed, indent=1)}"
    assert (found["verdict"], found["reasons"]) == (expected["verdict"], expected["reasons"])
