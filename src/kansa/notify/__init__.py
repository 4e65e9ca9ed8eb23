"""Notifications: new material weaknesses, findings due or overdue, review requests and evidence
requests reach the people concerned by e-mail (SMTP to the company's relay) and by webhook
(HTTP POST of JSON), each in the recipient's language.

``kansa notify send-due`` (run daily, or more often: each notice goes once) collects what is
due (:mod:`kansa.notify.notices`), resolves who is concerned to addresses from ``[notify]`` of
kansa.toml (:mod:`kansa.notify.config`), sends (:mod:`kansa.notify.channels`) and records every
attempt in the app database and the batch on the ledger (:mod:`kansa.notify.dispatch`). A
failure is recorded and retried on the next call, never dropped; a person with no address is a
recorded failure too. Messages name findings, controls, units, dates and links, never exception
rows, scopes (which may hold customer identifiers) or secrets.

Public surface: :func:`send_due`, :func:`notify_config`, :class:`NotifyConfig`,
:class:`Outcome`, :func:`delivery_log`.
"""

from kansa.notify.config import NotifyConfig, notify_config
from kansa.notify.dispatch import Outcome, delivery_log, send_due

__all__ = ["NotifyConfig", "Outcome", "delivery_log", "notify_config", "send_due"]
