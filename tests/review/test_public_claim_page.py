"""The public page of a published claim (the ClaimReview `url`), its JSON-LD against Google's ClaimReview
properties, and the refusal to publish under the example.org placeholder author."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.conftest import bearer
from tests.review.conftest import MakeClaim, post_review

# Google Search Central, "Fact check (ClaimReview) structured data"
# (https://developers.google.com/search/docs/appearance/structured-data/factcheck): per entity, the
# properties it documents as required and as recommended.
GOOGLE_REQUIRED = {
    "ClaimReview": {"claimReviewed", "reviewRating", "url"},
    "Rating": {"alternateName"},
}
GOOGLE_RECOMMENDED = {
    "ClaimReview": {"author", "datePublished", "itemReviewed"},
    "Claim": {"appearance", "author", "datePublished"},  # firstAppearance: we only know where we saw it
    "Rating": {"bestRating", "name", "ratingValue", "worstRating"},
    "Organization": {"name", "url"},
}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
JSON_LD_SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def embedded_json_ld(page: str) -> dict[str, Any]:
    found = JSON_LD_SCRIPT.search(page)
    assert found, "the page embeds no JSON-LD"
    return dict(json.loads(found.group(1)))


def check_against_google(document: dict[str, Any]) -> None:
    """Every required property, every recommended one we can know, with the types Google expects."""
    assert document["@context"] == "https://schema.org"
    assert document["@type"] == "ClaimReview"
    assert GOOGLE_REQUIRED["ClaimReview"] | GOOGLE_RECOMMENDED["ClaimReview"] <= document.keys()
    assert isinstance(document["claimReviewed"], str) and document["claimReviewed"]
    assert urlsplit(document["url"]).scheme in ("http", "https")
    assert ISO_DATE.match(document["datePublished"])
    rating = document["reviewRating"]
    assert rating["@type"] == "Rating"
    assert GOOGLE_REQUIRED["Rating"] | GOOGLE_RECOMMENDED["Rating"] <= rating.keys()
    assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
    author = document["author"]
    assert author["@type"] == "Organization"
    assert GOOGLE_RECOMMENDED["Organization"] <= author.keys()
    claim = document["itemReviewed"]
    assert claim["@type"] == "Claim"
    assert GOOGLE_RECOMMENDED["Claim"] <= claim.keys()
    assert ISO_DATE.match(claim["datePublished"])
    assert claim["author"]["@type"] in ("Person", "Organization") and claim["author"]["name"]
    assert urlsplit(claim["appearance"]["url"]).scheme in ("http", "https")


def publish_claim(client: TestClient, keys: dict[str, str], make_claim: MakeClaim, **fields: Any) -> int:
    claim_id = make_claim(**fields)
    response = post_review(
        client,
        claim_id,
        keys["checker"],
        verdict="mostly_false",
        summary="Inflation peaked at 9.8%, not 10%.",
        status="published",
    )
    assert response.status_code == 201, response.text
    return claim_id


@pytest.mark.slow
def test_the_public_page_shows_the_check_without_a_key_and_is_the_claimreview_url(
    client: TestClient,
    configure: Callable[..., None],
    keys: dict[str, str],
    make_claim: MakeClaim,
    make_article: Callable[..., int],
) -> None:
    article_id = make_article(
        title="Budget editorial",
        url="https://www.example-news.com/2024/budget",
        published_at=datetime(2024, 2, 29, 8, 30, tzinfo=UTC),
    )
    claim_id = publish_claim(
        client, keys, make_claim, text="Inflation hit 10% in 2022.", article_id=article_id, language="en"
    )
    api_document = client.get(f"/v1/claims/{claim_id}/claimreview", headers=bearer(keys["reader"])).json()
    url = urlsplit(api_document["url"])
    assert url.path == f"/claims/{claim_id}"

    page = client.get(url.path)  # no key
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    text = html.unescape(page.text)
    for shown in (
        "Inflation hit 10% in 2022.",
        "Mostly false",
        "Inflation peaked at 9.8%, not 10%.",
        "Budget editorial",
        "https://www.example-news.com/2024/budget",
    ):
        assert shown in text
    embedded = embedded_json_ld(page.text)
    assert embedded == api_document
    check_against_google(embedded)


@pytest.mark.slow
def test_only_published_claims_have_a_public_page(
    client: TestClient, keys: dict[str, str], make_claim: MakeClaim
) -> None:
    draft = make_claim(text="Not checked yet.")
    assert client.get(f"/claims/{draft}").status_code == 404
    reviewed = make_claim(text="Reviewed, not published.")
    assert post_review(client, reviewed, keys["checker"], verdict="true").status_code == 201
    assert client.get(f"/claims/{reviewed}").status_code == 404
    assert client.get("/claims/999999").status_code == 404


def test_the_author_is_the_configured_organisation(
    client: TestClient, configure: Callable[..., None], keys: dict[str, str], make_claim: MakeClaim
) -> None:
    configure(
        ORGANIZATION_NAME="Example Checkers",
        ORGANIZATION_URL="https://checkers.example.net",
        PUBLIC_BASE_URL="https://checks.example.net/",
        ALLOW_PLACEHOLDER_ORGANIZATION="false",
    )
    claim_id = publish_claim(client, keys, make_claim, text="We built 300 schools.", speaker="Jane Minister")
    document = client.get(f"/v1/claims/{claim_id}/claimreview", headers=bearer(keys["reader"])).json()
    assert document["author"] == {
        "@type": "Organization",
        "name": "Example Checkers",
        "url": "https://checkers.example.net",
    }
    assert document["url"] == f"https://checks.example.net/claims/{claim_id}"


def test_publishing_is_refused_under_the_placeholder_author_unless_allowed(
    client: TestClient, configure: Callable[..., None], keys: dict[str, str], make_claim: MakeClaim
) -> None:
    configure(ALLOW_PLACEHOLDER_ORGANIZATION="false")
    claim_id = make_claim(text="A claim to publish.")
    refused = post_review(client, claim_id, keys["checker"], verdict="true", status="published")
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert "ORGANIZATION_URL" in error["message"] and "ALLOW_PLACEHOLDER_ORGANIZATION" in error["message"]
    assert error["details"] == {"setting": "ORGANIZATION_URL", "value": "https://example.org"}
    assert client.get(f"/claims/{claim_id}").status_code == 404  # nothing was published

    configure(ALLOW_PLACEHOLDER_ORGANIZATION="true")
    allowed = post_review(client, claim_id, keys["checker"], verdict="true", status="published")
    assert allowed.status_code == 201, allowed.text
