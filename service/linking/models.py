"""Reference sources, their passages, and the evidence links fact-checkers pin."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Integer, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.db import utcnow


class Source(SQLModel, table=True):
    __tablename__ = "source"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000, unique=True, index=True)
    title: str = Field(max_length=1000)
    publisher: str | None = Field(default=None, max_length=500)
    published_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    text: str = Field(sa_column=Column(Text, nullable=False))
    external_id: str | None = Field(default=None, max_length=200)
    language: str | None = Field(default=None, max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True)))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True)))


class Passage(SQLModel, table=True):
    __tablename__ = "passage"

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(
        sa_column=Column(Integer, ForeignKey("source.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    position: int
    span_start: int
    span_end: int
    text: str = Field(sa_column=Column(Text, nullable=False))


class PassageEmbedding(SQLModel, table=True):
    """A passage's sentence embedding (MiniLM, float16), computed in the background like claim embeddings."""

    __tablename__ = "passage_embedding"

    passage_id: int = Field(
        sa_column=Column(Integer, ForeignKey("passage.id", ondelete="CASCADE"), primary_key=True)
    )
    model: str = Field(max_length=100)
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class EvidenceLink(SQLModel, table=True):
    """A fact-checker's judgement of one passage for one claim (pinned or rejected)."""

    __tablename__ = "evidence_link"
    __table_args__ = (UniqueConstraint("claim_id", "passage_id"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(
        sa_column=Column(Integer, ForeignKey("claim.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    passage_id: int = Field(
        sa_column=Column(Integer, ForeignKey("passage.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    relation: str = Field(max_length=20)
    key_id: int | None = None
    actor: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True)))


class LibraryState(SQLModel, table=True):
    """One row: `version` goes up with every write to sources or passages (see linking.sources)."""

    __tablename__ = "library_state"

    id: int = Field(primary_key=True)
    version: int = Field(sa_column=Column(BigInteger, nullable=False))
