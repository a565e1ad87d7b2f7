"""Migration 0012 signs the claims stored before it, on both databases."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text

from service.db import alembic_config, make_engine, migrate
from service.identity import ClaimSignature, claim_signature

CLAIMS = [
    ("Rail fares in Scotland rose 5.1% in March 2023.", None),
    ("Prices rose last year.", "2024-05-01 00:00:00+00:00"),
    ("The minister is a liar.", None),
]


@pytest.mark.slow
def test_migration_backfills_the_signature_of_stored_claims(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "0011_library_version")
    engine = make_engine(database_url)
    with engine.begin() as connection:
        for number in range(2100):  # more than one backfill batch
            claim_text, claimed_at = CLAIMS[number % len(CLAIMS)]
            connection.execute(
                text(
                    "INSERT INTO claim (text, text_normalized, text_hash, checkworthy, score, kind, items, "
                    "entities, quantities, status, priority, version, created_at, updated_at, claimed_at) "
                    "VALUES (:text, '', '', true, 0, 'other', '[]', '[]', '[]', 'new', 0, 1, "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, :claimed_at)"
                ),
                {"text": claim_text, "claimed_at": claimed_at},
            )
    migrate(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT text, signature, signature_key FROM claim ORDER BY id")).all()
    engine.dispose()
    assert len(rows) == 2100 and all(signature is not None for _text, signature, _key in rows)
    fares, last_year, opinion = rows[:3]
    assert ClaimSignature.from_json(fares[1]) == claim_signature(CLAIMS[0][0])
    assert fares[2] == claim_signature(CLAIMS[0][0]).key != ""
    assert ClaimSignature.from_json(last_year[1]).dates == ("2023",)
    assert opinion[2] == ""
