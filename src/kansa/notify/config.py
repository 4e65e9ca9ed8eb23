"""``[notify]`` of kansa.toml: the relay, the webhook signing, and each person's addresses.

::

    [notify]
    smtp_host = "relay.internal"      # the company's relay (no default: no e-mail without it)
    smtp_port = 25
    starttls = false                  # true: STARTTLS before sending
    sender = "kansa@example.co.jp"
    smtp_user_env = "KANSA_SMTP_USER"           # credentials come from the environment,
    smtp_password_env = "KANSA_SMTP_PASSWORD"   # never from this file
    webhook_secret_env = "KANSA_WEBHOOK_SECRET" # HMAC-SHA256 of each webhook body
    app_url = "https://kansa.internal"          # links in messages
    due_soon_days = 3

    [notify.people."kato"]                      # a user name (or a workflow name)
    email = "kato@example.co.jp"
    webhook = "https://chat.internal/hooks/kato"
    language = "ja"                             # en | ja (default: the workspace's)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kansa.errors import ConfigError
from kansa.i18n import tr


@dataclass(frozen=True)
class Person:
    name: str
    email: str = ""
    webhook: str = ""
    language: str = "en"


@dataclass(frozen=True)
class NotifyConfig:
    smtp_host: str = ""
    smtp_port: int = 25
    starttls: bool = False
    sender: str = "kansa@localhost"
    smtp_user_env: str = ""
    smtp_password_env: str = ""
    webhook_secret_env: str = ""
    app_url: str = ""
    due_soon_days: int = 3
    people: dict[str, Person] = field(default_factory=dict)
    language: str = "en"  # for a person not listed: the workspace's language

    def secret(self, env: str) -> str:
        """The value of environment variable ``env`` (a credential), or ""."""
        return os.environ.get(env, "") if env else ""


def _bad(key: str, what: str) -> ConfigError:
    return ConfigError(
        tr(f"[notify] {key}: {what}.", f"[notify] {key}: {what}。"),
        hint=tr("See docs/workflow.md (notifications).", "docs/workflow.md（通知）を参照。"),
    )


def _str(table: Mapping[str, Any], key: str, default: str = "") -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise _bad(key, "a string")
    return value.strip()


def _int(table: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _bad(key, f"a whole number from {low} to {high}")
    return value


def _person(name: str, raw: Any, language: str) -> Person:
    if not isinstance(raw, dict):
        raise _bad(f"people.{name}", "a table with email, webhook, language")
    lang = _str(raw, "language", language)
    if lang not in ("en", "ja"):
        raise _bad(f"people.{name}.language", "en or ja")
    webhook = _str(raw, "webhook")
    if webhook and not webhook.startswith(("http://", "https://")):
        raise _bad(f"people.{name}.webhook", "an http(s) URL")
    return Person(name, _str(raw, "email"), webhook, lang)


def notify_config(raw: Mapping[str, Any], language: str | None = None) -> NotifyConfig:
    """``[notify]`` (``raw`` is the whole parsed kansa.toml), checked."""
    table = raw.get("notify", {})
    if not isinstance(table, dict):
        raise _bad("", "a table")
    starttls = table.get("starttls", False)
    if not isinstance(starttls, bool):
        raise _bad("starttls", "true or false")
    people = table.get("people", {})
    if not isinstance(people, dict):
        raise _bad("people", "a table of people")
    return NotifyConfig(
        smtp_host=_str(table, "smtp_host"),
        smtp_port=_int(table, "smtp_port", 25, 1, 65535),
        starttls=starttls,
        sender=_str(table, "sender", "kansa@localhost"),
        smtp_user_env=_str(table, "smtp_user_env"),
        smtp_password_env=_str(table, "smtp_password_env"),
        webhook_secret_env=_str(table, "webhook_secret_env"),
        app_url=_str(table, "app_url").rstrip("/"),
        due_soon_days=_int(table, "due_soon_days", 3, 0, 365),
        people={n: _person(n, p, language or "en") for n, p in people.items()},
        language=language or "en",
    )
