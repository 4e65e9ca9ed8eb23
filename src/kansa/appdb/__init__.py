"""The app database: runs, control results, findings (SQLite by default, PostgreSQL for teams).

Public surface: :func:`upgrade` (create or migrate a database to the newest schema, run by
``kansa init`` and before every use), :class:`Database` (sessions), the ORM classes
:class:`Run`, :class:`ControlResult`, :class:`Finding`, :class:`FindingEvent`, the web
access tables :class:`Unit`, :class:`User`, :class:`WebSession`, :class:`ApiToken`,
:class:`WebAuthnCredential`, the workflow tables :class:`FindingAction`, :class:`SignOff`,
:class:`ReviewNote`, :class:`EvidenceRequest`, :class:`Notification`, the audit plan's
:class:`AuditEntity`, :class:`Engagement`, :class:`EngagementItem`, :class:`MaturityClaim`, and
:func:`head_revision`; :class:`ChangeCounter` (:mod:`kansa.appdb.changes`).
"""

from kansa.appdb.changes import ChangeCounter
from kansa.appdb.database import Database, current_revision, head_revision, make_engine, upgrade
from kansa.appdb.engagement_models import (
    AuditEntity,
    Engagement,
    EngagementItem,
    MaturityClaim,
)
from kansa.appdb.models import (
    ApiToken,
    Base,
    ControlResult,
    EvidenceRequest,
    Finding,
    FindingAction,
    FindingEvent,
    LatestResult,
    Notification,
    ReviewNote,
    Run,
    RunAreaSummary,
    SignOff,
    Unit,
    User,
    WebAuthnCredential,
    WebSession,
)

__all__ = [
    "ApiToken",
    "AuditEntity",
    "Base",
    "ChangeCounter",
    "ControlResult",
    "Database",
    "Engagement",
    "EngagementItem",
    "EvidenceRequest",
    "Finding",
    "FindingAction",
    "FindingEvent",
    "LatestResult",
    "MaturityClaim",
    "Notification",
    "ReviewNote",
    "Run",
    "RunAreaSummary",
    "SignOff",
    "Unit",
    "User",
    "WebAuthnCredential",
    "WebSession",
    "current_revision",
    "head_revision",
    "make_engine",
    "upgrade",
]
