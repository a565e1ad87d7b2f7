"""The desk over HTTP (no browser): sessions, CSRF, roles, conflicts, imports, and the page helpers."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, select

from service.db import get_engine, utcnow
from service.spreadsheet import safe_cell as csv_cell
from service.ui.highlight import ClaimSpan, SentenceSpan, article_paragraphs, mark_ranges, quote_in_paragraph
from service.ui.models import UiSession
from service.ui.sessions import SESSION_COOKIE
from tests.conftest import bearer
from tests.ui.helpers import csrf_of, store_claim


@pytest.fixture(autouse=True)
def lexical_matching(configure: Callable[..., None]) -> None:
    """The lexical matcher: the sentence-embedding model would add seconds to every app start."""
    configure(SEMANTIC="off")


PAGES = ["/ui/queue", "/ui/articles", "/ui/articles/1", "/ui/claims/1", "/ui/imports", "/ui/imports/1"]


def sign_in(client: TestClient, raw_key: str) -> str:
    """Sign in through the form; returns the session's CSRF token."""
    form = client.get("/ui")
    assert form.status_code == 200
    response = client.post(
        "/ui/sign-in",
        data={"api_key": raw_key, "csrf_token": csrf_of(form.text), "next": "/ui/queue"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/ui/queue").text)


def test_every_page_without_a_session_redirects_to_sign_in(client: TestClient) -> None:
    for path in PAGES:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/ui?next="), path
    assert client.post("/ui/claims/1/assign", data={}, follow_redirects=False).status_code == 303


def test_sign_in_sets_an_httponly_samesite_strict_cookie_and_stores_only_a_hash(
    client: TestClient, keys: dict[str, str]
) -> None:
    form = client.get("/ui")
    response = client.post(
        "/ui/sign-in",
        data={"api_key": keys["checker"], "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    cookie = next(
        value for value in response.headers.get_list("set-cookie") if value.startswith(SESSION_COOKIE)
    )
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/ui" in cookie
    assert "Secure" not in cookie  # plain http on loopback
    raw_token = cookie.split(";")[0].split("=", 1)[1]
    with Session(get_engine()) as session:
        stored = session.exec(select(UiSession)).one()
    assert raw_token not in (stored.token_hash, stored.csrf_token)
    assert client.get("/ui/queue").status_code == 200


def test_session_cookie_is_secure_over_https(app: object, keys: dict[str, str]) -> None:
    with TestClient(app, base_url="https://desk.example") as secure_client:  # type: ignore[arg-type]
        form = secure_client.get("/ui")
        response = secure_client.post(
            "/ui/sign-in",
            data={"api_key": keys["reader"], "csrf_token": csrf_of(form.text)},
            follow_redirects=False,
        )
    cookie = next(
        value
        for value in response.headers.get_list("set-cookie")
        if value.startswith("__Host-" + SESSION_COOKIE)  # tests/security/test_desk_cookies.py: the rest
    )
    assert "Secure" in cookie


def test_unknown_key_is_refused_with_401_and_no_session(client: TestClient) -> None:
    form = client.get("/ui")
    response = client.post("/ui/sign-in", data={"api_key": "cc_wrong", "csrf_token": csrf_of(form.text)})
    assert response.status_code == 200  # the form again, with the reason in an alert
    assert "unknown or revoked" in response.text and 'role="alert"' in response.text
    assert client.get("/ui/queue", follow_redirects=False).status_code == 303


def test_sign_in_without_its_form_token_is_403(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post("/ui/sign-in", data={"api_key": keys["admin"], "csrf_token": "forged"})
    assert response.status_code == 403


def test_post_without_the_session_csrf_token_is_403(client: TestClient, keys: dict[str, str]) -> None:
    sign_in(client, keys["checker"])
    claim_id = store_claim(get_engine(), "Unemployment fell to 3.9% in 2023.")
    response = client.post(
        f"/ui/claims/{claim_id}/assign",
        data={"csrf_token": "not-the-token", "etag": f'"claim-{claim_id}-v1"', "version": "1"},
    )
    assert response.status_code == 403
    assert client.get(f"/v1/claims/{claim_id}", headers=bearer(keys["admin"])).json()["assignee"] is None


@pytest.mark.slow
def test_reader_sees_no_write_controls_and_a_forged_write_is_403(
    client: TestClient, keys: dict[str, str]
) -> None:
    claim_id = store_claim(get_engine(), "Unemployment fell to 3.9% in 2023.")
    csrf = sign_in(client, keys["reader"])
    page = client.get(f"/ui/claims/{claim_id}")
    assert page.status_code == 200
    for control in ('id="verdict-form"', "relation-buttons", "Assign to me", "Move to"):
        assert control not in page.text
    assert "Submit an article" not in client.get("/ui/articles").text
    forged = client.post(
        f"/ui/claims/{claim_id}/status",
        data={"csrf_token": csrf, "etag": f'"claim-{claim_id}-v1"', "version": "1", "status": "in_review"},
    )
    assert forged.status_code == 403
    assert (
        client.post("/ui/articles", data={"csrf_token": csrf, "title": "t", "body": "b"}).status_code == 403
    )
    assert client.get("/ui/imports").status_code == 403
    assert client.get(f"/v1/claims/{claim_id}", headers=bearer(keys["admin"])).json()["status"] == "new"


@pytest.mark.slow
def test_sign_out_ends_the_session_on_the_server(client: TestClient, keys: dict[str, str]) -> None:
    csrf = sign_in(client, keys["reader"])
    old_cookie = client.cookies.get(SESSION_COOKIE)
    assert client.post("/ui/sign-out", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    client.cookies.set(SESSION_COOKIE, old_cookie or "", path="/ui")
    assert client.get("/ui/queue", follow_redirects=False).status_code == 303


def test_expired_session_and_revoked_key_go_back_to_sign_in(client: TestClient, keys: dict[str, str]) -> None:
    sign_in(client, keys["checker"])
    with Session(get_engine()) as session:
        session.execute(update(UiSession).values(expires_at=utcnow() - timedelta(seconds=1)))
        session.commit()
    assert client.get("/ui/queue", follow_redirects=False).status_code == 303

    sign_in(client, keys["checker"])
    key_id = next(
        row["id"]
        for row in client.get("/v1/keys", headers=bearer(keys["admin"])).json()
        if row["role"] == "checker"
    )
    assert client.delete(f"/v1/keys/{key_id}", headers=bearer(keys["admin"])).status_code in (200, 204)
    assert client.get("/ui/queue", follow_redirects=False).status_code == 303


def test_stale_verdict_shows_who_changed_what_and_keeps_the_typed_text(
    client: TestClient, keys: dict[str, str]
) -> None:
    claim_id = store_claim(get_engine(), "Unemployment fell to 3.9% in 2023.")
    csrf = sign_in(client, keys["checker"])
    # Someone else (the admin, through the API) moves the claim after this page was opened at version 1.
    moved = client.patch(
        f"/v1/claims/{claim_id}",
        json={"status": "in_review", "assignee": "someone-else"},
        headers={**bearer(keys["admin"]), "If-Match": f'"claim-{claim_id}-v1"'},
    )
    assert moved.status_code == 200, moved.text
    typed = "My summary, typed while the other change happened."
    stale = client.post(
        f"/ui/claims/{claim_id}/review",
        data={
            "csrf_token": csrf,
            "etag": f'"claim-{claim_id}-v1"',
            "version": "1",
            "verdict": "false",
            "summary": typed,
            "note": "internal",
            "leave_as": "reviewed",
        },
    )
    assert stale.status_code == 200  # the page again, with the conflict panel
    assert "Someone else changed this claim" in stale.text
    assert "bootstrap-admin" in stale.text and "in_review" in stale.text and "someone-else" in stale.text
    assert typed in stale.text and "Apply my review to version 2" in stale.text
    claim = client.get(f"/v1/claims/{claim_id}", headers=bearer(keys["admin"])).json()
    assert claim["verdict"] is None and claim["summary"] is None  # nothing of the stale write was stored
    applied = client.post(
        f"/ui/claims/{claim_id}/review",
        data={
            "csrf_token": csrf,
            "etag": f'"claim-{claim_id}-v2"',
            "version": "2",
            "verdict": "false",
            "summary": typed,
            "leave_as": "reviewed",
        },
        follow_redirects=False,
    )
    assert applied.status_code == 303
    claim = client.get(f"/v1/claims/{claim_id}", headers=bearer(keys["admin"])).json()
    assert (claim["verdict"], claim["summary"], claim["status"]) == ("false", typed, "reviewed")


def test_illegal_move_is_explained_not_a_500(client: TestClient, keys: dict[str, str]) -> None:
    claim_id = store_claim(get_engine(), "Unemployment fell to 3.9% in 2023.")
    csrf = sign_in(client, keys["checker"])
    response = client.post(
        f"/ui/claims/{claim_id}/status",
        data={"csrf_token": csrf, "etag": f'"claim-{claim_id}-v1"', "version": "1", "status": "published"},
    )
    assert response.status_code == 200
    assert "cannot move from" in response.text and 'role="alert"' in response.text


@pytest.mark.slow
def test_queue_filters_tabs_and_cursor_pages(client: TestClient, keys: dict[str, str]) -> None:
    engine = get_engine()
    for number in range(55):
        store_claim(engine, f"Claim number {number} about tariffs.", score=number / 100)
    store_claim(engine, "A reviewed claim about wheat.", status="reviewed", verdict="false")
    sign_in(client, keys["reader"])
    first = client.get("/ui/queue")
    assert first.text.count('class="queue-row"') == 50
    assert 'data-status-count="new">55<' in first.text and 'data-status-count="reviewed">1<' in first.text
    assert "Claim number 54 about tariffs." in first.text  # highest score first
    next_link = first.text.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = client.get(next_link)
    assert second.text.count('class="queue-row"') == 6
    assert "Claim number 0 about tariffs." in second.text
    wheat = client.get("/ui/queue", params={"q": "wheat", "verdict": "false"})
    assert wheat.text.count('class="queue-row"') == 1
    assert client.get("/ui/queue", params={"sort": "nonsense"}).status_code == 422
    assert client.get("/ui/queue", params={"status": "nonsense"}).status_code == 422


@pytest.mark.slow
def test_csv_import_lists_bad_lines_and_downloads_them_neutralised(
    client: TestClient, keys: dict[str, str]
) -> None:
    csrf = sign_in(client, keys["newsroom"])
    upload = (
        "text,verdict,claimed_at\nGood claim one.,false,2022-01-02\n,false,\nBad date claim.,,not-a-date\n"
    )
    response = client.post(
        "/ui/imports",
        params={"csrf_token": csrf},  # checked before the body is read
        data={"kind": "claims", "on_duplicate": "skip"},
        files={"file": ("claims.csv", upload.encode(), "text/csv")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    job_url = response.headers["location"]
    deadline = time.monotonic() + 20
    while (progress := client.get(f"{job_url}/progress").json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, progress
        time.sleep(0.2)
    assert (progress["status"], progress["created"], progress["failed"]) == ("done", 1, 2)
    page = client.get(job_url).text
    assert '<td class="num">3</td>' in page and '<td class="num">4</td>' in page
    rows = list(csv.reader(io.StringIO(client.get(f"{job_url}/bad-rows.csv").text)))
    assert rows[0] == ["line", "error"] and [row[0] for row in rows[1:]] == ["3", "4"]


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised() -> None:
    assert csv_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert csv_cell("+1") == "'+1" and csv_cell("-2") == "'-2" and csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_cell("text: missing") == "text: missing"


def test_article_paragraphs_link_claims_and_grey_skipped_sentences() -> None:
    body = "Prices rose 5% in 2023. What a shame.\n\nRomania and Bulgaria joined in 2004."
    sentences = [
        SentenceSpan(0, 23, "claim", "1 claim (quantity)", 1),
        SentenceSpan(24, 37, "opinion", "opinion: exclamation", 0),
        SentenceSpan(39, 75, "claim", "1 claim (list)", 1),
    ]
    paragraphs = article_paragraphs(body, sentences, [ClaimSpan(1, 0, 22), ClaimSpan(2, 39, 74)])
    assert [(f.text, f.claim_id) for f in paragraphs[0] if f.claim_id] == [("Prices rose 5% in 2023", 1)]
    assert [(f.text, f.skipped_reason) for f in paragraphs[0] if f.skipped_reason] == [
        ("What a shame.", "opinion: exclamation")
    ]
    assert "".join(f.text for f in paragraphs[1]) == "Romania and Bulgaria joined in 2004."
    assert paragraphs[1][0].claim_id == 2


def test_overlapping_claims_link_the_narrowest_and_marks_merge() -> None:
    body = "Putin named Romania and Bulgaria."
    paragraphs = article_paragraphs(body, [], [ClaimSpan(1, 0, 33), ClaimSpan(2, 12, 32)])
    assert [(f.text, f.claim_id) for f in paragraphs[0]] == [
        ("Putin named ", 1),
        ("Romania and Bulgaria", 2),
        (".", 1),
    ]
    assert [
        (m.text, m.marked)
        for m in mark_ranges("Romania and Bulgaria", [(10, 17), (12, 15), (22, 30)], offset=10)
    ] == [
        ("Romania", True),
        (" and ", False),
        ("Bulgaria", True),
    ]
    assert [m.text for m in quote_in_paragraph("One.\n\nTwo three.", 10, 15) if m.marked] == ["three"]
    assert quote_in_paragraph("short", 3, 99) == []


@pytest.mark.slow
def test_claim_page_shows_the_previously_checked_claim_it_repeats(
    client: TestClient, keys: dict[str, str]
) -> None:
    engine = get_engine()
    text = "Romania and Bulgaria joined NATO in 2004 together with five other countries."
    checked = store_claim(engine, text, status="reviewed", verdict="mostly_true", publisher="Desk archive")
    fresh = store_claim(engine, text)
    sign_in(client, keys["reader"])
    page = client.get(f"/ui/claims/{fresh}").text
    section = page.split('id="matches-heading"')[1].split("</section>")[0]
    assert f'href="/ui/claims/{checked}"' in section and "mostly true" in section
    own = client.get(f"/ui/claims/{checked}").text.split('id="matches-heading"')[1].split("</section>")[0]
    assert f'href="/ui/claims/{checked}"' not in own  # a claim is never its own prior check


def test_publish_button_is_offered_only_to_admins_when_the_deployment_says_so(
    configure: Callable[..., None],
) -> None:
    from service.main import create_app
    from tests.conftest import ADMIN_KEY, reset_process_caches

    configure(SEMANTIC="off", PUBLISH_REQUIRES_ADMIN="true")
    try:
        with TestClient(create_app()) as client:
            checker = client.post(
                "/v1/keys", json={"role": "checker", "name": "desk-checker"}, headers=bearer(ADMIN_KEY)
            ).json()["key"]
            claim_id = store_claim(get_engine(), "Exports doubled.", status="reviewed", verdict="false")
            sign_in(client, checker)
            as_checker = client.get(f"/ui/claims/{claim_id}").text
            assert "Move to in review" in as_checker and "Move to published" not in as_checker
            assert '<option value="published"' not in as_checker
            client.cookies.clear()
            sign_in(client, ADMIN_KEY)
            assert "Move to published" in client.get(f"/ui/claims/{claim_id}").text
    finally:
        get_engine().dispose()
        reset_process_caches()


def test_an_article_over_the_size_limit_comes_back_with_the_typed_fields(
    configure: Callable[..., None],
) -> None:
    from service.main import create_app
    from tests.conftest import ADMIN_KEY, reset_process_caches

    configure(SEMANTIC="off", MAX_ARTICLE_CHARS="100")
    try:
        with TestClient(create_app()) as client:
            csrf = sign_in(client, ADMIN_KEY)
            response = client.post(
                "/ui/articles",
                data={"csrf_token": csrf, "title": "Too long", "body": "Prices rose. " * 20, "url": ""},
            )
            assert response.status_code == 200
            assert "The article was not submitted" in response.text and "the limit is 100" in response.text
            assert 'value="Too long"' in response.text and "Prices rose. Prices rose." in response.text
            undated = client.post(
                "/ui/articles",
                data={"csrf_token": csrf, "title": "Dated", "body": "Prices rose.", "published_at": "26/11"},
            )
            assert "published date: use YYYY-MM-DD" in undated.text
    finally:
        get_engine().dispose()
        reset_process_caches()
