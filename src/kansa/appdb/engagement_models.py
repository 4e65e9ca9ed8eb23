"""The audit plan's tables: the audit universe, engagements, the vault items each engagement
used, and the self-assessment against the FSA's maturity ladder (kansa.engagements).

Kept apart from :mod:`kansa.appdb.models` (same ``Base``): the plan is its own area. Every row
names the ledger entry that recorded its last change; the ledger is the proof, these rows the
current state.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kansa.appdb.models import Base


class AuditEntity(Base):
    """One entry of the audit universe: a control area, a unit or a system, with its inherent
    risk (impact and likelihood, 1-5 each) and, for a system, the datasets it feeds."""

    __tablename__ = "audit_entities"
    __table_args__ = (UniqueConstraint("workspace", "kind", "name", name="uq_audit_entities"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200), default="")
    impact: Mapped[int] = mapped_column(Integer)
    likelihood: Mapped[int] = mapped_column(Integer)
    datasets: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime]
    ledger_seq: Mapped[int] = mapped_column(Integer)


class Engagement(Base):
    """One audit in the annual plan: scope, period and as-of date (基準日), team, programme
    (controls and analytics), status and hours; ``rolled_from_id`` names last period's."""

    __tablename__ = "engagements"
    __table_args__ = (UniqueConstraint("workspace", "code", name="uq_engagements_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(200), index=True)
    code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    year: Mapped[int] = mapped_column(Integer)
    scope: Mapped[list[str]] = mapped_column(JSON, default=list)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    as_of: Mapped[dt.date] = mapped_column(Date)
    lead: Mapped[str] = mapped_column(String(200))
    team: Mapped[list[str]] = mapped_column(JSON, default=list)
    controls: Mapped[list[str]] = mapped_column(JSON, default=list)
    analytics: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    hours_budget: Mapped[float] = mapped_column(Float, default=0.0)
    hours_actual: Mapped[float] = mapped_column(Float, default=0.0)
    opinion: Mapped[str] = mapped_column(Text, default="")
    risk_score: Mapped[float | None] = mapped_column(Float)
    rolled_from_id: Mapped[int | None] = mapped_column(ForeignKey("engagements.id"))
    created_at: Mapped[dt.datetime]
    ledger_seq: Mapped[int] = mapped_column(Integer)

    items: Mapped[list[EngagementItem]] = relationship(
        back_populates="engagement", cascade="all, delete-orphan", order_by="EngagementItem.id"
    )


class EngagementItem(Base):
    """A vault item (a run, a workpaper such as a sample, a report) performed for an
    engagement: the procedures its report lists, each by its ledger entry and content hash."""

    __tablename__ = "engagement_items"
    __table_args__ = (UniqueConstraint("engagement_id", "item_seq", name="uq_engagement_items"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), index=True
    )
    item_seq: Mapped[int] = mapped_column(Integer)
    item_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(300))
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[dt.datetime]
    ledger_seq: Mapped[int] = mapped_column(Integer)

    engagement: Mapped[Engagement] = relationship(back_populates="items")


class MaturityClaim(Base):
    """The audit function's own judgement on one step of the FSA maturity ladder: met or not,
    why, and the ledger entries (runs, sign-offs, reports) that show it."""

    __tablename__ = "maturity_claims"
    __table_args__ = (UniqueConstraint("workspace", "criterion", name="uq_maturity_claims"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(200), index=True)
    criterion: Mapped[str] = mapped_column(String(64))
    met: Mapped[bool] = mapped_column(Boolean)
    evidence: Mapped[list[int]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    assessed_by: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime]
    ledger_seq: Mapped[int] = mapped_column(Integer)


__all__ = ["AuditEntity", "Engagement", "EngagementItem", "MaturityClaim"]
