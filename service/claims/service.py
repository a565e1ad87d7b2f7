"""Claims: store what an extractor found, load them, record their history."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from service.auth.service import Actor
from service.claims.models import Claim, ClaimAction, ClaimEvent, ClaimTag, sign
from service.claims.schemas import ClaimOut, PriorCheck
from service.claims.text import claim_text_hash, normalize_claim_text
from service.exceptions import NotFound
from service.extraction.result import Extraction


def get(*, session: Session, claim_id: int) -> Claim:
    """The claim with this id, or NotFound."""
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFound(f"No claim with id {claim_id}.", details={"claim_id": claim_id})
    return claim


def etag(claim: Claim) -> str:
    """The strong ETag of a claim's current version."""
    return f'"claim-{claim.id}-v{claim.version}"'


def record_event(
    *,
    session: Session,
    claim: Claim,
    actor: Actor | None,
    action: ClaimAction,
    field: str | None = None,
    before: Any = None,
    after: Any = None,
) -> ClaimEvent:
    """Append one entry to the claim's history (never edited or deleted afterwards)."""
    assert claim.id is not None
    event = ClaimEvent(
        claim_id=claim.id,
        version=claim.version,
        action=action,
        field=field,
        before=before,
        after=after,
        key_id=actor.key_id if actor else None,
        actor=actor.name if actor else "system",
    )
    session.add(event)
    return event


def create_from_extraction(
    *, session: Session, article_id: int, extraction: Extraction, actor: Actor | None
) -> list[Claim]:
    """Store every claim an extractor found for an article, each with a 'created' history entry."""
    claims = []
    prompt_version = extraction.meta.get("prompt_version")
    # The article's date resolves the claims' 'last year' (the extractor's own quantities used it too).
    published = extraction.meta.get("published_at")
    reference_date = date.fromisoformat(str(published)[:10]) if published else None
    for found in extraction.claims:
        claim = Claim(
            article_id=article_id,
            text=found.text,
            text_normalized=normalize_claim_text(found.text),
            text_hash=claim_text_hash(found.text),
            quote=found.quote,
            span_start=found.start,
            span_end=found.end,
            sentence_index=found.sentence_index,
            checkworthy=found.checkworthy,
            score=round(found.score, 4),
            kind=found.kind,
            speaker=found.speaker,
            decontextualised=found.decontextualised,
            items=list(found.items),
            entities=[dataclasses.asdict(entity) for entity in found.entities],
            quantities=[dataclasses.asdict(quantity) for quantity in found.quantities],
            extractor=extraction.extractor,
            prompt_version=str(prompt_version) if prompt_version else None,
            created_by_key_id=actor.key_id if actor else None,
        )
        sign(claim, reference_date)
        session.add(claim)
        claims.append(claim)
    session.flush()
    for claim in claims:
        record_event(session=session, claim=claim, actor=actor, action=ClaimAction.created, after=claim.text)
    return claims


def tags_by_claim(*, session: Session, claim_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each claim's tags, for a batch of claims in one query."""
    ids = list(claim_ids)
    tags: dict[int, list[str]] = {claim_id: [] for claim_id in ids}
    if ids:
        for row in session.exec(select(ClaimTag).where(col(ClaimTag.claim_id).in_(ids))):
            tags[row.claim_id].append(row.tag)
    return tags


def to_out(
    *,
    session: Session,
    claims: Sequence[Claim],
    matches: dict[int, list[PriorCheck]] | None = None,
) -> list[ClaimOut]:
    """API views of a batch of claims, tags loaded in one query."""
    tags = tags_by_claim(session=session, claim_ids=[claim.id for claim in claims if claim.id is not None])
    matches = matches or {}
    return [
        ClaimOut.of(claim, tags=tags.get(claim.id or 0, []), matches=matches.get(claim.id or 0, []))
        for claim in claims
    ]
