"""Bilingual (English / Japanese) user-facing text.

Strings are written inline at the call site as a pair, so that each package owns its own
wording and no central catalog becomes a merge hotspot. The language comes from
``KANSA_LANG`` (``en`` or ``ja``), else from ``LANG`` / ``LC_ALL``; English is the default.
A server answering many readers speaks each one's language instead (:func:`speaking`, one
request at a time: a context variable, so threads and tasks never mix them).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_SPEAKING: ContextVar[str | None] = ContextVar("kansa_speaking", default=None)


def speak(language: str) -> None:
    """Speak ``language`` (``en`` or ``ja``) for the rest of this context (a web request)."""
    if language in ("ja", "en"):
        _SPEAKING.set(language)


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Speak ``language`` inside the block, whatever the environment says."""
    token = _SPEAKING.set(language if language in ("ja", "en") else None)
    try:
        yield
    finally:
        _SPEAKING.reset(token)


def lang() -> str:
    """Return ``"ja"`` or ``"en"``."""
    chosen = _SPEAKING.get()
    if chosen is not None:
        return chosen
    explicit = os.environ.get("KANSA_LANG", "").strip().lower()
    if explicit in ("ja", "en"):
        return explicit
    for var in ("LC_ALL", "LANG"):
        if os.environ.get(var, "").lower().startswith("ja"):
            return "ja"
    return "en"


def tr(en: str, ja: str) -> str:
    """Pick the text for the current language."""
    return ja if lang() == "ja" else en
