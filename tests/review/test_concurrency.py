"""No lost updates: of many writers holding the same ETag exactly one wins, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from service.auth.models import Role
from service.auth.service import Actor
from service.db import get_engine
from service.exceptions import StaleVersion
from service.review import service as review
from service.review.schemas import ClaimPatch
from service.settings import get_settings
from tests.conftest import bearer
from tests.review.conftest import MakeClaim, current_etag, write_headers

WRITERS = 20


def _race(
    client: TestClient, method: str, path: str, bodies: list[dict[str, Any]], headers: dict[str, str]
) -> list[int]:
    """Send every body at once from its own thread; the status codes, in no particular order."""
    start = threading.Barrier(len(bodies))
    codes: list[int] = []
    lock = threading.Lock()

    def write(body: dict[str, Any]) -> None:
        start.wait()
        response = client.request(method, path, json=body, headers=headers)
        with lock:
            codes.append(response.status_code)

    threads = [threading.Thread(target=write, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return codes


def test_twenty_concurrent_patches_with_one_etag_let_exactly_one_win(
    client: TestClient, keys: dict[str, str], make_claim: MakeClaim
) -> None:
    claim_id = make_claim()
    checker = keys["checker"]
    etag = current_etag(client, claim_id, checker)
    bodies = [{"assignee": f"reviewer-{n}"} for n in range(WRITERS)]
    codes = _race(client, "PATCH", f"/v1/claims/{claim_id}", bodies, write_headers(checker, etag))

    assert Counter(codes) == {200: 1, 412: WRITERS - 1}
    claim = client.get(f"/v1/claims/{claim_id}", headers=bearer(checker)).json()
    assert claim["version"] == 2
    events = client.get(f"/v1/claims/{claim_id}/history", headers=bearer(checker)).json()["items"]
    assert [(e["field"], e["after"]) for e in events] == [("assignee", claim["assignee"])]


@pytest.mark.slow
def test_twenty_concurrent_reviews_with_one_etag_store_exactly_one(
    client: TestClient, keys: dict[str, str], make_claim: MakeClaim
) -> None:
    claim_id = make_claim()
    checker = keys["checker"]
    etag = current_etag(client, claim_id, checker)
    verdicts = ["true", "false", "mixed", "misleading"]
    bodies = [{"verdict": verdicts[n % 4], "summary": f"take {n}"} for n in range(WRITERS)]
    codes = _race(client, "POST", f"/v1/claims/{claim_id}/reviews", bodies, write_headers(checker, etag))

    assert Counter(codes) == {201: 1, 412: WRITERS - 1}
    reviews = client.get(f"/v1/claims/{claim_id}/reviews", headers=bearer(checker)).json()
    claim = client.get(f"/v1/claims/{claim_id}", headers=bearer(checker)).json()
    assert len(reviews) == 1
    assert (claim["verdict"], claim["summary"], claim["version"]) == (
        reviews[0]["verdict"],
        reviews[0]["summary"],
        2,
    )
    events = client.get(f"/v1/claims/{claim_id}/history", headers=bearer(checker)).json()["items"]
    assert sum(1 for e in events if e["action"] == "review_added") == 1


def test_the_conditional_update_refuses_a_writer_whose_read_went_stale(
    client: TestClient, make_claim: MakeClaim
) -> None:
    """Both writers pass the ETag check on what they read; the UPDATE ... WHERE version stops the second."""
    claim_id = make_claim()
    actor = Actor(key_id=1, name="bootstrap-admin", role=Role.admin)
    settings = get_settings()
    with Session(get_engine()) as first, Session(get_engine()) as second:
        etag = f'"claim-{claim_id}-v1"'
        second_view = review.claims.get(session=second, claim_id=claim_id)
        assert second_view.version == 1  # read before the first writer commits
        review.update(
            session=first,
            claim_id=claim_id,
            patch=ClaimPatch(priority=1),
            expected_etag=etag,
            actor=actor,
            settings=settings,
        )
        with pytest.raises(StaleVersion) as raised:
            review.update(
                session=second,
                claim_id=claim_id,
                patch=ClaimPatch(priority=2),
                expected_etag=etag,
                actor=actor,
                settings=settings,
            )
        assert raised.value.details == {"etag": f'"claim-{claim_id}-v2"', "version": 2}
    with Session(get_engine()) as session:
        claim = review.claims.get(session=session, claim_id=claim_id)
        assert (claim.priority, claim.version) == (1, 2)
