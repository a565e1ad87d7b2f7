"""Engine, the one session dependency, migrations at start-up."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, create_engine

from service.settings import Settings, get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def is_sqlite(bind: Session | Engine | Connection) -> bool:
    """Whether a session, engine or connection talks to SQLite (the one other database is PostgreSQL)."""
    dialect = bind.get_bind().dialect if isinstance(bind, Session) else bind.dialect
    return dialect.name == "sqlite"


def utcnow() -> datetime:
    """Timezone-aware now in UTC; every stored timestamp is UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime | date) -> datetime:
    """The moment as an aware UTC datetime: a bare date is its midnight UTC, and a naive datetime is UTC
    (SQLite hands back naive datetimes, stored as UTC). An offset is converted, not kept: SQLite drops it
    unconverted ('10:00+02:00' would be stored as 10:00 and read back as 10:00 UTC)."""
    if not isinstance(moment, datetime):
        return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def make_engine(database_url: str, settings: Settings | None = None) -> Engine:
    """An engine for SQLite (WAL, foreign keys, busy timeout) or PostgreSQL (pre-ping pool)."""
    settings = settings or get_settings()
    if database_url.startswith("sqlite"):
        in_memory = database_url in ("sqlite://", "sqlite:///:memory:")
        # A file database gets the same pool capacity as PostgreSQL, which the request cap relies on.
        pool_args = (
            {}
            if in_memory
            else {"pool_size": settings.database_pool_size, "max_overflow": settings.database_pool_size}
        )
        engine = create_engine(
            database_url,
            connect_args={"check_same_thread": False, "timeout": settings.sqlite_busy_timeout_ms / 1000},
            # Errors name the statement but not its values (article text, claims) in logs and job errors.
            hide_parameters=True,
            **pool_args,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
            # Python's sqlite3 opens transactions lazily; BEGIN IMMEDIATE on writes is handled
            # by the busy timeout, so writers queue instead of failing at once.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(settings.sqlite_busy_timeout_ms)}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(
        database_url,
        hide_parameters=True,
        pool_pre_ping=True,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        pool_recycle=1800,
    )


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    return make_engine(get_settings().database_url)


def get_session() -> Iterator[Session]:
    """The one DB session dependency: a session per request, closed afterwards."""
    session = Session(get_engine())
    try:
        yield session
    finally:
        try:
            session.close()
        except DBAPIError:
            # The connection died after the answer was made (e.g. PostgreSQL restarting): the pool
            # has discarded it, and raising here would only cut off a response already being sent.
            logging.getLogger("claimcheck.db").warning("session close failed: connection lost")


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def migrate(database_url: str | None = None) -> None:
    """Apply every pending migration (the only way the schema is made)."""
    command.upgrade(alembic_config(database_url or get_settings().database_url), "head")


def schema_is_current(engine: Engine) -> bool:
    """True when the database answers and is at the newest migration."""
    heads = set(ScriptDirectory.from_config(alembic_config(engine.url.render_as_string(False))).get_heads())
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == heads
