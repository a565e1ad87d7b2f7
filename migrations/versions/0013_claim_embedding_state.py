"""claim match index: stemmed search over a claim's text and review headline, for prior-check matching

The duplicate index of 0003 (`claim_fts`, unstemmed, over the normalised text) stays as it is for
duplicate detection. Matching needs stems ("vaccines" finds "vaccine") over the raw text and the
title of an imported check:
SQLite: an FTS5 external-content table `claim_match_fts` (text, summary) with the porter tokenizer, kept
in step by triggers and rebuilt here for the claims already stored.
PostgreSQL: a GIN index over the English tsvector of the same text (built here over the stored rows).

Revision ID: 0013_claim_embedding_state
Revises: 0012_claim_signature
"""

from __future__ import annotations

from alembic import op

revision: str = "0013_claim_embedding_state"
down_revision: str | None = "0012_claim_signature"
branch_labels: str | None = None
depends_on: str | None = None

# Must equal service.matching.index.POSTGRES_VECTOR, or PostgreSQL will not use the index.
POSTGRES_VECTOR = "to_tsvector('english'::regconfig, coalesce(text, '') || ' ' || coalesce(summary, ''))"
TRIGGERS = ("claim_match_fts_insert", "claim_match_fts_delete", "claim_match_fts_update")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE claim_match_fts USING fts5("
            "text, summary, content='claim', content_rowid='id', "
            'tokenize="porter unicode61 remove_diacritics 2")'
        )
        op.execute(
            "CREATE TRIGGER claim_match_fts_insert AFTER INSERT ON claim BEGIN "
            "INSERT INTO claim_match_fts(rowid, text, summary) "
            "VALUES (new.id, new.text, coalesce(new.summary, '')); END"
        )
        op.execute(
            "CREATE TRIGGER claim_match_fts_delete AFTER DELETE ON claim BEGIN "
            "INSERT INTO claim_match_fts(claim_match_fts, rowid, text, summary) "
            "VALUES ('delete', old.id, old.text, coalesce(old.summary, '')); END"
        )
        op.execute(
            "CREATE TRIGGER claim_match_fts_update AFTER UPDATE OF text, summary ON claim BEGIN "
            "INSERT INTO claim_match_fts(claim_match_fts, rowid, text, summary) "
            "VALUES ('delete', old.id, old.text, coalesce(old.summary, '')); "
            "INSERT INTO claim_match_fts(rowid, text, summary) "
            "VALUES (new.id, new.text, coalesce(new.summary, '')); END"
        )
        # Claims stored before this migration.
        op.execute("INSERT INTO claim_match_fts(claim_match_fts) VALUES ('rebuild')")
    else:
        op.execute(f"CREATE INDEX ix_claim_match_search ON claim USING gin ({POSTGRES_VECTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS claim_match_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_claim_match_search")
