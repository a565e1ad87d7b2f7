"""The review queue: filters, sorts with stable keyset pagination, and the dashboard counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import bearer
from tests.review.conftest import MakeClaim

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def queue(client: TestClient, make_claim: MakeClaim, make_article: Callable[..., int]) -> dict[str, int]:
    """Eight claims with overlapping scores and priorities, so sorts have ties to break."""
    article = make_article()
    spec: list[tuple[str, dict[str, Any]]] = [
        (
            "a",
            dict(text="Inflation hit 10% in 2022.", score=0.9, priority=1, status="new", tags=("economy",)),
        ),
        (
            "b",
            dict(
                text="Unemployment is at 3.9%.",
                score=0.9,
                priority=0,
                status="in_review",
                assignee="test-checker",
            ),
        ),
        (
            "c",
            dict(
                text="The 50%_rule applies to everyone.",
                score=0.5,
                priority=2,
                status="reviewed",
                verdict="false",
            ),
        ),
        (
            "d",
            dict(
                text="Exports doubled since 2010.", score=0.7, priority=1, status="published", verdict="true"
            ),
        ),
        (
            "e",
            dict(
                text="Crime FELL by a third.",
                score=0.3,
                priority=0,
                status="dismissed",
                dismiss_reason="opinion",
            ),
        ),
        (
            "f",
            dict(
                text="O'Brien said taxes rose.",
                score=0.9,
                priority=3,
                status="new",
                assignee="ana",
                tags=("tax", "economy"),
            ),
        ),
        (
            "g",
            dict(
                text="Wages grew 5%.",
                score=0.1,
                priority=1,
                status="reviewed",
                verdict="misleading",
                article_id=article,
            ),
        ),
        ("h", dict(text="Debt is 120% of GDP.", score=0.5, priority=0, status="new", article_id=article)),
    ]
    ids = {}
    for n, (name, fields) in enumerate(spec):
        created = T0 + timedelta(days=n // 2)  # pairs share a creation time
        ids[name] = make_claim(**fields, created_at=created, updated_at=created + timedelta(hours=8 - n))
    ids["article"] = article
    return ids


def listing(client: TestClient, raw_key: str, query: str) -> list[int]:
    response = client.get(f"/v1/claims?limit=200&{query}", headers=bearer(raw_key))
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def names(ids: dict[str, int], found: list[int]) -> set[str]:
    by_id = {claim_id: name for name, claim_id in ids.items() if name != "article"}
    return {by_id[claim_id] for claim_id in found}


FILTER_CASES: list[tuple[str, set[str]]] = [
    ("status=new", {"a", "f", "h"}),
    ("status=new&status=reviewed", {"a", "c", "f", "g", "h"}),
    ("verdict=false&verdict=misleading", {"c", "g"}),
    ("assignee=me", {"b"}),
    ("assignee=ana", {"f"}),
    ("tag=economy", {"a", "f"}),
    ("tag=economy&status=new&assignee=ana", {"f"}),
    ("q=crime fell", {"e"}),
    ("q=50%25_", {"c"}),  # '%' and '_' are literal characters, not wildcards
    ("q=%25", {"a", "c", "b", "g", "h"}),
    ("q=_", {"c"}),
    ("q=o'brien", {"f"}),
    ("q='; DROP TABLE claim; --", set()),
    ("min_score=0.5&max_score=0.7", {"c", "d", "h"}),
    ("created_after=2024-03-02T12:00:00Z", {"c", "d", "e", "f", "g", "h"}),
    ("created_after=2024-03-02T12:00:00Z&created_before=2024-03-03T12:00:00Z", {"c", "d"}),
]


def test_queue_filters(client: TestClient, keys: dict[str, str], queue: dict[str, int]) -> None:
    for query, expected in FILTER_CASES:
        assert names(queue, listing(client, keys["checker"], query)) == expected, query


def test_queue_filters_by_article(client: TestClient, keys: dict[str, str], queue: dict[str, int]) -> None:
    assert names(queue, listing(client, keys["reader"], f"article_id={queue['article']}")) == {"g", "h"}
    assert listing(client, keys["reader"], "q=zzz") == []
    assert len(listing(client, keys["reader"], "")) == 8  # the DROP TABLE above was only ever a string


SORTS = {
    "-score": lambda c: (-c["score"], -c["id"]),
    "score": lambda c: (c["score"], c["id"]),
    "-created_at": lambda c: (-datetime.fromisoformat(c["created_at"]).timestamp(), -c["id"]),
    "created_at": lambda c: (datetime.fromisoformat(c["created_at"]).timestamp(), c["id"]),
    "-updated_at": lambda c: (-datetime.fromisoformat(c["updated_at"]).timestamp(), -c["id"]),
    "updated_at": lambda c: (datetime.fromisoformat(c["updated_at"]).timestamp(), c["id"]),
    "priority": lambda c: (c["priority"], c["id"]),
    "-priority": lambda c: (-c["priority"], -c["id"]),
}


@pytest.mark.slow
def test_each_sort_pages_through_every_claim_once_in_order(
    client: TestClient, keys: dict[str, str], queue: dict[str, int]
) -> None:
    for sort in SORTS:
        _check_sort(client, keys["reader"], sort)


def _check_sort(client: TestClient, reader: str, sort: str) -> None:
    response = client.get(f"/v1/claims?limit=200&sort={sort}", headers=bearer(reader))
    everything = response.json()["items"]
    assert [c["id"] for c in everything] == [c["id"] for c in sorted(everything, key=SORTS[sort])], sort
    paged: list[int] = []
    cursor = None
    for _ in range(10):
        query = f"/v1/claims?limit=3&sort={sort}" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(query, headers=bearer(reader)).json()
        paged += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert paged == [c["id"] for c in everything], sort
    assert len(paged) == 8, sort


def test_bad_sort_and_cursors_are_422(
    client: TestClient, keys: dict[str, str], queue: dict[str, int]
) -> None:
    first = client.get("/v1/claims?limit=2&sort=score", headers=bearer(keys["reader"])).json()
    for query in (
        "sort=text",
        f"sort=-score&cursor={first['next_cursor']}",  # a cursor is tied to its sort
        "cursor=not-a-cursor",
        "cursor=e30",  # {}
        "status=archived",
        "limit=0",
        "created_after=yesterday",
    ):
        response = client.get(f"/v1/claims?{query}", headers=bearer(keys["reader"]))
        assert response.status_code == 422, query
        assert response.json()["error"]["code"] == "invalid_input"


def test_stats_count_every_status_and_verdict(
    client: TestClient, keys: dict[str, str], queue: dict[str, int]
) -> None:
    stats = client.get("/v1/claims/stats", headers=bearer(keys["reader"])).json()
    assert stats == {
        "total": 8,
        "by_status": {"new": 3, "in_review": 1, "reviewed": 2, "published": 1, "dismissed": 1},
        "by_verdict": {
            "true": 1,
            "mostly_true": 0,
            "mixed": 0,
            "mostly_false": 0,
            "false": 1,
            "misleading": 1,
            "unverifiable": 0,
        },
        "unrated": 5,
    }
    economy = client.get(
        "/v1/claims/stats?tag=economy&status=published", headers=bearer(keys["reader"])
    ).json()
    assert economy["total"] == 2 and economy["by_status"]["new"] == 2  # status is not a stats filter
    mine = client.get("/v1/claims/stats?assignee=me", headers=bearer(keys["checker"])).json()
    assert mine["by_status"] == {"new": 0, "in_review": 1, "reviewed": 0, "published": 0, "dismissed": 0}
