"""Browser sessions of the review desk, held on the server; the cookie carries only a random token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from service.db import utcnow


class UiSession(SQLModel, table=True):
    __tablename__ = "ui_session"

    id: int | None = Field(default=None, primary_key=True)
    # SHA-256 of the cookie's token: a leaked table does not sign anyone in.
    token_hash: str = Field(max_length=64, unique=True, index=True)
    key_id: int = Field(
        sa_column=Column(Integer, ForeignKey("api_key.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True)))
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False, index=True))
