"""GET /v1alpha1/claims:search answers as Google's Fact Check Tools API does, over published claims and
imported ClaimReviews, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ADMIN_KEY, bearer
from tests.imports.conftest import wait_for_job
from tests.review.conftest import make_claim, post_review  # noqa: F401  (make_claim is a fixture)

# The field names of the published API (developers.google.com/fact-check/tools/api/reference/rest/
# v1alpha1/claims/search): FactCheckedClaimSearchResponse, Claim, ClaimReview, Publisher.
RESPONSE_FIELDS = {"claims", "nextPageToken"}
CLAIM_FIELDS = {"text", "claimant", "claimDate", "claimReview"}
REVIEW_FIELDS = {"publisher", "url", "title", "reviewDate", "textualRating", "languageCode"}
PUBLISHER_FIELDS = {"name", "site"}

RECENT = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
OLDER = (datetime.now(UTC) - timedelta(days=10)).date().isoformat()


def review(text: str, url: str, checker: str, rating: str, date: str, language: str, **item: Any) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": text,
        "url": url,
        "name": f"Fact check: {text}",
        "author": {"@type": "Organization", "name": checker},
        "datePublished": date,
        "inLanguage": language,
        "itemReviewed": {"@type": "Claim", **item},
        "reviewRating": {"@type": "Rating", "alternateName": rating},
    }


CLAIM_REVIEWS = [
    review(
        "The unemployment rate fell to 3.5 percent in 2019",
        "https://www.politifact.com/factchecks/2020/jan/10/unemployment/",
        "PolitiFact",
        "Mostly True",
        RECENT,
        "en",
        author={"@type": "Person", "name": "Jane Doe"},
        datePublished=OLDER,
    ),
    review(
        "Vaccines contain microchips",
        "https://www.politifact.com/factchecks/2021/may/02/microchips/",
        "PolitiFact",
        "Pants on Fire",
        OLDER,
        "en",
    ),
    review(
        "Unemployment in the UK fell to 3.8 percent last year",
        "https://fullfact.org/economy/unemployment-2019/",
        "Full Fact",
        "Correct",
        "2019-06-01",
        "en-GB",
        datePublished="2019-05-20",
    ),
    review(
        "Die Arbeitslosigkeit ist auf drei Prozent gesunken",
        "https://correctiv.org/faktencheck/arbeitslosigkeit/",
        "CORRECTIV",
        "Falsch",
        RECENT,
        "de",
    ),
    review(
        "Unemployment in Germany is at three percent",
        "https://correctiv.org/en/fact-check/unemployment/",
        "CORRECTIV",
        "False",
        RECENT,
        "en",
    ),
]


@pytest.fixture(autouse=True)
def fast_worker(configure: Callable[..., None]) -> None:
    configure(WORKER_POLL_SECONDS="0.05", SEMANTIC="off", EXTRA_VERDICTS="misleading,unverifiable,falsch")


@pytest.fixture
def checks(client: TestClient, keys: dict[str, str], make_claim: Callable[..., int]) -> int:  # noqa: F811
    """The ClaimReviews above imported, and one claim published here; returns the published claim's id."""
    response = client.post(
        "/v1/imports/claims",
        params={"on_duplicate": "keep"},
        content=json.dumps(CLAIM_REVIEWS, indent=2).encode(),
        headers={**bearer(ADMIN_KEY), "Content-Type": "application/json"},
    )
    assert response.status_code == 202, response.text
    job = wait_for_job(client, response.json()["id"])
    assert (job["status"], job["created"], job["failed"]) == ("done", 5, 0), job["errors"]
    claim_id = make_claim(text="Unemployment fell to 3.9% in 2023.", speaker="A. Minister")
    published = post_review(client, claim_id, keys["checker"], verdict="true", status="published")
    assert published.status_code == 201, published.text
    return claim_id


def search(client: TestClient, raw_key: str | None, **params: Any) -> Any:
    if raw_key is not None:
        params["key"] = raw_key
    return client.get("/v1alpha1/claims:search", params=params)


def check_shape(body: dict[str, Any]) -> None:
    assert set(body) == RESPONSE_FIELDS
    for claim in body["claims"]:
        assert {"text", "claimReview"} <= set(claim) <= CLAIM_FIELDS
        for claim_review in claim["claimReview"]:
            assert {"publisher", "url", "textualRating"} <= set(claim_review) <= REVIEW_FIELDS
            assert set(claim_review["publisher"]) <= PUBLISHER_FIELDS


@pytest.mark.slow
def test_a_query_finds_the_checks_it_repeats_in_the_published_shape(
    client: TestClient, keys: dict[str, str], checks: int
) -> None:
    response = search(client, keys["reader"], query="unemployment fell")
    assert response.status_code == 200, response.text
    body = response.json()
    check_shape(body)
    texts = [claim["text"] for claim in body["claims"]]
    assert "The unemployment rate fell to 3.5 percent in 2019" in texts
    assert "Unemployment fell to 3.9% in 2023." in texts
    assert "Vaccines contain microchips" not in texts
    assert body["nextPageToken"] == ""

    politifact = next(claim for claim in body["claims"] if claim["text"].startswith("The unemployment rate"))
    assert politifact == {
        "text": "The unemployment rate fell to 3.5 percent in 2019",
        "claimant": "Jane Doe",
        "claimDate": f"{OLDER}T00:00:00Z",
        "claimReview": [
            {
                "publisher": {"name": "PolitiFact", "site": "politifact.com"},
                "url": "https://www.politifact.com/factchecks/2020/jan/10/unemployment/",
                "title": "Fact check: The unemployment rate fell to 3.5 percent in 2019",
                "reviewDate": f"{RECENT}T00:00:00Z",
                "textualRating": "Mostly true",
                "languageCode": "en",
            }
        ],
    }
    ours = next(claim for claim in body["claims"] if claim["text"] == "Unemployment fell to 3.9% in 2023.")
    assert ours["claimant"] == "A. Minister"
    [our_review] = ours["claimReview"]
    assert our_review["publisher"] == {"name": "claimcheck", "site": "example.org"}
    assert our_review["url"] == f"http://127.0.0.1:8000/claims/{checks}"
    assert our_review["textualRating"] == "True"
    assert our_review["reviewDate"].endswith("Z")


@pytest.mark.slow
def test_site_language_and_age_filters(client: TestClient, keys: dict[str, str], checks: int) -> None:
    by_site = search(client, keys["reader"], reviewPublisherSiteFilter="politifact.com").json()
    check_shape(by_site)
    assert [claim["text"] for claim in by_site["claims"]] == [  # newest review first without a query
        "The unemployment rate fell to 3.5 percent in 2019",
        "Vaccines contain microchips",
    ]
    german = search(client, keys["reader"], reviewPublisherSiteFilter="correctiv.org", languageCode="de-DE")
    assert [claim["text"] for claim in german.json()["claims"]] == [
        "Die Arbeitslosigkeit ist auf drei Prozent gesunken"
    ]
    british = search(client, keys["reader"], query="unemployment fell", languageCode="en-US").json()
    assert "Unemployment in the UK fell to 3.8 percent last year" in [c["text"] for c in british["claims"]]
    recent = search(client, keys["reader"], reviewPublisherSiteFilter="fullfact.org", maxAgeDays=30).json()
    assert recent == {"claims": [], "nextPageToken": ""}
    old = search(client, keys["reader"], reviewPublisherSiteFilter="fullfact.org", maxAgeDays=36_500).json()
    assert len(old["claims"]) == 1


def test_pages_follow_next_page_token_or_offset(
    client: TestClient, keys: dict[str, str], checks: int
) -> None:
    first = search(client, keys["reader"], reviewPublisherSiteFilter="politifact.com", pageSize=1).json()
    assert len(first["claims"]) == 1 and first["nextPageToken"]
    second = search(
        client,
        keys["reader"],
        reviewPublisherSiteFilter="politifact.com",
        pageSize=1,
        pageToken=first["nextPageToken"],
    ).json()
    assert [claim["text"] for claim in second["claims"]] == ["Vaccines contain microchips"]
    assert second["nextPageToken"] == ""
    by_offset = search(client, keys["reader"], reviewPublisherSiteFilter="politifact.com", offset=1).json()
    assert by_offset["claims"] == second["claims"]
    default_size = search(client, keys["reader"], query="unemployment").json()
    assert 1 <= len(default_size["claims"]) <= 10
    bad_token = search(client, keys["reader"], query="unemployment", pageToken="not-a-token")
    assert bad_token.status_code == 422


def test_the_key_comes_as_a_parameter_or_a_bearer_header(
    client: TestClient, keys: dict[str, str], checks: int
) -> None:
    assert search(client, None, query="unemployment").status_code == 401
    assert search(client, "cc_not_a_key", query="unemployment").status_code == 401
    by_header = client.get(
        "/v1alpha1/claims:search", params={"query": "unemployment"}, headers=bearer(keys["reader"])
    )
    assert by_header.status_code == 200
    assert by_header.json() == search(client, keys["reader"], query="unemployment").json()
    missing = search(client, keys["reader"])
    assert missing.status_code == 422
    assert missing.json()["error"]["details"] == {"field": "query"}
