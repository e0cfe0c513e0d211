"""The bundled contracts agree with Amazon's published models, operation by operation.

The rules are those of ``acorn contracts diff`` (contracts/README.md): a bundled contract may
declare less than Amazon, never something else, and its usage plans are Amazon's defaults.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.contracts import load_contracts
from harness.contracts.diff import diff_contracts
from harness.paths import bundled

pytestmark = pytest.mark.e2e


def test_every_bundled_operation_agrees_with_amazons_models(amazon_models_dir: Path) -> None:
    contracts_dir = bundled("contracts")
    report = diff_contracts(amazon_models_dir, contracts_dir)
    bundled_ops = len(load_contracts(contracts_dir).operations)
    print(f"\n{report.compared} bundled operations compared with Amazon's models")
    assert report.contract_operations == bundled_ops
    assert report.agree, report.to_text()
    # Every bundled operation exists in the models and was compared (none skipped).
    assert report.compared == bundled_ops
