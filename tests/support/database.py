"""Shared fixtures for the log store and review desk tests (registered in tests/conftest.py).

`database_url` runs a test on SQLite and on PostgreSQL (a fresh database per test session,
emptied before each test). PostgreSQL tests skip when no server answers, except under CI=true,
where they fail so they cannot be skipped silently.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bot.logstore.database import make_engine, migrate
from tests.support.desk import Desk
from tests.support.logstore import empty_postgres

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The PostgreSQL server to test against; skip (or fail under CI) when unreachable."""
    url = os.environ.get("NEGOBOT_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as error:
        message = f"PostgreSQL not reachable at {make_url(url).render_as_string()}: {error}"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session, dropped afterwards."""
    name = f"negobot_test_{secrets.token_hex(4)}"
    admin = sa.create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty log database: a SQLite file, or the session's PostgreSQL database emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'log.db'}"
    url = request.getfixturevalue("postgres_url")
    empty_postgres(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite log database in the test's temporary folder."""
    return f"sqlite:///{tmp_path / 'db' / 'log.db'}"


@pytest.fixture
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use cheap argon2 parameters: the real ones cost ~0.5 s per login on a busy test machine."""
    from argon2 import PasswordHasher

    from bot.review import auth

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", cheap)
    monkeypatch.setattr(auth, "_DUMMY_HASH", cheap.hash("dummy password"))


@pytest.fixture
def desk(database_url: str, tmp_path: Path, fast_password_hashing: None) -> Iterator[Desk]:
    """A seeded review desk on each database, with alice (approver) and bob (reviewer)."""
    seeded = Desk(database_url, tmp_path)
    yield seeded
    seeded.client.close()
    seeded.store.close()
