"""The edge maps the plain-data exceptions of service.exceptions to status codes and headers."""

from __future__ import annotations

import inspect

from fastapi.testclient import TestClient

from service import exceptions
from service.errors import headers_of, status_of
from tests.conftest import bearer

EXPECTED_STATUS = {
    "DomainError": 400,
    "NotFound": 404,
    "Unauthenticated": 401,
    "Forbidden": 403,
    "Conflict": 409,
    "IllegalTransition": 409,
    "PreconditionRequired": 428,
    "StaleVersion": 412,
    "PayloadTooLarge": 413,
    "InvalidInput": 422,
    "RateLimited": 429,
    "Unavailable": 503,
}


def test_every_domain_exception_has_its_status() -> None:
    declared = {
        name
        for name, value in inspect.getmembers(exceptions, inspect.isclass)
        if issubclass(value, exceptions.DomainError)
    }
    assert declared == set(EXPECTED_STATUS)
    for name, status in EXPECTED_STATUS.items():
        error_class = getattr(exceptions, name)
        if name == "StaleVersion":
            error = error_class("x", current_etag='"claim-1-v2"')
        elif name == "RateLimited":
            error = error_class("x", retry_after_s=3)
        else:
            error = error_class("x")
        assert status_of(error) == status, name


def test_facts_become_headers() -> None:
    assert headers_of(exceptions.StaleVersion("x", current_etag='"claim-1-v2"')) == {"ETag": '"claim-1-v2"'}
    assert headers_of(exceptions.RateLimited("x", retry_after_s=7)) == {"Retry-After": "7"}
    assert headers_of(exceptions.Unavailable("x", retry_after_s=5)) == {"Retry-After": "5"}
    assert headers_of(exceptions.Unavailable("x")) == {}
    assert headers_of(exceptions.Unauthenticated("x")) == {"WWW-Authenticate": "Bearer"}
    assert headers_of(exceptions.NotFound("x")) == {}


def test_a_missing_or_wrong_key_is_answered_with_a_bearer_challenge(client: TestClient) -> None:
    for headers in ({}, bearer("cc_not_a_key")):
        response = client.get("/v1/claims", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert response.json()["error"]["code"] == "unauthenticated"
