"""HTTP for reference sources and evidence: thin calls into service.linking.sources and .evidence."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlmodel import Session

from service.api.deps import ImportKey, ReadKey, ReviewKey, SessionDep
from service.api.pagination import Page
from service.cursors import cursor_id, next_id_cursor
from service.linking import evidence, sources
from service.linking.models import Source
from service.linking.schemas import (
    MAX_EVIDENCE_LIMIT,
    EvidenceLinkIn,
    EvidenceLinkOut,
    EvidenceOut,
    EvidenceSearchIn,
    EvidenceStatus,
    PassageOut,
    SourceIn,
    SourceOut,
    SourceSummary,
    SourceWritten,
)

router = APIRouter(prefix="/v1", tags=["evidence"])

EvidenceLimit = Annotated[int, Query(ge=1, le=MAX_EVIDENCE_LIMIT)]


def _passages(session: Session, source: Source) -> list[PassageOut]:
    assert source.id is not None
    return [
        PassageOut.of(passage, span=(passage.span_start, passage.span_end))
        for passage in sources.passages_of(session=session, source_id=source.id)
    ]


@router.post("/sources", status_code=201)
def create_source(body: SourceIn, response: Response, session: SessionDep, _key: ImportKey) -> SourceWritten:
    """Store a reference source; the same url again updates it (200) and re-splits its passages."""
    source, created = sources.create(session=session, source_in=body)
    if not created:
        response.status_code = 200
    passages = _passages(session, source)
    return SourceWritten.of(source, passages=passages, passage_count=len(passages), created=created)


@router.get("/sources")
def list_sources(
    session: SessionDep,
    _key: ReadKey,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[SourceSummary]:
    """Sources in the order they were first stored, a page at a time."""
    page = sources.get_all(session=session, after_id=cursor_id(cursor), limit=limit)
    counts = sources.passage_counts(session=session, source_ids=[s.id for s in page if s.id is not None])
    items = [SourceSummary.of(source, passage_count=counts.get(source.id or 0, 0)) for source in page]
    next_cursor = next_id_cursor(page, limit)
    return Page[SourceSummary](items=items, next_cursor=next_cursor)


@router.get("/sources/{source_id}")
def get_source(source_id: int, session: SessionDep, _key: ReadKey) -> SourceOut:
    """One source with its text and passages."""
    source = sources.get(session=session, source_id=source_id)
    passages = _passages(session, source)
    return SourceOut.of(source, passages=passages, passage_count=len(passages))


@router.delete("/sources/{source_id}", status_code=204)
def delete_source(source_id: int, session: SessionDep, _key: ImportKey) -> Response:
    """Delete a source with its passages and every evidence link to them."""
    sources.delete(session=session, source_id=source_id)
    return Response(status_code=204)


@router.get("/claims/{claim_id}/evidence")
def claim_evidence(
    claim_id: int, session: SessionDep, _key: ReadKey, limit: EvidenceLimit = 10
) -> list[EvidenceOut]:
    """Passages bearing on a claim, best first; pinned links on top, rejected ones left out."""
    return evidence.evidence_for_claim(session=session, claim_id=claim_id, limit=limit)


@router.post("/evidence/search")
def search_evidence(body: EvidenceSearchIn, session: SessionDep, _key: ReadKey) -> list[EvidenceOut]:
    """Passages bearing on free text, best first (for newsroom tools before an article exists)."""
    return evidence.search(session=session, text=body.text, limit=body.limit)


@router.get("/evidence/status")
def evidence_status(session: SessionDep, _key: ReadKey) -> EvidenceStatus:
    """Lexical or semantic retrieval, and how many passages still wait for their embedding."""
    return evidence.status(session=session)


@router.post("/claims/{claim_id}/evidence/{passage_id}")
def judge_evidence(
    claim_id: int, passage_id: int, body: EvidenceLinkIn, session: SessionDep, key: ReviewKey
) -> EvidenceLinkOut:
    """Pin a passage as supporting, refuting or context for a claim, or reject it as irrelevant."""
    link = evidence.set_relation(
        session=session, claim_id=claim_id, passage_id=passage_id, relation=body.relation, actor=key
    )
    return evidence.link_out(link)
