"""``acorn product-types pull`` against the simulator: LWA, PTD per marketplace, schema links."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from harness.cli.main import app
from harness.paths import bundled
from harness.sim.handlers.catalog import catalog


def _pull(world: Any, tmp_path: Path, *args: str, **env: str) -> Any:
    return CliRunner().invoke(
        app,
        ["product-types", "pull", "--out", str(tmp_path), *args],
        env={**world.sim.env(), **env},
    )


def test_pull_writes_each_marketplace_schema_as_amazon_served_it(
    world: Any, tmp_path: Path
) -> None:
    result = _pull(world, tmp_path, "--marketplaces", "US,DE,JP", "--product-types", "luggage")
    assert result.exit_code == 0, result.output
    for country in ("US", "DE", "JP"):
        pulled = (tmp_path / "LUGGAGE" / f"{country}.json").read_bytes()
        assert (
            pulled
            == (bundled("contracts") / "product-types" / "LUGGAGE" / f"{country}.json").read_bytes()
        )
    definition = json.loads((tmp_path / "LUGGAGE" / "definition.json").read_text())
    assert definition["marketplaces"] == {
        "US": "ATVPDKIKX0DER",
        "DE": "A1PA6795UKMFR9",
        "JP": "A1VC38T7YXB528",
    }
    assert definition["propertyGroups"]
    assert (
        tmp_path / "meta-schema" / "amazon-product-type-definition-meta-schema-v1.json"
    ).exists()
    pulled_catalog = catalog(tmp_path)
    assert sorted(pulled_catalog.files) == [
        ("LUGGAGE", "A1PA6795UKMFR9"),
        ("LUGGAGE", "A1VC38T7YXB528"),
        ("LUGGAGE", "ATVPDKIKX0DER"),
    ]
    calls = [e for e in world.sim.journal.all() if e.operation == "getDefinitionsProductType"]
    assert [e.query["marketplaceIds"] for e in calls] == [
        ["ATVPDKIKX0DER"],
        ["A1PA6795UKMFR9"],
        ["A1VC38T7YXB528"],
    ]


def test_pull_bad_input_is_named_and_secrets_stay_out(world: Any, tmp_path: Path) -> None:
    unknown = _pull(world, tmp_path, "--marketplaces", "DE,XX", "--product-types", "LUGGAGE")
    assert unknown.exit_code == 2
    assert "--marketplaces: unknown marketplace 'XX'" in unknown.output
    secret = "amzn1.oa2-cs.v1.not-the-right-one"
    refused = _pull(
        world,
        tmp_path,
        "--marketplaces",
        "DE",
        "--product-types",
        "LUGGAGE",
        ACORN_CLIENT_SECRET=secret,
    )
    assert refused.exit_code == 2
    assert "Login with Amazon refused the credentials" in refused.output
    assert secret not in refused.output
    missing = _pull(world, tmp_path, "--marketplaces", "DE", "--product-types", "NOPE,LUGGAGE")
    assert missing.exit_code == 1
    assert "NOPE DE: HTTP 404" in missing.output
    assert (tmp_path / "LUGGAGE" / "DE.json").exists()


def test_pull_refuses_amazon_production_unless_allowed(tmp_path: Path) -> None:
    """The defaults are Amazon's production hosts: nothing is sent without --allow-production."""
    env = {"ACORN_CLIENT_ID": "id", "ACORN_CLIENT_SECRET": "s", "ACORN_REFRESH_TOKEN": "Atzr|x"}
    args = ["product-types", "pull", "--out", str(tmp_path), "--marketplaces", "DE"]
    result = CliRunner().invoke(app, [*args, "--product-types", "LUGGAGE"], env=env)
    assert result.exit_code == 2
    assert "refusing to call Amazon's production hosts" in result.output
    assert "sellingpartnerapi-eu.amazon.com" in result.output
    assert "--allow-production" in result.output
    assert not any(tmp_path.iterdir())
