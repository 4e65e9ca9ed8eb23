"""Descriptor checksums (BIP 380, "Checksum").

An 8-character BCH code over the descriptor text. The character set, the expansion of
characters into 5-bit symbols and the generator constants are those given in BIP 380.
"""

from __future__ import annotations

# BIP 380: the input character set, written as 3 groups of 32 so that case errors and the most
# common "unprotected" characters change only one symbol.
INPUT_CHARSET = (
    "0123456789()[],'/*abcdefgh@:$%{}"
    "IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~"
    'ijklmnopqrstuvwxyzABCDEFGH`#"\\ '
)
# BIP 380: the checksum uses the bech32 character set.
CHECKSUM_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
CHECKSUM_LENGTH = 8
_GENERATOR = (0xF5DEE51989, 0xA9FDCA3312, 0x1BAB10E32D, 0x3706B1677A, 0x644D626FFD)
_INDEX = {c: i for i, c in enumerate(INPUT_CHARSET)}


def _polymod(symbols: list[int]) -> int:
    chk = 1
    for value in symbols:
        top = chk >> 35
        chk = ((chk & 0x7FFFFFFFF) << 5) ^ value
        for i, gen in enumerate(_GENERATOR):
            if (top >> i) & 1:
                chk ^= gen
    return chk


def invalid_character(text: str) -> int | None:
    """Position of the first character outside the descriptor character set, if any."""
    for pos, c in enumerate(text):
        if c not in _INDEX:
            return pos
    return None


def _expand(text: str) -> list[int]:
    """Each character's position in its group, plus one symbol per 3 characters for the groups."""
    symbols: list[int] = []
    groups: list[int] = []
    for c in text:
        v = _INDEX[c]
        symbols.append(v & 31)
        groups.append(v >> 5)
        if len(groups) == 3:
            symbols.append(groups[0] * 9 + groups[1] * 3 + groups[2])
            groups = []
    if len(groups) == 1:
        symbols.append(groups[0])
    elif len(groups) == 2:
        symbols.append(groups[0] * 3 + groups[1])
    return symbols


def compute_checksum(text: str) -> str:
    """The 8-character checksum of a descriptor written without one."""
    if invalid_character(text) is not None:
        raise ValueError("descriptor contains a character outside the BIP 380 character set")
    value = _polymod([*_expand(text), *([0] * CHECKSUM_LENGTH)]) ^ 1
    return "".join(
        CHECKSUM_CHARSET[(value >> (5 * (CHECKSUM_LENGTH - 1 - i))) & 31]
        for i in range(CHECKSUM_LENGTH)
    )


def checksum_matches(text: str, checksum: str) -> bool:
    """True when ``checksum`` is the valid checksum of ``text``."""
    if len(checksum) != CHECKSUM_LENGTH or any(c not in CHECKSUM_CHARSET for c in checksum):
        return False
    if invalid_character(text) is not None:
        return False
    symbols = _expand(text) + [CHECKSUM_CHARSET.index(c) for c in checksum]
    return _polymod(symbols) == 1


def add_checksum(text: str) -> str:
    """``text#checksum``."""
    return f"{text}#{compute_checksum(text)}"
