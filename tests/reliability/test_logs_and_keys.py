"""Over a real `claimcheck serve --workers 2`: secrets and article text never reach the INFO logs,
revoked keys stop working at once in every worker, and a dead LLM endpoint still yields claims."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import ADMIN_KEY
from tests.reliability.conftest import Server, free_port
from tests.reliability.test_faults import wait_for_job

LLM_SECRET = "sk-test-llm-secret-7f3a9c1e5b2d4f60a8e9"
ARTICLE_MARKER = "Quillfeatherian exports of saffron grew by 37 percent in 2021, the minister said."
IMPORT_MARKER = "Zorblatt county spent 91 million euros on bridges in 2019, the audit found."
BOGUS_KEY = "cc_bogus_key_that_must_not_be_logged_0123456789abcdef"


@pytest.mark.slow
def test_logs_hold_no_key_llm_secret_or_article_text_and_revocation_is_immediate(
    serve: type[Server], tmp_path: Path
) -> None:
    # What is logged does not depend on the database, so SQLite alone keeps this test short.
    database_url = f"sqlite:///{tmp_path / 'logs.db'}"
    dead_llm = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    server = serve(
        database_url,
        workers=2,
        LLM_BASE_URL=dead_llm,
        LLM_API_KEY=LLM_SECRET,
        LLM_MAX_RETRIES="0",
        LLM_TIMEOUT_SECONDS="2",
        LLM_BACKOFF_SECONDS="0.01",
    )
    server.start()
    with server.client() as admin:
        created = admin.post("/v1/keys", json={"role": "newsroom", "name": "desk"})
        assert created.status_code == 201
        newsroom_key, newsroom_id = created.json()["key"], created.json()["id"]

        with server.client(newsroom_key, timeout=120) as newsroom:
            # The LLM endpoint is down: the article is still stored and extracted by the rules.
            body = f"{ARTICLE_MARKER} Unemployment fell to 4.1 percent in March, the statistics office said."
            article = newsroom.post("/v1/articles", json={"title": "Saffron", "body": body})
            assert article.status_code == 201, article.text
            assert len(article.json()["claims"]) >= 1
            imported = newsroom.post(
                "/v1/imports/claims?format=ndjson",
                content=(json.dumps({"text": IMPORT_MARKER}) + "\n").encode(),
                headers={"Content-Type": "application/x-ndjson"},
            )
            assert imported.status_code == 202
            # The worker has run (and logged whatever it logs) only once the job is done.
            job = wait_for_job(admin, imported.json()["id"], timeout=60)
            assert (job["status"], job["created"]) == ("done", 1), job
            for _ in range(6):  # requests land on both worker processes
                assert newsroom.get("/v1/claims").status_code == 200

            revoked = admin.delete(f"/v1/keys/{newsroom_id}")
            assert revoked.status_code == 204
            statuses = [newsroom.get("/v1/claims").status_code for _ in range(10)]
            assert statuses == [401] * 10

        with server.client(BOGUS_KEY) as bogus:
            assert bogus.get("/v1/claims").status_code == 401
    server.stop()

    log = server.log()
    assert '"level": "INFO"' in log and "/v1/articles" in log  # the logs were captured at INFO
    for secret in (ADMIN_KEY, newsroom_key, BOGUS_KEY, LLM_SECRET):
        assert secret not in log
        assert secret[:20] not in log
    for text in (ARTICLE_MARKER, IMPORT_MARKER, "Quillfeatherian", "Zorblatt"):
        assert text not in log


def test_database_errors_name_the_statement_but_not_the_values(database_url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from service.db import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            query = text("SELECT * FROM no_such_table WHERE body = :body")
            connection.execute(query, {"body": ARTICLE_MARKER})
    except DBAPIError as exc:
        message = str(exc)  # what a traceback in the logs, or a failed import job's error_message, shows
    else:
        raise AssertionError("the query should have failed")
    finally:
        engine.dispose()
    assert "no_such_table" in message
    assert ARTICLE_MARKER not in message and "Quillfeatherian" not in message
