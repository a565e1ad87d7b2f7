"""What the match endpoint accepts and answers."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from service.claims.schemas import PriorCheck
from service.schemas import ResponseModel

MAX_MATCH_TEXT_CHARS = 10_000


class Matcher(StrEnum):
    """Which matcher ranked an answer: embeddings for every candidate, none, or some (a backlog remains)."""

    semantic = "semantic"
    lexical = "lexical"
    mixed = "mixed"


class MatchIn(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_MATCH_TEXT_CHARS)
    limit: int = Field(default=10, ge=1, le=100)


class MatchOut(ResponseModel):
    """Stored claims the text repeats, best first, and which matcher ranked them."""

    matcher: Matcher = Field(
        description="semantic: every candidate had an embedding; lexical: none was used (no semantic extra, "
        "or none of the candidates embedded yet); mixed: some candidates were still waiting for theirs"
    )
    results: list[PriorCheck]
