"""Asynchronous article submission: `Prefer: respond-async` answers 202, a worker extracts the article
(leased like an import job), GET shows the status, and a signed `article.extracted` webhook fires."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, update
from sqlmodel import Session, col, select

from service.articles import extraction_jobs
from service.articles.models import Article, ArticleStatus
from service.claims.models import Claim
from service.db import get_engine
from service.settings import get_settings
from service.webhooks import delivery as webhooks
from tests.conftest import bearer
from tests.extraction.test_llm import EDITORIAL
from tests.review.test_webhooks import Receiver, register, wait_for

ASYNC = {"Prefer": "respond-async"}


@pytest.fixture(autouse=True)
def fast_worker(configure: Callable[..., None]) -> None:
    configure(WORKER_POLL_SECONDS="0.05", WEBHOOK_POLL_SECONDS="0.05", WEBHOOK_ALLOW_PRIVATE="true")


def _article(client: TestClient, article_id: int, key: str) -> dict[str, Any]:
    response = client.get(f"/v1/articles/{article_id}", headers=bearer(key))
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def _wait_done(client: TestClient, article_id: int, key: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        article = _article(client, article_id, key)
        if article["status"] in ("done", "failed") or time.monotonic() > deadline:
            return article
        time.sleep(0.05)


@pytest.mark.slow
def test_respond_async_answers_202_and_a_worker_extracts_with_a_signed_webhook(
    receiver: Receiver, client: TestClient, keys: dict[str, str]
) -> None:
    hook = register(client, receiver.url("/hook"), secret="s3cret-for-articles")
    body = {"title": "Ukraine", "body": EDITORIAL}

    accepted = client.post("/v1/articles", json=body, headers={**bearer(keys["newsroom"]), **ASYNC})
    assert accepted.status_code == 202, accepted.text
    pending = accepted.json()
    assert accepted.headers["Location"] == f"/v1/articles/{pending['id']}"
    assert accepted.headers["Preference-Applied"] == "respond-async"
    assert pending["status"] in ("pending", "extracting") and pending["claims"] == []

    done = _wait_done(client, pending["id"], keys["reader"])
    assert done["status"] == "done", done
    synchronous = client.post("/v1/articles", json=body, headers=bearer(keys["newsroom"]))
    assert synchronous.status_code == 201
    assert synchronous.json()["status"] == "done"
    assert [claim["text"] for claim in done["claims"]] == [c["text"] for c in synchronous.json()["claims"]]
    assert done["claims"], "the editorial has checkable claims"

    wait_for(lambda: len(receiver.hits("/hook")) >= 1)
    hit = receiver.hits("/hook")[0]
    assert hit.headers[webhooks.EVENT_HEADER] == "article.extracted"
    assert webhooks.verify("s3cret-for-articles", hit.body, hit.headers[webhooks.SIGNATURE_HEADER])
    payload = json.loads(hit.body)
    assert payload["article_id"] == pending["id"] and payload["status"] == "done"
    assert payload["claim_count"] == len(done["claims"])
    assert hook["id"]


@pytest.mark.slow
def test_without_the_header_the_answer_stays_synchronous(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post(
        "/v1/articles",
        json={"title": "Short", "body": "Unemployment fell to 3.9% in 2023."},
        headers={**bearer(keys["newsroom"]), "Prefer": "return=minimal"},
    )
    assert response.status_code == 201
    assert response.json()["status"] == "done" and response.json()["claims"]


@pytest.fixture
def no_worker(configure: Callable[..., None]) -> None:
    configure(RUN_WORKER_IN_PROCESS="false")


def _pending_articles(client: TestClient, key: str, count: int) -> list[int]:
    ids = []
    for number in range(count):
        text = f"Unemployment fell to {number}.5% in 2023, the statistics office said on Tuesday."
        response = client.post(
            "/v1/articles", json={"title": f"n{number}", "body": text}, headers={**bearer(key), **ASYNC}
        )
        assert response.status_code == 202, response.text
        ids.append(response.json()["id"])
    return ids


def test_two_workers_extract_every_article_exactly_once(
    no_worker: None, client: TestClient, keys: dict[str, str]
) -> None:
    ids = _pending_articles(client, keys["newsroom"], 12)
    engine, settings = get_engine(), get_settings()
    taken: dict[str, list[int]] = {"a": [], "b": []}

    def work(name: str) -> None:
        while True:
            found = extraction_jobs.extract_next(engine=engine, worker_id=name, settings=settings)
            if found is None:
                return
            taken[name].append(found)

    threads = [threading.Thread(target=work, args=(name,)) for name in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert sorted(taken["a"] + taken["b"]) == sorted(ids)
    with Session(engine) as session:
        statuses = set(session.exec(select(Article.status).where(col(Article.id).in_(ids))))
        per_article = session.exec(
            select(Claim.article_id, func.count())
            .where(col(Claim.article_id).in_(ids))
            .group_by(col(Claim.article_id))
        ).all()
    assert statuses == {ArticleStatus.done}
    assert sorted(count for _article_id, count in per_article) == [1] * len(ids)


def _dead_pid() -> int:
    finished = subprocess.Popen(["true"])
    finished.wait()
    return finished.pid


def test_an_article_held_by_a_dead_worker_is_taken_over_at_once_and_a_poison_one_fails(
    no_worker: None, client: TestClient, keys: dict[str, str]
) -> None:
    orphan, poison = _pending_articles(client, keys["newsroom"], 2)
    dead_worker = f"{socket.gethostname()[:40]}:{_dead_pid()}:deadbeef"
    engine, settings = get_engine(), get_settings()
    with Session(engine) as session:
        # As a kill -9 mid-extraction leaves it: held, with a fresh heartbeat, by a process now gone.
        session.execute(
            update(Article)
            .where(col(Article.id).in_([orphan, poison]))
            .values(status=ArticleStatus.extracting, worker_id=dead_worker, heartbeat_at=func.now())
        )
        # The poison one has already been started as often as allowed.
        session.execute(
            update(Article).where(col(Article.id) == poison).values(attempts=extraction_jobs.MAX_ATTEMPTS)
        )
        session.commit()

    first = extraction_jobs.extract_next(engine=engine, worker_id="live:1:x", settings=settings)
    second = extraction_jobs.extract_next(engine=engine, worker_id="live:1:x", settings=settings)
    assert extraction_jobs.extract_next(engine=engine, worker_id="live:1:x", settings=settings) is None
    assert {first, second} == {orphan, poison}

    shown = _article(client, orphan, keys["reader"])
    assert shown["status"] == "done" and shown["claims"]
    failed = _article(client, poison, keys["reader"])
    assert failed["status"] == "failed" and "attempts" in failed["error_message"]
    assert failed["claims"] == []
