"""Review and sign-off bound to evidence: preparer and reviewer sign-offs on runs, workpapers
and reports, each a ledger entry naming the content hashes it covers; any later change voids
them visibly. Review notes must be cleared before the review sign-off.

Public surface: :func:`prepare`, :func:`review`, :func:`add_note`, :func:`clear_note`,
:func:`signoff_status` -> :class:`ItemStatus` (with :class:`Verdict` per sign-off),
:class:`Item`, :data:`PREPARER`, :data:`REVIEWER`. See docs/workflow.md.
"""

from kansa.signoff.items import Item
from kansa.signoff.notes import add_note, clear_note
from kansa.signoff.records import PREPARER, REVIEWER
from kansa.signoff.signing import prepare, review
from kansa.signoff.status import ItemStatus, signoff_status
from kansa.signoff.validity import Verdict

__all__ = [
    "PREPARER",
    "REVIEWER",
    "Item",
    "ItemStatus",
    "Verdict",
    "add_note",
    "clear_note",
    "prepare",
    "review",
    "signoff_status",
]
