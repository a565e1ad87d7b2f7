"""Streamed upload parsing: NDJSON, CSV with a header row, or a JSON array of schema.org ClaimReview.

Parsers read an iterable of byte chunks and yield one `RawRow` at a time with the 1-based line of the
upload it starts on, so a million-row file never sits in memory and a bad row is reported, not fatal.
What a row's fields may hold is `claim_fields`' (claims) and `source_rows`' (sources) business.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from service.review.claimreview import is_claim_review, row_fields_of_claim_review
from service.spreadsheet import unguard_cell

FORMATS = ("ndjson", "csv", "claimreview")
MAX_ROW_BYTES = 1_000_000


@dataclass(frozen=True)
class RawRow:
    """One row of an upload: its fields, or why it could not be read."""

    line: int
    fields: dict[str, Any] | None
    error: str | None = None


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
            yield RawRow(number(), row_fields_of_claim_review(value) if is_claim_review(value) else value)
        else:
            yield RawRow(number(), None, f"element {element}: each element must be a JSON object")
        line += text.count("\n")
        buffer = buffer[end:]
