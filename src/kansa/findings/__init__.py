"""Findings: what a failing control opens, how it is rated, and when it closes.

Public surface: :func:`apply_run` (move findings by one recorded run), :func:`rate` (the
rating rule, one place), :func:`list_findings`, :func:`run_ids`, :class:`Change`, :func:`configured_scopes` (the
``[findings.scope]`` table of kansa.toml), the rating
names :data:`RATINGS` and their bilingual :data:`LABELS`. :mod:`kansa.findings.reconcile`
(imported on its own: it needs the engine) records a run with its findings in one transaction
and rebuilds runs the app database missed from the ledger.
"""

from kansa.findings.lifecycle import CLOSED, OPEN, Change, apply_run
from kansa.findings.queries import list_findings, run_ids
from kansa.findings.rating import LABELS, RATINGS, Rating, rate, size_of
from kansa.findings.scope import WHOLE_CONTROL, configured_scopes, scope_counts

__all__ = [
    "CLOSED",
    "LABELS",
    "OPEN",
    "RATINGS",
    "WHOLE_CONTROL",
    "Change",
    "Rating",
    "apply_run",
    "configured_scopes",
    "list_findings",
    "rate",
    "run_ids",
    "scope_counts",
    "size_of",
]
