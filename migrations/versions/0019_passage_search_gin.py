"""PostgreSQL: cap the pending list of the passage search GIN index at 256 kB.

A GIN index with `fastupdate` (the default) queues new entries in a pending list that every search scans
in full until a vacuum or a 4 MB list flushes it. After a bulk import into 100,000 passages with
autovacuum off or not yet run, that list held 5,425 entries and the index scan of one evidence query took
10.9 ms instead of 0.7 ms. At 256 kB a scan of the list costs well under a millisecond, while inserts
still batch (a 100,000-passage import took 24 s, as with the default; `fastupdate = off` took 50 s).
SQLite: nothing changes.

Revision ID: 0019_passage_search_gin
Revises: 0018_claim_decontextualised
"""

from __future__ import annotations

from alembic import op

revision: str = "0019_passage_search_gin"
down_revision: str | None = "0018_claim_decontextualised"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX ix_passage_search_vector SET (gin_pending_list_limit = 256)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX ix_passage_search_vector RESET (gin_pending_list_limit)")
