"""Finding 2: only http(s) URLs enter, wherever a URL enters (API bodies, import rows, webhooks)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.net.urls import is_http_url
from tests.conftest import ADMIN_KEY, bearer
from tests.review.conftest import MakeClaim, make_claim, post_review

__all__ = ["make_claim"]  # the fixture, used by name

NOT_HTTP = (
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/path",
    "http:///no-host",
    "https://exa mple.org/",
    "https://example.org/\x00",
)


@pytest.mark.parametrize("url", NOT_HTTP)
def test_non_http_urls_are_not_urls(url: str) -> None:
    assert not is_http_url(url)


def test_http_and_https_urls_are() -> None:
    assert all(map(is_http_url, ("https://example.org/a?b=1#c", "http://127.0.0.1:8000/", "HTTPS://Ex.org")))


def _field_of(response: Any) -> str:
    assert response.status_code == 422, response.text
    fields = response.json()["error"]["details"]["fields"]
    return str(fields[0]["field"])


@pytest.mark.parametrize("url", ("javascript:alert(1)", "data:text/html,x", "//evil.example/"))
def test_article_source_and_webhook_urls_must_be_http(client: TestClient, url: str) -> None:
    admin = bearer(ADMIN_KEY)
    article = {"title": "T", "body": "Unemployment fell to 3.9% in 2023.", "url": url}
    assert _field_of(client.post("/v1/articles", json=article, headers=admin)) == "body.url"
    source = {"url": url, "title": "T", "text": "NATO was founded in 1949."}
    assert _field_of(client.post("/v1/sources", json=source, headers=admin)) == "body.url"
    assert _field_of(client.post("/v1/webhooks", json={"url": url}, headers=admin)) == "body.url"


def _wait_for_job(client: TestClient, job_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        job: dict[str, Any] = client.get(f"/v1/imports/{job_id}", headers=bearer(ADMIN_KEY)).json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def _import(client: TestClient, kind: str, *rows: dict[str, Any]) -> dict[str, Any]:
    body = "".join(json.dumps(row) + "\n" for row in rows).encode()
    response = client.post(
        f"/v1/imports/{kind}",
        content=body,
        headers={**bearer(ADMIN_KEY), "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 202, response.text
    return _wait_for_job(client, response.json()["id"])


@pytest.fixture
def fast_worker(configure: Callable[..., None]) -> None:
    configure(WORKER_POLL_SECONDS="0.05")


def test_imported_claim_and_source_urls_must_be_http(fast_worker: None, client: TestClient) -> None:
    claims = _import(
        client,
        "claims",
        {"text": "Exports doubled since 2010.", "source_url": "https://news.example/a"},
        {"text": "The moon is made of cheese.", "source_url": "javascript:alert(1)"},
        {"text": "NATO has 32 members.", "review_url": "data:text/html,<script>alert(1)</script>"},
    )
    assert (claims["created"], claims["failed"]) == (1, 2), claims
    assert [(error["line"], error["error"].split(":")[0]) for error in claims["errors"]] == [
        (2, "source_url"),
        (3, "review_url"),
    ]
    sources = _import(
        client,
        "sources",
        {"url": "vbscript:msgbox(1)", "title": "A", "text": "NATO was founded in 1949."},
        {"url": "https://ref.example/b", "title": "B", "text": "NATO was founded in 1949."},
    )
    assert (sources["created"], sources["failed"]) == (1, 1), sources
    assert sources["errors"][0]["line"] == 1 and "url" in sources["errors"][0]["error"]


def test_urls_stored_by_older_releases_are_not_exported(
    client: TestClient, keys: dict[str, str], make_claim: MakeClaim
) -> None:
    claim_id = make_claim(source_url="javascript:alert(1)", review_url="javascript:alert(2)")
    published = post_review(client, claim_id, keys["checker"], verdict="false", status="published")
    assert published.status_code == 201, published.text
    document = client.get(f"/v1/claims/{claim_id}/claimreview", headers=bearer(keys["reader"])).json()
    assert "javascript" not in json.dumps(document)
    assert document["url"].endswith(f"/claims/{claim_id}")  # the public page instead


@pytest.mark.slow
def test_desk_links_never_carry_a_stored_javascript_url(client: TestClient, keys: dict[str, str]) -> None:
    # A row an older release stored before the check: the claim page shows the URL as text, never as an href.
    from service.db import get_engine
    from tests.ui.helpers import csrf_of, store_claim

    stored_url = "javascript:alert(document.cookie)"
    claim_id = store_claim(get_engine(), "NATO has 30 members", source_url=stored_url)
    form = client.get("/ui")
    signed_in = client.post(
        "/ui/sign-in",
        data={"api_key": keys["checker"], "csrf_token": csrf_of(form.text), "next": "/ui/queue"},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303, signed_in.text
    page = client.get(f"/ui/claims/{claim_id}")
    assert page.status_code == 200
    assert 'href="javascript:' not in page.text
    assert 'href="#"' in page.text
