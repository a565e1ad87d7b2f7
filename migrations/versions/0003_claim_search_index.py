"""claim candidate-search index for matching and duplicate detection

SQLite: an FTS5 external-content table over claim.text_normalized and claim.summary (the review
headline of imported claims), kept in step by triggers, so the index cannot drift from the rows.
PostgreSQL: a GIN index over the same text as a tsvector expression, maintained by PostgreSQL itself.

Revision ID: 0003_claim_search_index
Revises: 0001_foundation
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003_claim_search_index"
down_revision: str | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTGRES_VECTOR = (
    "to_tsvector('simple'::regconfig, coalesce(text_normalized, '') || ' ' || coalesce(summary, ''))"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE claim_fts USING fts5("
            "text_normalized, summary, content='claim', content_rowid='id', "
            'tokenize="unicode61 remove_diacritics 2")'
        )
        op.execute(
            "CREATE TRIGGER claim_fts_insert AFTER INSERT ON claim BEGIN "
            "INSERT INTO claim_fts(rowid, text_normalized, summary) "
            "VALUES (new.id, new.text_normalized, coalesce(new.summary, '')); END"
        )
        op.execute(
            "CREATE TRIGGER claim_fts_delete AFTER DELETE ON claim BEGIN "
            "INSERT INTO claim_fts(claim_fts, rowid, text_normalized, summary) "
            "VALUES ('delete', old.id, old.text_normalized, coalesce(old.summary, '')); END"
        )
        op.execute(
            "CREATE TRIGGER claim_fts_update AFTER UPDATE OF text_normalized, summary ON claim BEGIN "
            "INSERT INTO claim_fts(claim_fts, rowid, text_normalized, summary) "
            "VALUES ('delete', old.id, old.text_normalized, coalesce(old.summary, '')); "
            "INSERT INTO claim_fts(rowid, text_normalized, summary) "
            "VALUES (new.id, new.text_normalized, coalesce(new.summary, '')); END"
        )
        # Claims stored before this migration.
        op.execute("INSERT INTO claim_fts(claim_fts) VALUES ('rebuild')")
    else:
        op.execute(f"CREATE INDEX ix_claim_search ON claim USING gin ({POSTGRES_VECTOR})")
    op.create_index("ix_claim_duplicate_of", "claim", ["duplicate_of"])


def downgrade() -> None:
    op.drop_index("ix_claim_duplicate_of", table_name="claim")
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("claim_fts_insert", "claim_fts_delete", "claim_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS claim_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_claim_search")
