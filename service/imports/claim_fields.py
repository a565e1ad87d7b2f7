"""One claim row of an import, checked field by field: lengths, http(s) URLs, ISO 8601 moments (in UTC),
verdicts on the deployment's scale (names, common ClaimReview ratings, or a numeric rating), tags."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from service.db import as_utc
from service.imports.parse import RawRow
from service.net.urls import check_http_url

MAX_TEXT_CHARS = 10_000
MAX_TAGS = 50

# Longest value each column holds (the claim table's limits).
FIELD_LIMITS: dict[str, int] = {
    "text": MAX_TEXT_CHARS,
    "external_id": 200,
    "source_url": 2000,
    "speaker": 500,
    "review_url": 2000,
    "publisher": 500,
    "language": 20,
    "title": 2000,
    "verdict": 40,
    "rating": 200,
}
CLAIM_FIELDS = (*FIELD_LIMITS, "claimed_at", "reviewed_at", "tags")

# Common ClaimReview `alternateName` ratings (PolitiFact, Snopes, AFP, Full Fact, ...) mapped onto the
# default scale; a mapping applies only when the deployment's scale has its target.
RATING_SYNONYMS: dict[str, str] = {
    "true": "true",
    "correct": "true",
    "accurate": "true",
    "verified": "true",
    "mostly true": "mostly_true",
    "mostly correct": "mostly_true",
    "mostly accurate": "mostly_true",
    "largely accurate": "mostly_true",
    "half true": "mixed",
    "half truth": "mixed",
    "mixture": "mixed",
    "mixed": "mixed",
    "partly true": "mixed",
    "partly false": "mixed",
    "partially true": "mixed",
    "partially false": "mixed",
    "partially correct": "mixed",
    "mostly false": "mostly_false",
    "mostly incorrect": "mostly_false",
    "largely false": "mostly_false",
    "false": "false",
    "incorrect": "false",
    "inaccurate": "false",
    "wrong": "false",
    "fake": "false",
    "hoax": "false",
    "pants on fire": "false",
    "pants on fire!": "false",
    "four pinocchios": "false",
    "fabricated": "false",
    "scam": "false",
    "misleading": "misleading",
    "missing context": "misleading",
    "out of context": "misleading",
    "miscaptioned": "misleading",
    "distorts the facts": "misleading",
    "exaggerated": "misleading",
    "unproven": "unverifiable",
    "unverified": "unverifiable",
    "unsupported": "unverifiable",
    "unverifiable": "unverifiable",
    "no evidence": "unverifiable",
    "research in progress": "unverifiable",
}


class RowError(ValueError):
    """A row that cannot be imported; the message names the field."""


@dataclass
class ClaimRow:
    """A validated claim row, ready to store."""

    line: int
    text: str
    external_id: str | None = None
    source_url: str | None = None
    speaker: str | None = None
    claimed_at: datetime | None = None
    verdict: str | None = None
    review_url: str | None = None
    publisher: str | None = None
    language: str | None = None
    title: str | None = None
    reviewed_at: datetime | None = None
    tags: list[str] = field(default_factory=list)


def claim_row(raw: RawRow, *, verdicts: Sequence[str], rating_scale: Sequence[str]) -> ClaimRow:
    """Validate one row's fields; RowError names the first bad field."""
    assert raw.fields is not None
    fields = raw.fields
    text = _string(fields, "text")
    if not text:
        raise RowError("text: required")
    row = ClaimRow(line=raw.line, text=text)
    for name in ("external_id", "speaker", "publisher", "language", "title"):
        setattr(row, name, _string(fields, name))
    row.source_url = _url(fields, "source_url")
    row.review_url = _url(fields, "review_url")
    row.claimed_at = _moment(fields, "claimed_at")
    row.reviewed_at = _moment(fields, "reviewed_at")
    row.verdict = _verdict(fields, verdicts=verdicts, rating_scale=rating_scale)
    row.tags = _tags(fields.get("tags"))
    return row


def _string(fields: dict[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise RowError(f"{name}: must be a string")
    value = value.strip()
    if "\x00" in value:
        # PostgreSQL text cannot hold NUL: one such row must fail alone, not the whole batch.
        raise RowError(f"{name}: contains a NUL character")
    if len(value) > FIELD_LIMITS[name]:
        raise RowError(f"{name}: {len(value):,} characters; the limit is {FIELD_LIMITS[name]:,}")
    return value or None


def _url(fields: dict[str, Any], name: str) -> str | None:
    """An http(s) URL (links in the desk and ClaimReview exports must not run script), or None."""
    value = _string(fields, name)
    if value is None:
        return None
    try:
        return check_http_url(value)
    except ValueError as exc:
        raise RowError(f"{name}: {exc}") from exc


def _moment(fields: dict[str, Any], name: str) -> datetime | None:
    value = fields.get(name)
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise RowError(f"{name}: must be an ISO 8601 date or date-time")
    value = value.strip()
    try:
        moment = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    except ValueError as exc:
        raise RowError(f"{name}: {value[:40]!r} is not an ISO 8601 date or date-time") from exc
    return as_utc(moment)


def verdict_key(label: str) -> str:
    """'Mostly False' -> 'mostly false'; 'mostly_false' -> 'mostly false'."""
    return re.sub(r"[\s_\-]+", " ", label.strip().lower())


@lru_cache(maxsize=8)
def _verdicts_by_key(verdicts: tuple[str, ...]) -> dict[str, str]:
    # Built once per scale rather than once per row: it showed up in the 100k-row import profile.
    return {verdict_key(verdict): verdict for verdict in verdicts}


def _verdict(fields: dict[str, Any], *, verdicts: Sequence[str], rating_scale: Sequence[str]) -> str | None:
    by_key = _verdicts_by_key(tuple(verdicts))
    for name in ("verdict", "rating"):
        label = _string(fields, name)
        if label is None:
            continue
        key = verdict_key(label)
        if key in by_key:
            return by_key[key]
        mapped = RATING_SYNONYMS.get(key)
        if mapped is not None and mapped in verdicts:
            return mapped
        raise RowError(f"{name}: unknown verdict {label!r}; this deployment uses {', '.join(verdicts)}")
    return _numeric_rating(fields, rating_scale)


def _numeric_rating(fields: dict[str, Any], rating_scale: Sequence[str]) -> str | None:
    """A ClaimReview ratingValue between worstRating and bestRating, placed on the ordinal scale."""
    value, best, worst = (fields.get(name) for name in ("_rating_value", "_best_rating", "_worst_rating"))
    if value is None or best is None or worst is None or not rating_scale:
        return None
    try:
        position = (float(value) - float(worst)) / (float(best) - float(worst))
    except (TypeError, ValueError, ZeroDivisionError) as exc:
        raise RowError("reviewRating: ratingValue, bestRating and worstRating must be numbers") from exc
    if not 0.0 <= position <= 1.0:
        raise RowError("reviewRating: ratingValue is outside worstRating..bestRating")
    # The scale is best first, so the best rating is index 0.
    return rating_scale[round((1.0 - position) * (len(rating_scale) - 1))]


def _tags(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = re.split(r"[,;|]", value)
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise RowError("tags: must be a list of strings or a comma-separated string")
    tags = sorted({tag.strip().lower() for tag in value if tag.strip()})
    if len(tags) > MAX_TAGS:
        raise RowError(f"tags: {len(tags)} tags; the limit is {MAX_TAGS}")
    for tag in tags:
        if len(tag) > 100:
            raise RowError("tags: a tag is over 100 characters")
        if "\x00" in tag:
            raise RowError("tags: a tag contains a NUL character")
    return tags
