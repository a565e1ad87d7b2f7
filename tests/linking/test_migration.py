"""Migration 0014 backfills passages stored before it into the new search index, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text
from sqlmodel import Session

from service.db import alembic_config, make_engine, migrate
from service.linking import index


def test_passages_stored_before_0014_are_searchable_by_text_and_title_after_it(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "0013_claim_embedding_state")
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO source (url, title, text, created_at, updated_at) "
                "VALUES ('https://s.example/old', 'Polar bear', 'Their numbers declined.', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO passage (source_id, position, span_start, span_end, text) "
                "SELECT id, 0, 0, 23, 'Their numbers declined.' FROM source"
            )
        )
    engine.dispose()
    migrate(database_url)
    engine = make_engine(database_url)
    with Session(engine) as session:
        for terms in (["declining"], ["polar"]):
            assert len(index.search_passages(session=session, terms=terms, limit=5)) == 1, terms
    engine.dispose()
    command.downgrade(alembic_config(database_url), "0013_claim_embedding_state")
    migrate(database_url)
