"""PostgreSQL: cap the pending list of the passage search GIN index at 64 kB (the minimum), down from 256 kB.

Every scan of the index reads the whole pending list, and the evidence search scans it once per query
term (about 20). Right after a 100,000-passage import (autovacuum off, or not run yet) the 256 kB list
cost about 2 ms of server CPU per search (9.5 against 7.4 ms once a VACUUM had emptied it, 7.5 ms with
64 kB; bench/evidence_search.py's claims through `index.search_passages`, 2026-12-08). Imports still
batch their index inserts: 30,000 passages imported at 2,974 and 2,727 passages/s with 64 kB against
3,217 and 1,963 with 256 kB, alternating on the same (loaded) machine. SQLite: nothing changes.

Revision ID: 0020_passage_search_pending
Revises: 0019_passage_search_gin
"""

from __future__ import annotations

from alembic import op

revision: str = "0020_passage_search_pending"
down_revision: str | None = "0019_passage_search_gin"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX ix_passage_search_vector SET (gin_pending_list_limit = 64)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX ix_passage_search_vector SET (gin_pending_list_limit = 256)")
