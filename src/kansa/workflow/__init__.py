"""What the findings workflow and the sign-offs share: who is acting, where, under what policy.

Public surface: :class:`Desk` (database, vault, workspace, actor, policy, today: everything a
workflow step needs, built once by the CLI or the web app), :class:`Policy` and
:func:`workflow_policy` (the ``[workflow]`` table of kansa.toml), :func:`require_reviewer`,
:func:`require_acceptor`, :class:`WorkflowError`.
"""

from kansa.workflow.desk import Desk
from kansa.workflow.policy import (
    Policy,
    WorkflowError,
    require_acceptor,
    require_reviewer,
    workflow_policy,
)

__all__ = [
    "Desk",
    "Policy",
    "WorkflowError",
    "require_acceptor",
    "require_reviewer",
    "workflow_policy",
]
