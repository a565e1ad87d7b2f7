"""Submitted articles, the classification of their sentences, and the LLM answer cache."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, Text
from sqlmodel import Field, SQLModel

from service.db import utcnow


class Article(SQLModel, table=True):
    __tablename__ = "article"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=1000)
    body: str = Field(sa_column=Column(Text, nullable=False))
    url: str | None = Field(default=None, max_length=2000)
    published_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    language: str | None = Field(default=None, max_length=20)
    extractor: str = Field(default="rules", max_length=20)
    extraction_meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False, index=True)
    )
    created_by_key_id: int | None = Field(default=None)


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
