"""Articles: store a submission, run the extractor, read articles back."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.articles.llm_cache import DatabaseExtractionCache
from service.articles.models import Article, ArticleSentence, ArticleStatus
from service.articles.schemas import ArticleIn, ArticleSummary, SentenceOut
from service.auth.service import Actor
from service.claims import service as claims
from service.claims.models import Claim
from service.claims.schemas import PriorCheck
from service.db import as_utc
from service.exceptions import InvalidInput, NotFound, PayloadTooLarge
from service.extraction import extract
from service.extraction.llm import extract_with_llm
from service.extraction.result import Extraction
from service.matching.matcher import prior_checks
from service.metrics import EXTRACTION_SECONDS
from service.settings import Settings

# While an article waits for a worker, its meta remembers which extractor the submitter asked for.
REQUESTED_EXTRACTOR = "requested_extractor"


def run_extractor(
    *,
    session: Session,
    body: str,
    published_at: datetime | None,
    extractor: str | None,
    settings: Settings,
    genre: str | None = None,
    title: str | None = None,
) -> Extraction:
    """Extract claims with the requested extractor (LLM when configured, the rules otherwise)."""
    published_day = published_at.date() if published_at else None
    wants_llm = extractor == "llm" or (extractor is None and settings.llm_base_url is not None)
    started = time.perf_counter()
    if wants_llm:
        if settings.llm_base_url is None:
            raise InvalidInput(
                "extractor: 'llm' needs LLM_BASE_URL to be configured on the server",
                details={"field": "extractor"},
            )
        extraction = extract_with_llm(
            body,
            published_at=published_day,
            genre=genre,
            title=title,
            settings=settings,
            cache=DatabaseExtractionCache(session),
        )
    else:
        extraction = extract(body, published_at=published_day, genre=genre, title=title)
    EXTRACTION_SECONDS.labels(extraction.extractor).observe(time.perf_counter() - started)
    return extraction


def check_size(*, article_in: ArticleIn, settings: Settings) -> None:
    """PayloadTooLarge when the body is over `max_article_chars`."""
    if len(article_in.body) > settings.max_article_chars:
        raise PayloadTooLarge(
            f"body: {len(article_in.body):,} characters; the limit is {settings.max_article_chars:,}.",
            details={"field": "body", "limit": settings.max_article_chars},
        )


def new_article(
    *,
    article_in: ArticleIn,
    key_id: int | None,
    status: ArticleStatus,
    external_id: str | None = None,
    import_job_id: int | None = None,
) -> Article:
    """The article row for a submission, not yet extracted (the extractor asked for kept in its meta)."""
    return Article(
        title=article_in.title,
        body=article_in.body,
        url=article_in.url,
        published_at=as_utc(article_in.published_at) if article_in.published_at else None,
        language=article_in.language,
        extractor=article_in.extractor or "rules",
        genre=article_in.genre,
        extraction_meta={REQUESTED_EXTRACTOR: article_in.extractor},
        created_by_key_id=key_id,
        status=status,
        external_id=external_id,
        import_job_id=import_job_id,
    )


def store_extraction(
    *, session: Session, article: Article, extraction: Extraction, actor: Actor | None
) -> list[Claim]:
    """Add an extraction's sentences and claims to the session and mark the article done."""
    assert article.id is not None
    article.extractor = extraction.extractor
    detected = extraction.meta.get("genre")  # the rule extractor's, when none was given
    article.genre = article.genre or (str(detected) if detected else None)
    article.extraction_meta = dict(extraction.meta)
    article.status = ArticleStatus.done
    article.error_message = None
    session.add(article)
    for report in extraction.sentences:
        session.add(
            ArticleSentence(
                article_id=article.id,
                position=report.index,
                span_start=report.start,
                span_end=report.end,
                text=report.text,
                label=report.label,
                score=round(report.score, 4),
                reason=report.reason,
                claim_count=report.claim_count,
            )
        )
    return claims.create_from_extraction(
        session=session, article_id=article.id, extraction=extraction, actor=actor
    )


def submit(
    *, session: Session, article_in: ArticleIn, actor: Actor, settings: Settings
) -> tuple[Article, list[Claim]]:
    """Store an article with its sentences and extracted claims, all in one transaction."""
    check_size(article_in=article_in, settings=settings)
    extraction = run_extractor(
        session=session,
        body=article_in.body,
        published_at=as_utc(article_in.published_at) if article_in.published_at else None,
        extractor=article_in.extractor,
        settings=settings,
        genre=article_in.genre,
        title=article_in.title,
    )
    article = new_article(article_in=article_in, key_id=actor.key_id, status=ArticleStatus.done)
    session.add(article)
    session.flush()
    stored = store_extraction(session=session, article=article, extraction=extraction, actor=actor)
    session.commit()
    session.refresh(article)
    return article, stored


def submit_async(*, session: Session, article_in: ArticleIn, actor: Actor, settings: Settings) -> Article:
    """Store an article as pending for a worker to extract (`Prefer: respond-async`)."""
    check_size(article_in=article_in, settings=settings)
    if article_in.extractor == "llm" and settings.llm_base_url is None:
        raise InvalidInput(
            "extractor: 'llm' needs LLM_BASE_URL to be configured on the server",
            details={"field": "extractor"},
        )
    article = new_article(article_in=article_in, key_id=actor.key_id, status=ArticleStatus.pending)
    session.add(article)
    session.commit()
    session.refresh(article)
    return article


def prior_checks_by_claim(
    *, session: Session, article_claims: list[Claim], settings: Settings
) -> dict[int, list[PriorCheck]]:
    """The reviewed claims each new claim repeats ("already checked: false, 2022-01-20"), by claim id."""
    checks = prior_checks(session=session, texts=[claim.text for claim in article_claims], settings=settings)
    return {
        claim.id: found for claim, found in zip(article_claims, checks, strict=True) if claim.id is not None
    }


def get(*, session: Session, article_id: int) -> Article:
    """The article with this id, or NotFound."""
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound(f"No article with id {article_id}.", details={"article_id": article_id})
    return article


def titles(*, session: Session, article_ids: Iterable[int]) -> dict[int, str]:
    """The titles of a batch of articles, by id, in one query."""
    ids = set(article_ids)
    if not ids:
        return {}
    rows = session.exec(select(Article.id, Article.title).where(col(Article.id).in_(ids)))
    return {article_id: title for article_id, title in rows if article_id is not None}


def get_all(*, session: Session, after_id: int | None, limit: int) -> list[ArticleSummary]:
    """Articles newest first, after the given id (keyset pagination)."""
    query = select(Article).order_by(col(Article.id).desc()).limit(limit)
    if after_id is not None:
        query = query.where(col(Article.id) < after_id)
    articles = list(session.exec(query))
    ids = [article.id for article in articles]
    counts: dict[int, int] = {}
    if ids:
        count_rows = session.exec(
            select(Claim.article_id, func.count())
            .where(col(Claim.article_id).in_(ids))
            .group_by(col(Claim.article_id))
        )
        counts = {article_id: count for article_id, count in count_rows if article_id is not None}
    return [ArticleSummary.of(article, claim_count=counts.get(article.id or 0, 0)) for article in articles]


def claims_of(*, session: Session, article_id: int) -> list[Claim]:
    """An article's claims in reading order."""
    get(session=session, article_id=article_id)
    query = select(Claim).where(Claim.article_id == article_id).order_by(col(Claim.span_start), col(Claim.id))
    return list(session.exec(query))


def sentences_of(*, session: Session, article_id: int) -> list[SentenceOut]:
    """Every sentence of an article with its classification and the reason for it."""
    get(session=session, article_id=article_id)
    query = (
        select(ArticleSentence)
        .where(ArticleSentence.article_id == article_id)
        .order_by(col(ArticleSentence.position))
    )
    return [
        SentenceOut.of(row, index=row.position, span=(row.span_start, row.span_end))
        for row in session.exec(query)
    ]
