"""``kansa serve``: the audit team's web app over one workspace.

Secure by default (docs/web.md): Argon2id passwords, TOTP for every role that can change
anything, server-side sessions in strict cookies, CSRF tokens on every POST, a strict CSP with no
inline script, and a central deny-by-default policy (:mod:`kansa.web.policy`). Every login,
failure, view of exception rows, export and change is a ``web`` entry on the vault's ledger
(:mod:`kansa.web.trail`), so ``kansa verify`` covers who did what.

Public surface: :func:`create_app`, :class:`WebSettings`, and the account functions the CLI
shares (:mod:`kansa.web.accounts`).
"""

from kansa.web.app import create_app
from kansa.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
