"""HTTP for articles: submit, read, list, their claims and sentences."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response
from sqlmodel import Session

from service.api.deps import ReadKey, SessionDep, SettingsDep, SubmitKey
from service.api.pagination import Page
from service.articles import service
from service.articles.models import Article
from service.articles.schemas import ArticleIn, ArticleOut, ArticleSummary, SentenceOut
from service.claims import service as claims
from service.claims.models import Claim
from service.claims.schemas import ClaimOut, PriorCheck
from service.cursors import cursor_id, next_id_cursor

router = APIRouter(prefix="/v1/articles", tags=["articles"])


def _article_out(
    session: Session,
    article: Article,
    article_claims: list[Claim],
    matches: dict[int, list[PriorCheck]] | None = None,
) -> ArticleOut:
    return ArticleOut.of(
        article, claims=claims.to_out(session=session, claims=article_claims, matches=matches)
    )


def _wants_async(prefer: str | None) -> bool:
    """Whether a Prefer header (RFC 7240: 'respond-async, wait=10') asks for an asynchronous answer."""
    preferences = (part.split(";")[0].split("=")[0].strip().lower() for part in (prefer or "").split(","))
    return "respond-async" in preferences


@router.post(
    "",
    status_code=201,
    responses={202: {"model": ArticleOut, "description": "Prefer: respond-async: stored, not yet extracted"}},
)
def submit_article(
    body: ArticleIn,
    session: SessionDep,
    settings: SettingsDep,
    key: SubmitKey,
    response: Response,
    prefer: Annotated[str | None, Header(description="respond-async: answer 202 at once")] = None,
) -> ArticleOut:
    """Store an article and extract its checkable claims; with `Prefer: respond-async`, answer 202 at
    once with `Location`, a worker extracts it, and GET shows `status` (a webhook `article.extracted`
    says when it is done)."""
    if _wants_async(prefer):
        article = service.submit_async(session=session, article_in=body, actor=key, settings=settings)
        response.status_code = 202
        response.headers["Location"] = f"/v1/articles/{article.id}"
        response.headers["Preference-Applied"] = "respond-async"
        return _article_out(session, article, [])
    article, article_claims = service.submit(session=session, article_in=body, actor=key, settings=settings)
    matches = service.prior_checks_by_claim(session=session, article_claims=article_claims, settings=settings)
    return _article_out(session, article, article_claims, matches)


@router.get("")
def list_articles(
    session: SessionDep,
    _key: ReadKey,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[ArticleSummary]:
    """Articles, newest first, a page at a time."""
    items = service.get_all(session=session, after_id=cursor_id(cursor), limit=limit)
    next_cursor = next_id_cursor(items, limit)
    return Page[ArticleSummary](items=items, next_cursor=next_cursor)


@router.get("/{article_id}")
def get_article(article_id: int, session: SessionDep, _key: ReadKey) -> ArticleOut:
    """One article with its claims."""
    article = service.get(session=session, article_id=article_id)
    return _article_out(session, article, service.claims_of(session=session, article_id=article_id))


@router.get("/{article_id}/claims")
def get_article_claims(article_id: int, session: SessionDep, _key: ReadKey) -> list[ClaimOut]:
    """An article's claims in reading order."""
    return claims.to_out(session=session, claims=service.claims_of(session=session, article_id=article_id))


@router.get("/{article_id}/sentences")
def get_article_sentences(article_id: int, session: SessionDep, _key: ReadKey) -> list[SentenceOut]:
    """Every sentence with its classification and the reason, including the skipped ones."""
    return service.sentences_of(session=session, article_id=article_id)
