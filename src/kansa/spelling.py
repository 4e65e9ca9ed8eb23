""" "Did you mean ...?" for a misspelt command, dataset or control id.

One helper for every place a name is looked up, so that ``kansa results WDR-1`` answers
"no control WDR-1; did you mean WDR-001?" instead of a misleading "run it first". The
closeness measure is :func:`difflib.get_close_matches` (Ratcliff/Obershelp similarity).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from kansa.i18n import tr

# 0.6 is difflib's default; ids such as "WDR-1" vs "WDR-001" score 0.83, unrelated ids far less
_CUTOFF = 0.6


def _folded(name: str) -> str:
    """Case folded, numbers without leading zeros: ``WDR-1`` and ``wdr-001`` read the same."""
    return re.sub(r"\d+", lambda m: str(int(m.group())), name.casefold())


def close_matches(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The known names nearest ``word``, best first; the known spelling is kept.

    A name equal to ``word`` but for case or zero padding comes first, then difflib's picks.
    """
    by_folded: dict[str, str] = {}
    for c in choices:
        by_folded.setdefault(_folded(c), c)
    key = _folded(word)
    found = [key] if key in by_folded else []
    found += difflib.get_close_matches(key, list(by_folded), n=n, cutoff=_CUTOFF)
    return [by_folded[f] for f in dict.fromkeys(found)][:n]


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """``"Did you mean WDR-001?"`` in the user's language, or None when nothing is close."""
    found = close_matches(word, choices)
    if not found:
        return None
    names = tr(" or ", " または ").join(found)
    return tr(f"Did you mean {names}?", f"もしかして: {names}")
