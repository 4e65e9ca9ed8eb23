"""BIP 380 test vectors: checksums, character set and key expressions.

Source: bitcoin/bips bip-0380.mediawiki, section "Test Vectors" (every vector listed there).
"""

from __future__ import annotations

import pytest

from kansa.custody import DescriptorError, parse_descriptor
from kansa.custody.checksum import add_checksum, compute_checksum
from kansa.custody.keys import parse_key_text

# --- BIP 380: "The following tests cover the checksum and character set" -------------------

CHECKSUM_VALID = [
    "raw(deadbeef)#89f8spxm",  # Valid checksum
    "raw(deadbeef)",  # No checksum
]
CHECKSUM_INVALID = [
    "raw(deadbeef)#",  # Missing checksum
    "raw(deadbeef)#89f8spxmx",  # Too long checksum (9 chars)
    "raw(deadbeef)#89f8spx",  # Too short checksum (7 chars)
    "raw(deedbeef)#89f8spxm",  # Error in payload
    "raw(deedbeef)##9f8spxm",  # Error in checksum
    "raw(Ü)#00000000",  # Invalid characters in payload
]


@pytest.mark.parametrize("text", CHECKSUM_VALID)
def test_bip380_checksum_valid(text: str) -> None:
    d = parse_descriptor(text)
    assert d.expand(0).script_pubkey.hex() == "deadbeef"
    assert d.text() == "raw(deadbeef)#89f8spxm"


@pytest.mark.parametrize("text", CHECKSUM_INVALID)
def test_bip380_checksum_invalid(text: str) -> None:
    with pytest.raises(DescriptorError):
        parse_descriptor(text)


def test_bip380_checksum_computed() -> None:
    assert compute_checksum("raw(deadbeef)") == "89f8spxm"
    assert add_checksum("raw(deadbeef)") == "raw(deadbeef)#89f8spxm"


def test_checksum_errors_name_the_checksum_position() -> None:
    with pytest.raises(DescriptorError) as err:
        parse_descriptor("raw(deedbeef)#89f8spxm")
    assert err.value.position == len("raw(deedbeef)#")
    assert "checksum mismatch" in err.value.reason
    with pytest.raises(DescriptorError) as err:
        parse_descriptor("raw(Ü)#00000000")
    assert err.value.position == 4


def test_required_checksum_is_enforced() -> None:
    with pytest.raises(DescriptorError, match="missing checksum"):
        parse_descriptor("raw(deadbeef)", require_checksum=True)
    assert parse_descriptor("raw(deadbeef)#89f8spxm", require_checksum=True).had_checksum


# --- BIP 380: "The following tests cover key expressions" ---------------------------------

XPUB = "xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL"
XPRV = "xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc"
PUB = "0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600"

KEY_VALID = [
    "0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600",
    "04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235",
    "[deadbeef/0h/0h/0h]0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600",
    "[deadbeef/0'/0'/0']0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600",
    "[deadbeef/0'/0h/0']0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600",
    "5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss",
    "L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1",
    f"{XPUB}",
    f"[deadbeef/0h/1h/2h]{XPUB}",
    f"[deadbeef/0h/1h/2h]{XPUB}/3/4/5",
    f"[deadbeef/0h/1h/2h]{XPUB}/3/4/5/*",
    f"{XPUB}/3h/4h/5h/*",
    f"{XPUB}/3h/4h/5h/*h",
    f"[deadbeef/0h/1h/2]{XPUB}/3h/4h/5h/*h",
    f"{XPRV}",
    f"[deadbeef/0h/1h/2h]{XPRV}",
    f"[deadbeef/0h/1h/2h]{XPRV}/3/4/5",
    f"[deadbeef/0h/1h/2h]{XPRV}/3/4/5/*",
    f"{XPRV}/3h/4h/5h/*",
    f"{XPRV}/3h/4h/5h/*h",
    f"[deadbeef/0h/1h/2]{XPRV}/3h/4h/5h/*h",
]

XPRV_ROOT = "xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U"
KEY_INVALID = [
    f"[deadbeef/0h/0h/0h/*]{PUB}",  # Children indicator in key origin
    f"[deadbeef/0h/0h/0h/]{PUB}",  # Trailing slash in key origin
    f"[deadbef/0h/0h/0h]{PUB}",  # Too short fingerprint
    f"[deadbeeef/0h/0h/0h]{PUB}",  # Too long fingerprint
    f"[deadbeef/0f/0f/0f]{PUB}",  # Invalid hardened indicators
    f"[deadbeef/0H/0H/0H]{PUB}",  # Invalid hardened indicators
    f"[deadbeef/-0/-0/-0]{PUB}",  # Invalid hardened indicators
    "L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1/0",  # Private key with derivation
    "L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1/*",  # ... with derivation children
    f"{XPRV_ROOT}/2147483648",  # Derivation index out of range
    f"{XPRV_ROOT}/1aa",  # Invalid derivation index
    f"[aaaaaaaa][aaaaaaaa]{XPRV_ROOT}/2147483647'/0",  # Multiple key origins
    f"aaaaaaaa]{XPRV_ROOT}/2147483647'/0",  # Missing key origin start
    f"[gaaaaaaa]{XPRV_ROOT}/2147483647'/0",  # Non hex fingerprint
    "[deadbeef]",  # Key origin with no public key
]


@pytest.mark.parametrize("text", KEY_VALID)
def test_bip380_key_expression_valid(text: str) -> None:
    key = parse_key_text(text)
    assert parse_key_text(key.text()).text() == key.text()  # normalised form parses again


@pytest.mark.parametrize("text", KEY_INVALID)
def test_bip380_key_expression_invalid(text: str) -> None:
    with pytest.raises(DescriptorError) as err:
        parse_key_text(text)
    assert err.value.position is not None


def test_bip380_private_keys_normalise_to_their_public_keys() -> None:
    """The xprv vectors are the private keys of the xpub vectors: same public form (BIP 380
    "Normalization of Key Expressions with Hardened Derivation" for the hardened ones)."""
    assert parse_key_text(f"[deadbeef/0h/1h/2h]{XPRV}/3/4/5/*").text() == (
        f"[deadbeef/0h/1h/2h]{XPUB}/3/4/5/*"
    )
    own_fp = parse_key_text(XPUB).fingerprint.hex()
    hardened = parse_key_text(f"{XPRV}/3h/4h/5h/*").text()
    assert hardened.startswith(f"[{own_fp}/3h/4h/5h]xpub")
    assert hardened.endswith("/*")
    assert "xprv" not in parse_key_text(f"[deadbeef/0h/1h/2]{XPRV}/3h/4h/5h/*h").text()


def test_bip380_hardened_public_derivation_is_refused_at_derivation() -> None:
    key = parse_key_text(f"{XPUB}/3h/4h/5h/*")
    with pytest.raises(DescriptorError, match="private key"):
        key.derive(0)


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        (f"[deadbeef/0h/0h/0h/*]{PUB}", 19, "not allowed in a key origin"),
        (f"[deadbef/0h/0h/0h]{PUB}", 1, "8 hex characters"),
        (f"[deadbeef/0H/0H/0H]{PUB}", 11, "hardened marker"),
        (f"{XPRV_ROOT}/2147483648", len(XPRV_ROOT) + 1, "out of range"),
        (f"{XPRV_ROOT}/1aa", len(XPRV_ROOT) + 1, "invalid derivation index"),
        (f"[aaaaaaaa][aaaaaaaa]{XPRV_ROOT}", 10, "only one key origin"),
        (f"aaaaaaaa]{XPRV_ROOT}", 8, "without an opening"),
        ("[deadbeef]", 10, "expected a key"),
    ],
)
def test_key_errors_say_where_and_what(text: str, position: int, words: str) -> None:
    with pytest.raises(DescriptorError) as err:
        parse_key_text(text)
    assert err.value.position == position
    assert words in err.value.reason


def test_error_hint_never_shows_a_private_key() -> None:
    with pytest.raises(DescriptorError) as err:
        parse_descriptor(f"pkh({XPRV_ROOT}/1aa)")
    assert XPRV_ROOT not in (err.value.hint or "")
    assert "^" in (err.value.hint or "")
