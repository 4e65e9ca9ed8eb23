"""Parser properties: any text is either a descriptor or a DescriptorError with a position
inside the text; normalisation is stable; a one-character change breaks the checksum."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kansa.custody import DescriptorError, parse_descriptor
from kansa.custody.checksum import INPUT_CHARSET, add_checksum, checksum_matches

XPUB = "xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL"
PUB = "03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd"
SEEDS = [
    f"wsh(sortedmulti(2,[deadbeef/48h/0h/0h/2h]{XPUB}/<0;1>/*,{PUB}))",
    f"tr({PUB[2:]},{{pk({XPUB}/0/*),multi_a(1,{PUB},{XPUB}/1/*)}})",
    f"sh(wpkh({XPUB}/0/*))",
    "raw(deadbeef)",
]
FRAGMENTS = [
    "wsh(",
    "sh(",
    "multi(",
    "sortedmulti_a(",
    "tr(",
    "pk(",
    ")",
    ",",
    "{",
    "}",
    "[",
    "]",
    "/",
    "*",
    "<0;1>",
    "h",
    "'",
    "#",
    PUB,
    XPUB,
    "deadbeef",
    "2",
    "0",
]


def _parse_or_error(text: str) -> None:
    try:
        d = parse_descriptor(text)
        d.expand(0)
    except DescriptorError as exc:
        if exc.position is not None:
            assert 0 <= exc.position <= len(text.strip())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=INPUT_CHARSET + "Ü\n", max_size=80))
def test_random_text_never_crashes_the_parser(text: str) -> None:
    _parse_or_error(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=14))
def test_descriptor_shaped_noise_never_crashes_the_parser(parts: list[str]) -> None:
    _parse_or_error("".join(parts))


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SEEDS), st.integers(0, 10_000), st.data())
def test_mutations_of_valid_descriptors_parse_or_fail_cleanly(
    seed: str, at: int, data: st.DataObject
) -> None:
    pos = at % len(seed)
    char = data.draw(st.sampled_from(INPUT_CHARSET))
    _parse_or_error(seed[:pos] + char + seed[pos + 1 :])


@pytest.mark.parametrize("text", SEEDS)
def test_normalised_text_is_a_fixed_point(text: str) -> None:
    once = parse_descriptor(text).text()
    assert parse_descriptor(once).text() == once


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SEEDS), st.integers(0, 10_000), st.data())
def test_any_single_substitution_is_caught_by_the_checksum(
    seed: str, at: int, data: st.DataObject
) -> None:
    """BIP 380: "Any 1 symbol error is always detected"."""
    text = add_checksum(seed)
    body, checksum = text.split("#")
    pos = at % len(body)
    char = data.draw(st.sampled_from(INPUT_CHARSET).filter(lambda c: c != body[pos]))
    assert not checksum_matches(body[:pos] + char + body[pos + 1 :], checksum)
