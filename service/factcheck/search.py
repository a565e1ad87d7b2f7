"""Search the checks a newsroom tool may show: claims published here and imported ClaimReviews.

Ranked by the claim matcher (`service.matching`) when there is a query, newest review first otherwise;
then narrowed the way Google's Fact Check Tools API narrows: language (primary subtag), review publisher
site (the domain or a subdomain of it) and age (the newer of claim date and review date).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import Session, col, select

from service.articles.models import Article
from service.claims.models import Claim
from service.db import as_utc, utcnow
from service.factcheck.schemas import ClaimReview, FactCheckedClaim, Publisher
from service.matching.matcher import match
from service.review.claimreview import claim_url, claimant
from service.review.scale import verdict_label
from service.review.workflow import Status
from service.settings import Settings

# How many matcher candidates a query ranks; later pages page through these.
RANKED_CANDIDATES = 100
SCAN_BATCH = 500


@dataclass(frozen=True)
class SearchRequest:
    query: str | None = None
    language_code: str | None = None
    review_publisher_site: str | None = None
    max_age_days: int | None = None
    offset: int = 0
    page_size: int = 10


def search(
    *, session: Session, request: SearchRequest, settings: Settings
) -> tuple[list[FactCheckedClaim], bool]:
    """One page of fact-checked claims, and whether more follow."""
    wanted = request.offset + request.page_size + 1
    found: list[FactCheckedClaim] = []
    for claim, article in _candidates(session=session, request=request, settings=settings):
        checked = _fact_checked(claim, article, settings)
        if _keep(checked, claim, article, request):
            found.append(checked)
            if len(found) >= wanted:
                break
    page = found[request.offset : request.offset + request.page_size]
    return page, len(found) > request.offset + request.page_size


def site_of(url: str | None) -> str | None:
    """'https://www.politifact.com/x' -> 'politifact.com'."""
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else None


def _candidates(
    *, session: Session, request: SearchRequest, settings: Settings
) -> Iterator[tuple[Claim, Article | None]]:
    if request.query:
        ranked = match(
            session=session,
            text=request.query,
            limit=RANKED_CANDIDATES,
            settings=settings,
            only_checked=True,
            # Same and related claims alike (Google's search shows both), in the matcher's order.
            threshold=None,
        ).results
        ids = [prior.id for prior in ranked]
        claims = {
            claim.id: claim
            for claim in session.exec(select(Claim).where(col(Claim.id).in_(ids), _is_fact_check()))
        }
        ordered = [claims[claim_id] for claim_id in ids if claim_id in claims]
        yield from _with_articles(session, ordered)
        return
    reviewed = sa.func.coalesce(col(Claim.published_at), col(Claim.reviewed_at))
    query = select(Claim).where(_is_fact_check()).order_by(reviewed.desc(), col(Claim.id).desc())
    start = 0
    while True:
        batch = list(session.exec(query.offset(start).limit(SCAN_BATCH)))
        yield from _with_articles(session, batch)
        if len(batch) < SCAN_BATCH:
            return
        start += SCAN_BATCH


def _is_fact_check() -> sa.ColumnElement[bool]:
    """Published here, or imported with a verdict and the url of someone's review."""
    return sa.and_(
        col(Claim.verdict).is_not(None),
        sa.or_(col(Claim.status) == Status.published.value, col(Claim.review_url).is_not(None)),
    )


def _with_articles(session: Session, claims: Sequence[Claim]) -> Iterator[tuple[Claim, Article | None]]:
    article_ids = {claim.article_id for claim in claims if claim.article_id is not None}
    articles: dict[int | None, Article] = {}
    if article_ids:
        articles = {a.id: a for a in session.exec(select(Article).where(col(Article.id).in_(article_ids)))}
    for claim in claims:
        yield claim, articles.get(claim.article_id) if claim.article_id is not None else None


def _fact_checked(claim: Claim, article: Article | None, settings: Settings) -> FactCheckedClaim:
    assert claim.verdict is not None
    if claim.status == Status.published.value and not claim.review_url:
        publisher = Publisher(name=settings.organization_name, site=site_of(settings.organization_url))
        reviewed_at = claim.published_at
    else:
        site = site_of(claim.review_url)
        publisher = Publisher(name=claim.publisher or site, site=site)
        reviewed_at = claim.reviewed_at or claim.published_at
    claimed_at = claim.claimed_at or (article.published_at if article is not None else None)
    return FactCheckedClaim(
        text=claim.text,
        claimant=claimant(claim, article),
        claimDate=_timestamp(claimed_at),
        claimReview=[
            ClaimReview(
                publisher=publisher,
                url=claim_url(claim, settings),
                title=claim.summary,
                reviewDate=_timestamp(reviewed_at),
                textualRating=verdict_label(claim.verdict),
                languageCode=claim.language,
            )
        ],
    )


def _keep(checked: FactCheckedClaim, claim: Claim, article: Article | None, request: SearchRequest) -> bool:
    review = checked.claimReview[0]
    # Google compares the language, not the region: "en-US" finds "en" and "en-GB". A claim whose language
    # was never recorded is kept.
    if (
        request.language_code
        and claim.language
        and _primary_subtag(claim.language) != _primary_subtag(request.language_code)
    ):
        return False
    if request.review_publisher_site:
        wanted = site_of(f"//{request.review_publisher_site}") or request.review_publisher_site.lower()
        site = review.publisher.site or ""
        if not (site == wanted or site.endswith("." + wanted)):
            return False
    if request.max_age_days is not None:
        said_at = claim.claimed_at or (article.published_at if article is not None else None)
        moments = [moment for moment in (said_at, claim.published_at, claim.reviewed_at) if moment]
        newest = max((as_utc(moment) for moment in moments), default=None)
        if newest is None or newest < utcnow() - timedelta(days=request.max_age_days):
            return False
    return True


def _primary_subtag(language: str) -> str:
    return language.strip().lower().replace("_", "-").split("-")[0]


def _timestamp(moment: datetime | None) -> str | None:
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else None
