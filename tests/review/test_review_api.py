"""The review workflow through the HTTP API: roles, preconditions, transitions, reviews, history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.db import get_engine
from service.linking.models import Passage, Source
from tests.conftest import ADMIN_KEY, bearer
from tests.review.conftest import MakeClaim, current_etag, patch, post_review, write_headers

Call = Callable[[TestClient, dict[str, str], int], Any]


def _endpoints(claim_id: int, webhook_id: int) -> list[tuple[str, str, dict[str, Any] | None, set[str]]]:
    """(method, path, json body, roles allowed) for every endpoint of the review domain."""
    everyone = {"reader", "newsroom", "checker", "admin"}
    reviewers = {"checker", "admin"}
    return [
        ("GET", "/v1/claims", None, everyone),
        ("GET", "/v1/claims/stats", None, everyone),
        ("GET", f"/v1/claims/{claim_id}", None, everyone),
        ("GET", f"/v1/claims/{claim_id}/history", None, everyone),
        ("GET", f"/v1/claims/{claim_id}/claimreview", None, everyone),
        ("GET", "/v1/claimreview", None, everyone),
        ("PATCH", f"/v1/claims/{claim_id}", {"priority": 3}, reviewers),
        ("POST", f"/v1/claims/{claim_id}/reviews", {"verdict": "false"}, reviewers),
        ("GET", f"/v1/claims/{claim_id}/reviews", None, reviewers),
        ("GET", "/v1/webhooks", None, {"admin"}),
        ("POST", "/v1/webhooks", {"url": "http://127.0.0.1:9/hook"}, {"admin"}),
        ("GET", f"/v1/webhooks/{webhook_id}/deliveries", None, {"admin"}),
        ("DELETE", f"/v1/webhooks/{webhook_id}", None, {"admin"}),
    ]


@pytest.fixture
def loopback_webhooks(configure: Callable[..., None]) -> None:
    """The matrix registers a webhook on loopback (port 9, where nothing listens)."""
    configure(WEBHOOK_ALLOW_PRIVATE="true")


@pytest.mark.slow
def test_role_matrix(
    loopback_webhooks: None, client: TestClient, keys: dict[str, str], make_claim: MakeClaim
) -> None:
    claim_id = make_claim()
    webhook = client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"}, headers=bearer(ADMIN_KEY))
    assert webhook.status_code == 201, webhook.text
    for method, path, body, allowed in _endpoints(claim_id, webhook.json()["id"]):
        anonymous = client.request(method, path, json=body)  # no If-Match either: the key is checked first
        assert anonymous.status_code == 401, (method, path)
        assert anonymous.json()["error"]["code"] == "unauthenticated"
        for role in sorted({"reader", "newsroom", "checker", "admin"} - allowed):
            denied = client.request(method, path, json=body, headers=bearer(keys[role]))
            assert denied.status_code == 403, (method, path, role)
            assert denied.json()["error"]["code"] == "forbidden"
        for role in sorted(allowed):
            headers = write_headers(keys[role], current_etag(client, claim_id, keys[role]))
            if method == "DELETE":
                continue  # deleted below, once
            response = client.request(method, path, json=body, headers=headers)
            assert response.status_code not in (401, 403), (method, path, role, response.text)
    # the one DELETE, by the one role allowed
    assert client.delete(f"/v1/webhooks/{webhook.json()['id']}", headers=bearer(ADMIN_KEY)).status_code == 204


def test_get_claim_returns_an_etag_that_changes_on_every_write(
    client: TestClient, keys: dict[str, str], make_claim: MakeClaim
) -> None:
    claim_id = make_claim()
    first = client.get(f"/v1/claims/{claim_id}", headers=bearer(keys["reader"]))
    assert first.headers["ETag"] == f'"claim-{claim_id}-v1"' and first.json()["version"] == 1
    written = patch(client, claim_id, keys["checker"], priority=5)
    assert written.status_code == 200
    assert written.headers["ETag"] == f'"claim-{claim_id}-v2"' and written.json()["version"] == 2
    assert current_etag(client, claim_id, keys["reader"]) == written.headers["ETag"]
    unchanged = client.get(
        f"/v1/claims/{claim_id}", headers={**bearer(keys["reader"]), "If-None-Match": written.headers["ETag"]}
    )
    assert unchanged.status_code == 304 and unchanged.headers["ETag"] == written.headers["ETag"]
    outdated = client.get(
        f"/v1/claims/{claim_id}", headers={**bearer(keys["reader"]), "If-None-Match": first.headers["ETag"]}
    )
    assert outdated.status_code == 200 and outdated.json()["version"] == 2


def test_unknown_claim_is_404(client: TestClient, keys: dict[str, str]) -> None:
    for path in ("/v1/claims/999", "/v1/claims/999/history", "/v1/claims/999/claimreview"):
        response = client.get(path, headers=bearer(keys["checker"]))
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    response = client.patch(
        "/v1/claims/999", json={"priority": 1}, headers=write_headers(keys["checker"], '"x"')
    )
    assert response.status_code == 404


@pytest.mark.slow
@pytest.mark.parametrize("write", ["patch", "review"])
def test_writes_need_if_match_and_a_stale_one_is_rejected_with_412(
    client: TestClient, keys: dict[str, str], make_claim: MakeClaim, write: str
) -> None:
    claim_id = make_claim()
    checker = keys["checker"]
    path = f"/v1/claims/{claim_id}" if write == "patch" else f"/v1/claims/{claim_id}/reviews"
    body = {"assignee": "ana"} if write == "patch" else {"verdict": "false", "summary": "No."}
    method = "PATCH" if write == "patch" else "POST"

    missing = client.request(method, path, json=body, headers=bearer(checker))
    assert missing.status_code == 428
    assert missing.json()["error"]["code"] == "precondition_required"

    old_etag = current_etag(client, claim_id, checker)
    wrong = client.request(method, path, json=body, headers=write_headers(checker, '"claim-1-v99"'))
    assert wrong.status_code == 412
    assert wrong.json()["error"]["details"] == {"etag": old_etag, "version": 1}

    accepted = client.request(method, path, json=body, headers=write_headers(checker, old_etag))
    assert accepted.status_code in (200, 201), accepted.text
    new_etag = accepted.headers["ETag"]
    assert new_etag != old_etag

    replay = client.request(method, path, json=body, headers=write_headers(checker, old_etag))
    assert replay.status_code == 412
    error = replay.json()["error"]
    assert error["code"] == "stale_version"
    assert error["details"] == {"etag": new_etag, "version": 2}
    assert replay.headers["ETag"] == new_etag
    assert len(history(client, claim_id, checker)) == (1 if write == "patch" else 5)


def history(client: TestClient, claim_id: int, raw_key: str) -> list[dict[str, Any]]:
    response = client.get(f"/v1/claims/{claim_id}/history", headers=bearer(raw_key))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


@pytest.mark.slow
def test_every_legal_transition_through_the_api(
    client: TestClient, keys: dict[str, str], make_claim: MakeClaim
) -> None:
    checker = keys["checker"]
    walk = make_claim()
    for status in ("in_review", "reviewed", "in_review"):
        response = patch(client, walk, checker, status=status)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status
    assert post_review(client, walk, checker, verdict="mixed").json()["claim"]["status"] == "reviewed"
    published = patch(client, walk, checker, status="published")
    assert published.status_code == 200
    assert published.json()["status"] == "published" and published.json()["published_at"] is not None

    for setup in ([], ["in_review"], ["in_review", "reviewed"]):
        claim_id = make_claim()
        for status in setup:
            assert patch(client, claim_id, checker, status=status).status_code == 200
        dismissed = patch(client, claim_id, checker, status="dismissed", dismiss_reason="Opinion, not fact.")
        assert dismissed.status_code == 200, dismissed.text
        assert dismissed.json()["dismiss_reason"] == "Opinion, not fact."


ILLEGAL_STEPS: list[tuple[list[str], str, list[str]]] = [
    ([], "published", ["in_review", "dismissed"]),
    ([], "reviewed", ["in_review", "dismissed"]),
    (["in_review"], "published", ["reviewed", "dismissed"]),
    (["in_review"], "new", ["reviewed", "dismissed"]),
    (["in_review", "reviewed"], "new", ["published", "in_review", "dismissed"]),
]


def test_illegal_transition_is_409_listing_the_allowed_ones(
    client: TestClient, keys: dict[str, str], make_claim: MakeClaim
) -> None:
    for setup, target, allowed in ILLEGAL_STEPS:
        claim_id = make_claim()
        for status in setup:
            assert patch(client, claim_id, keys["checker"], status=status).status_code == 200
        response = patch(client, claim_id, keys["checker"], status=target)
        assert response.status_code == 409, (setup, target)
        error = response.json()["error"]
        assert error["code"] == "illegal_transition"
        assert error["details"] == {"from": (setup or ["new"])[-1], "to": target, "allowed": allowed}
        assert current_etag(client, claim_id, keys["checker"]).endswith(
            f'-v{len(setup) + 1}"'
        )  # nothing written


def test_published_and_dismissed_claims_are_final(
    client: TestClient, keys: dict[str, str], make_claim: MakeClaim
) -> None:
    checker = keys["checker"]
    published = make_claim()
    assert post_review(client, published, checker, verdict="false", status="published").status_code == 201
    dismissed = make_claim()
    assert (
        patch(client, dismissed, checker, status="dismissed", dismiss_reason="Duplicate").status_code == 200
    )
    for claim_id, current in ((published, "published"), (dismissed, "dismissed")):
        for target in ("new", "in_review", "reviewed", "published", "dismissed"):
            if target == current:
                continue
            response = patch(
                client,
                claim_id,
                checker,
                status=target,
                **({"dismiss_reason": "x"} if target == "dismissed" else {}),
            )
            assert response.status_code == 409, (current, target)
            assert response.json()["error"]["details"]["allowed"] == []
        review = post_review(client, claim_id, checker, verdict="true")
        assert review.status_code == 409


def test_dismissal_needs_a_reason_and_a_reason_needs_a_dismissal(
    client: TestClient, keys: dict[str, str], make_claim: MakeClaim
) -> None:
    claim_id = make_claim()
    no_reason = patch(client, claim_id, keys["checker"], status="dismissed")
    assert no_reason.status_code == 422
    assert no_reason.json()["error"]["details"] == {"field": "dismiss_reason"}
    blank = patch(client, claim_id, keys["checker"], status="dismissed", dismiss_reason="   ")
    assert blank.status_code == 422
    stray = patch(client, claim_id, keys["checker"], dismiss_reason="why not")
    assert stray.status_code == 422
    assert current_etag(client, claim_id, keys["checker"]).endswith('-v1"')  # nothing was written


def test_bad_patch_bodies_are_422(client: TestClient, keys: dict[str, str], make_claim: MakeClaim) -> None:
    claim_id = make_claim()
    for body in (
        {},
        {"status": "archived"},
        {"priority": None},
        {"status": None},
        {"colour": "red"},
        {"tags": [""]},
    ):
        response = patch(client, claim_id, keys["checker"], **body)
        assert response.status_code == 422, body
        assert response.json()["error"]["code"] == "invalid_input"


def test_review_on_a_new_claim_goes_through_in_review_to_reviewed(
    client: TestClient, keys: dict[str, str], make_claim: MakeClaim
) -> None:
    claim_id = make_claim()
    response = post_review(
        client,
        claim_id,
        keys["checker"],
        verdict="mostly_false",
        summary="The rate was 4.2%.",
        note="Called the statistics office.",
        evidence=["https://stats.example.org/2023"],
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (
        body["review"]["verdict"] == "mostly_false"
        and body["review"]["note"] == "Called the statistics office."
    )
    assert body["review"]["evidence"] == ["https://stats.example.org/2023"]
    claim = body["claim"]
    assert (claim["status"], claim["verdict"], claim["summary"]) == (
        "reviewed",
        "mostly_false",
        "The rate was 4.2%.",
    )
    assert claim["reviewed_at"] is not None
    steps = [
        (e["before"], e["after"]) for e in history(client, claim_id, keys["reader"]) if e["field"] == "status"
    ]
    assert steps == [("new", "in_review"), ("in_review", "reviewed")]
    reviews = client.get(f"/v1/claims/{claim_id}/reviews", headers=bearer(keys["admin"])).json()
    assert [r["id"] for r in reviews] == [body["review"]["id"]]


def test_verdict_outside_the_scale_is_422_listing_the_allowed_ones(
    client: TestClient, configure: Callable[..., None], keys: dict[str, str], make_claim: MakeClaim
) -> None:
    claim_id = make_claim()
    response = post_review(client, claim_id, keys["checker"], verdict="pants_on_fire")
    assert response.status_code == 422
    details = response.json()["error"]["details"]
    assert details["field"] == "verdict"
    assert details["allowed"] == [
        "true",
        "mostly_true",
        "mixed",
        "mostly_false",
        "false",
        "misleading",
        "unverifiable",
    ]


def test_publishing_needs_a_verdict(client: TestClient, keys: dict[str, str], make_claim: MakeClaim) -> None:
    claim_id = make_claim()
    for status in ("in_review", "reviewed"):
        assert patch(client, claim_id, keys["checker"], status=status).status_code == 200
    response = patch(client, claim_id, keys["checker"], status="published")
    assert response.status_code == 409
    assert response.json()["error"]["details"]["field"] == "verdict"


@pytest.fixture
def admin_only_publishing(configure: Callable[..., None]) -> None:
    configure(PUBLISH_REQUIRES_ADMIN="true")


def test_publishing_can_be_limited_to_admins(
    admin_only_publishing: None, client: TestClient, keys: dict[str, str], make_claim: MakeClaim
) -> None:
    claim_id = make_claim()
    assert post_review(client, claim_id, keys["checker"], verdict="true").status_code == 201
    by_checker = patch(client, claim_id, keys["checker"], status="published")
    assert by_checker.status_code == 403
    assert by_checker.json()["error"]["details"] == {"role": "checker", "needs": "admin"}
    in_one_step = post_review(client, make_claim(), keys["checker"], verdict="true", status="published")
    assert in_one_step.status_code == 403
    assert patch(client, claim_id, keys["admin"], status="published").status_code == 200


@pytest.mark.slow
def test_history_lists_every_change_in_order_and_cannot_be_changed(
    client: TestClient, keys: dict[str, str], make_claim: MakeClaim
) -> None:
    claim_id = make_claim(tags=("economy",))
    checker, admin = keys["checker"], keys["admin"]
    key_ids = {k["name"]: k["id"] for k in client.get("/v1/keys", headers=bearer(ADMIN_KEY)).json()}
    assert patch(client, claim_id, checker, status="in_review", assignee="me").status_code == 200
    assert patch(client, claim_id, admin, priority=2, tags=["economy", "jobs"]).status_code == 200
    assert patch(client, claim_id, admin, priority=2).status_code == 200  # no change: no entry
    review = post_review(client, claim_id, checker, verdict="true", summary="Right.").json()["review"]
    assert patch(client, claim_id, admin, status="published", assignee=None).status_code == 200

    events = history(client, claim_id, keys["reader"])
    seen = [(e["version"], e["actor"], e["action"], e["field"], e["before"], e["after"]) for e in events]
    assert seen == [
        (2, "test-checker", "status_changed", "status", "new", "in_review"),
        (2, "test-checker", "updated", "assignee", None, "test-checker"),
        (3, "bootstrap-admin", "updated", "priority", 0, 2),
        (3, "bootstrap-admin", "updated", "tags", ["economy"], ["economy", "jobs"]),
        (4, "test-checker", "review_added", "review", None, {"review_id": review["id"], "verdict": "true"}),
        (4, "test-checker", "status_changed", "status", "in_review", "reviewed"),
        (4, "test-checker", "updated", "verdict", None, "true"),
        (4, "test-checker", "updated", "summary", None, "Right."),
        (5, "bootstrap-admin", "status_changed", "status", "reviewed", "published"),
        (5, "bootstrap-admin", "updated", "assignee", "test-checker", None),
    ]
    assert {e["key_id"] for e in events if e["actor"] == "test-checker"} == {key_ids["test-checker"]}
    moments = [e["at"] for e in events]
    assert moments == sorted(moments)

    page = client.get(f"/v1/claims/{claim_id}/history?limit=4", headers=bearer(keys["reader"])).json()
    rest = client.get(
        f"/v1/claims/{claim_id}/history?cursor={page['next_cursor']}", headers=bearer(keys["reader"])
    ).json()
    assert [e["id"] for e in page["items"] + rest["items"]] == [e["id"] for e in events]

    for method in ("PUT", "PATCH", "DELETE", "POST"):
        response = client.request(
            method, f"/v1/claims/{claim_id}/history", json={}, headers=bearer(ADMIN_KEY)
        )
        assert response.status_code == 405, method
    assert len(history(client, claim_id, keys["reader"])) == len(events)


def test_evidence_must_be_known_passages_or_web_addresses(
    client: TestClient, keys: dict[str, str], make_claim: MakeClaim
) -> None:
    with Session(get_engine()) as session:
        source = Source(url="https://stats.example.org/labour", title="Labour survey", text="Rate 4.2%.")
        session.add(source)
        session.flush()
        assert source.id is not None
        passage = Passage(source_id=source.id, position=0, span_start=0, span_end=10, text="Rate 4.2%.")
        session.add(passage)
        session.commit()
        passage_id = passage.id
    claim_id = make_claim()
    for evidence, problem in (([passage_id, 424242], {"unknown": [424242]}), (["javascript:alert(1)"], None)):
        response = post_review(client, claim_id, keys["checker"], verdict="false", evidence=evidence)
        assert response.status_code == 422, evidence
        details = response.json()["error"]["details"]
        assert details["field"] == "evidence"
        if problem:
            assert details["unknown"] == problem["unknown"]
    accepted = post_review(
        client,
        claim_id,
        keys["checker"],
        verdict="false",
        evidence=[passage_id, "https://stats.example.org/labour"],
    )
    assert accepted.status_code == 201
    assert accepted.json()["review"]["evidence"] == [passage_id, "https://stats.example.org/labour"]
