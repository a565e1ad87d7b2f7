"""Article rows of an import: validate them and store them `pending` for the extraction workers.

Idempotent on `external_id`: a row whose id is already stored (by this import, an earlier one, or an
earlier row of the same upload) is counted as a duplicate and left alone. Rows without an
`external_id` are always stored.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from service.articles import service as articles
from service.articles.models import Article, ArticleStatus
from service.articles.schemas import ArticleIn
from service.auth.service import Actor
from service.imports.parse import RawRow
from service.imports.progress import Progress
from service.imports.source_rows import validation_message
from service.settings import Settings


class ArticleRow(BaseModel):
    """The import-only part of an article row."""

    external_id: str | None = Field(default=None, min_length=1, max_length=200)


def store_articles(
    session: Session,
    job_id: int,
    batch: list[RawRow],
    progress: Progress,
    actor: Actor | None,
    settings: Settings,
) -> None:
    """Add the batch's new articles to the session as pending; count duplicates and bad rows."""
    valid: list[tuple[int, str | None, ArticleIn]] = []
    for raw in batch:
        if raw.error is not None or raw.fields is None:
            progress.fail(raw.line, raw.error or "empty row")
            continue
        fields = {name: value for name, value in raw.fields.items() if value not in ("", None)}
        try:
            external_id = ArticleRow.model_validate(fields).external_id
            article_in = ArticleIn.model_validate(
                {name: value for name, value in fields.items() if name != "external_id"}
            )
        except ValidationError as exc:
            progress.fail(raw.line, validation_message(exc))
            continue
        if len(article_in.body) > settings.max_article_chars:
            progress.fail(raw.line, f"body: longer than {settings.max_article_chars:,} characters")
            continue
        valid.append((raw.line, external_id, article_in))
    wanted = [external_id for _line, external_id, _in in valid if external_id is not None]
    seen: set[str] = set(
        session.exec(select(Article.external_id).where(col(Article.external_id).in_(wanted))).all()  # type: ignore[arg-type]
        if wanted
        else []
    )
    key_id = actor.key_id if actor else None
    for _line, external_id, article_in in valid:
        if external_id is not None and external_id in seen:
            progress.duplicates += 1
            continue
        if external_id is not None:
            seen.add(external_id)
        session.add(
            articles.new_article(
                article_in=article_in,
                key_id=key_id,
                status=ArticleStatus.pending,
                external_id=external_id,
                import_job_id=job_id,
            )
        )
        progress.created += 1
    try:
        # Flushed here so that a concurrent import storing the same external_id first is a clear error.
        session.flush()
    except IntegrityError as exc:
        raise RuntimeError("another import stored one of these external_ids at the same time") from exc
