"""Evidence requests: an auditor asks a control owner for a file, with a due date and what it
must hold; the owner delivers it; both sides see what is outstanding.

A request names a dataset contract (the file goes through ingest: contract check,
all-or-nothing, precise errors) or describes a document in words (the file goes into the vault,
hashed). Every step is an ``evidence_request`` ledger entry naming the actor. The CLI
(``kansa requests``) and the web app (``/requests``) call these functions.

Public surface: :func:`create_request`, :func:`cancel_request`, :func:`fulfil_request`,
:func:`list_requests`, :func:`due_requests`, :data:`OUTSTANDING`, :data:`FULFILLED`,
:data:`CANCELLED`.
"""

from kansa.evidence_requests.asking import cancel_request, create_request
from kansa.evidence_requests.delivery import fulfil_request
from kansa.evidence_requests.listing import due_requests, list_requests
from kansa.evidence_requests.records import CANCELLED, FULFILLED, OUTSTANDING

__all__ = [
    "CANCELLED",
    "FULFILLED",
    "OUTSTANDING",
    "cancel_request",
    "create_request",
    "due_requests",
    "fulfil_request",
    "list_requests",
]
