"""Who is asking: a signed-in browser session or an API token, with role and unit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    role: str
    unit: str | None
    via: str  # "session" or "token"
    stage: str  # "full" for a token; the login stage for a session
    session_token: str | None = None
    csrf_token: str | None = None
    language: str | None = None  # the account's (``kansa users set --language``), if set


def scope_of(who: Principal) -> tuple[str, str | None]:
    """What decides which controls and findings ``who`` sees: their unit if they are a
    control owner, else everything (the key of what a process keeps per scope)."""
    from kansa.web.roles import CONTROL_OWNER

    return ("unit", who.unit) if who.role == CONTROL_OWNER else ("all", None)
