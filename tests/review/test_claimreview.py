"""ClaimReview JSON-LD for published claims, and the feed of all of them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from tests.conftest import bearer
from tests.review.conftest import MakeClaim, patch, post_review


def publish(client: TestClient, claim_id: int, raw_key: str, verdict: str, summary: str = "") -> None:
    response = post_review(
        client, claim_id, raw_key, verdict=verdict, summary=summary or None, status="published"
    )
    assert response.status_code == 201, response.text


def test_claimreview_of_a_published_claim_has_every_field(
    client: TestClient, keys: dict[str, str], make_claim: MakeClaim, make_article: Callable[..., int]
) -> None:
    article_id = make_article(
        title="Budget editorial",
        url="https://www.example-news.com/2024/budget",
        published_at=datetime(2024, 2, 29, 8, 30, tzinfo=UTC),
    )
    claim_id = make_claim(text="Inflation hit 10% in 2022.", article_id=article_id)
    publish(client, claim_id, keys["checker"], "mostly_true", summary="It peaked at 9.8%.")

    response = client.get(
        f"/v1/claims/{claim_id}/claimreview",
        headers={**bearer(keys["reader"]), "Accept": "application/ld+json"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    document = response.json()
    published_on = client.get(f"/v1/claims/{claim_id}", headers=bearer(keys["reader"])).json()[
        "published_at"
    ][:10]
    assert document == {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"http://127.0.0.1:8000/claims/{claim_id}",
        "claimReviewed": "Inflation hit 10% in 2022.",
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 4,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": "Mostly true",
            "name": "Mostly true",
        },
        "itemReviewed": {
            "@type": "Claim",
            "author": {
                "@type": "Organization",
                "name": "example-news.com",
                "url": "https://www.example-news.com",
            },
            "datePublished": "2024-02-29",
            "appearance": {
                "@type": "CreativeWork",
                "url": "https://www.example-news.com/2024/budget",
                "headline": "Budget editorial",
            },
        },
        "author": {"@type": "Organization", "name": "claimcheck", "url": "https://example.org"},
        "datePublished": published_on,
        "reviewBody": "It peaked at 9.8%.",
    }
    as_json = client.get(
        f"/v1/claims/{claim_id}/claimreview", headers={**bearer(keys["reader"]), "Accept": "application/json"}
    )
    assert as_json.headers["content-type"].startswith("application/json")


def test_claimreview_uses_speaker_review_url_and_settings(
    client: TestClient,
    configure: Callable[..., None],
    keys: dict[str, str],
    make_claim: MakeClaim,
) -> None:
    claim_id = make_claim(
        text="We built 300 schools.",
        speaker="Jane Minister",
        source_url="https://tv.example.com/interview",
        claimed_at=datetime(2024, 1, 5, tzinfo=UTC),
        review_url="https://factcheck.example.org/schools",
    )
    publish(client, claim_id, keys["admin"], "false")
    document = client.get(f"/v1/claims/{claim_id}/claimreview", headers=bearer(keys["reader"])).json()
    assert document["url"] == "https://factcheck.example.org/schools"
    assert document["itemReviewed"] == {
        "@type": "Claim",
        "author": {"@type": "Person", "name": "Jane Minister"},
        "datePublished": "2024-01-05",
        "appearance": {"@type": "CreativeWork", "url": "https://tv.example.com/interview"},
    }
    assert document["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "False",
        "name": "False",
    }


def test_a_verdict_off_the_scale_has_no_numeric_rating(
    client: TestClient, keys: dict[str, str], make_claim: MakeClaim
) -> None:
    claim_id = make_claim()
    publish(client, claim_id, keys["checker"], "misleading")
    rating = client.get(f"/v1/claims/{claim_id}/claimreview", headers=bearer(keys["reader"])).json()[
        "reviewRating"
    ]
    assert rating == {"@type": "Rating", "alternateName": "Misleading", "name": "Misleading"}


def test_claimreview_exists_only_once_published(
    client: TestClient, keys: dict[str, str], make_claim: MakeClaim
) -> None:
    claim_id = make_claim()
    assert post_review(client, claim_id, keys["checker"], verdict="true").status_code == 201
    response = client.get(f"/v1/claims/{claim_id}/claimreview", headers=bearer(keys["reader"]))
    assert response.status_code == 409
    assert response.json()["error"]["details"] == {"claim_id": claim_id, "status": "reviewed"}
    assert client.get("/v1/claims/4040/claimreview", headers=bearer(keys["reader"])).status_code == 404


def test_feed_lists_published_reviews_in_order_since_a_moment(
    client: TestClient, keys: dict[str, str], make_claim: MakeClaim
) -> None:
    checker = keys["checker"]
    first, unpublished, second, third = (make_claim(text=f"Claim {n}") for n in range(4))
    publish(client, first, checker, "true")
    assert post_review(client, unpublished, checker, verdict="false").status_code == 201
    publish(client, second, checker, "mixed")
    publish(client, third, checker, "unverifiable")
    assert patch(client, unpublished, checker, status="dismissed", dismiss_reason="dup").status_code == 200

    feed = client.get("/v1/claimreview", headers=bearer(keys["reader"])).json()
    assert [item["claimReviewed"] for item in feed["items"]] == ["Claim 0", "Claim 2", "Claim 3"]
    assert feed["next_cursor"] is None

    paged: list[str] = []
    cursor = None
    while True:
        page = client.get(
            "/v1/claimreview?limit=1" + (f"&cursor={cursor}" if cursor else ""),
            headers=bearer(keys["reader"]),
        ).json()
        paged += [item["claimReviewed"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert paged == ["Claim 0", "Claim 2", "Claim 3"]

    second_published = client.get(f"/v1/claims/{second}", headers=bearer(keys["reader"])).json()[
        "published_at"
    ]
    since = client.get(
        "/v1/claimreview", params={"since": second_published}, headers=bearer(keys["reader"])
    ).json()
    assert [item["claimReviewed"] for item in since["items"]] == ["Claim 2", "Claim 3"]
    future = client.get("/v1/claimreview?since=2999-01-01T00:00:00Z", headers=bearer(keys["reader"])).json()
    assert future["items"] == []
    bad = client.get("/v1/claimreview?since=soon", headers=bearer(keys["reader"]))
    assert bad.status_code == 422
