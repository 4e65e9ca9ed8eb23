"""The app database's tables, as SQLAlchemy 2 ORM classes.

The vault holds the evidence (exception rows, the ledger); this database holds what people work
with day to day: the history of runs, one summary row per control and run, and the findings
that failing controls open, with the events that moved them. Every change to these classes
needs an Alembic migration in ``migrations/versions`` (the test suite checks they agree).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from kansa.appdb.types import UTCDateTime


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime, dict[str, Any]: JSON}


class Run(Base):
    """One ``kansa run``: which controls ran on which data, and where its evidence is."""

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(200), index=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime]
    engine: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(200))
    controls_total: Mapped[int] = mapped_column(Integer)
    passed: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    errored: Mapped[int] = mapped_column(Integer)
    not_tested: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    incomplete: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    overrides: Mapped[dict[str, Any]]
    ledger_seq: Mapped[int | None] = mapped_column(Integer)
    ledger_hash: Mapped[str | None] = mapped_column(String(64))

    results: Mapped[list[ControlResult]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="ControlResult.control_id"
    )
    area_summaries: Mapped[list[RunAreaSummary]] = relationship(
        cascade="all, delete-orphan", order_by="RunAreaSummary.area"
    )


class RunAreaSummary(Base):
    """A run's verdicts counted per control area and owner unit, written with the run (the
    overview's heat map reads these few rows, not every result of every run)."""

    __tablename__ = "run_area_summaries"

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"),
                                        primary_key=True)  # fmt: skip
    area: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200), primary_key=True)
    passed: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    errored: Mapped[int] = mapped_column(Integer)
    other: Mapped[int] = mapped_column(Integer)  # not tested, incomplete


class LatestResult(Base):
    """Which run holds each control's newest result, kept up to date whenever a result is
    written (:mod:`kansa.appdb.latest`): the overview and the catalog read one row per control
    instead of ranking every result of every run."""

    __tablename__ = "latest_results"

    workspace: Mapped[str] = mapped_column(String(200), primary_key=True)
    control_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    started_at: Mapped[dt.datetime]

    run: Mapped[Run] = relationship()  # so that a new run is inserted before it is pointed at


class ControlResult(Base):
    """One control in one run: verdict, sizes, and the hashes that let anyone re-check it."""

    __tablename__ = "control_results"
    __table_args__ = (UniqueConstraint("run_id", "control_id", name="uq_control_results_run"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    control_id: Mapped[str] = mapped_column(String(32), index=True)
    control_version: Mapped[int] = mapped_column(Integer)
    version_hash: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    parameters: Mapped[dict[str, Any]]
    snapshots: Mapped[dict[str, Any]]
    engine: Mapped[str] = mapped_column(String(64))
    population_count: Mapped[int | None] = mapped_column(BigInteger)
    exception_count: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)
    duration_s: Mapped[float] = mapped_column(Float)
    exceptions_file: Mapped[str | None] = mapped_column(String(300))
    exceptions_sha256: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    coverage: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    run: Mapped[Run] = relationship(back_populates="results")


class Finding(Base):
    """An open (or closed) problem: a control failing in a scope, rated, with its history.

    At most one finding per (workspace, control, scope) is open at a time (partial unique
    index). A finding that comes back after it was closed is a new row marked ``repeat`` and
    pointing at the one before.
    """

    __tablename__ = "findings"
    __table_args__ = (
        Index(
            "uq_findings_open_scope",
            "workspace",
            "control_id",
            "scope",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(200), index=True)
    control_id: Mapped[str] = mapped_column(String(32), index=True)
    scope: Mapped[str] = mapped_column(String(500), default="")
    severity: Mapped[str] = mapped_column(String(16))
    rating: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(8), index=True)
    repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"))
    owner: Mapped[str] = mapped_column(String(64), default="")
    first_seen_run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"))
    last_seen_run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"))
    first_seen_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    closed_at: Mapped[dt.datetime | None]
    closed_run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id"))
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    exception_count: Mapped[int] = mapped_column(BigInteger)
    population_count: Mapped[int | None] = mapped_column(BigInteger)
    # the workflow (kansa.findings.workflow): where the finding stands between audit and owner
    state: Mapped[str] = mapped_column(String(20), default="open", server_default="open")
    assignee: Mapped[str] = mapped_column(String(200), default="", server_default="")
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    response: Mapped[str] = mapped_column(Text, default="", server_default="")
    action_plan: Mapped[str] = mapped_column(Text, default="", server_default="")
    rating_override: Mapped[str | None] = mapped_column(String(32))
    proposed_rating: Mapped[str | None] = mapped_column(String(32))
    proposed_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    proposed_by: Mapped[str] = mapped_column(String(200), default="", server_default="")
    accepted_until: Mapped[dt.date | None] = mapped_column(Date)
    accepted_by: Mapped[str] = mapped_column(String(200), default="", server_default="")
    retest_run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id"))
    closed_by: Mapped[str] = mapped_column(String(200), default="", server_default="")

    events: Mapped[list[FindingEvent]] = relationship(
        back_populates="finding", cascade="all, delete-orphan", order_by="FindingEvent.id"
    )


class FindingEvent(Base):
    """What a run did to a finding: opened, updated, closed, or an error that left it open."""

    __tablename__ = "finding_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("findings.id", ondelete="CASCADE"), index=True
    )
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), index=True)
    at: Mapped[dt.datetime]
    kind: Mapped[str] = mapped_column(String(16))
    rating: Mapped[str | None] = mapped_column(String(32))
    exception_count: Mapped[int | None] = mapped_column(BigInteger)
    population_count: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")

    finding: Mapped[Finding] = relationship(back_populates="events")


class Unit(Base):
    """A department (``treasury``, ``wallet_ops``...): a control's ``owner`` names one, and a
    control owner sees only the controls and findings of their unit."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    # a deactivated unit takes no new members; its name stays (controls and the ledger use it)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class User(Base):
    """A person who signs in to ``kansa serve``: one role, maybe a unit, an Argon2id hash.

    ``must_change_password`` is set for one-time passwords (``kansa users add``/``reset-password``);
    ``failed_logins`` and ``locked_until`` implement the lockout; ``expires_at`` ends an
    external reviewer's access; ``recovery_codes`` holds SHA-256 hashes of unused codes.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    # encrypted with the workspace's web key (kansa.web.secret_box), never stored in clear
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    recovery_codes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None]
    expires_at: Mapped[dt.datetime | None]
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime]
    # where notifications reach them and in which language (migration 0009_people)
    email: Mapped[str | None] = mapped_column(String(254))
    webhook: Mapped[str | None] = mapped_column(String(500))
    language: Mapped[str | None] = mapped_column(String(2))

    unit: Mapped[Unit | None] = relationship(lazy="joined")


class WebSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored.

    ``stage`` is how far the login got: ``password`` (must change it), ``totp_enrol``,
    ``totp`` (code awaited) or ``full``; only ``full`` reaches the pages.
    """

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    # the WebAuthn challenge this browser was given (base64url), spent by the ceremony's answer
    challenge: Mapped[str | None] = mapped_column(String(128))

    user: Mapped[User] = relationship(lazy="joined")


class ApiToken(Base):
    """A personal API token: hashed at rest (SHA-256), scoped to a role, with an expiry."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(lazy="joined")


class WebAuthnCredential(Base):
    """A security key or platform authenticator a user registered (WebAuthn Level 2).

    ``credential_id`` is the authenticator's credential ID (base64url), ``public_key`` its COSE
    public key, ``sign_count`` the last signature counter seen (a counter that goes back
    reveals a cloned key). A revoked credential is kept (``revoked_at``) so the ledger's
    entries about it keep their meaning, but is never accepted again.
    """

    __tablename__ = "webauthn_credentials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[dt.datetime]
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class FindingAction(Base):
    """What a person did to a finding (assign, respond, re-rate, accept, comment, attach, close),
    with the ledger entry that records it: the app database holds the current state, the ledger
    the proof of who did what."""

    __tablename__ = "finding_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("findings.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(20))
    details: Mapped[dict[str, Any]]
    ledger_seq: Mapped[int] = mapped_column(Integer)
    ledger_hash: Mapped[str] = mapped_column(String(64))


class SignOff(Base):
    """A preparer's or reviewer's sign-off on a vault item (a run, a workpaper, a report): the
    content hashes it covers, and the ledger entry that records it."""

    __tablename__ = "signoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(200), index=True)
    item_seq: Mapped[int] = mapped_column(Integer, index=True)
    item_hash: Mapped[str] = mapped_column(String(64))
    item_kind: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime]
    covers: Mapped[dict[str, Any]]
    ledger_seq: Mapped[int] = mapped_column(Integer)
    ledger_hash: Mapped[str] = mapped_column(String(64))


class ReviewNote(Base):
    """A reviewer's note on a vault item; every note must be cleared before the review
    sign-off."""

    __tablename__ = "review_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(200), index=True)
    item_seq: Mapped[int] = mapped_column(Integer, index=True)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime]
    cleared_by: Mapped[str | None] = mapped_column(String(200))
    cleared_at: Mapped[dt.datetime | None]
    ledger_seq: Mapped[int] = mapped_column(Integer)


class EvidenceRequest(Base):
    """An auditor's request to a control owner for a file by a due date: a dataset that must
    meet a contract (``contract``), or a document described in words (``description``).

    ``state`` is ``outstanding`` until the file is in (``fulfilled``: ``delivered`` names the
    snapshot or vault file and its SHA-256) or the request is withdrawn (``cancelled``).
    """

    __tablename__ = "evidence_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(200), index=True)
    contract: Mapped[str] = mapped_column(String(64), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    assignee: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(64), default="")
    due_date: Mapped[dt.date] = mapped_column(Date)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[dt.datetime]
    state: Mapped[str] = mapped_column(String(16), index=True)
    fulfilled_by: Mapped[str] = mapped_column(String(200), default="")
    fulfilled_at: Mapped[dt.datetime | None]
    delivered: Mapped[dict[str, Any]]
    ledger_seq: Mapped[int] = mapped_column(Integer)


class Notification(Base):
    """One notice to one person over one channel (``email``/``webhook``/``none``): sent, or
    failed with the reason and retried by the next ``kansa notify send-due``."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(String(200), index=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    event: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    error: Mapped[str] = mapped_column(Text, default="")
    first_at: Mapped[dt.datetime]
    last_at: Mapped[dt.datetime]
