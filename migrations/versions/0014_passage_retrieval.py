"""Passage retrieval over every content word with the source title as its own field, and passage embeddings.

SQLite: `passage_search`, an FTS5 table (porter unicode61) with two columns, the source's title and the
passage text, replaces `passage_fts` (text only). It keeps its own copy of both, so a delete is by rowid
and never depends on the source row still being there during a cascade; triggers on passage and on a
source's title keep it in step. PostgreSQL: `passage.search_vector` stops being a generated column of the
text alone and becomes title (weight A) plus text (weight B), written by a trigger (a generated column
cannot read the source table). `passage_embedding` holds MiniLM vectors computed in the background.
Existing passages are backfilled into both search structures.

Revision ID: 0014_passage_retrieval
Revises: 0013_claim_embedding_state
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0014_passage_retrieval"
down_revision: str | None = "0013_claim_embedding_state"
branch_labels: str | None = None
depends_on: str | None = None

_SQLITE_UP = [
    "DROP TRIGGER IF EXISTS passage_fts_insert",
    "DROP TRIGGER IF EXISTS passage_fts_delete",
    "DROP TRIGGER IF EXISTS passage_fts_update",
    "DROP TABLE IF EXISTS passage_fts",
    "CREATE VIRTUAL TABLE passage_search USING fts5("
    "title, text, tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER passage_search_insert AFTER INSERT ON passage BEGIN "
    "INSERT INTO passage_search(rowid, title, text) "
    "VALUES (new.id, (SELECT title FROM source WHERE id = new.source_id), new.text); END",
    "CREATE TRIGGER passage_search_delete AFTER DELETE ON passage BEGIN "
    "DELETE FROM passage_search WHERE rowid = old.id; END",
    "CREATE TRIGGER passage_search_update AFTER UPDATE OF text ON passage BEGIN "
    "UPDATE passage_search SET text = new.text WHERE rowid = new.id; END",
    "CREATE TRIGGER passage_search_title AFTER UPDATE OF title ON source BEGIN "
    "UPDATE passage_search SET title = new.title "
    "WHERE rowid IN (SELECT id FROM passage WHERE source_id = new.id); END",
    "INSERT INTO passage_search(rowid, title, text) "
    "SELECT passage.id, source.title, passage.text FROM passage JOIN source ON source.id = passage.source_id",
]

_POSTGRES_UP = [
    "DROP INDEX IF EXISTS ix_passage_search_vector",
    "ALTER TABLE passage DROP COLUMN search_vector",
    "ALTER TABLE passage ADD COLUMN search_vector tsvector",
    """CREATE FUNCTION passage_search_vector(title text, body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE AS $$
        SELECT setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
            || setweight(to_tsvector('english'::regconfig, body), 'B')
    $$""",
    """CREATE FUNCTION passage_search_row() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := passage_search_vector(
            (SELECT title FROM source WHERE id = NEW.source_id), NEW.text);
        RETURN NEW;
    END $$""",
    "CREATE TRIGGER passage_search_row BEFORE INSERT OR UPDATE OF text, source_id ON passage "
    "FOR EACH ROW EXECUTE FUNCTION passage_search_row()",
    """CREATE FUNCTION passage_search_title() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE passage SET search_vector = passage_search_vector(NEW.title, text) WHERE source_id = NEW.id;
        RETURN NEW;
    END $$""",
    "CREATE TRIGGER passage_search_title AFTER UPDATE OF title ON source "
    "FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title) EXECUTE FUNCTION passage_search_title()",
    "UPDATE passage SET search_vector = passage_search_vector(source.title, passage.text) "
    "FROM source WHERE source.id = passage.source_id",
    "CREATE INDEX ix_passage_search_vector ON passage USING gin (search_vector)",
]


def upgrade() -> None:
    for statement in _SQLITE_UP if op.get_bind().dialect.name == "sqlite" else _POSTGRES_UP:
        op.execute(statement)
    op.create_table(
        "passage_embedding",
        sa.Column(
            "passage_id",
            sa.Integer(),
            sa.ForeignKey("passage.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("passage_embedding")
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update", "title"):
            op.execute(f"DROP TRIGGER IF EXISTS passage_search_{trigger}")
        op.execute("DROP TABLE IF EXISTS passage_search")
        op.execute(
            "CREATE VIRTUAL TABLE passage_fts USING fts5("
            "text, content='passage', content_rowid='id', "
            'tokenize="porter unicode61 remove_diacritics 2")'
        )
        op.execute(
            "CREATE TRIGGER passage_fts_insert AFTER INSERT ON passage BEGIN "
            "INSERT INTO passage_fts(rowid, text) VALUES (new.id, new.text); END"
        )
        op.execute(
            "CREATE TRIGGER passage_fts_delete AFTER DELETE ON passage BEGIN "
            "INSERT INTO passage_fts(passage_fts, rowid, text) VALUES ('delete', old.id, old.text); END"
        )
        op.execute(
            "CREATE TRIGGER passage_fts_update AFTER UPDATE OF text ON passage BEGIN "
            "INSERT INTO passage_fts(passage_fts, rowid, text) VALUES ('delete', old.id, old.text); "
            "INSERT INTO passage_fts(rowid, text) VALUES (new.id, new.text); END"
        )
        op.execute("INSERT INTO passage_fts(passage_fts) VALUES ('rebuild')")
    else:
        op.execute("DROP TRIGGER IF EXISTS passage_search_title ON source")
        op.execute("DROP TRIGGER IF EXISTS passage_search_row ON passage")
        op.execute("DROP FUNCTION IF EXISTS passage_search_title()")
        op.execute("DROP FUNCTION IF EXISTS passage_search_row()")
        op.execute("DROP INDEX IF EXISTS ix_passage_search_vector")
        op.execute("ALTER TABLE passage DROP COLUMN search_vector")
        op.execute("DROP FUNCTION IF EXISTS passage_search_vector(text, text)")
        op.execute(
            "ALTER TABLE passage ADD COLUMN search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, text)) STORED"
        )
        op.execute("CREATE INDEX ix_passage_search_vector ON passage USING gin (search_vector)")
