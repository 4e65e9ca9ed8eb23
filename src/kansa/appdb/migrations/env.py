"""Alembic environment: always run programmatically by :func:`kansa.appdb.upgrade`.

The caller hands over an open connection in ``config.attributes["connection"]``, so no
``alembic.ini`` and no URL in a config file are needed (a password in a URL never passes
through Alembic's interpolating config parser).
"""

from __future__ import annotations

from alembic import context

import kansa.appdb.engagement_models  # noqa: F401  (its tables join Base.metadata)
from kansa.appdb.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("kansa.appdb migrations run through kansa.appdb.upgrade(url) only")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
