"""Review verbs: edit a claim, add a review, list the queue, count it, read history and the published feed.

Every write is optimistic: the caller names the ETag it read, and the claim row is updated with
`UPDATE claim SET ..., version = version + 1 WHERE id = :id AND version = :expected`. Of two writers
holding the same ETag exactly one matches a row; the other gets 412 and nothing it sent is stored,
on PostgreSQL (the row lock re-checks the WHERE after the winner commits) and SQLite (one writer at a time).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import CursorResult
from sqlmodel import Session, col, select

from service.articles.models import Article
from service.auth.models import Role
from service.auth.service import Actor, Permission, authorize
from service.claims import service as claims
from service.claims.models import Claim, ClaimEvent, ClaimTag, Review
from service.db import utcnow
from service.exceptions import Conflict, Forbidden, InvalidInput, StaleVersion
from service.linking.models import Passage
from service.net.urls import is_http_url
from service.review import webhooks
from service.review.claimreview import claim_review, uses_placeholder_author
from service.review.models import Review
from service.review.scale import RatingScale
from service.review.schemas import ClaimPatch, ClaimStats, ReviewIn
from service.review.workflow import Status, check_transition, review_path
from service.settings import Settings

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


def stats(*, session: Session, filters: QueueFilters, actor: Actor, scale: RatingScale) -> ClaimStats:
    """Claims per status and per verdict under the same filters as the queue (status filter ignored)."""
    conditions = _conditions(dataclasses.replace(filters, status=()), actor)
    by_status = {status.value: 0 for status in Status}
    for status, count in session.exec(
        select(Claim.status, func.count()).where(*conditions).group_by(col(Claim.status))
    ):
        by_status[status] = count
    by_verdict = dict.fromkeys(scale.verdicts, 0)
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


def update(
    *,
    session: Session,
    claim_id: int,
    patch: ClaimPatch,
    expected_etag: str,
    actor: Actor,
    settings: Settings,
) -> Claim:
    """Change status, assignee, priority, tags or dismiss reason, if still at `expected_etag`."""
    claim = claims.get(session=session, claim_id=claim_id)
    _check_etag(claim, expected_etag)
    sent = patch.model_fields_set
    if not sent:
        raise InvalidInput("Send at least one field to change.", details={"field": "body"})
    for required in ("status", "priority"):
        if required in sent and getattr(patch, required) is None:
            raise InvalidInput(f"{required}: may not be null", details={"field": required})

    current = Status(claim.status)
    target = patch.status if patch.status is not None else current
    values: dict[str, Any] = {}
    now = utcnow()
    if target != current:
        check_transition(current, target)
        if target == Status.published:
            _check_can_publish(actor, settings, claim)
            values["published_at"] = now
        values["status"] = target.value
    if "dismiss_reason" in sent:
        if target != Status.dismissed:
            raise InvalidInput(
                "dismiss_reason: only a dismissed claim has one (send status 'dismissed' with it).",
                details={"field": "dismiss_reason"},
            )
        values["dismiss_reason"] = patch.dismiss_reason or None
    if target == Status.dismissed and not (values.get("dismiss_reason", claim.dismiss_reason) or "").strip():
        raise InvalidInput(
            "dismiss_reason: say why the claim is not worth checking.", details={"field": "dismiss_reason"}
        )
    if "assignee" in sent:
        values["assignee"] = actor.name if patch.assignee == ME else (patch.assignee or None)
    if "priority" in sent:
        values["priority"] = patch.priority

    changed = {name: value for name, value in values.items() if getattr(claim, name) != value}
    current_tags = sorted(claims.tags_by_claim(session=session, claim_ids=[claim_id])[claim_id])
    new_tags = sorted(set(patch.tags)) if patch.tags is not None else current_tags
    if not changed and new_tags == current_tags:
        return claim  # nothing differs: no new version, no history entry

    before = {name: getattr(claim, name) for name in changed}
    _write(session, claim, changed, now)
    for name in ("status", "assignee", "priority", "dismiss_reason"):
        if name in changed:
            action = "status_changed" if name == "status" else "updated"
            _record(
                now,
                session=session,
                claim=claim,
                actor=actor,
                action=action,
                field=name,
                before=before[name],
                after=changed[name],
            )
    if new_tags != current_tags:
        _replace_tags(session, claim_id, new_tags)
        _record(
            now,
            session=session,
            claim=claim,
            actor=actor,
            action="updated",
            field="tags",
            before=current_tags,
            after=new_tags,
        )
    _finish(session, claim, settings, published="published_at" in changed)
    return claim


def add_review(
    *,
    session: Session,
    claim_id: int,
    review_in: ReviewIn,
    expected_etag: str,
    actor: Actor,
    settings: Settings,
) -> tuple[Claim, Review]:
    """Store a review and give its verdict and summary to the claim, moving it (by default) to `reviewed`."""
    claim = claims.get(session=session, claim_id=claim_id)
    _check_etag(claim, expected_etag)
    verdict = RatingScale.from_settings(settings).check(review_in.verdict)
    _check_evidence(session, review_in.evidence)
    current = Status(claim.status)
    path = review_path(current, review_in.status or Status.reviewed)
    now = utcnow()
    values: dict[str, Any] = {"verdict": verdict, "summary": review_in.summary, "reviewed_at": now}
    if path:
        values["status"] = path[-1].value
    if Status.published in path:
        _check_can_publish(actor, settings, claim, verdict=verdict)
        values["published_at"] = now

    before = {name: getattr(claim, name) for name in ("verdict", "summary")}
    _write(session, claim, values, now)
    review = Review(
        claim_id=claim_id,
        verdict=verdict,
        summary=review_in.summary,
        note=review_in.note,
        evidence=list(review_in.evidence),
        key_id=actor.key_id,
        actor=actor.name,
        created_at=now,
    )
    session.add(review)
    session.flush()
    _record(
        now,
        session=session,
        claim=claim,
        actor=actor,
        action="review_added",
        field="review",
        after={"review_id": review.id, "verdict": verdict},
    )
    step_from = current
    for step in path:
        _record(
            now,
            session=session,
            claim=claim,
            actor=actor,
            action="status_changed",
            field="status",
            before=step_from.value,
            after=step.value,
        )
        step_from = step
    for name in ("verdict", "summary"):
        if before[name] != values[name]:
            _record(
                now,
                session=session,
                claim=claim,
                actor=actor,
                action="updated",
                field=name,
                before=before[name],
                after=values[name],
            )
    _finish(session, claim, settings, published=Status.published in path)
    session.refresh(review)
    return claim, review


def reviews(*, session: Session, claim_id: int) -> list[Review]:
    """Every review of a claim, oldest first."""
    claims.get(session=session, claim_id=claim_id)
    return list(session.exec(select(Review).where(col(Review.claim_id) == claim_id).order_by(col(Review.id))))


def history(
    *, session: Session, claim_id: int, after_id: int | None, limit: int, after_version: int | None = None
) -> list[ClaimEvent]:
    """A claim's history in the order it happened (after an entry id, or what changed after a version)."""
    claims.get(session=session, claim_id=claim_id)
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


def claim_review_of(*, session: Session, claim: Claim, settings: Settings) -> dict[str, Any]:
    """The ClaimReview JSON-LD of a published claim; 409 while it is not published."""
    if claim.status != Status.published.value or claim.verdict is None:
        raise Conflict(
            "Only a published claim has a ClaimReview.",
            details={"claim_id": claim.id, "status": claim.status},
        )
    article = session.get(Article, claim.article_id) if claim.article_id is not None else None
    return claim_review(
        claim=claim, article=article, scale=RatingScale.from_settings(settings), settings=settings
    )


def _record(now: datetime, **event: Any) -> None:
    """One history entry, stamped with the write's own time so a write's entries share one moment."""
    claims.record_event(**event).at = now


def _check_etag(claim: Claim, expected_etag: str) -> None:
    if expected_etag != claims.etag(claim):
        raise _stale(claim)


def _stale(claim: Claim) -> StaleVersion:
    return StaleVersion(
        "The claim changed since you read it: GET it again, then retry with the new ETag.",
        current_etag=claims.etag(claim),
        details={"etag": claims.etag(claim), "version": claim.version},
    )


def _write(session: Session, claim: Claim, values: dict[str, Any], now: datetime) -> None:
    """The conditional UPDATE: bump the version only if nobody else did first (412 otherwise)."""
    expected_version = claim.version
    result = cast(
        CursorResult[Any],
        session.execute(
            sa.update(Claim)
            .where(col(Claim.id) == claim.id, col(Claim.version) == expected_version)
            .values(**values, version=col(Claim.version) + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        session.rollback()
        session.refresh(claim)
        raise _stale(claim)
    session.refresh(claim)


def _replace_tags(session: Session, claim_id: int, tags: list[str]) -> None:
    session.execute(sa.delete(ClaimTag).where(col(ClaimTag.claim_id) == claim_id))
    for tag in tags:
        session.add(ClaimTag(claim_id=claim_id, tag=tag))


def _finish(session: Session, claim: Claim, settings: Settings, *, published: bool) -> None:
    """Queue the publish event in the same transaction as the publish, commit, then wake the sender."""
    if published:
        session.flush()
        payload = {
            "event": webhooks.PUBLISHED_EVENT,
            "claim": claims.to_out(session=session, claims=[claim])[0].model_dump(mode="json"),
            "claimreview": claim_review_of(session=session, claim=claim, settings=settings),
        }
        webhooks.enqueue(session=session, event=webhooks.PUBLISHED_EVENT, payload=payload)
    session.commit()
    session.refresh(claim)
    if published:
        webhooks.wake_delivery_thread()


def _check_evidence(session: Session, evidence: Sequence[int | str]) -> None:
    """Evidence is a passage this service stores (by id) or a web address; anything else is a 422."""
    not_urls = [item for item in evidence if isinstance(item, str) and not is_http_url(item)]
    if not_urls:
        raise InvalidInput(
            "evidence: give passage ids or http(s) URLs.", details={"field": "evidence", "invalid": not_urls}
        )
    passage_ids = {item for item in evidence if isinstance(item, int)}
    if passage_ids:
        known = set(session.exec(select(Passage.id).where(col(Passage.id).in_(passage_ids))))
        if unknown := sorted(passage_ids - known):
            raise InvalidInput(
                f"evidence: no passage with id {unknown[0]}.",
                details={"field": "evidence", "unknown": unknown},
            )


def can_publish(actor: Actor, settings: Settings) -> bool:
    """Whether this key may publish here: its role grants it (PUBLISH_REQUIRES_ADMIN: admins only)."""
    return actor.can(Permission.publish) and (not settings.publish_requires_admin or actor.role == Role.admin)


def _check_can_publish(actor: Actor, settings: Settings, claim: Claim, *, verdict: str | None = None) -> None:
    authorize(actor, Permission.publish)
    if not can_publish(actor, settings):
        raise Forbidden(
            "Only an admin key may publish on this deployment.",
            details={"role": actor.role.value, "needs": "admin"},
        )
    if (verdict or claim.verdict) is None:
        raise Conflict(
            "A claim needs a verdict before it is published: add a review first.",
            details={"claim_id": claim.id, "field": "verdict"},
        )
    if uses_placeholder_author(settings):
        raise Conflict(
            "Set ORGANIZATION_NAME and ORGANIZATION_URL (the ClaimReview author) before publishing: "
            f"ORGANIZATION_URL is still the placeholder {settings.organization_url}. "
            "ALLOW_PLACEHOLDER_ORGANIZATION=true publishes anyway (tests, demos).",
            details={"setting": "ORGANIZATION_URL", "value": settings.organization_url},
        )


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
