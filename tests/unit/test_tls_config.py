"""The run's transport: acorn.toml's ``transport`` and its errors; a TLS simulator restarts."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.drive import load_integration
from harness.errors import ConfigError
from harness.sim import SimConfig, Simulator

TOML = """
[integration]
name = "x"
driver = "python"
adapter = "x:Y"
{extra}
"""


def _spec(tmp_path: Path, extra: str) -> object:
    (tmp_path / "acorn.toml").write_text(TOML.format(extra=extra))
    return load_integration(tmp_path)


def test_transport_defaults_to_plain_and_reads_acorn_toml(tmp_path: Path) -> None:
    assert _spec(tmp_path, "").transport == "plain"  # type: ignore[attr-defined]
    assert _spec(tmp_path, 'transport = "intercept"').transport == "intercept"  # type: ignore[attr-defined]


def test_an_unknown_transport_names_the_choices(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"transport is 'tsl'.*did you mean 'tls'.*plain, tls, intercept"
    ):
        _spec(tmp_path, 'transport = "tsl"')


def test_a_tls_simulator_makes_a_fresh_ca_when_restarted() -> None:
    sim = Simulator(config=SimConfig(tls=True))
    sim.start()
    first = sim.env()["SSL_CERT_FILE"]
    sim.stop()
    assert not Path(first).exists()  # the throwaway CA is removed with the server
    sim.start()
    try:
        assert Path(sim.env()["SSL_CERT_FILE"]).is_file()
        assert sim.endpoints.lwa_token_url.startswith("https://")
    finally:
        sim.stop()
