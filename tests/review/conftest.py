"""Claims made straight through a session (article extraction is another domain's job)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.articles.models import Article
from service.claims.models import Claim, ClaimTag
from service.claims.text import claim_text_hash, normalize_claim_text
from service.db import get_engine
from tests.conftest import bearer

MakeClaim = Callable[..., int]


@pytest.fixture
def make_claim(client: TestClient) -> MakeClaim:
    """Store a claim (and optionally its tags) in the app's database; returns its id."""

    def make(
        text: str = "Unemployment fell to 3.9% in 2023.", tags: tuple[str, ...] = (), **fields: Any
    ) -> int:
        with Session(get_engine()) as session:
            claim = Claim(
                text=text,
                text_normalized=normalize_claim_text(text),
                text_hash=claim_text_hash(text),
                **fields,
            )
            session.add(claim)
            session.flush()
            assert claim.id is not None
            for tag in tags:
                session.add(ClaimTag(claim_id=claim.id, tag=tag))
            session.commit()
            return claim.id

    return make


@pytest.fixture
def make_article(client: TestClient) -> Callable[..., int]:
    def make(
        title: str = "Budget editorial",
        url: str | None = "https://www.example-news.com/2024/budget",
        published_at: datetime | None = None,
    ) -> int:
        with Session(get_engine()) as session:
            article = Article(title=title, body="...", url=url, published_at=published_at)
            session.add(article)
            session.commit()
            assert article.id is not None
            return article.id

    return make


def current_etag(client: TestClient, claim_id: int, raw_key: str) -> str:
    response = client.get(f"/v1/claims/{claim_id}", headers=bearer(raw_key))
    assert response.status_code == 200, response.text
    return response.headers["ETag"]


def write_headers(raw_key: str, etag: str) -> dict[str, str]:
    return {**bearer(raw_key), "If-Match": etag}


def patch(client: TestClient, claim_id: int, raw_key: str, **body: Any) -> Any:
    """PATCH with the claim's current ETag."""
    etag = current_etag(client, claim_id, raw_key)
    return client.patch(f"/v1/claims/{claim_id}", json=body, headers=write_headers(raw_key, etag))


def post_review(client: TestClient, claim_id: int, raw_key: str, **body: Any) -> Any:
    """POST a review with the claim's current ETag."""
    etag = current_etag(client, claim_id, raw_key)
    return client.post(f"/v1/claims/{claim_id}/reviews", json=body, headers=write_headers(raw_key, etag))
