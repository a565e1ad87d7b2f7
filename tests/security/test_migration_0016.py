"""Migration 0016 removes the receivers' answers that older releases stored in the webhook delivery log."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from service.db import alembic_config, make_engine, migrate


def test_stored_response_bodies_are_cut_to_the_status(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "0015_article_jobs")
    engine = make_engine(database_url)
    logged = [
        (500, 'HTTP 500: {"keys": [{"id": 1, "prefix": "cc_secret"}]}'),
        (404, "HTTP 404: <html>internal page</html>"),
        (None, "ConnectError: [Errno 111] Connection refused"),
        (200, None),
    ]
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO webhook (id, url, secret, active, created_at) "
                "VALUES (1, 'http://x', 's', true, CURRENT_TIMESTAMP)"
            )
        )
        for status, error in logged:
            connection.execute(
                text(
                    "INSERT INTO webhook_delivery (webhook_id, event, payload, status, attempts, "
                    "last_status_code, last_error, created_at) "
                    "VALUES (1, 'claim.published', '{}', 'failed', 1, :status, :error, CURRENT_TIMESTAMP)"
                ),
                {"status": status, "error": error},
            )
    migrate(database_url)
    with engine.connect() as connection:
        errors = (
            connection.execute(text("SELECT last_error FROM webhook_delivery ORDER BY id")).scalars().all()
        )
    engine.dispose()
    assert errors == ["HTTP 500", "HTTP 404", "ConnectError: [Errno 111] Connection refused", None]
