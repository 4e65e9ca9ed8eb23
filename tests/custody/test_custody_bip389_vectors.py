"""BIP 389 (multipath descriptor key expressions) test vectors.

Source: bitcoin/bips bip-0389.mediawiki, "Test Vectors". Each valid multipath descriptor must
expand, branch by branch, into exactly the listed descriptors (same normalised text, same
scripts at indices 0..2); each invalid one is refused.
"""

from __future__ import annotations

import pytest

from kansa.custody import DescriptorError, parse_descriptor

XPUB_A = "xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL"
XPUB_B = "xpub68NZiKmJWnxxS6aaHmn81bvJeTESw724CRDs6HbuccFQN9Ku14VQrADWgqbhhTHBaohPX4CjNLf9fq9MYo6oDaPPLPxSb7gwQN3ih19Zm4Y"
XPUB_C = "xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH"
XPUB_R1 = "xpub661MyMwAqRbcFW31YEwpkMuc5THy2PSt5bDMsktWQcFF8syAmRUapSCGu8ED9W6oDMSgv6Zz8idoc4a6mr8BDzTJY47LJhkJ8UB7WEGuduB"
XPUB_R2 = "xpub661MyMwAqRbcGDZQUKLqmWodYLcoBQnQH33yYkkF3jjxeLvY8qr2wWGEWkiKFaaQfJCoi3HeEq3Dc5DptfbCyjD38fNhSqtKc1UHaP4ba3t"
XPUB_R3 = "xpub661MyMwAqRbcF3yVrV2KyYetLMYA5mCbv4BhrKwUrFE9LZM6JRR1AEt8Jq4V4C8LwtTke6YEEdCZqgXp85YRk2j74EfJKhe3QybQ9kcUjs4"
XPRV_ROOT1 = "xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U"
XPRV_A = "xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc"
XPRV_B = "xprv9uPDJpEQgRQfDcW7BkF7eTya6RPxXeJCqCJGHuCJ4GiRVLzkTXBAJMu2qaMWPrS7AANYqdq6vcBcBUdJCVVFceUvJFjaPdGZ2y9WACViL4L"
XPRV_R3 = "xprv9s21ZrQH143K3jUwNHoqQNrtzJnJmx4Yup8NkNLdVQCymYbPbJXnPhwkfTfxZfptcs3rLAPUXS39oDLgrNKQGwbGsEmJJ8BU3RzQuvShEG4"

VALID: list[tuple[str, list[str]]] = [
    (f"pk({XPUB_B}/<0;1>)", [f"pk({XPUB_B}/0)", f"pk({XPUB_B}/1)"]),
    (
        f"pkh({XPRV_ROOT1}/<2147483647h;0>/0)",
        [f"pkh({XPRV_ROOT1}/2147483647h/0)", f"pkh({XPRV_ROOT1}/0/0)"],
    ),
    # As printed in BIP 389 this vector lacks its closing ')'; the expansions show the intent.
    (
        f"wpkh([ffffffff/13h]{XPUB_C}/<1;3>/2/*)",
        [f"wpkh([ffffffff/13h]{XPUB_C}/1/2/*)", f"wpkh([ffffffff/13h]{XPUB_C}/3/2/*)"],
    ),
    (
        f"multi(2,{XPUB_A}/<1;2>/*,{XPUB_B}/<3;4>/0/*)",
        [f"multi(2,{XPUB_A}/1/*,{XPUB_B}/3/0/*)", f"multi(2,{XPUB_A}/2/*,{XPUB_B}/4/0/*)"],
    ),
    (
        f"pkh({XPUB_R1}/<0;1;2>)",
        [f"pkh({XPUB_R1}/0)", f"pkh({XPUB_R1}/1)", f"pkh({XPUB_R1}/2)"],
    ),
    (
        f"sh(multi(2,{XPUB_A}/<1;2;3>/0/*,{XPUB_B}/0/*,{XPUB_R2}/0/0/<3;4;5>/*))",
        [
            f"sh(multi(2,{XPUB_A}/1/0/*,{XPUB_B}/0/*,{XPUB_R2}/0/0/3/*))",
            f"sh(multi(2,{XPUB_A}/2/0/*,{XPUB_B}/0/*,{XPUB_R2}/0/0/4/*))",
            f"sh(multi(2,{XPUB_A}/3/0/*,{XPUB_B}/0/*,{XPUB_R2}/0/0/5/*))",
        ],
    ),
]

INVALID = [
    f"pkh({XPRV_ROOT1}/<0;1>/<2;3>)",  # Multiple multipath specifiers
    f"pkh([deadbeef/<0;1>]{XPUB_R1}/0)",  # Multipath specifier in origin
    (  # Multipath specifiers of mismatched lengths
        f"tr({XPUB_R3}/<6;7;8;9>/*,{{pk({XPUB_A}/<1;2;3>/0/*),pk({XPUB_R2}/0/0/<3;4;5>/*)}})"
    ),
    f"sh(multi(2,{XPRV_A}/<1;2;3>/0/*,{XPRV_B}/0/*,{XPRV_R3}/0/0/<3;4>/*))",  # mismatched
    f"wpkh({XPUB_R1}/<>/*)",  # Empty multipath specifier
    f"wpkh({XPUB_R1}/0>/*)",  # Missing multipath start
    f"wpkh({XPUB_R1}/<0/*)",  # Missing multipath end
    f"wpkh({XPUB_R1}/<0;>/*)",  # Missing index in multipath specifier
]


@pytest.mark.parametrize(("text", "expansions"), VALID)
def test_bip389_multipath_expands_into_the_listed_descriptors(
    text: str, expansions: list[str]
) -> None:
    d = parse_descriptor(text)
    assert d.branches == len(expansions)
    for branch, expected_text in enumerate(expansions):
        expected = parse_descriptor(expected_text)
        assert d.text(branch) == expected.text()
        for index in range(3):
            assert d.expand(index, branch).script_pubkey == expected.expand(index).script_pubkey


@pytest.mark.parametrize("text", INVALID)
def test_bip389_invalid_multipath_is_refused(text: str) -> None:
    with pytest.raises(DescriptorError) as err:
        parse_descriptor(text)
    assert err.value.position is not None


def test_missing_branch_is_refused() -> None:
    d = parse_descriptor(f"pk({XPUB_B}/<0;1>)")
    with pytest.raises(DescriptorError, match="branch 2 does not exist"):
        d.expand(0, 2)
