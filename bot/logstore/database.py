"""Engines for SQLite (WAL) and PostgreSQL, and schema migrations applied on start-up."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool, StaticPool

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
PG_CONNECT_TIMEOUT_S = 3
# Any constant will do: it only has to be the same for every negobot process migrating the DB.
PG_MIGRATION_LOCK_ID = 4_711_2025

log = logging.getLogger(__name__)


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _configure_sqlite_connection(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()
    # SQLite's own lower() folds ASCII only; text search must also fold Cyrillic.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


def normalise_url(database_url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs."""
    url = make_url(database_url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def make_engine(database_url: str) -> Engine:
    """Create an engine: SQLite in WAL mode with a busy timeout, or PostgreSQL via psycopg."""
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database in ("", ":memory:"):
            engine = sa.create_engine(
                url,
                poolclass=StaticPool,
                connect_args={"check_same_thread": False},
            )
        else:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            # A fresh connection per use: opening SQLite is cheap, and it makes a vanished or
            # unwritable file show up as an error instead of writes into an orphaned inode.
            engine = sa.create_engine(
                url, poolclass=NullPool, connect_args={"check_same_thread": False}
            )
        event.listen(engine, "connect", _configure_sqlite_connection)
        return engine
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    return sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def sqlite_path(database_url: str) -> Path | None:
    """Return the SQLite database file of a URL, or None for other databases and memory."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def alembic_config() -> Config:
    """Return an Alembic config pointing at the migrations shipped inside the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (safe when several processes start at once)."""
    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text(f"SELECT pg_advisory_xact_lock({PG_MIGRATION_LOCK_ID})"))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def is_unavailable(error: BaseException) -> bool:
    """Tell a database that cannot be reached or written right now from a bad record."""
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    unavailable = (
        exc.OperationalError,
        exc.InterfaceError,
        exc.TimeoutError,
        exc.DisconnectionError,
        OSError,
    )
    return isinstance(error, unavailable)
