"""Every claim under the review queue's filters, a batch at a time, as export rows or ClaimReviews."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

from sqlmodel import Session

from service.auth.service import Actor
from service.claims import queue
from service.claims import service as claims
from service.claims.models import Claim
from service.claims.status import Status
from service.exports.formats import (
    ExportFormat,
    claimreview_chunks,
    csv_chunks,
    export_row,
    ndjson_chunks,
)
from service.review import service as review
from service.review.scale import RatingScale
from service.settings import Settings

BATCH = 500


def selection(filters: queue.QueueFilters, fmt: ExportFormat) -> queue.QueueFilters:
    """The filters an export applies: only a published claim has a ClaimReview."""
    if fmt is ExportFormat.claimreview:
        return dataclasses.replace(filters, status=(Status.published,))
    return filters


def count(
    *, session: Session, filters: queue.QueueFilters, actor: Actor, settings: Settings, fmt: ExportFormat
) -> int:
    """How many claims the export holds (for a progress bar)."""
    filters = selection(filters, fmt)
    stats = queue.stats(
        session=session, filters=filters, actor=actor, verdicts=RatingScale.from_settings(settings).verdicts
    )
    if not filters.status:
        return stats.total
    return sum(stats.by_status.get(status.value, 0) for status in filters.status)


def batches(*, session: Session, filters: queue.QueueFilters, actor: Actor) -> Iterator[list[Claim]]:
    """The whole result in the queue's id order, one keyset page at a time (no cursor for the caller)."""
    cursor: str | None = None
    while True:
        page, cursor = queue.get_all(
            session=session, filters=filters, actor=actor, sort="created_at", cursor=cursor, limit=BATCH
        )
        if page:
            yield page
        if cursor is None:
            return


def chunks(
    *,
    session: Session,
    filters: queue.QueueFilters,
    actor: Actor,
    settings: Settings,
    fmt: ExportFormat,
    on_batch: Callable[[int], None] | None = None,
) -> Iterator[str]:
    """The export as text chunks; `on_batch(n)` is told how many claims each batch held."""
    filters = selection(filters, fmt)

    def rows() -> Iterator[dict[str, Any]]:
        for batch in batches(session=session, filters=filters, actor=actor):
            tags = claims.tags_by_claim(session=session, claim_ids=[claim.id for claim in batch if claim.id])
            for claim in batch:
                assert claim.id is not None
                yield export_row(claim, tags.get(claim.id, []))
            if on_batch is not None:
                on_batch(len(batch))

    def documents() -> Iterator[dict[str, Any]]:
        for batch in batches(session=session, filters=filters, actor=actor):
            for claim in batch:
                yield review.claim_review_of(session=session, claim=claim, settings=settings)
            if on_batch is not None:
                on_batch(len(batch))

    if fmt is ExportFormat.csv:
        return csv_chunks(rows())
    if fmt is ExportFormat.ndjson:
        return ndjson_chunks(rows())
    return claimreview_chunks(documents())
