"""The page language: the ``kansa_lang`` cookie, else the browser's Accept-Language."""

from __future__ import annotations

from fastapi import Request

COOKIE = "kansa_lang"
LANGS = ("en", "ja")


def request_lang(request: Request) -> str:
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGS:
        return chosen
    accept = request.headers.get("accept-language", "").lower()
    return "ja" if accept.startswith("ja") else "en"


class Texts:
    """``t(en, ja)`` in templates and routes, bound to the request's language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, en: str, ja: str) -> str:
        return ja if self.lang == "ja" else en
