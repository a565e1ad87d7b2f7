"""Upload parsing: rows with their 1-based lines, bad rows reported beside good ones."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from service.exceptions import InvalidInput
from service.imports.claim_fields import RowError, claim_row
from service.imports.models import JobKind
from service.imports.parse import RawRow, rows
from service.imports.upload import format_for

VERDICTS = ["true", "mostly_true", "mixed", "mostly_false", "false", "misleading", "unverifiable"]
SCALE = VERDICTS[:5]


def _chunked(data: bytes, size: int = 7) -> list[bytes]:
    """Small chunks, so rows and multi-byte characters straddle chunk boundaries."""
    return [data[i : i + size] for i in range(0, len(data), size)]


def test_ndjson_rows_carry_line_numbers_and_broken_utf8_is_reported_not_fatal() -> None:
    data = b'{"text": "a"}\n\n{"text": "b \xc3\xa9"}\n\xff\xfe\n{oops\n[1]\n{"text": "c"}'
    found = list(rows(_chunked(data), "ndjson"))
    assert [(row.line, row.fields, row.error) for row in found] == [
        (1, {"text": "a"}, None),
        (3, {"text": "b é"}, None),
        (4, None, "not valid UTF-8"),
        (5, None, found[3].error),
        (6, None, "each line must be a JSON object"),
        (7, {"text": "c"}, None),
    ]
    assert found[3].error is not None and found[3].error.startswith("not valid JSON")


def test_csv_rows_use_the_header_and_multiline_cells_keep_their_starting_line() -> None:
    data = (
        '\ufefftext,verdict,tags\nplain,false,"a,b"\n"two\nlines",true,\n'.encode()
        + b"bad \xff,false,\n"
        + b"x,y,z,extra\n"
        + b"last,,\n"
    )
    found = list(rows(_chunked(data, 5), "csv"))
    assert [(row.line, row.fields, row.error) for row in found] == [
        (2, {"text": "plain", "verdict": "false", "tags": "a,b"}, None),
        (3, {"text": "two\nlines", "verdict": "true"}, None),
        (5, None, "not valid UTF-8"),
        (6, None, "4 cells but the header names 3 columns"),
        (7, {"text": "last"}, None),
    ]


def test_claim_review_array_maps_schema_org_fields() -> None:
    reviews = [
        {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": "https://checker.example/moon",
            "claimReviewed": "The moon is made of cheese",
            "datePublished": "2022-01-20",
            "author": {"@type": "Organization", "name": "Checker"},
            "reviewRating": {"@type": "Rating", "alternateName": "Pants on Fire"},
            "itemReviewed": {
                "@type": "Claim",
                "author": {"@type": "Person", "name": "A. Speaker"},
                "datePublished": "2022-01-18",
                "appearance": [{"url": "https://social.example/post/1"}],
            },
        },
        {"@type": "ClaimReview", "claimReviewed": ""},
        {"@type": "ClaimReview", "claimReviewed": "x", "reviewRating": {"alternateName": "Spicy"}},
    ]
    data = json.dumps(reviews, indent=2).encode()
    found = list(rows(_chunked(data, 11), "claimreview"))
    object_starts = [n for n, line in enumerate(data.decode().splitlines(), start=1) if line == "  {"]
    assert [row.line for row in found] == object_starts
    assert object_starts[0] == 2
    first = claim_row(found[0], verdicts=VERDICTS, rating_scale=SCALE)
    assert first.text == "The moon is made of cheese"
    assert first.verdict == "false"
    assert first.publisher == "Checker"
    assert first.speaker == "A. Speaker"
    assert first.source_url == "https://social.example/post/1"
    assert first.review_url == "https://checker.example/moon"
    assert first.claimed_at is not None and first.claimed_at.day == 18
    with pytest.raises(RowError, match="text: required"):
        claim_row(found[1], verdicts=VERDICTS, rating_scale=SCALE)
    with pytest.raises(RowError, match="unknown verdict 'Spicy'"):
        claim_row(found[2], verdicts=VERDICTS, rating_scale=SCALE)


def test_dates_are_stored_in_utc_whatever_offset_the_row_gives() -> None:
    # SQLite keeps no offset: '12:00+02:00' stored as given would read back as 12:00 UTC.
    fields = {"text": "t", "claimed_at": "2023-05-01T12:00:00+02:00", "reviewed_at": "2023-05-02"}
    row = claim_row(RawRow(1, fields), verdicts=VERDICTS, rating_scale=SCALE)
    assert row.claimed_at == datetime(2023, 5, 1, 10, 0, tzinfo=UTC)
    assert row.claimed_at is not None and row.claimed_at.utcoffset() == timedelta(0)
    assert row.reviewed_at == datetime(2023, 5, 2, tzinfo=UTC)
    naive = claim_row(
        RawRow(1, {"text": "t", "claimed_at": "2023-05-01T12:00:00"}), verdicts=VERDICTS, rating_scale=SCALE
    )
    assert naive.claimed_at == datetime(2023, 5, 1, 12, 0, tzinfo=UTC)


def test_claim_review_array_on_one_line_numbers_every_element() -> None:
    data = json.dumps([{"claimReviewed": "a"}, {"claimReviewed": "b"}, 7, {"claimReviewed": "c"}]).encode()
    found = list(rows(_chunked(data, 5), "claimreview"))
    assert [row.line for row in found] == [1, 2, 3, 4]
    assert found[2].error == "element 3: each element must be a JSON object"


@pytest.mark.parametrize(
    ("label", "verdict"),
    [
        ("False", "false"),
        ("Mostly False", "mostly_false"),
        ("Pants on Fire!", "false"),
        ("Half True", "mixed"),
        ("half-true", "mixed"),
        ("mostly_true", "mostly_true"),
        ("Missing context", "misleading"),
    ],
)
def test_common_ratings_map_onto_the_scale(label: str, verdict: str) -> None:
    from service.imports.parse import RawRow

    row = claim_row(RawRow(1, {"text": "t", "rating": label}), verdicts=VERDICTS, rating_scale=SCALE)
    assert row.verdict == verdict


def test_numeric_claim_review_rating_lands_on_the_ordinal_scale() -> None:
    from service.imports.parse import RawRow

    fields = {"text": "t", "_rating_value": 1, "_best_rating": 5, "_worst_rating": 1}
    assert claim_row(RawRow(1, fields), verdicts=VERDICTS, rating_scale=SCALE).verdict == "false"
    fields["_rating_value"] = 5
    assert claim_row(RawRow(1, fields), verdicts=VERDICTS, rating_scale=SCALE).verdict == "true"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "x" * 10_001}, "text: 10,001 characters"),
        ({"text": "t", "claimed_at": "yesterday"}, "claimed_at"),
        ({"text": "t", "speaker": "s" * 501}, "speaker: 501 characters"),
        ({"text": "t", "tags": 5}, "tags: must be"),
        ({"text": ["list"]}, "text: must be a string"),
    ],
)
def test_bad_fields_are_named(fields: dict[str, object], message: str) -> None:
    from service.imports.parse import RawRow

    with pytest.raises(RowError, match=message):
        claim_row(RawRow(1, fields), verdicts=VERDICTS, rating_scale=SCALE)


def test_format_comes_from_query_then_file_name_then_content_type_the_same_for_every_edge() -> None:
    assert format_for(None, "application/x-ndjson", JobKind.claims) == "ndjson"
    assert format_for(None, "text/csv; charset=utf-8", JobKind.claims) == "csv"
    assert format_for(None, "application/ld+json", JobKind.claims) == "claimreview"
    assert format_for(None, "application/octet-stream", JobKind.claims, explicit="csv") == "csv"
    assert format_for("checks.JSON", "application/octet-stream", JobKind.claims) == "claimreview"
    assert format_for("wires.jsonl", None, JobKind.articles) == "ndjson"
    with pytest.raises(InvalidInput, match="Content-Type"):
        format_for(None, "text/plain", JobKind.claims)
    # ClaimReview holds claims only, whichever edge the file comes through (the CLI used to differ).
    for kind in (JobKind.sources, JobKind.articles):
        with pytest.raises(InvalidInput, match="NDJSON or CSV"):
            format_for("library.json", None, kind)
