"""Review verbs: edit a claim, add a review, read its reviews, and the ClaimReview of a published claim.

The queue itself (listing, counts, history, published feed) is read in `service/claims/queue.py`.

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
from service.claims.models import Claim, ClaimAction, ClaimTag
from service.claims.queue import ME
from service.db import utcnow
from service.exceptions import Conflict, Forbidden, InvalidInput, StaleVersion
from service.linking.models import Passage
from service.net.urls import is_http_url
from service.review.claimreview import claim_review, uses_placeholder_author
from service.review.models import Review
from service.review.scale import RatingScale
from service.review.schemas import ClaimPatch, ReviewIn
from service.review.workflow import Status, check_transition, review_path
from service.settings import Settings
from service.webhooks import delivery as webhooks


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
            action = ClaimAction.status_changed if name == "status" else ClaimAction.updated
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
            action=ClaimAction.updated,
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
        action=ClaimAction.review_added,
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
            action=ClaimAction.status_changed,
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
                action=ClaimAction.updated,
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
