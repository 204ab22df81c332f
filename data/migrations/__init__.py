"""Alembic migrations of the revision DB (script location; see `data/schema.py`)."""
