"""Finding 5: wrong keys are throttled per client address; a short bootstrap admin key is refused."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError

from service.settings import Settings
from tests.conftest import ADMIN_KEY, bearer

LIMIT = 5


@pytest.fixture
def throttled(configure: Callable[..., None]) -> None:
    configure(AUTH_FAILURES_PER_MINUTE=str(LIMIT))


@pytest.fixture
def other_client(app: FastAPI) -> Iterator[TestClient]:
    """A second client, from another address."""
    with TestClient(app, raise_server_exceptions=False, client=("198.51.100.7", 40000)) as test_client:
        yield test_client


@pytest.mark.slow
def test_wrong_keys_from_one_address_are_throttled_with_retry_after(
    throttled: None, client: TestClient, other_client: TestClient
) -> None:
    for _ in range(20):  # right keys never count as failures
        assert client.get("/v1/claims", headers=bearer(ADMIN_KEY)).status_code == 200
    statuses = [client.get("/v1/claims", headers=bearer(f"cc_guess_{n}")).status_code for n in range(200)]
    assert statuses[:LIMIT] == [401] * LIMIT and set(statuses[LIMIT:]) == {429}

    throttled_answer = client.get("/v1/claims", headers=bearer("cc_guess_again"))
    retry_after = int(throttled_answer.headers["Retry-After"])
    error = throttled_answer.json()["error"]
    assert error["code"] == "rate_limited" and error["details"]["retry_after_s"] == retry_after >= 1
    # While the address is throttled even the right key is not tried: guessing learns nothing.
    assert client.get("/v1/claims", headers=bearer(ADMIN_KEY)).status_code == 429

    # Another address is not affected, and a request without any key is a 401, not a guess.
    assert other_client.get("/v1/claims", headers=bearer(ADMIN_KEY)).status_code == 200
    assert other_client.get("/v1/claims", headers=bearer("cc_guess")).status_code == 401
    assert other_client.get("/v1/claims").status_code == 401


def test_a_short_bootstrap_admin_key_is_refused_at_start_up() -> None:
    with pytest.raises(ValidationError, match="CLAIMCHECK_ADMIN_KEY must be at least 32 characters"):
        Settings(claimcheck_admin_key="cc_admin_change_me")
    assert Settings(claimcheck_admin_key="x" * 32).claimcheck_admin_key is not None


def test_wrong_keys_at_the_desk_sign_in_count_too(throttled: None, client: TestClient) -> None:
    def attempt(raw_key: str) -> int:
        form = client.get("/ui")
        token = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        response = client.post(
            "/ui/sign-in", data={"api_key": raw_key, "csrf_token": token}, follow_redirects=False
        )
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) >= 1 and "Too many" in response.text
        return response.status_code

    assert [attempt(f"cc_guess_{n}") for n in range(LIMIT)] == [200] * LIMIT  # the form again, with why
    assert attempt("cc_guess_more") == 429
    assert attempt(ADMIN_KEY) == 429
    assert client.get("/v1/claims", headers=bearer(ADMIN_KEY)).status_code == 429  # the same address
