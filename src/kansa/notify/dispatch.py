"""Sending what is due, once each, and recording every attempt.

For each notice and each person concerned, each channel the person has (``email``,
``webhook``: their account's, else ``[notify.people]``, :mod:`kansa.notify.directory`) is tried
unless that (notice, person, channel) was sent before. Every attempt is a
``notifications`` row (sent, or failed with the reason; a failed one is tried again next time);
a person with no address in ``[notify.people]`` is a failure of channel ``none``, so nobody is
left out in silence. The batch is one ``notify`` ledger entry with its counts and failures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from kansa.appdb import Notification
from kansa.notify.channels import DeliveryError, send_email, send_webhook
from kansa.notify.config import NotifyConfig, Person
from kansa.notify.directory import directory
from kansa.notify.messages import words
from kansa.notify.notices import Notice, due_notices
from kansa.workflow import Desk

KIND = "notify"
SENT, FAILED = "sent", "failed"


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    already: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)


def _send(cfg: NotifyConfig, n: Notice, person: Person, channel: str) -> None:
    subject, body = words(n, person.language, cfg.app_url)
    if channel == "email":
        send_email(cfg, person.email, subject, body)
    elif channel == "webhook":
        payload: dict[str, Any] = {"event": n.event, "key": n.key, "recipient": person.name,
                                   "language": person.language, "subject": subject,
                                   "text": body, "facts": n.facts}  # fmt: skip
        send_webhook(cfg, person.webhook, payload)
    else:
        raise DeliveryError(f"no e-mail or webhook for {person.name} in [notify.people]")


def _channels(person: Person) -> list[str]:
    return [c for c, addr in (("email", person.email), ("webhook", person.webhook)) if addr] or [
        "none"
    ]


def _attempt(
    desk: Desk, cfg: NotifyConfig, people: dict[str, Person], n: Notice, name: str, out: Outcome
) -> None:
    person = people.get(name) or Person(name, language=cfg.language)
    for channel in _channels(person):
        with desk.db.session() as s:
            row = s.scalars(
                select(Notification).where(
                    Notification.workspace == desk.workspace, Notification.key == n.key,
                    Notification.recipient == name, Notification.channel == channel,
                )
            ).one_or_none()  # fmt: skip
            if row is not None and row.status == SENT:
                out.already += 1
                continue
            try:
                _send(cfg, n, person, channel)
                status, error = SENT, ""
                out.sent += 1
            except DeliveryError as exc:
                status, error = FAILED, str(exc)
                out.failed += 1
                out.failures.append({"key": n.key, "recipient": name, "channel": channel,
                                     "error": error})  # fmt: skip
            if row is None:
                row = Notification(workspace=desk.workspace, key=n.key, event=n.event,
                                   recipient=name, channel=channel, attempts=0,
                                   first_at=desk.now)  # fmt: skip
                s.add(row)
            row.status, row.error, row.last_at = status, error, desk.now
            row.attempts = (row.attempts or 0) + 1


def send_notices(desk: Desk, cfg: NotifyConfig, notices: list[Notice], action: str) -> Outcome:
    """Send ``notices`` to everyone concerned (once each); record every attempt, and the batch
    as one ``notify`` ledger entry of ``action``."""
    out = Outcome()
    people = directory(desk.db, cfg)
    for n in notices:
        for name in n.recipients:
            _attempt(desk, cfg, people, n, name, out)
    if out.sent or out.failed:
        desk.ledger(KIND, {"action": action, "sent": out.sent, "failed": out.failed,
                           "failures": out.failures[:100]})  # fmt: skip
    return out


def send_due(desk: Desk, cfg: NotifyConfig, catalog: dict[str, Any]) -> Outcome:
    """Send every notice due at ``desk.today`` that has not gone yet (those that failed before
    included); record all of it."""
    notices = due_notices(desk.db, desk.vault, desk.workspace, catalog, desk.today,
                          cfg.due_soon_days)  # fmt: skip
    return send_notices(desk, cfg, notices, "send_due")


def delivery_log(desk: Desk, failed_only: bool = False) -> list[Notification]:
    """The recorded attempts, newest first (``failed_only``: those still failing)."""
    query = select(Notification).where(Notification.workspace == desk.workspace)
    if failed_only:
        query = query.where(Notification.status == FAILED)
    with desk.db.session() as s:
        return list(s.scalars(query.order_by(Notification.last_at.desc(), Notification.id.desc())))
