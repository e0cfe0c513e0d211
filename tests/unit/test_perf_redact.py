"""Redactor.copy, the journal's fast path, agrees with Redactor.value (the reference).

The simulator journals every body through ``copy``: it must mask exactly what ``value`` masks
and hand back an independent deep copy, whatever the data (tokens, known values in any form,
secret-bearing keys in any case, escapes, tuples, NaN, types JSON lacks).
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from harness.redact import SECRET_KEYS, Redactor

ACCESS = "Atza|IwEBIAccessTokenBody_0123456789-abcdef"
CLIENT_SECRET = "amzn1.oa2-cs.v1.0f1e2d3c4b5a69788796a5b4c3d2e1f0"
BUYER = "Zyphra Quillon-7f3a"
QUOTED = 'Say "hi" 7f3a'  # a known value JSON escapes

REDACTOR = Redactor(secrets=[CLIENT_SECRET], pii=[BUYER, QUOTED])

_special = st.sampled_from(
    [ACCESS, CLIENT_SECRET, BUYER, QUOTED, f"x {BUYER} y", "Atza\\u007cABCDEFGHIJ", "é", "\n"]
)
_text = st.one_of(st.text(max_size=12), _special, _special.map(lambda s: "<" + s + ">"))
_keys = st.one_of(
    st.text(max_size=8),
    st.sampled_from(sorted(SECRET_KEYS)),
    st.sampled_from(sorted(SECRET_KEYS)).map(str.upper),
    _special,
)
_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    _text,
)
_json = st.recursive(
    _leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(_keys, inner, max_size=4),
    ),
    max_leaves=25,
)


def _same(a: Any, b: Any) -> bool:
    """Equal, with the same container types, NaN equal to NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


@given(_json)
@example({"Access_Token": "abc"})  # a secret-bearing key, any case: masked whole
@example({"note": "Atza\\u007cABCDEFGHIJ"})  # a token JSON escapes
@example([QUOTED])  # a known value JSON escapes
@example((1, "a"))  # a tuple stays a tuple
@example({"n": math.nan})
def test_copy_masks_exactly_as_value_does(data: Any) -> None:
    assert _same(REDACTOR.copy(data), REDACTOR.value(data))


@given(st.dictionaries(_keys, _text, min_size=1, max_size=3))
def test_copy_masks_flat_objects_as_value_does(data: dict[str, str]) -> None:
    assert _same(REDACTOR.copy(data), REDACTOR.value(data))


@given(st.dictionaries(st.text(max_size=8), _json, max_size=4))
def test_copy_is_independent_of_the_original(data: dict[str, Any]) -> None:
    copied = REDACTOR.copy({"payload": data})
    data["__added__"] = 1
    assert "__added__" not in copied["payload"]


def test_a_clean_body_takes_the_fast_path_and_a_dirty_one_does_not() -> None:
    clean = {"payload": {"Orders": [{"AmazonOrderId": "111-1", "Total": 12.5}] * 3}}
    copied = REDACTOR.copy(clean)
    assert copied == clean
    assert copied is not clean
    assert copied["payload"] is not clean["payload"]
    dirty = {"payload": {"Orders": [{"BuyerName": BUYER, "Access_Token": "abc"}]}}
    assert REDACTOR.copy(dirty) == {
        "payload": {"Orders": [{"BuyerName": "[PII]", "Access_Token": "***"}]}
    }


_header_names = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["x-amz-access-token", "authorization", "user-agent", "X-Amz-Access-Token"]),
    st.sampled_from(sorted(SECRET_KEYS)),
)


@given(st.dictionaries(_header_names, _text, max_size=5))
@example({"x-amz-access-token": ACCESS, "user-agent": "python-sp-api"})  # the usual request
@example({"x-amz-access-token": "not-a-token", "x-note": f"{BUYER}"})
def test_headers_mask_exactly_as_value_does(headers: dict[str, str]) -> None:
    """The journal's one-pass headers agree with the walk (secret names masked whole)."""
    assert _same(REDACTOR.headers(headers), REDACTOR.value(headers))


@given(st.dictionaries(st.text(max_size=6), st.lists(_text, max_size=3), max_size=4))
@example({"MarketplaceIds": ["ATVPDKIKX0DER"], "note": [f"a{CLIENT_SECRET}"]})
def test_query_masks_each_value_as_text_does(query: dict[str, list[str]]) -> None:
    expected = {k: [REDACTOR.text(v) for v in values] for k, values in query.items()}
    masked = REDACTOR.query(query)
    assert _same(masked, expected)
    for values in query.values():  # an independent copy, never the request's own lists
        assert all(masked_list is not values for masked_list in masked.values())


@given(st.lists(_text, max_size=6))
def test_unchanged_holds_exactly_when_text_changes_nothing(texts: list[str]) -> None:
    assert REDACTOR.unchanged(texts) == all(REDACTOR.text(t) == t for t in texts)
