"""Alembic migrations of the log store, run programmatically by `bot.logstore.database.migrate`."""
