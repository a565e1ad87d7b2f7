"""What a newcomer meets first: `/` leads to the desk, a missing key says how to get one, and the request
log names every path by its route template (or the raw path with ids taken out)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.observability import path_label


def test_the_bare_address_leads_to_the_desk(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/ui"


def test_a_401_and_the_sign_in_page_say_how_to_get_a_key(client: TestClient) -> None:
    for response in (
        client.get("/v1/claims"),
        client.get("/v1/claims", headers={"Authorization": "Bearer x"}),
    ):
        assert response.status_code == 401
        assert "claimcheck keys create --role admin" in response.json()["error"]["message"]
        assert "CLAIMCHECK_ADMIN_KEY" in response.json()["error"]["message"]
    sign_in = client.get("/ui")
    assert sign_in.status_code == 200
    assert "claimcheck keys create --role admin --name me" in sign_in.text
    assert 'href="/docs"' in sign_in.text


class _Paths(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.paths.append(getattr(record, "path", ""))


@pytest.fixture
def logged_paths(client: TestClient) -> Iterator[list[str]]:
    handler = _Paths()
    logger = logging.getLogger("claimcheck.http")
    logger.addHandler(handler)
    yield handler.paths
    logger.removeHandler(handler)


def test_the_request_log_labels_paths_by_template_or_stripped_raw_path(
    client: TestClient, logged_paths: list[str]
) -> None:
    client.get("/docs")
    client.get("/v1/claims/5")
    client.get("/ui/static/desk.css")
    client.get("/no/such/123/page")
    assert logged_paths == ["/docs", "/v1/claims/{claim_id}", "/ui/static/desk.css", "/no/such/{id}/page"]
    assert "unmatched" not in logged_paths


def test_path_labels_strip_numbers_digests_and_uuids() -> None:
    assert path_label("/a/42/b") == "/a/{id}/b"
    assert path_label("/x/0123456789abcdef0123") == "/x/{id}"
    assert path_label("/x/123e4567-e89b-12d3-a456-426614174000/y") == "/x/{id}/y"
    assert path_label("/docs") == "/docs"
    assert len(path_label("/" + "z" * 500)) == 200
