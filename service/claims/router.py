"""HTTP for reading claims: the review queue, its dashboard counts, one claim (with its ETag), its history."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Response
from fastapi.responses import StreamingResponse

from service.api.deps import ReadKey, SessionDep, SettingsDep
from service.api.pagination import Page
from service.claims import queue
from service.claims import service as claims
from service.claims.schemas import ClaimEventOut, ClaimOut, ClaimStats
from service.claims.status import Status
from service.cursors import cursor_id, next_id_cursor
from service.exports import claims as export
from service.exports.formats import MEDIA_TYPES, ExportFormat

router = APIRouter(prefix="/v1/claims", tags=["claims"])


def common_filters(
    verdict: Annotated[list[str] | None, Query(description="Repeatable.")] = None,
    assignee: Annotated[str | None, Query(description="A key name, or 'me' for the caller's.")] = None,
    article_id: int | None = None,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    q: Annotated[str | None, Query(max_length=500, description="Text contains (case-insensitive).")] = None,
    min_score: float | None = None,
    max_score: float | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
) -> queue.QueueFilters:
    """The queue filters shared by the listing and the dashboard counts."""
    return queue.QueueFilters(
        verdict=tuple(verdict or ()),
        assignee=assignee,
        article_id=article_id,
        tag=tag,
        q=q,
        min_score=min_score,
        max_score=max_score,
        created_after=created_after,
        created_before=created_before,
    )


CommonFilters = Annotated[queue.QueueFilters, Depends(common_filters)]


def queue_filters(
    common: CommonFilters,
    status: Annotated[list[Status] | None, Query(description="Repeatable.")] = None,
) -> queue.QueueFilters:
    """The dashboard filters plus status."""
    return dataclasses.replace(common, status=tuple(status or ()))


QueueFilters = Annotated[queue.QueueFilters, Depends(queue_filters)]


EXPORT_MEDIA = {
    "text/csv": ExportFormat.csv,
    "application/x-ndjson": ExportFormat.ndjson,
    "application/ndjson": ExportFormat.ndjson,
}


def export_format(accept: str) -> ExportFormat | None:
    """CSV or NDJSON when the Accept header asks for it (JSON pages otherwise)."""
    media = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    return next((fmt for name, fmt in EXPORT_MEDIA.items() if name in media), None)


@router.get(
    "",
    response_model=Page[ClaimOut],
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
            "description": "A page of JSON, or with Accept: text/csv or application/x-ndjson the whole "
            "result streamed (no cursor; the columns `claimcheck import claims` reads, then read-only ones).",
        }
    },
)
def list_claims(
    session: SessionDep,
    settings: SettingsDep,
    key: ReadKey,
    filters: QueueFilters,
    sort: queue.SortKey = "-score",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    accept: Annotated[str, Header()] = "application/json",
) -> Any:
    """The review queue: filtered, sorted, a page at a time (the cursor keeps the sort); or all of it as
    CSV or NDJSON for a data desk (oldest first, formula-safe CSV)."""
    fmt = export_format(accept)
    if fmt is not None:
        chunks = export.chunks(session=session, filters=filters, actor=key, settings=settings, fmt=fmt)
        return StreamingResponse(
            chunks,
            media_type=MEDIA_TYPES[fmt],
            headers={"Content-Disposition": f'attachment; filename="claims.{fmt.value}"'},
        )
    items, next_cursor = queue.get_all(
        session=session, filters=filters, actor=key, sort=sort, cursor=cursor, limit=limit
    )
    return Page[ClaimOut](items=claims.to_out(session=session, claims=items), next_cursor=next_cursor)


@router.get("/stats")
def claim_stats(
    session: SessionDep, settings: SettingsDep, key: ReadKey, filters: CommonFilters
) -> ClaimStats:
    """Counts per status and per verdict for a dashboard, under the queue's filters (status aside)."""
    return queue.stats(session=session, filters=filters, actor=key, verdicts=settings.verdicts)


@router.get(
    "/{claim_id}",
    response_model=ClaimOut,
    responses={304: {"description": "Unchanged since the ETag in If-None-Match."}},
)
def get_claim(
    claim_id: int,
    response: Response,
    session: SessionDep,
    _key: ReadKey,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None,
) -> Any:
    """One claim; its ETag header is what a write must send back in If-Match."""
    claim = claims.get(session=session, claim_id=claim_id)
    current = claims.etag(claim)
    if if_none_match is not None and current in (tag.strip() for tag in if_none_match.split(",")):
        return Response(status_code=304, headers={"ETag": current})  # a polling desk re-downloads nothing
    response.headers["ETag"] = current
    return claims.to_out(session=session, claims=[claim])[0]


@router.get("/{claim_id}/history")
def get_claim_history(
    claim_id: int,
    session: SessionDep,
    _key: ReadKey,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> Page[ClaimEventOut]:
    """Every change to the claim, oldest first: who, with which key, when, which field, before and after."""
    events = queue.history(session=session, claim_id=claim_id, after_id=cursor_id(cursor), limit=limit)
    next_cursor = next_id_cursor(events, limit)
    return Page[ClaimEventOut](items=[ClaimEventOut.of(event) for event in events], next_cursor=next_cursor)
