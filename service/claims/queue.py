"""Reads of the review queue: the filtered, sorted listing, its counts, the published feed, a claim's history.

Keyset pagination throughout: a cursor holds the last row's (sort value, id), and the next page is one
index range seek from there. The writes that move claims through the queue are in `service/review/`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy import exists, func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from service.auth.service import Actor
from service.claims.models import Claim, ClaimEvent, ClaimTag
from service.claims.schemas import ClaimStats
from service.claims.service import get
from service.claims.status import Status
from service.cursors import decode_cursor, encode_cursor
from service.db import as_utc
from service.exceptions import InvalidInput

SortKey = Literal[
    "-score", "score", "-created_at", "created_at", "-updated_at", "updated_at", "-priority", "priority"
]
SORT_COLUMNS: dict[str, Any] = {
    "score": Claim.score,
    "created_at": Claim.created_at,
    "updated_at": Claim.updated_at,
    "priority": Claim.priority,
}
DATETIME_SORTS = frozenset({"created_at", "updated_at"})
ME = "me"


@dataclass(frozen=True)
class QueueFilters:
    """What narrows the review queue; `assignee='me'` means the caller's key name."""

    status: Sequence[Status] = field(default_factory=tuple)
    verdict: Sequence[str] = field(default_factory=tuple)
    assignee: str | None = None
    article_id: int | None = None
    tag: str | None = None
    q: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


def get_all(
    *,
    session: Session,
    filters: QueueFilters,
    actor: Actor,
    sort: SortKey = "-score",
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[Claim], str | None]:
    """A page of the review queue and the cursor of the next one (None on the last page)."""
    name = sort.removeprefix("-")
    descending = sort.startswith("-")
    sort_column = SORT_COLUMNS[name]
    query = select(Claim).where(*_conditions(filters, actor))
    if cursor is not None:
        query = query.where(_after(cursor, sort=sort, column=sort_column, descending=descending))
    if descending:
        query = query.order_by(sort_column.desc(), col(Claim.id).desc())
    else:
        query = query.order_by(sort_column.asc(), col(Claim.id).asc())
    page = list(session.exec(query.limit(limit + 1)))
    if len(page) <= limit:
        return page, None
    page = page[:limit]
    last = page[-1]
    value = getattr(last, name)
    position = {
        "sort": sort,
        "value": as_utc(value).isoformat() if name in DATETIME_SORTS else value,
        "id": last.id,
    }
    return page, encode_cursor(position)


def stats(*, session: Session, filters: QueueFilters, actor: Actor, verdicts: Sequence[str]) -> ClaimStats:
    """Claims per status and per verdict under the same filters as the queue (status filter ignored)."""
    conditions = _conditions(dataclasses.replace(filters, status=()), actor)
    by_status = {status.value: 0 for status in Status}
    for status, count in session.exec(
        select(Claim.status, func.count()).where(*conditions).group_by(col(Claim.status))
    ):
        by_status[status] = count
    by_verdict = dict.fromkeys(verdicts, 0)
    unrated = 0
    for verdict, count in session.exec(
        select(Claim.verdict, func.count()).where(*conditions).group_by(col(Claim.verdict))
    ):
        if verdict is None:
            unrated = count
        else:
            by_verdict[verdict] = count
    return ClaimStats(
        total=sum(by_status.values()), by_status=by_status, by_verdict=by_verdict, unrated=unrated
    )


def assignees(*, session: Session, limit: int) -> list[str]:
    """The names claims are assigned to, alphabetically (for the queue's assignee filter)."""
    names = session.exec(
        select(Claim.assignee).where(col(Claim.assignee).is_not(None)).distinct().limit(limit)
    )
    return sorted(name for name in names if name)


def history(
    *, session: Session, claim_id: int, after_id: int | None, limit: int, after_version: int | None = None
) -> list[ClaimEvent]:
    """A claim's history in the order it happened (after an entry id, or what changed after a version)."""
    get(session=session, claim_id=claim_id)
    query = select(ClaimEvent).where(col(ClaimEvent.claim_id) == claim_id)
    if after_id is not None:
        query = query.where(col(ClaimEvent.id) > after_id)
    if after_version is not None:
        query = query.where(col(ClaimEvent.version) > after_version)
    return list(session.exec(query.order_by(col(ClaimEvent.id)).limit(limit)))


def published(
    *, session: Session, since: datetime | None, cursor: str | None, limit: int
) -> tuple[list[Claim], str | None]:
    """Published claims in publication order, from `since` on, a page at a time."""
    query = select(Claim).where(col(Claim.status) == Status.published.value)
    if since is not None:
        query = query.where(col(Claim.published_at) >= since)
    if cursor is not None:
        query = query.where(
            _after(cursor, sort="published_at", column=Claim.published_at, descending=False, moment=True)
        )
    query = query.order_by(col(Claim.published_at).asc(), col(Claim.id).asc()).limit(limit + 1)
    page = list(session.exec(query))
    if len(page) <= limit:
        return page, None
    page = page[:limit]
    last = page[-1]
    assert last.published_at is not None
    position = {"sort": "published_at", "value": as_utc(last.published_at).isoformat(), "id": last.id}
    return page, encode_cursor(position)


def _conditions(filters: QueueFilters, actor: Actor) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.status:
        conditions.append(col(Claim.status).in_([status.value for status in filters.status]))
    if filters.verdict:
        conditions.append(col(Claim.verdict).in_(list(filters.verdict)))
    if filters.assignee is not None:
        conditions.append(col(Claim.assignee) == (actor.name if filters.assignee == ME else filters.assignee))
    if filters.article_id is not None:
        conditions.append(col(Claim.article_id) == filters.article_id)
    if filters.tag is not None:
        conditions.append(
            exists().where(col(ClaimTag.claim_id) == col(Claim.id), col(ClaimTag.tag) == filters.tag)
        )
    if filters.q:
        # autoescape: a '%' or '_' typed by a user is matched literally, not as a LIKE wildcard.
        conditions.append(col(Claim.text).icontains(filters.q, autoescape=True))
    if filters.min_score is not None:
        conditions.append(col(Claim.score) >= filters.min_score)
    if filters.max_score is not None:
        conditions.append(col(Claim.score) <= filters.max_score)
    if filters.created_after is not None:
        conditions.append(col(Claim.created_at) >= filters.created_after)
    if filters.created_before is not None:
        conditions.append(col(Claim.created_at) < filters.created_before)
    return conditions


def _after(
    cursor: str, *, sort: str, column: Any, descending: bool, moment: bool | None = None
) -> ColumnElement[bool]:
    """Rows after the cursor's (sort value, id) position, in the listing's own order."""
    position = decode_cursor(cursor)
    last_id, value = position.get("id"), position.get("value")
    if position.get("sort") != sort or not isinstance(last_id, int):
        raise InvalidInput(
            "cursor: it belongs to a different sort or listing; start again without it.",
            details={"field": "cursor"},
        )
    is_moment = moment if moment is not None else sort.removeprefix("-") in DATETIME_SORTS
    try:
        if is_moment:
            value = as_utc(datetime.fromisoformat(str(value)))
        elif not isinstance(value, int | float) or isinstance(value, bool):
            raise ValueError(value)
    except ValueError as exc:
        raise InvalidInput("cursor: not a cursor this API issued", details={"field": "cursor"}) from exc
    # A row-value comparison, which both databases turn into one index range seek (an OR of the two
    # cases is not: SQLite then scans the index from the start, slower than OFFSET on deep pages).
    position_key = sa.tuple_(column, col(Claim.id))
    if descending:
        return position_key < sa.tuple_(value, last_id)
    return position_key > sa.tuple_(value, last_id)
