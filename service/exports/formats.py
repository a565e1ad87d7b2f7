"""Claims as export rows, and the rows as CSV, NDJSON or a JSON array of ClaimReview (pure, streamed).

A row's first columns are exactly the fields `claimcheck import claims` reads (so an export imports back
without losing any of them; the claim's summary travels as `title`, the name imports give it), then
read-only columns that say where the claim stands here.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from enum import StrEnum
from typing import Any

from service.claims.models import Claim
from service.db import as_utc
from service.review.claimreview import to_json
from service.spreadsheet import safe_cell

IMPORT_FIELDS = (
    "text",
    "external_id",
    "verdict",
    "title",
    "speaker",
    "claimed_at",
    "source_url",
    "review_url",
    "publisher",
    "language",
    "reviewed_at",
    "tags",
)
READ_ONLY_FIELDS = (
    "id",
    "status",
    "article_id",
    "score",
    "kind",
    "assignee",
    "priority",
    "duplicate_of",
    "created_at",
    "updated_at",
    "published_at",
)
EXPORT_FIELDS = (*IMPORT_FIELDS, *READ_ONLY_FIELDS)


class ExportFormat(StrEnum):
    csv = "csv"
    ndjson = "ndjson"
    claimreview = "claimreview"


MEDIA_TYPES = {
    ExportFormat.csv: "text/csv; charset=utf-8",
    ExportFormat.ndjson: "application/x-ndjson",
    ExportFormat.claimreview: "application/ld+json",
}


def export_row(claim: Claim, tags: list[str]) -> dict[str, Any]:
    """One claim as a flat row (dates ISO 8601 in UTC, tags a sorted list)."""
    values = {name: getattr(claim, name) for name in EXPORT_FIELDS if name not in ("title", "tags")}
    values["title"] = claim.summary
    values["tags"] = sorted(tags)
    row = {name: values[name] for name in EXPORT_FIELDS}
    return {name: _iso(value) if isinstance(value, datetime) else value for name, value in row.items()}


def csv_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A header line, then one line per row; text cells formula-guarded, tags comma-separated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(EXPORT_FIELDS)
    yield flush()
    for row in rows:
        writer.writerow([_csv_value(name, row[name]) for name in EXPORT_FIELDS])
        yield flush()


def ndjson_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """One JSON object a line."""
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"


def claimreview_chunks(documents: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A JSON array of ClaimReview documents, one a line (what `import claims` reads as claimreview)."""
    yield "["
    separator = "\n"
    for document in documents:
        yield separator + to_json(document)
        separator = ",\n"
    yield "\n]\n"


def _csv_value(name: str, value: Any) -> Any:
    if name == "tags":
        return safe_cell(",".join(value))
    if isinstance(value, str):
        return safe_cell(value)
    return "" if value is None else value


def _iso(moment: datetime) -> str:
    return as_utc(moment).isoformat().replace("+00:00", "Z")
