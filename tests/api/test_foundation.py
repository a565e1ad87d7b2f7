"""Health, errors in one shape, body limits, unknown ids, pagination."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from service.articles.models import Article
from service.db import get_engine
from tests.conftest import ADMIN_KEY, bearer


def test_health_and_readiness_need_no_key(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    assert "claimcheck_http_requests_total" in client.get("/metrics").text


def test_request_id_is_echoed_or_made(client: TestClient) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    assert len(client.get("/healthz").headers["x-request-id"]) == 32


def test_oversized_json_body_gets_413(configure: object, client: TestClient) -> None:
    big = "x" * (5 * 1024 * 1024 + 10)
    response = client.post(
        "/v1/articles", content=f'{{"title":"t","body":"{big}"}}', headers=bearer(ADMIN_KEY)
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_chunked_oversized_body_gets_413(client: TestClient) -> None:
    def chunks():  # no Content-Length: the limit must count streamed bytes
        for _ in range(6):
            yield b"x" * (1024 * 1024)

    response = client.post("/v1/articles", content=chunks(), headers=bearer(ADMIN_KEY))
    assert response.status_code == 413


def test_malformed_json_gets_422_naming_the_place(client: TestClient) -> None:
    response = client.post(
        "/v1/articles",
        content=b'{"title": "x", "body": ',
        headers={**bearer(ADMIN_KEY), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


def test_missing_field_gets_422_with_the_field(client: TestClient) -> None:
    response = client.post("/v1/articles", json={"title": "x"}, headers=bearer(ADMIN_KEY))
    assert response.status_code == 422
    fields = [entry["field"] for entry in response.json()["error"]["details"]["fields"]]
    assert fields == ["body.body"]


def test_empty_body_gets_422(client: TestClient) -> None:
    response = client.post("/v1/articles", json={"title": "x", "body": "  \n\t "}, headers=bearer(ADMIN_KEY))
    assert response.status_code == 422
    assert "body is empty" in response.json()["error"]["message"]


def test_unknown_ids_get_404_in_the_one_shape(client: TestClient) -> None:
    for path in ("/v1/articles/999999", "/v1/articles/999999/claims", "/v1/articles/999999/sentences"):
        response = client.get(path, headers=bearer(ADMIN_KEY))
        assert response.status_code == 404
        assert set(response.json()["error"]) >= {"code", "message"}
    assert client.get("/v1/articles/not-a-number", headers=bearer(ADMIN_KEY)).status_code == 422
    assert client.get("/nowhere").json()["error"]["code"] == "not_found"


def test_article_listing_pages_with_a_cursor(client: TestClient) -> None:
    with Session(get_engine()) as session:
        for number in range(7):
            session.add(Article(title=f"article {number}", body="Text."))
        session.commit()
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/articles", params=params, headers=bearer(ADMIN_KEY)).json()
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 7 and seen == sorted(seen, reverse=True)
    bad = client.get("/v1/articles", params={"cursor": "%%%"}, headers=bearer(ADMIN_KEY))
    assert bad.status_code == 422
