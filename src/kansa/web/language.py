"""The page language: the ``kansa_lang`` cookie (the page's English / 日本語 switch), else the
signed-in user's own (their account's language), else the browser's Accept-Language.

The same language is the one :func:`kansa.i18n.tr` speaks while the request is answered
(:func:`kansa.i18n.speaking`, set by the app-wide dependency), so a refusal the library words
(a plan step refused, a finding step out of order) reads in the reader's language, not the
server's."""

from __future__ import annotations

from fastapi import Request

COOKIE = "kansa_lang"
LANGS = ("en", "ja")


def request_lang(request: Request) -> str:
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGS:
        return chosen
    principal = getattr(request.state, "principal", None)
    own = getattr(principal, "language", None)
    if own in LANGS:
        return str(own)
    accept = request.headers.get("accept-language", "").lower()
    return "ja" if accept.startswith("ja") else "en"


class Texts:
    """``t(en, ja)`` in templates and routes, bound to the request's language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, en: str, ja: str) -> str:
        return ja if self.lang == "ja" else en
