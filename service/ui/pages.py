"""What each page of the desk shows, gathered from the domain services (no HTTP here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from service.articles import service as articles
from service.articles.models import Article
from service.auth.service import Permission
from service.claims import queue as claim_queue
from service.claims import service as claims
from service.claims.models import Claim, ClaimAction, ClaimEvent
from service.claims.schemas import ClaimStats, PriorCheck
from service.imports import jobs
from service.imports.models import ImportJob
from service.linking import evidence as linking
from service.linking.schemas import EvidenceOut
from service.review import service as review
from service.review.claimreview import to_json
from service.review.models import Review
from service.review.scale import RatingScale, verdict_label
from service.review.workflow import Status, allowed_next
from service.settings import Settings
from service.ui.highlight import (
    ClaimSpan,
    Fragment,
    Marked,
    SentenceSpan,
    article_paragraphs,
    mark_ranges,
    quote_in_paragraph,
)
from service.ui.sessions import DeskUser

EVIDENCE_SHOWN = 10
HISTORY_SHOWN = 1000
ASSIGNEES_LISTED = 100


@dataclass(frozen=True)
class QueueRow:
    claim: Claim
    article_title: str | None


@dataclass(frozen=True)
class QueueView:
    rows: list[QueueRow]
    next_cursor: str | None
    stats: ClaimStats
    assignees: list[str]


def queue(
    *,
    session: Session,
    user: DeskUser,
    filters: claim_queue.QueueFilters,
    sort: claim_queue.SortKey,
    cursor: str | None,
    limit: int,
    settings: Settings,
) -> QueueView:
    """A page of the review queue, the article titles of its rows, and the per-status counts for the tabs."""
    found, next_cursor = claim_queue.get_all(
        session=session, filters=filters, actor=user.actor, sort=sort, cursor=cursor, limit=limit
    )
    titles = articles.titles(
        session=session, article_ids=[claim.article_id for claim in found if claim.article_id is not None]
    )
    stats = claim_queue.stats(
        session=session,
        filters=filters,
        actor=user.actor,
        verdicts=RatingScale.from_settings(settings).verdicts,
    )
    assignees = claim_queue.assignees(session=session, limit=ASSIGNEES_LISTED)
    rows = [QueueRow(claim=claim, article_title=titles.get(claim.article_id or 0)) for claim in found]
    return QueueView(rows=rows, next_cursor=next_cursor, stats=stats, assignees=assignees)


@dataclass(frozen=True)
class ArticleView:
    article: Article
    paragraphs: list[list[Fragment]]
    claims: list[Claim]
    skipped_count: int


def article(*, session: Session, article_id: int) -> ArticleView:
    """An article's body cut into claim highlights and greyed skipped sentences, with its claims."""
    found = articles.get(session=session, article_id=article_id)
    article_claims = articles.claims_of(session=session, article_id=article_id)
    sentences = articles.sentences_of(session=session, article_id=article_id)
    sentence_spans = [
        SentenceSpan(
            start=sentence.span[0],
            end=sentence.span[1],
            label=sentence.label,
            reason=sentence.reason,
            claim_count=sentence.claim_count,
        )
        for sentence in sentences
    ]
    claim_spans = [
        ClaimSpan(claim_id=claim.id, start=claim.span_start, end=claim.span_end)
        for claim in article_claims
        if claim.id is not None and claim.span_start is not None and claim.span_end is not None
    ]
    return ArticleView(
        article=found,
        paragraphs=article_paragraphs(found.body, sentence_spans, claim_spans),
        claims=article_claims,
        skipped_count=sum(1 for sentence in sentences if sentence.claim_count == 0),
    )


@dataclass(frozen=True)
class EvidenceView:
    evidence: EvidenceOut
    fragments: list[Marked]


@dataclass(frozen=True)
class ChangeView:
    """One history entry as the timeline and the conflict panel show it."""

    event: ClaimEvent
    summary: str


@dataclass(frozen=True)
class ClaimView:
    claim: Claim
    etag: str
    article: Article | None
    quote: list[Marked]
    tags: list[str]
    evidence: list[EvidenceView]
    matches: list[PriorCheck]
    moves: list[str]
    verdicts: list[tuple[str, str]]
    history: list[ChangeView]
    reviews: list[Review]
    claim_review_json: str | None
    can_review: bool
    can_publish: bool
    pinned_passages: list[EvidenceOut] = field(default_factory=list)


def claim(*, session: Session, claim_id: int, user: DeskUser, settings: Settings) -> ClaimView:
    """Everything the claim page shows: quote in context, evidence, prior checks, moves, history."""
    found = claims.get(session=session, claim_id=claim_id)
    parent = None
    if found.article_id is not None:
        parent = articles.get(session=session, article_id=found.article_id)
    quote: list[Marked] = []
    if parent is not None and found.span_start is not None and found.span_end is not None:
        quote = quote_in_paragraph(parent.body, found.span_start, found.span_end)
    evidence = [
        EvidenceView(
            evidence=item,
            fragments=mark_ranges(
                item.passage, [(mark.start, mark.end) for mark in item.highlights], offset=item.span[0]
            ),
        )
        for item in linking.evidence_for_claim(session=session, claim_id=claim_id, limit=EVIDENCE_SHOWN)
    ]
    scale = RatingScale.from_settings(settings)
    can_review = user.can(Permission.review)
    claim_review_json = None
    if found.status == Status.published.value and found.verdict is not None:
        document = review.claim_review_of(session=session, claim=found, settings=settings)
        claim_review_json = to_json(document, indent=2)
    return ClaimView(
        claim=found,
        etag=claims.etag(found),
        article=parent,
        quote=quote,
        tags=sorted(claims.tags_by_claim(session=session, claim_ids=[claim_id])[claim_id]),
        evidence=evidence,
        matches=prior_checks(session=session, claim=found, settings=settings),
        moves=allowed_next(Status(found.status)),
        verdicts=[(verdict, verdict_label(verdict)) for verdict in scale.verdicts],
        history=[
            ChangeView(event=event, summary=describe(event))
            for event in claim_queue.history(
                session=session, claim_id=claim_id, after_id=None, limit=HISTORY_SHOWN
            )
        ],
        reviews=review.reviews(session=session, claim_id=claim_id) if can_review else [],
        claim_review_json=claim_review_json,
        can_review=can_review,
        can_publish=review.can_publish(user.actor, settings),
        pinned_passages=[item.evidence for item in evidence if item.evidence.pinned],
    )


def prior_checks(*, session: Session, claim: Claim, settings: Settings) -> list[PriorCheck]:
    """Previously checked claims this one repeats (itself left out)."""
    from service.matching import matcher as matching

    found = matching.prior_checks(session=session, texts=[claim.text], settings=settings, limit=4)[0]
    return [match for match in found if match.id != claim.id][:3]


def changes_since(*, session: Session, claim_id: int, version: int) -> list[ChangeView]:
    """What others changed after the version a user had open: each entry with who and when."""
    events = claim_queue.history(
        session=session, claim_id=claim_id, after_id=None, after_version=version, limit=HISTORY_SHOWN
    )
    return [ChangeView(event=event, summary=describe(event)) for event in events]


def describe(event: ClaimEvent) -> str:
    """One line for a history entry: 'status: new → in_review', 'evidence 12: supports'."""
    if event.action == ClaimAction.created:
        return "created"
    if event.action == ClaimAction.review_added and isinstance(event.after, dict):
        return f"review added: {event.after.get('verdict')}"
    if event.field and event.field.startswith("evidence:"):
        passage = event.field.removeprefix("evidence:")
        verb = "rejected" if event.action == ClaimAction.evidence_rejected else "pinned"
        return f"evidence passage {passage} {verb}: {_short(event.after)}"
    if event.field:
        return f"{event.field}: {_short(event.before)} → {_short(event.after)}"
    return event.action.replace("_", " ")


def _short(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 120 else text[:119] + "…"


def import_jobs(*, session: Session, limit: int) -> list[ImportJob]:
    """The newest import jobs."""
    return jobs.get_all(session=session, after_id=None, limit=limit)
