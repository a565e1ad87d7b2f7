"""Article jobs: an article can wait for a worker to extract it (asynchronous submission, bulk import).

`article.status` is pending | extracting | done | failed; existing articles were extracted when
submitted, so they are backfilled as done. `worker_id` and `heartbeat_at` are the lease (as on
`import_job`), `attempts` stops an article that kills its worker from being retried forever,
`external_id` makes a bulk import idempotent, `import_job_id` ties imported articles to their job.

Revision ID: 0015_article_jobs
Revises: 0014_passage_retrieval
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0015_article_jobs"
down_revision: str | None = "0014_passage_retrieval"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=20), nullable=False, server_default="done"))
        batch_op.add_column(sa.Column("worker_id", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("error_message", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("external_id", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("import_job_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_article_status", ["status"], unique=False)
        batch_op.create_index("ix_article_external_id", ["external_id"], unique=True)
        batch_op.create_index("ix_article_import_job_id", ["import_job_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_article_import_job_id", "import_job", ["import_job_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_constraint("fk_article_import_job_id", type_="foreignkey")
        batch_op.drop_index("ix_article_import_job_id")
        batch_op.drop_index("ix_article_external_id")
        batch_op.drop_index("ix_article_status")
        for column in (
            "import_job_id",
            "external_id",
            "error_message",
            "attempts",
            "heartbeat_at",
            "worker_id",
            "status",
        ):
            batch_op.drop_column(column)
