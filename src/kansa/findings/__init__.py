"""Findings: what a failing control opens, how it is rated, and how it moves to closure.

Public surface: :func:`apply_run` (move findings by one recorded run), :func:`rate` (the
rating rule, one place), :func:`list_findings`, :func:`run_ids`, :class:`Change`,
:func:`configured_scopes` (the ``[findings.scope]`` table of kansa.toml), the rating names
:data:`RATINGS` and their bilingual :data:`LABELS`. :mod:`kansa.findings.reconcile`
(imported on its own: it needs the engine) records a run with its findings in one transaction
and rebuilds runs the app database missed from the ledger.

The workflow (each step a ``finding`` ledger entry naming the actor, see docs/findings.md):
:func:`assign`, :func:`respond`, :func:`move`, :func:`propose_rerating`,
:func:`decide_rerating`, :func:`accept_risk`, :func:`reopen_expired`, :func:`comment`,
:func:`attach`, :func:`close`, :func:`finding_history`, :func:`overdue`; the states in
:mod:`kansa.findings.states` (:data:`STATE_LABELS`).
"""

from kansa.findings.acceptance import accept_risk, reopen_expired
from kansa.findings.discussion import attach, comment
from kansa.findings.history import Step, finding_history, overdue
from kansa.findings.lifecycle import CLOSED, OPEN, Change, apply_run
from kansa.findings.queries import list_findings, run_ids
from kansa.findings.rating import LABELS, RATINGS, Rating, rate, size_of
from kansa.findings.rerating import decide_rerating, propose_rerating
from kansa.findings.scope import WHOLE_CONTROL, configured_scopes, scope_counts
from kansa.findings.states import LABELS as STATE_LABELS
from kansa.findings.states import STATES
from kansa.findings.workflow import assign, close, move, respond

__all__ = [
    "CLOSED",
    "LABELS",
    "OPEN",
    "RATINGS",
    "STATES",
    "STATE_LABELS",
    "WHOLE_CONTROL",
    "Change",
    "Rating",
    "Step",
    "accept_risk",
    "apply_run",
    "assign",
    "attach",
    "close",
    "comment",
    "configured_scopes",
    "decide_rerating",
    "finding_history",
    "list_findings",
    "move",
    "overdue",
    "propose_rerating",
    "rate",
    "reopen_expired",
    "respond",
    "run_ids",
    "scope_counts",
    "size_of",
]
