"""Finding 3: over https the desk's cookies are `__Host-` cookies (no other port or subdomain can plant
them), a sign-in posted from another origin is refused, and a failed or forged sign-in leaves the
session the browser already has."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.ui.helpers import csrf_of


@pytest.fixture
def https_client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
        yield client


def _set_cookie(response: object, name: str) -> str:
    headers = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    return next(value for value in headers if value.startswith(name + "="))


def _sign_in(client: TestClient, raw_key: str, **headers: str) -> int:
    form = client.get("/ui")
    response = client.post(
        "/ui/sign-in",
        data={"api_key": raw_key, "csrf_token": csrf_of(form.text)},
        headers=headers,
        follow_redirects=False,
    )
    return response.status_code


def _tossed_sign_in(client: TestClient, raw_key: str, **headers: str) -> int:
    """A sign-in with a double-submit cookie planted by another page of the host (no form needed)."""
    client.cookies.set("cc_ui_sign_in", "attacker-chosen", path="/ui")
    response = client.post(
        "/ui/sign-in",
        data={"api_key": raw_key, "csrf_token": "attacker-chosen"},
        headers=headers,
        follow_redirects=False,
    )
    client.cookies.delete("cc_ui_sign_in", path="/ui")
    return response.status_code


def test_https_cookies_are_host_prefixed(https_client: TestClient, keys: dict[str, str]) -> None:
    form = https_client.get("/ui")
    sign_in_cookie = _set_cookie(form, "__Host-cc_ui_sign_in")
    assert "Secure" in sign_in_cookie and "Path=/;" in sign_in_cookie and "Domain" not in sign_in_cookie
    response = https_client.post(
        "/ui/sign-in",
        data={"api_key": keys["checker"], "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session_cookie = _set_cookie(response, "__Host-cc_ui_session")
    for attribute in ("Secure", "HttpOnly", "Path=/;", "SameSite=strict"):
        assert attribute in session_cookie
    assert https_client.get("/ui/queue", follow_redirects=False).status_code == 200


def test_a_planted_plain_cookie_does_not_count_over_https(
    https_client: TestClient, keys: dict[str, str]
) -> None:
    # What a page on another port of the host can do: set a cookie without the prefix, then post.
    assert _tossed_sign_in(https_client, keys["admin"]) == 403


def test_failed_and_cross_origin_sign_ins_keep_the_session(client: TestClient, keys: dict[str, str]) -> None:
    assert _sign_in(client, keys["checker"]) == 303
    assert client.get("/ui/queue", follow_redirects=False).status_code == 200

    assert _tossed_sign_in(client, "cc_wrong_key") == 200  # the form again, with why
    assert client.get("/ui/queue", follow_redirects=False).status_code == 200
    forged = client.post("/ui/sign-in", data={"api_key": keys["admin"], "csrf_token": "forged"})
    assert forged.status_code == 403
    # Login CSRF: the attacker's own valid key, posted from a page on another port of the same host
    # (over plain http nothing stops the planted cookie, so the origin of the post must be checked).
    assert _tossed_sign_in(client, keys["reader"], Origin="http://testserver:8081") == 403
    assert _tossed_sign_in(client, keys["reader"], **{"Sec-Fetch-Site": "same-site"}) == 403
    queue = client.get("/ui/queue", follow_redirects=False)
    assert queue.status_code == 200 and "test-checker" in queue.text  # still the checker's session


@pytest.mark.slow
def test_plain_http_sign_in_can_be_refused(configure: Callable[..., None]) -> None:
    configure(UI_ALLOW_PLAIN_HTTP="false")
    from service.main import create_app
    from tests.conftest import ADMIN_KEY

    with TestClient(create_app(), raise_server_exceptions=False) as client:
        assert _sign_in(client, ADMIN_KEY) == 403
    with TestClient(create_app(), base_url="https://testserver", raise_server_exceptions=False) as client:
        assert _sign_in(client, ADMIN_KEY) == 303
