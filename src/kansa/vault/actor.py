"""Who made a ledger entry: the claimed actor (``$KANSA_ACTOR``) and the OS user.

``KANSA_ACTOR`` lets a service account record the person it acts for, but anyone can set it, so
every new entry also records ``os_user``, the account the process really runs as (from the
password database by effective uid, not from the environment): a spoofed actor stays visible.
The actor is printed in terminals and reports, so it is limited to letters and digits of any
script (Japanese names included), spaces and a few punctuation marks, at most 128 characters:
no control characters, no terminal escape sequences, no bidirectional overrides.
"""

from __future__ import annotations

import os
import pwd
import unicodedata

from kansa.errors import KansaError
from kansa.i18n import tr

ACTOR_ENV = "KANSA_ACTOR"
MAX_ACTOR = 128
# U+3000 (ideographic space) and U+30FB (katakana middle dot) appear in Japanese full names
_PUNCTUATION = frozenset(" .,-_@'+()\u3000\u30fb")


def os_user() -> str:
    """The account the process runs as (effective uid), or ``uid:N`` if it has no name."""
    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid:{uid}"


def actor_problem(value: str) -> str | None:
    """Why ``value`` is not an acceptable actor name, or None."""
    if not value.strip():
        return tr("it is empty", "空です")
    if len(value) > MAX_ACTOR:
        return tr(
            f"it is {len(value)} characters long (at most {MAX_ACTOR})",
            f"{len(value)} 文字あります（最大 {MAX_ACTOR} 文字）",
        )
    for pos, ch in enumerate(value, start=1):
        if unicodedata.category(ch)[0] not in "LMN" and ch not in _PUNCTUATION:
            return tr(
                f"character {pos} (U+{ord(ch):04X}) is not allowed: use letters, digits, "
                "spaces and . , - _ @ ' + ( ) ・",
                f"{pos} 文字目（U+{ord(ch):04X}）は使えません。文字・数字・空白と . , - _ @ ' + ( ) ・ "
                "のみ使えます",
            )
    return None


def checked_actor(name: str) -> str:
    """``name`` if it is an acceptable actor (as :func:`current_actor` checks the claimed one)."""
    problem = actor_problem(name)
    if problem:
        raise KansaError(
            tr(
                f"{name!r} is not a valid actor name: {problem}.",
                f"{name!r} は実行者名として不正です: {problem}。",
            )
        )
    return name


def current_actor() -> str:
    """``$KANSA_ACTOR`` (refused with a clear message when unacceptable), else the OS user."""
    claimed = os.environ.get(ACTOR_ENV)
    if claimed is not None and claimed != "":
        problem = actor_problem(claimed)
        if problem:
            raise KansaError(
                tr(
                    f"{ACTOR_ENV} is not a valid actor name: {problem}.",
                    f"{ACTOR_ENV} は実行者名として不正です: {problem}。",
                )
            )
        return claimed
    for var in ("USER", "LOGNAME"):
        value = os.environ.get(var)
        if value and actor_problem(value) is None:
            return value
    return os_user()
