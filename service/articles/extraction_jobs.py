"""Article extraction as a durable job: workers lease pending articles and extract them one at a time.

Asynchronous submissions (`Prefer: respond-async`) and bulk-imported articles are stored `pending`;
any worker of any process leases one with the same machinery as import jobs (`service.leasing`:
SKIP LOCKED on PostgreSQL, takeover of dead or silent workers), extracts it, and commits its
sentences, claims and `done` status in one transaction, with an `article.extracted` webhook event.
A worker killed mid-extraction leaves the article `extracting` until another takes it over; an
article that has been started `MAX_ATTEMPTS` times without finishing is marked `failed`.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine, func, select, update
from sqlmodel import Session, col

from service.articles import service
from service.articles.models import Article, ArticleStatus
from service.auth.service import Actor, actor_of_key
from service.db import utcnow
from service.leasing import STALE_AFTER_SECONDS, Queue, lease
from service.settings import Settings
from service.webhooks import delivery as webhooks

log = logging.getLogger("claimcheck.articles")

MAX_ATTEMPTS = 3
ARTICLE_QUEUE = Queue(
    table=Article.__table__,  # type: ignore[attr-defined]
    waiting=ArticleStatus.pending,
    held=ArticleStatus.extracting,
)


def extract_next(
    *, engine: Engine, worker_id: str, settings: Settings, stale_seconds: float = STALE_AFTER_SECONDS
) -> int | None:
    """Lease one pending article (or one a dead worker held), extract and store it; its id, or None."""
    with Session(engine) as session:
        article_id = lease(
            session=session, queue=ARTICLE_QUEUE, worker_id=worker_id, stale_seconds=stale_seconds
        )
    if article_id is None:
        return None
    with Session(engine) as session:
        # Counted before the work, so an article that kills its worker is not retried forever.
        session.execute(
            update(Article).where(col(Article.id) == article_id).values(attempts=col(Article.attempts) + 1)
        )
        session.commit()
        article = session.get(Article, article_id)
        assert article is not None
        if article.attempts > MAX_ATTEMPTS:
            _finish_failed(
                session, article, worker_id, f"extraction did not finish in {MAX_ATTEMPTS} attempts"
            )
            return article_id
        try:
            extraction = service.run_extractor(
                session=session,
                body=article.body,
                published_at=article.published_at,
                extractor=article.extraction_meta.get(service.REQUESTED_EXTRACTOR),
                settings=settings,
                genre=article.genre,
                title=article.title,
            )
        except Exception as exc:
            session.rollback()
            log.exception("article extraction failed", extra={"article_id": article_id})
            _finish_failed(session, article, worker_id, f"{type(exc).__name__}: {exc}"[:2000])
            return article_id
        if not _still_held(session, article_id, worker_id):
            session.rollback()
            log.warning("article taken over by another worker", extra={"article_id": article_id})
            return article_id
        stored = service.store_extraction(
            session=session, article=article, extraction=extraction, actor=_submitter(session, article)
        )
        article.worker_id = None
        _announce(session, article, claim_count=len(stored))
        session.commit()
    webhooks.wake_delivery_thread()
    return article_id


def status_counts(*, session: Session, import_job_id: int) -> dict[str, int]:
    """How many of an import job's articles are in each status."""
    found = session.execute(
        select(Article.status, func.count())  # type: ignore[call-overload]
        .where(col(Article.import_job_id) == import_job_id)
        .group_by(Article.status)
    ).all()
    counts = {status.value: 0 for status in ArticleStatus}
    counts.update({status: count for status, count in found})
    return counts


def _still_held(session: Session, article_id: int, worker_id: str) -> bool:
    """Refresh the lease inside the storing transaction; False when another worker has taken it over."""
    result = session.execute(
        update(Article)
        .where(
            col(Article.id) == article_id,
            col(Article.worker_id) == worker_id,
            col(Article.status) == ArticleStatus.extracting,
        )
        .values(heartbeat_at=utcnow())
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _finish_failed(session: Session, article: Article, worker_id: str, message: str) -> None:
    if not _still_held(session, article.id or 0, worker_id):
        session.rollback()
        return
    article.status = ArticleStatus.failed
    article.error_message = message
    article.worker_id = None
    session.add(article)
    _announce(session, article, claim_count=0)
    session.commit()
    webhooks.wake_delivery_thread()


def _announce(session: Session, article: Article, *, claim_count: int) -> None:
    """The `article.extracted` event for every active webhook, in the caller's transaction."""
    payload = {
        "event": webhooks.ARTICLE_EXTRACTED_EVENT,
        "article_id": article.id,
        "external_id": article.external_id,
        "status": article.status,
        "extractor": article.extractor,
        "claim_count": claim_count,
        "error_message": article.error_message,
        "location": f"/v1/articles/{article.id}",
    }
    webhooks.enqueue(session=session, event=webhooks.ARTICLE_EXTRACTED_EVENT, payload=payload)


def _submitter(session: Session, article: Article) -> Actor | None:
    return actor_of_key(session=session, key_id=article.created_by_key_id)
