"""Where each person is reached, and in which language: their account first.

An account (``kansa users set NAME --email ... --language ja``, or the admin page) holds its
e-mail, webhook and language (migration ``0009_people``). ``[notify.people]`` of kansa.toml is
the fallback, for a name that has no account (the CLI's ``$KANSA_ACTOR`` names) or for what
the account leaves empty. A disabled account is reached no more. A person found in neither has
no address: :mod:`kansa.notify.dispatch` records that as a failure, never skips it in silence.
"""

from __future__ import annotations

from sqlalchemy import select

from kansa.appdb import Database, User
from kansa.notify.config import NotifyConfig, Person


def directory(db: Database, cfg: NotifyConfig) -> dict[str, Person]:
    """Every person with an address or a language, by the name notices use."""
    people = dict(cfg.people)
    with db.session() as s:
        users = list(s.execute(select(User.username, User.email, User.webhook, User.language,
                                      User.disabled)))  # fmt: skip
    for name, email, webhook, language, disabled in users:
        if disabled:
            people.pop(name, None)
            continue
        known = people.get(name) or Person(name, language=cfg.language)
        people[name] = Person(name, email or known.email, webhook or known.webhook,
                              language or known.language)  # fmt: skip
    return people
