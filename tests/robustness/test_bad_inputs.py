"""Bad catalogs, models and fault plans are usage errors or per-line findings, never tracebacks.

Probes from issue 13 point 5: a catalog line 100,000 levels deep, holding a 100,000-digit
number or 50 MB long; a models file whose definitions nest 3,000 deep (inline or as a $ref
chain); a contracts file nested too deep; fault plans with nan/inf seconds. Each goes through
the real command where there is one (``acorn validate``, ``acorn contracts``) and must end in
exit 2 (never 1, the NO-GO code) with the file, line or pointer and a fix. Hypothesis then
throws random catalog lines and random fault-plan values at the same code.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.cli.catalog_check import Job, check_chunk
from harness.contracts import load_contracts, load_product_types
from harness.contracts.listing_samples import sample_attributes
from harness.errors import ConfigError
from harness.sim.faults import load_fault_plan

ROOT = Path(__file__).resolve().parents[2]
MODELS = Path(os.environ.get("ACORN_MODELS_DIR", "/work/shared/reference/sp-api-models"))
SELLERS = MODELS / "models" / "sellers-api-model" / "sellers.json"
CONTRACTS = load_contracts()
TRIES: Counter[str] = Counter()
"""Examples tried per probe family (printed at the end of the module with ``-s``)."""


@pytest.fixture(scope="module", autouse=True)
def _tally() -> Iterator[None]:
    yield
    print("\nprobe tries:", dict(TRIES))


def acorn(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli.main", *args],
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _deep_object(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


# -- acorn validate: one bad line is that line's problem -----------------------------------

GOOD_SKU = "GOOD-1"
CATALOG_PROBES: list[tuple[str, str, str]] = [
    ("deep-100k", '{"sku":"x","productType":"%s","attributes":%s}', "nested more than 64 levels"),
    ("deep-arrays", '{"sku":"x","productType":"%s","attributes":{"a":%s}}', "nested more than"),
    ("digits-100k", '{"sku":"x","productType":"%s","attributes":{"n":%s}}', "number too long"),
    ("line-50mb", '{"sku":"x","productType":"%s","attributes":{"a":"%s"}}', "over 10 MB"),
]
FILLERS = {
    "deep-100k": _deep_object(100_000),
    "deep-arrays": "[" * 900 + "]" * 900,
    "digits-100k": "9" * 100_000,
    "line-50mb": "x" * 50_000_000,
}


@pytest.fixture(scope="module")
def good_line() -> str:
    catalog = load_product_types()
    pt = catalog.product_types[0]
    attributes = sample_attributes(catalog.schema(pt, "DE").schema, random.Random(13))
    return json.dumps({"sku": GOOD_SKU, "productType": pt, "attributes": attributes})


@pytest.mark.parametrize("processes", ["1", "2"])
@pytest.mark.parametrize(
    ("probe", "template", "fragment"), CATALOG_PROBES, ids=[p[0] for p in CATALOG_PROBES]
)
def test_a_broken_catalog_line_is_that_lines_problem_and_the_rest_is_validated(
    tmp_path: Path, good_line: str, probe: str, template: str, fragment: str, processes: str
) -> None:
    pt = json.loads(good_line)["productType"]
    bad = template % (pt, FILLERS[probe])
    catalog = tmp_path / "catalog.jsonl"
    catalog.write_text(f"{good_line}\n{bad}\n{good_line}\n", encoding="utf-8")
    out = tmp_path / "out"
    TRIES[f"catalog line: {probe}"] += 1

    done = acorn(
        "validate", str(catalog), "--marketplaces", "DE", "--out", str(out),
        "--processes", processes,
    )  # fmt: skip

    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    problems = json.loads((out / "issues.json").read_text())["problems"]
    assert [p["line"] for p in problems] == [2]
    assert fragment in problems[0]["message"]
    assert "fix:" in problems[0]["message"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["listing_checks"] == 2  # both good lines still validated


# -- acorn contracts: models and contracts nested too deep ---------------------------------


def _models_with(tmp_path: Path, first_definition: str) -> Path:
    """A models checkout holding sellers.json with its first definition replaced."""
    data = json.loads(SELLERS.read_text(encoding="utf-8"))
    first = next(iter(data["definitions"]))
    data["definitions"][first] = "@@HERE@@"
    folder = tmp_path / "models" / "models" / "sellers-api-model"
    folder.mkdir(parents=True)
    text = json.dumps(data).replace('"@@HERE@@"', first_definition)
    (folder / "sellers.json").write_text(text, encoding="utf-8")
    return tmp_path / "models"


def _inline(levels: int) -> str:
    return '{"type":"object","properties":{"a":' * levels + '{"type":"string"}' + "}}" * levels


needs_models = pytest.mark.skipif(not SELLERS.is_file(), reason="Amazon's models not present")


@needs_models
@pytest.mark.parametrize("command", ["import", "diff"])
@pytest.mark.parametrize(
    ("probe", "definition", "fragment"),
    [
        ("inline-3000", _inline(3000), "JSON pointer /definitions/"),
        ("inline-300", _inline(300), "JSON pointer /definitions/"),
        ("digits-100k", '{"type":"integer","maximum":' + "9" * 100_000 + "}", "number too long"),
    ],
    ids=["inline-3000", "inline-300", "digits-100k"],
)
def test_a_models_file_too_deep_is_exit_2_naming_file_and_pointer(
    tmp_path: Path, command: str, probe: str, definition: str, fragment: str
) -> None:
    models = _models_with(tmp_path, definition)
    TRIES[f"models: {probe}"] += 1

    args = ["--out", str(tmp_path / "out")] if command == "import" else []
    done = acorn("contracts", command, str(models), *args)

    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "sellers.json" in done.stderr
    assert fragment in done.stderr
    assert "Fix:" in done.stderr


@needs_models
def test_a_3000_long_ref_chain_imports_and_loads(tmp_path: Path) -> None:
    """A $ref chain is not nesting in the file: nothing resolves it recursively, so it imports."""
    data = json.loads(SELLERS.read_text(encoding="utf-8"))
    definitions = data["definitions"]
    for i in range(3000):
        definitions[f"D{i}"] = {"$ref": f"#/definitions/D{i + 1}"} if i < 2999 else {}
    first = next(iter(definitions))
    definitions[first] = {"type": "object", "properties": {"x": {"$ref": "#/definitions/D0"}}}
    folder = tmp_path / "models" / "models" / "sellers-api-model"
    folder.mkdir(parents=True)
    (folder / "sellers.json").write_text(json.dumps(data), encoding="utf-8")
    TRIES["models: ref-chain-3000"] += 1

    done = acorn("contracts", "import", str(tmp_path / "models"), "--out", str(tmp_path / "out"))

    assert done.returncode == 0, done.stdout + done.stderr
    assert "D2999" in load_contracts(tmp_path / "out").operations[0].definitions


@needs_models
def test_a_contracts_file_too_deep_is_exit_2_naming_it(tmp_path: Path) -> None:
    contracts = tmp_path / "contracts"
    shutil.copytree(ROOT / "contracts", contracts, ignore=shutil.ignore_patterns("product-types"))
    api = next((contracts / "apis").glob("*.json"))
    text = api.read_text(encoding="utf-8").replace(
        '"definitions": {', '"definitions": {"Deep": ' + _inline(3000) + ",", 1
    )
    api.write_text(text, encoding="utf-8")
    TRIES["contracts: inline-3000"] += 1

    done = acorn("contracts", "diff", str(MODELS), "--contracts", str(contracts))

    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert api.name in done.stderr
    assert "JSON pointer /definitions/Deep/" in done.stderr


# -- fault plans: nan and inf are not seconds -----------------------------------------------

RULE = '[[fault]]\noperation = "getOrders"\ntransport = "%s"\n'


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("client_timeout = nan\n" + RULE % "timeout", "client_timeout is nan"),
        ("client_timeout = inf\n" + RULE % "timeout", "client_timeout is inf"),
        ("client_timeout = -1.0\n" + RULE % "timeout", "client_timeout is -1.0"),
        (RULE % "timeout" + "hold = nan\n", "hold is nan"),
        (RULE % "stall" + "hold = inf\n", "hold is inf"),
        (RULE % "dribble" + "interval = nan\n", "interval is nan"),
        (RULE % "dribble" + "interval = inf\n", "interval is inf"),
        (RULE % "dribble" + "chunks = 2.5\n", "chunks 2.5"),
        (RULE % "timeout" + "share = nan\n", "share nan"),
        (RULE % "timeout" + "window = [0, inf]\n", "not a finite number"),
        (RULE % "timeout" + "times = 1.5\n", "times is 1.5"),
    ],
    ids=[
        "timeout-nan",
        "timeout-inf",
        "timeout-negative",
        "hold-nan",
        "hold-inf",
        "interval-nan",
        "interval-inf",
        "chunks-float",
        "share-nan",
        "window-inf",
        "times-float",
    ],
)
def test_a_fault_plan_with_nan_or_inf_is_refused_with_file_rule_and_fix(
    tmp_path: Path, text: str, fragment: str
) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    TRIES["fault plan: table"] += 1

    with pytest.raises(ConfigError) as raised:
        load_fault_plan(path, CONTRACTS)

    message = str(raised.value)
    assert fragment in message
    assert "plan.toml" in message
    assert "Fix:" in message


# -- hypothesis: random catalog lines and fault-plan values ---------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=30,
)
LINE = st.one_of(
    JSON.map(json.dumps),
    st.fixed_dictionaries(
        {"sku": st.text(max_size=8), "productType": st.sampled_from(["HEADPHONES", "x", ""])},
        optional={"attributes": JSON, "marketplaceIds": JSON},
    ).map(json.dumps),
    st.integers(min_value=1, max_value=3000).map(_deep_object),
    st.text(max_size=200),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE, min_size=1, max_size=4))
def test_random_catalog_lines_give_results_or_line_problems(lines: list[str]) -> None:
    TRIES["hypothesis: catalog lines"] += 1
    job = Job(("A1PA6795UKMFR9",))
    numbered = [(i, text.replace("\n", " ")) for i, text in enumerate(lines, start=1)]

    out = check_chunk(job, numbered)

    for problem in out.problems:
        assert "fix" in problem.message.lower() or problem.line is None


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value)


SCALAR = st.one_of(
    st.floats(), st.integers(min_value=-(2**63), max_value=2**63 - 1), st.booleans(),
    st.sampled_from(["timeout", "stall", "dribble", "reset", "getOrders", "*", "x"]),
)  # fmt: skip
VALUE = SCALAR | st.lists(SCALAR, max_size=3)
FLOAT_KEYS = ("share", "hold", "interval")


@settings(max_examples=300, deadline=None)
@given(
    client_timeout=st.floats(min_value=0.01, max_value=5) | VALUE,
    rule=st.dictionaries(
        st.sampled_from(
            [
                "share",
                "hold",
                "interval",
                "chunks",
                "times",
                "window",
                "on_calls",
                "from_call",
                "transport",
                "status",
                "code",
                "sticky",
            ]
        ),
        st.floats(min_value=0, max_value=5) | st.integers(min_value=1, max_value=5) | VALUE,
        max_size=4,
    ),
)
def test_random_fault_plan_values_load_or_are_config_errors(
    tmp_path_factory: pytest.TempPathFactory, client_timeout: Any, rule: dict[str, Any]
) -> None:
    TRIES["hypothesis: fault plans"] += 1
    rule.setdefault("transport", "timeout")
    body = "".join(f"{k} = {_toml(v)}\n" for k, v in rule.items())
    path = tmp_path_factory.mktemp("plan") / "plan.toml"
    path.write_text(
        f'client_timeout = {_toml(client_timeout)}\n[[fault]]\noperation = "getOrders"\n{body}',
        encoding="utf-8",
    )

    try:
        plan = load_fault_plan(path, CONTRACTS)
    except ConfigError as exc:
        refused = str(exc)
    else:
        refused = ""
    TRIES["hypothesis: fault plans " + ("refused" if refused else "accepted")] += 1
    if refused:
        assert "plan.toml" in refused
        return
    assert math.isfinite(plan.client_timeout)
    assert plan.client_timeout > 0
    for fault in plan.rules:
        for key in FLOAT_KEYS:
            value = getattr(fault, key)
            assert value is None or math.isfinite(value)
