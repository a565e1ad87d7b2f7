"""`claimcheck demo` prepares a database a newcomer can sign in to and see claims with evidence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from service.auth import service as auth
from service.claims.models import Claim
from service.cli import app
from service.db import make_engine
from service.linking import evidence as linking
from service.linking.models import Source
from tests.conftest import reset_process_caches


@pytest.mark.slow
def test_demo_without_serving_prints_a_working_admin_key_and_has_the_six_country_claim(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The command points DATABASE_URL at its own temporary database; monkeypatch puts it back afterwards.
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("SEMANTIC", "off")
    monkeypatch.delenv("LLM_BASE_URL", raising=False)
    try:
        # --directory: the database lands in pytest's tmp_path, not in a temporary directory left behind.
        arguments = ["demo", "--no-serve", "--port", "8123", "--directory", str(tmp_path)]
        result = CliRunner().invoke(app, arguments)
    finally:
        reset_process_caches()
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8123/ui" in result.output
    raw_key = re.search(r"sign in\s+(\S+)", result.output)
    database_url = re.search(r"database (\S+)", result.output)
    assert raw_key and database_url

    engine = make_engine(database_url.group(1))
    with Session(engine) as session:
        assert auth.authenticate(session=session, raw_key=raw_key.group(1)).role.value == "admin"
        assert len(session.exec(select(Source)).all()) >= 10
        six = next(claim for claim in session.exec(select(Claim)) if "Romania and Bulgaria" in claim.text)
        assert six.items == ["Romania", "Bulgaria", "Estonia", "Latvia", "Lithuania", "Poland"]
        evidence = linking.evidence_for_claim(session=session, claim_id=six.id or 0, limit=3)
        assert evidence and {"Romania", "Bulgaria"} <= set(evidence[0].matched_items)
    engine.dispose()
