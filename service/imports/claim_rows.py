"""Claim rows of an import: validate a batch and find its duplicates, then store it in a few statements.

The claims are inserted with their history entries and tags through `bulk_insert`; a row that repeats a
stored claim, or an earlier row of the upload, is kept with `duplicate_of` set or skipped with a
`duplicate_skipped` entry in the history of the claim it repeats.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from service.auth.service import Actor
from service.claims.models import Claim, ClaimAction
from service.claims.text import normalize_claim_text, normalized_text_hash
from service.db import is_sqlite, utcnow
from service.identity import ClaimSignature
from service.imports import dedupe
from service.imports.bulk_insert import EVENT_TABLE, TAG_TABLE, insert_claims, insert_rows
from service.imports.claim_fields import ClaimRow, RowError, claim_row
from service.imports.models import OnDuplicate
from service.imports.parse import RawRow
from service.imports.progress import PreparedBatch, Progress
from service.review.scale import RatingScale
from service.settings import Settings


class DuplicateChecker:
    """Validates claim rows and finds their duplicates, one batch after another, in its own sessions."""

    def __init__(self, engine: Engine, settings: Settings, on_duplicate: str) -> None:
        self.engine = engine
        self.keep_duplicates = on_duplicate == OnDuplicate.keep
        self.threshold = settings.duplicate_threshold
        scale = RatingScale.from_settings(settings)
        self.verdicts = scale.verdicts
        self.scale = list(scale.ordinal)
        self.frequencies: dict[str, int] = {}
        self.previous = dedupe.RecentRows()

    def check(self, batch: list[RawRow]) -> PreparedBatch:
        prepared = PreparedBatch(raw=batch)
        for raw in batch:
            if raw.error is not None or raw.fields is None:
                prepared.failures.append((raw.line, raw.error or "empty row"))
                continue
            try:
                prepared.claims.append(claim_row(raw, verdicts=self.verdicts, rating_scale=self.scale))
            except RowError as exc:
                prepared.failures.append((raw.line, str(exc)))
        prepared.normalized = [normalize_claim_text(row.text) for row in prepared.claims]
        prepared.hashes = [normalized_text_hash(text) for text in prepared.normalized]
        signatures = dedupe.signatures_of(
            [row.text for row in prepared.claims],
            [row.claimed_at.date() if row.claimed_at else None for row in prepared.claims],
        )
        with Session(self.engine) as session:
            if is_sqlite(self.engine):
                # One snapshot for the whole check: taken while the index is freshly merged, not after
                # the writer's next commit has added unmerged segments that every lookup would search.
                session.connection().exec_driver_sql("BEGIN")
            prepared.duplicates, self.previous = dedupe.find_duplicates(
                session=session,
                signatures=signatures,
                texts_normalized=prepared.normalized,
                hashes=prepared.hashes,
                lines=[row.line for row in prepared.claims],
                threshold=self.threshold,
                frequency_cache=self.frequencies,
                previous=self.previous,
                keep_duplicates=self.keep_duplicates,
            )
        return prepared


def store_claims(
    session: Session,
    job_id: int,
    on_duplicate: str,
    prepared: PreparedBatch,
    progress: Progress,
    actor: Actor | None,
    previous_ids: dict[int, int],
) -> dict[int, int]:
    """Insert the batch's claims with their history and tags; the new claims' ids by upload line.

    `previous_ids` holds the ids of the previous batch's new rows, which this batch's repeats may point at.
    """
    valid, normalized, hashes = prepared.claims, prepared.normalized, prepared.hashes
    if not valid or prepared.duplicates is None:
        return {}
    duplicate_of, repeats = prepared.duplicates.stored, prepared.duplicates.earlier

    now = utcnow()
    to_create: list[int] = []
    for index in range(len(valid)):
        is_duplicate = duplicate_of[index] is not None or index in repeats
        if is_duplicate:
            progress.duplicates += 1
        if not (is_duplicate and on_duplicate == OnDuplicate.skip):
            to_create.append(index)

    created_by_line: dict[int, int] = {}

    def created_id(line: int) -> int | None:
        return created_by_line.get(line, previous_ids.get(line))

    connection = session.connection()
    constants = _claim_constants(job_id, actor, now)
    # Created in two passes so a kept repeat of a row of this batch can point at that row's id.
    batch_lines = {row.line for row in valid}
    repeats_here = {index for index, line in repeats.items() if line in batch_lines}
    for pass_indices in (
        [index for index in to_create if index not in repeats_here],
        [index for index in to_create if index in repeats_here],
    ):
        if not pass_indices:
            continue
        values = []
        for index in pass_indices:
            target = duplicate_of[index] if index not in repeats else created_id(repeats[index])
            signature = prepared.duplicates.signatures[index]
            row_values = _claim_values(valid[index], normalized[index], hashes[index], signature, target, now)
            values.append(row_values)
        claim_ids = insert_claims(connection, constants, values, job_id)
        created_by_line.update(
            (valid[index].line, claim_id) for index, claim_id in zip(pass_indices, claim_ids, strict=True)
        )
    progress.created += len(created_by_line)

    event_constants = {
        "field": None,
        "before": None,
        "key_id": actor.key_id if actor else None,
        "actor": actor.name if actor else "system",
        "at": now,
    }
    events: list[dict[str, Any]] = []
    tags: list[dict[str, Any]] = []
    for row in valid:
        claim_id = created_by_line.get(row.line)
        if claim_id is None:
            continue
        events.append(
            {
                "claim_id": claim_id,
                "version": 1,
                "action": ClaimAction.imported,
                "after": {
                    "import_id": job_id,
                    "line": row.line,
                    "status": _status(row),
                    "verdict": row.verdict,
                },
            }
        )
        tags.extend({"claim_id": claim_id, "tag": tag} for tag in row.tags)
    if on_duplicate == OnDuplicate.skip:
        # The skipped row stays findable from the claim it repeats: an entry in that claim's history.
        targets = {target for target in duplicate_of if target is not None}
        versions = (
            dict(session.exec(select(Claim.id, Claim.version).where(col(Claim.id).in_(targets))).all())
            if targets
            else {}
        )
        for index in range(len(valid)):
            target = duplicate_of[index]
            if target is None and index in repeats:
                target = created_id(repeats[index])
            if target is None:
                continue
            events.append(
                {
                    "claim_id": target,
                    "version": versions.get(target, 1),
                    "action": "duplicate_skipped",
                    "after": {
                        "import_id": job_id,
                        "line": valid[index].line,
                        "external_id": valid[index].external_id,
                    },
                }
            )
    if events:
        insert_rows(connection, EVENT_TABLE, event_constants, events)
    if tags:
        insert_rows(connection, TAG_TABLE, {}, tags)
    return created_by_line


def _status(row: ClaimRow) -> str:
    return "reviewed" if row.verdict else "new"


def _claim_constants(job_id: int, actor: Actor | None, now: datetime) -> dict[str, Any]:
    """The columns every imported claim of a batch shares."""
    return {
        "checkworthy": True,
        "score": 0.0,
        "kind": "other",
        "items": [],
        "entities": [],
        "quantities": [],
        "priority": 0,
        "version": 1,
        "import_job_id": job_id,
        "created_at": now,
        "updated_at": now,
        "created_by_key_id": actor.key_id if actor else None,
    }


def _claim_values(
    row: ClaimRow,
    text_normalized: str,
    text_hash: str,
    signature: ClaimSignature,
    duplicate_of: int | None,
    now: datetime,
) -> dict[str, Any]:
    return {
        "text": row.text,
        "text_normalized": text_normalized,
        "text_hash": text_hash,
        "signature": signature.to_json(),
        "signature_key": signature.key,
        "status": _status(row),
        "verdict": row.verdict,
        # The review headline of an imported check; it also feeds the search index.
        "summary": row.title,
        "external_id": row.external_id,
        "source_url": row.source_url,
        "speaker": row.speaker,
        "claimed_at": row.claimed_at,
        "review_url": row.review_url,
        "publisher": row.publisher,
        "language": row.language,
        "duplicate_of": duplicate_of,
        "reviewed_at": (row.reviewed_at or now) if row.verdict else None,
    }
