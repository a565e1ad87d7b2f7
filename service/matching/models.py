"""What matching stores beside a claim: its sentence embedding."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, LargeBinary
from sqlmodel import Field, SQLModel


class ClaimEmbedding(SQLModel, table=True):
    """A claim's sentence embedding, computed after import by a background step."""

    __tablename__ = "claim_embedding"

    claim_id: int = Field(
        sa_column=Column(Integer, ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True)
    )
    model: str = Field(max_length=100)
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
