"""The routes, one module per area; each module's ``router`` is included by the app factory."""
