"""The app database: runs, control results, findings (SQLite by default, PostgreSQL for teams).

Public surface: :func:`upgrade` (create or migrate a database to the newest schema, run by
``kansa init`` and before every use), :class:`Database` (sessions), the ORM classes
:class:`Run`, :class:`ControlResult`, :class:`Finding`, :class:`FindingEvent`, and
:func:`head_revision`.
"""

from kansa.appdb.database import Database, current_revision, head_revision, make_engine, upgrade
from kansa.appdb.models import Base, ControlResult, Finding, FindingEvent, Run

__all__ = [
    "Base",
    "ControlResult",
    "Database",
    "Finding",
    "FindingEvent",
    "Run",
    "current_revision",
    "head_revision",
    "make_engine",
    "upgrade",
]
