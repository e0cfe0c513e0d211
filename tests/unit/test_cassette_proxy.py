"""Where the recording proxy forwards to, and what it refuses (no socket opened here)."""

from __future__ import annotations

import pytest

from harness.errors import AcornUsageError
from harness.sim.proxy import Upstream


def test_the_default_upstream_is_amazons_sandbox_and_lwa() -> None:
    up = Upstream.parse(None)
    assert up.bases == {
        "LWA": "https://api.amazon.com",
        "NA": "https://sandbox.sellingpartnerapi-na.amazon.com",
        "EU": "https://sandbox.sellingpartnerapi-eu.amazon.com",
        "FE": "https://sandbox.sellingpartnerapi-fe.amazon.com",
    }
    assert up.production is False
    assert up.canonical("EU") == "https://sandbox.sellingpartnerapi-eu.amazon.com"


@pytest.mark.parametrize(
    "given",
    [
        ["production"],
        ["https://sellingpartnerapi-eu.amazon.com"],
        ["NA=https://SELLINGPARTNERAPI-NA.amazon.com/"],
    ],
)
def test_production_hosts_are_refused_with_the_way_to_allow_them(given: list[str]) -> None:
    with pytest.raises(AcornUsageError) as caught:
        Upstream.parse(given)
    message = str(caught.value)
    assert "refusing to record against Amazon's production hosts" in message
    assert "--allow-production" in message
    assert "--upstream" in message  # where


def test_production_when_allowed_names_the_production_hosts() -> None:
    up = Upstream.parse(["production"], allow_production=True)
    assert up.production is True
    assert up.canonical("NA") == "https://sellingpartnerapi-na.amazon.com"
    assert up.canonical("LWA") == "https://api.amazon.com"


def test_one_url_for_every_endpoint_or_one_per_endpoint() -> None:
    one = Upstream.parse(["http://127.0.0.1:9000/"])
    assert set(one.bases.values()) == {"http://127.0.0.1:9000"}
    each = Upstream.parse(["LWA=http://127.0.0.1:9000/auth/o2/token", "eu=http://127.0.0.1:9002"])
    assert each.bases["LWA"] == "http://127.0.0.1:9000"
    assert each.bases["EU"] == "http://127.0.0.1:9002"
    assert each.bases["NA"] == "https://sandbox.sellingpartnerapi-na.amazon.com"
    # Whatever the upstream, the cassette names the sandbox host the port stands for.
    assert each.canonical("EU") == "https://sandbox.sellingpartnerapi-eu.amazon.com"


@pytest.mark.parametrize("bad", ["ftp://example.com", "sandbox.sellingpartnerapi-na", "NA=nope"])
def test_a_bad_upstream_is_a_usage_error(bad: str) -> None:
    with pytest.raises(AcornUsageError, match="not an http"):
        Upstream.parse([bad])


def test_userinfo_in_an_upstream_is_never_shown() -> None:
    up = Upstream.parse(["NA=http://user:s3cret@127.0.0.1:9000/"])
    assert up.bases["NA"] == "http://user:s3cret@127.0.0.1:9000"  # still sent, as given
    assert "s3cret" not in up.description
    assert "NA=http://127.0.0.1:9000" in up.description
