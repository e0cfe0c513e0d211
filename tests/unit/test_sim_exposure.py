"""The simulator's credential-exposure scan finds what testing every encoded form finds.

``exposure`` runs on every request, so it searches one automaton per state of the credentials
instead of testing each of their dozens of encoded forms with ``in``; this proves both answer
alike, forms inside other forms and rotated secrets included.
"""

from __future__ import annotations

import base64
from urllib.parse import quote

from hypothesis import example, given
from hypothesis import strategies as st

from harness.redact import encoded_forms
from harness.sim.credentials import Credentials, carried_finder, exposure, seeded_credentials
from harness.sim.http import SimRequest

CREDS = seeded_credentials(11)
CREDS.retired_client_secrets.add("amzn1.oa2-cs.v1.retired0123456789abcdef")


def _reference(creds: Credentials, text: str) -> list[str]:
    """The scan as it was written first: every form of every value, tested with ``in``."""
    return [
        label
        for label, values in creds.labelled().items()
        if any(form in text for value in values for form in encoded_forms(value))
    ]


_secrets = sorted({v for values in CREDS.labelled().values() for v in values})
_pieces = st.one_of(
    st.text(max_size=10),
    st.sampled_from(_secrets),
    st.sampled_from(_secrets).map(quote),
    st.sampled_from(_secrets).map(lambda s: base64.b64encode(s.encode()).decode()),
    st.sampled_from(_secrets).map(lambda s: s[: len(s) // 2]),  # half a secret is not one
)
_texts = st.lists(_pieces, max_size=4).map("".join)


@given(_texts)
@example("")
@example(CREDS.client_secret)
@example(quote(CREDS.refresh_token) + "\n" + CREDS.client_secret)
def test_one_pass_names_what_testing_every_form_names(text: str) -> None:
    assert carried_finder(CREDS)(text) == _reference(CREDS, text)


def test_a_form_inside_another_labels_form_still_counts() -> None:
    """Overlapping matches: a refresh token that contains the client secret carries both."""
    creds = seeded_credentials(12)
    creds.refresh_token = "Atzr|" + creds.client_secret + "tail"
    assert carried_finder(creds)(creds.refresh_token) == ["LWA client secret", "refresh token"]
    assert _reference(creds, creds.refresh_token) == ["LWA client secret", "refresh token"]


def test_a_rotated_secret_is_searched_at_once() -> None:
    creds = seeded_credentials(13)
    request = SimRequest("GET", "/orders/v0/orders", {}, {"x-note": "new-secret-abcdef0123"}, b"")
    assert exposure(creds, request, token_endpoint=False) == {}
    creds.retired_client_secrets.add(creds.client_secret)
    creds.client_secret = "new-secret-abcdef0123"
    assert exposure(creds, request, token_endpoint=False) == {
        "secrets_to_sp_api": ["LWA client secret"]
    }
