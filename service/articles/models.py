"""Submitted articles, the classification of their sentences, and the LLM answer cache."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel

from service.db import utcnow


class ArticleStatus(StrEnum):
    """Where an article's extraction is: waiting for a worker, under way, finished, or given up."""

    pending = "pending"
    extracting = "extracting"
    done = "done"
    failed = "failed"


class Article(SQLModel, table=True):
    __tablename__ = "article"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=1000)
    body: str = Field(sa_column=Column(Text, nullable=False))
    url: str | None = Field(default=None, max_length=2000)
    published_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    language: str | None = Field(default=None, max_length=20)
    extractor: str = Field(default="rules", max_length=20)
    genre: str | None = Field(default=None, max_length=20)  # extraction.genre.Genre; NULL before 0017
    extraction_meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False, index=True)
    )
    created_by_key_id: int | None = Field(default=None)
    # The extraction job (migration 0015): a lease like import_job's, for asynchronous and bulk articles.
    status: str = Field(default=ArticleStatus.done, max_length=20, index=True)
    worker_id: str | None = Field(default=None, max_length=100)
    heartbeat_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    attempts: int = 0
    error_message: str | None = Field(default=None, sa_column=Column(Text))
    external_id: str | None = Field(default=None, max_length=200, unique=True, index=True)
    import_job_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("import_job.id", ondelete="SET NULL"), index=True),
    )


class ArticleSentence(SQLModel, table=True):
    __tablename__ = "article_sentence"

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(
        sa_column=Column(Integer, ForeignKey("article.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    position: int
    span_start: int
    span_end: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    label: str = Field(max_length=30)
    score: float
    reason: str = Field(sa_column=Column(Text, nullable=False))
    claim_count: int = 0


class LLMCacheEntry(SQLModel, table=True):
    __tablename__ = "llm_cache"

    key: str = Field(primary_key=True, max_length=64)
    value: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True)))
