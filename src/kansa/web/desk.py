"""The workflow desk of a web request: the signed-in user acting under a policy built from roles.

The library's :class:`kansa.workflow.Policy` names people; the web app names them from its
accounts: reviewers and audit managers review (with any ``[workflow] reviewers`` of kansa.toml),
audit managers accept risks (with any ``[workflow] risk_acceptors``). The route table
(:mod:`kansa.web.policy`) already limits each action to its roles; the library checks again.
"""

from __future__ import annotations

from sqlalchemy import select

from kansa.appdb import User
from kansa.web import roles as r
from kansa.web.context import AppContext
from kansa.web.principal import Principal
from kansa.workflow import Desk, Policy, workflow_policy

REVIEW_ROLES = (r.REVIEWER, r.AUDIT_MANAGER)
ACCEPT_ROLES = (r.AUDIT_MANAGER,)


def web_policy(ctx: AppContext) -> Policy:
    configured = workflow_policy(ctx.workspace.config.raw)
    with ctx.db.session() as s:
        people = list(s.execute(select(User.username, User.role).where(User.disabled.is_(False))))
    return Policy(
        configured.reviewers | {n for n, role in people if role in REVIEW_ROLES},
        configured.risk_acceptors | {n for n, role in people if role in ACCEPT_ROLES},
    )


def desk_for(ctx: AppContext, who: Principal) -> Desk:
    """A desk acting as ``who`` (every step is a ledger entry naming them)."""
    return Desk(ctx.db, ctx.vault, ctx.workspace.config.name, who.username, web_policy(ctx))
