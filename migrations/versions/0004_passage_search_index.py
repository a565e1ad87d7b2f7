"""passage candidate-search index for evidence linking

SQLite: an FTS5 external-content table over passage.text (Porter stemming, so "countries"
finds "country"), kept in step by triggers on passage, so the index cannot drift from its rows;
deleting a source cascades to its passages and the delete trigger clears their index entries.
PostgreSQL: a stored generated tsvector column (english configuration) with a GIN index;
PostgreSQL computes it on every insert and update, and ts_rank reads it without re-parsing.

Revision ID: 0004_passage_search_index
Revises: 0003_claim_search_index
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004_passage_search_index"
down_revision: str | None = "0003_claim_search_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
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
        # Passages stored before this migration.
        op.execute("INSERT INTO passage_fts(passage_fts) VALUES ('rebuild')")
    else:
        op.execute(
            "ALTER TABLE passage ADD COLUMN search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, text)) STORED"
        )
        op.execute("CREATE INDEX ix_passage_search_vector ON passage USING gin (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("passage_fts_insert", "passage_fts_delete", "passage_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS passage_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_passage_search_vector")
        op.execute("ALTER TABLE passage DROP COLUMN IF EXISTS search_vector")
