"""Alembic migrations of the app database, shipped inside the package."""
