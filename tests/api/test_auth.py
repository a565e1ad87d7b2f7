"""Keys and roles: 401 without a valid key, 403 for a role that may not, over every /v1 endpoint."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from service.auth.models import ApiKey, Role
from service.auth.service import ROLE_PERMISSIONS, Permission, hash_key
from service.db import get_engine
from tests.conftest import ADMIN_KEY, bearer


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # FastAPI wraps included routers
            yield from _api_routes(route.original_router.routes)


def _v1_routes(app: FastAPI) -> Iterator[tuple[str, str, Permission]]:
    for route in _api_routes(app.routes):
        if not isinstance(route, APIRoute) or not route.path.startswith("/v1"):
            continue
        permissions = [
            dependency.call.permission  # type: ignore[union-attr]
            for dependency in route.dependant.dependencies
            if hasattr(dependency.call, "permission")
        ]
        assert len(permissions) == 1, f"{route.path} must state exactly one key permission"
        path = re.sub(r"\{[^}]+\}", "999999", route.path)
        for method in sorted(route.methods - {"HEAD"}):
            yield method, path, permissions[0]


@pytest.mark.slow
def test_every_v1_endpoint_needs_a_key(app: FastAPI, client: TestClient) -> None:
    checked = 0
    for method, path, _permission in _v1_routes(app):
        missing = client.request(method, path)
        assert missing.status_code == 401, (method, path, missing.text)
        assert missing.json()["error"]["code"] == "unauthenticated"
        unknown = client.request(method, path, headers=bearer("cc_not_a_key"))
        assert unknown.status_code == 401, (method, path)
        checked += 1
    assert checked >= 6


@pytest.mark.slow
def test_role_matrix_over_every_endpoint(app: FastAPI, client: TestClient, keys: dict[str, str]) -> None:
    for method, path, permission in _v1_routes(app):
        for role, raw_key in keys.items():
            response = client.request(method, path, headers=bearer(raw_key))
            allowed = permission in ROLE_PERMISSIONS[Role(role)]
            if allowed:
                assert response.status_code not in (401, 403), (role, method, path, response.text)
            else:
                assert response.status_code == 403, (role, method, path, response.text)
                assert response.json()["error"]["details"]["needs"] == permission.value


def test_key_is_shown_once_and_stored_hashed(client: TestClient) -> None:
    response = client.post("/v1/keys", json={"role": "checker", "name": "ana"}, headers=bearer(ADMIN_KEY))
    assert response.status_code == 201
    created = response.json()
    assert created["key"].startswith("cc_") and len(created["key"]) > 40
    listed = client.get("/v1/keys", headers=bearer(ADMIN_KEY)).json()
    assert all("key" not in entry for entry in listed)
    with Session(get_engine()) as session:
        stored = session.exec(select(ApiKey).where(ApiKey.id == created["id"])).one()
    assert stored.key_hash == hash_key(created["key"]) and created["key"] not in stored.key_hash
    assert client.get("/v1/articles", headers=bearer(created["key"])).status_code == 200


def test_revoked_key_is_rejected_at_once(client: TestClient, keys: dict[str, str]) -> None:
    listed = client.get("/v1/keys", headers=bearer(ADMIN_KEY)).json()
    reader_id = next(entry["id"] for entry in listed if entry["role"] == "reader")
    assert client.get("/v1/articles", headers=bearer(keys["reader"])).status_code == 200
    assert client.delete(f"/v1/keys/{reader_id}", headers=bearer(ADMIN_KEY)).status_code == 204
    assert client.get("/v1/articles", headers=bearer(keys["reader"])).status_code == 401
    assert client.delete(f"/v1/keys/{reader_id}", headers=bearer(ADMIN_KEY)).status_code == 404


def test_key_creation_validates_role(client: TestClient) -> None:
    response = client.post("/v1/keys", json={"role": "root", "name": "x"}, headers=bearer(ADMIN_KEY))
    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"][0]["field"] == "body.role"


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Bearer    ", "bearer cc_x"])
def test_malformed_authorization_headers_get_401(client: TestClient, header: str) -> None:
    response = client.get("/v1/articles", headers={"Authorization": header})
    assert response.status_code == 401


def test_rate_limit_answers_429_with_retry_after(configure: object, database_url: str) -> None:
    from service.main import create_app

    # One token a minute: on a loaded machine slow requests must not refill the bucket between them.
    configure(RATE_LIMIT_PER_MINUTE="1", RATE_LIMIT_BURST="3")  # type: ignore[operator]
    with TestClient(create_app()) as limited:
        statuses = [limited.get("/v1/articles", headers=bearer(ADMIN_KEY)).status_code for _ in range(5)]
        assert statuses[:3] == [200, 200, 200]
        last = limited.get("/v1/articles", headers=bearer(ADMIN_KEY))
        assert last.status_code == 429
        assert int(last.headers["Retry-After"]) >= 1
