"""Streamed upload parsing: NDJSON, CSV with a header row, or a JSON array of schema.org ClaimReview.

Parsers read an iterable of byte chunks and yield one `RawRow` at a time with the 1-based line of the
upload it starts on, so a million-row file never sits in memory and a bad row is reported, not fatal.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from service.net.urls import check_http_url
from service.spreadsheet import unguard_cell

FORMATS = ("ndjson", "csv", "claimreview")
MAX_ROW_BYTES = 1_000_000
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


@dataclass(frozen=True)
class RawRow:
    """One row of an upload: its fields, or why it could not be read."""

    line: int
    fields: dict[str, Any] | None
    error: str | None = None


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


def rows(chunks: Iterable[bytes], fmt: str) -> Iterator[RawRow]:
    """Every row of an upload in order, with its 1-based starting line."""
    if fmt == "ndjson":
        return _ndjson_rows(chunks)
    if fmt == "csv":
        return _csv_rows(chunks)
    if fmt == "claimreview":
        return _json_array_rows(chunks)
    raise ValueError(f"unknown format {fmt!r}")


def _lines(chunks: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """Raw lines (without the newline) with their 1-based numbers."""
    number = 0
    pending = b""
    for chunk in chunks:
        if not chunk:
            continue
        pieces = (pending + chunk).split(b"\n")
        pending = pieces.pop()
        for piece in pieces:
            number += 1
            yield number, piece.removesuffix(b"\r")
    if pending:
        yield number + 1, pending.removesuffix(b"\r")


def _decode(raw: bytes, number: int) -> str | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text.removeprefix("\ufeff") if number == 1 else text


def _ndjson_rows(chunks: Iterable[bytes]) -> Iterator[RawRow]:
    for number, raw in _lines(chunks):
        if not raw.strip():
            continue
        if len(raw) > MAX_ROW_BYTES:
            yield RawRow(number, None, f"row is over {MAX_ROW_BYTES:,} bytes")
            continue
        text = _decode(raw, number)
        if text is None:
            yield RawRow(number, None, "not valid UTF-8")
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            yield RawRow(number, None, f"not valid JSON: {exc.msg}")
            continue
        if not isinstance(value, dict):
            yield RawRow(number, None, "each line must be a JSON object")
            continue
        yield RawRow(number, value)


def _csv_rows(chunks: Iterable[bytes]) -> Iterator[RawRow]:
    broken: set[int] = set()
    consumed = 0

    def text_lines() -> Iterator[str]:
        nonlocal consumed
        for number, raw in _lines(chunks):
            consumed = number
            text = _decode(raw, number)
            if text is None:
                broken.add(number)
                text = raw.decode("utf-8", errors="replace")
            yield text + "\n"

    reader = csv.reader(text_lines())
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield RawRow(1, None, f"header: {exc}")
        return
    columns = [name.strip().lower() for name in header]
    if 1 in broken:
        yield RawRow(1, None, "header is not valid UTF-8")
        return
    while True:
        start = consumed + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RawRow(start, None, f"not valid CSV: {exc}")
            continue
        if not any(cell.strip() for cell in record):
            continue
        if any(start <= number <= consumed for number in broken):
            broken.difference_update(range(start, consumed + 1))
            yield RawRow(start, None, "not valid UTF-8")
            continue
        if len(record) > len(columns):
            yield RawRow(start, None, f"{len(record)} cells but the header names {len(columns)} columns")
            continue
        # A cell our own exports guarded against formula injection ("'=...") comes back as it was.
        cells = zip(columns, record, strict=False)
        yield RawRow(start, {name: unguard_cell(cell) for name, cell in cells if cell != ""})


def _json_array_rows(chunks: Iterable[bytes]) -> Iterator[RawRow]:
    """Objects of a top-level JSON array (or a single object), decoded one at a time."""
    decoder = json.JSONDecoder()
    line = 1
    buffer = ""
    source = iter(chunks)
    exhausted = False
    pending_bytes = b""
    started = False

    def refill() -> bool:
        nonlocal buffer, exhausted, pending_bytes
        if exhausted:
            return False
        for chunk in source:
            if not chunk:
                continue
            data = pending_bytes + chunk
            # Keep an incomplete multi-byte character for the next chunk.
            cut = len(data)
            for back in range(1, min(4, len(data)) + 1):
                byte = data[-back]
                if byte & 0xC0 != 0x80:
                    needed = 1 if byte < 0x80 else 2 if byte >> 5 == 6 else 3 if byte >> 4 == 14 else 4
                    if needed > back:
                        cut = len(data) - back
                    break
            pending_bytes = data[cut:]
            buffer += data[:cut].decode("utf-8", errors="replace")
            return True
        exhausted = True
        if pending_bytes:
            buffer += pending_bytes.decode("utf-8", errors="replace")
            pending_bytes = b""
        return False

    # A row's number is its identity for resuming and reporting, so it must grow with every element even
    # when several share a line (a one-line `json.dumps` array): such elements take the next free number.
    last_number = 0
    element = 0

    def number() -> int:
        nonlocal last_number
        last_number = max(line, last_number + 1)
        return last_number

    while True:
        stripped = buffer.lstrip(" \t\r\n,")
        line += buffer[: len(buffer) - len(stripped)].count("\n")
        buffer = stripped
        if not started and buffer.startswith("["):
            buffer = buffer[1:]
            started = True
            continue
        if buffer.startswith("]"):
            return
        if not buffer:
            if not refill():
                return
            continue
        try:
            value, end = decoder.raw_decode(buffer)
        except json.JSONDecodeError as exc:
            if len(buffer) > MAX_ROW_BYTES or not refill():
                yield RawRow(
                    number(),
                    None,
                    f"element {element + 1}: not valid JSON ({exc.msg}); the rest of the upload was not read",
                )
                return
            continue
        started = True
        element += 1
        text = buffer[:end]
        if "\ufffd" in text:
            yield RawRow(number(), None, f"element {element}: not valid UTF-8")
        elif isinstance(value, dict):
            yield RawRow(number(), _from_claim_review(value) if _is_claim_review(value) else value)
        else:
            yield RawRow(number(), None, f"element {element}: each element must be a JSON object")
        line += text.count("\n")
        buffer = buffer[end:]


def _is_claim_review(value: dict[str, Any]) -> bool:
    kind = value.get("@type")
    return (
        kind == "ClaimReview"
        or (isinstance(kind, list) and "ClaimReview" in kind)
        or "claimReviewed" in value
    )


def _name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return value if isinstance(value, str) else None


def _from_claim_review(review: dict[str, Any]) -> dict[str, Any]:
    """schema.org ClaimReview -> the row fields (https://schema.org/ClaimReview)."""
    item = review.get("itemReviewed") if isinstance(review.get("itemReviewed"), dict) else {}
    assert isinstance(item, dict)
    rating = review.get("reviewRating") if isinstance(review.get("reviewRating"), dict) else {}
    assert isinstance(rating, dict)
    appearance = item.get("firstAppearance") or item.get("appearance")
    if isinstance(appearance, list):
        appearance = appearance[0] if appearance else None
    source_url = appearance.get("url") if isinstance(appearance, dict) else appearance
    fields: dict[str, Any] = {
        "text": review.get("claimReviewed"),
        "external_id": review.get("@id") or review.get("identifier"),
        "review_url": review.get("url"),
        "publisher": _name(review.get("author")) or _name(review.get("publisher")),
        "reviewed_at": review.get("datePublished"),
        "title": review.get("name") or review.get("headline"),
        "language": review.get("inLanguage"),
        "speaker": _name(item.get("author")),
        "claimed_at": item.get("datePublished"),
        "source_url": source_url if isinstance(source_url, str) else None,
        "tags": review.get("keywords"),
        "rating": rating.get("alternateName"),
        "_rating_value": rating.get("ratingValue"),
        "_best_rating": rating.get("bestRating"),
        "_worst_rating": rating.get("worstRating"),
    }
    return {name: value for name, value in fields.items() if value not in (None, "", [])}


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
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise RowError(f"{name}: {value[:40]!r} is not an ISO 8601 date or date-time") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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
