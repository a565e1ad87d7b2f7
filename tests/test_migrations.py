"""Migrations make the whole schema from empty, on both databases."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlmodel import SQLModel

import service.models  # noqa: F401
from service.db import make_engine, migrate, schema_is_current


def test_migrations_build_every_table_from_empty(database_url: str) -> None:
    engine = make_engine(database_url)
    assert not schema_is_current(engine)
    migrate(database_url)
    assert schema_is_current(engine)
    tables = set(inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    migrate(database_url)  # a second run is a no-op
    engine.dispose()
