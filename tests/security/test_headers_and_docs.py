"""Finding 7: nosniff on every response; /docs from installed files under a CSP; a setting for whether
/metrics and /openapi.json need a key."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.conftest import bearer


@pytest.mark.slow
def test_every_response_says_nosniff(client: TestClient, keys: dict[str, str]) -> None:
    answers = [
        client.get("/healthz"),
        client.get("/metrics"),
        client.get("/openapi.json"),
        client.get("/docs"),
        client.get("/docs/assets/swagger-ui.css"),
        client.get("/v1/claims"),  # 401
        client.get("/v1/claims", headers=bearer(keys["reader"])),
        client.get("/v1/claims/999999", headers=bearer(keys["reader"])),  # 404
        client.get("/no/such/path"),
        client.get("/ui", follow_redirects=False),
        client.post("/v1/articles", content=b"{", headers=bearer(keys["newsroom"])),  # 422
    ]
    assert [answer.headers.get("x-content-type-options") for answer in answers] == ["nosniff"] * len(answers)


def test_docs_load_only_files_of_this_service_under_a_csp(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "default-src 'none'" in csp and "unsafe-eval" not in csp
    assert "<script>" not in page.text  # no inline script: 'self' is enough
    references = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert references and all(reference.startswith("/") for reference in references), references
    for reference in references:
        asset = client.get(reference)
        assert asset.status_code == 200 and len(asset.content) > 0, reference
    assert client.get("/redoc").status_code == 404  # FastAPI's CDN-loading page is gone


@pytest.mark.slow
@pytest.mark.parametrize("protect", [False, True])
def test_a_setting_decides_whether_metrics_and_the_openapi_document_need_a_key(
    configure: Callable[..., None], protect: bool
) -> None:
    configure(PROTECT_DOCS_AND_METRICS=str(protect).lower())
    from service.main import create_app

    with TestClient(create_app(), raise_server_exceptions=False) as client:
        without_key = [client.get(path).status_code for path in ("/metrics", "/openapi.json", "/docs")]
        assert without_key == ([401, 401, 401] if protect else [200, 200, 200])
        reader = client.post("/v1/keys", json={"role": "reader", "name": "r"}, headers=bearer(_admin()))
        with_key = bearer(reader.json()["key"])
        assert [client.get(path, headers=with_key).status_code for path in ("/metrics", "/openapi.json")] == [
            200,
            200,
        ]
        assert client.get("/healthz").status_code == 200  # liveness never needs a key


def _admin() -> str:
    from tests.conftest import ADMIN_KEY

    return ADMIN_KEY
