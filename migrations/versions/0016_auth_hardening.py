"""Auth and webhook hardening (issue 17 B): drop the receivers' answers stored in the delivery log.

Before this release a failed webhook delivery stored the first 500 characters of the receiver's answer
in `webhook_delivery.last_error` ('HTTP 500: <body>'), which let an admin read pages of the service's
own network back through a webhook aimed at them. Deliveries now keep the status only ('HTTP 500'); this
cuts the stored ones to that. The bodies cannot be brought back, so downgrade leaves them cut.
(The other findings of issue 17 B needed no schema change: a revoked bootstrap key is kept revoked
through the existing `api_key.revoked_at`.)

Revision ID: 0016_auth_hardening
Revises: 0015_article_jobs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0016_auth_hardening"
down_revision: str | None = "0015_article_jobs"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.execute(
        sa.text(
            "UPDATE webhook_delivery SET last_error = 'HTTP ' || CAST(last_status_code AS VARCHAR(10)) "
            "WHERE last_status_code IS NOT NULL AND last_error LIKE 'HTTP %:%'"
        )
    )


def downgrade() -> None:
    pass  # the answers are gone; nothing to restore
