"""What the API accepts and shows of an article."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, Field, field_validator

from service.claims.schemas import ClaimOut
from service.extraction.genre import Genre
from service.net.urls import HttpUrlText
from service.schemas import ResponseModel, UtcDateTime


class ArticleIn(BaseModel):
    title: str = Field(min_length=1, max_length=1000)
    body: str = Field(description="The article text; claim spans are offsets into exactly this string.")
    url: HttpUrlText | None = None
    published_at: datetime | date | None = Field(
        default=None, description="Resolves relative dates ('last week') in the text."
    )
    language: str | None = Field(default=None, max_length=20)
    extractor: Literal["rules", "llm"] | None = Field(
        default=None, description="Default: 'llm' when LLM_BASE_URL is set, else 'rules'."
    )
    genre: Genre | None = Field(
        default=None,
        description="editorial, news, transcript or interview (whose voice first person is; speaker "
        "labels in transcripts); detected from the text when absent.",
    )

    @field_validator("body")
    @classmethod
    def body_has_text(cls, body: str) -> str:
        if not body.strip():
            raise ValueError("body is empty")
        if "\x00" in body:
            raise ValueError("body contains a NUL character")
        return body


class ArticleSummary(ResponseModel):
    id: int
    title: str
    url: str | None
    published_at: UtcDateTime | None
    language: str | None
    extractor: str
    claim_count: int
    created_at: UtcDateTime


class ArticleOut(ResponseModel):
    id: int
    title: str
    body: str
    url: str | None
    published_at: UtcDateTime | None
    language: str | None
    extractor: str
    genre: str | None = None
    status: Literal["pending", "extracting", "done", "failed"] = Field(
        default="done", description="Extraction: pending and extracting for asynchronous submissions."
    )
    error_message: str | None = Field(default=None, description="Why the extraction failed.")
    extraction: dict[str, Any] = Field(validation_alias=AliasChoices("extraction_meta", "extraction"))
    created_at: UtcDateTime
    claims: list[ClaimOut]


class SentenceOut(ResponseModel):
    index: int
    span: tuple[int, int]
    text: str
    label: str
    score: float
    reason: str
    claim_count: int
