"""Claim signature: what must agree for two claims to be the same claim (service.identity).

`claim.signature` holds the signature as JSON text; `claim.signature_key` the hash of its quantities
and dates ('' when it has none), indexed, so a duplicate candidate is found by the numbers and dates it
must share rather than by its words (templated rows share all their words). Claims already stored get
their signature here, in batches, relative dates resolved against the claim's or its article's date.

Revision ID: 0012_claim_signature
Revises: 0011_library_version
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

from service.identity import claim_signature

revision: str = "0012_claim_signature"
down_revision: str | None = "0011_library_version"
branch_labels: str | None = None
depends_on: str | None = None

BATCH = 2000


def _day(value: object) -> dt.date | None:
    """A stored timestamp as a date (SQLite hands text back to a plain query)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def backfill(connection: sa.Connection) -> int:
    """Compute the signature of every claim, BATCH at a time; the number of claims signed."""
    select = sa.text(
        "SELECT claim.id, claim.text, claim.claimed_at, article.published_at FROM claim "
        "LEFT JOIN article ON article.id = claim.article_id "
        "WHERE claim.id > :after ORDER BY claim.id LIMIT :n"
    )
    update = sa.text("UPDATE claim SET signature = :signature, signature_key = :key WHERE id = :id")
    after, signed = 0, 0
    while True:
        rows = connection.execute(select, {"after": after, "n": BATCH}).all()
        if not rows:
            return signed
        values = []
        for claim_id, text, claimed_at, published_at in rows:
            signature = claim_signature(text or "", reference_date=_day(claimed_at) or _day(published_at))
            values.append({"id": claim_id, "signature": signature.to_json(), "key": signature.key})
        connection.execute(update, values)
        after, signed = rows[-1][0], signed + len(rows)


def upgrade() -> None:
    op.add_column("claim", sa.Column("signature", sa.Text(), nullable=True))
    op.add_column("claim", sa.Column("signature_key", sa.String(16), nullable=False, server_default=""))
    backfill(op.get_bind())
    op.create_index("ix_claim_signature_key", "claim", ["signature_key"])


def downgrade() -> None:
    op.drop_index("ix_claim_signature_key", table_name="claim")
    op.drop_column("claim", "signature_key")
    op.drop_column("claim", "signature")
