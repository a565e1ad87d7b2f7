"""What the API accepts and shows of reference sources and evidence."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator

from service.linking.agreement import Agreement, Hint
from service.net.urls import HttpUrlText
from service.schemas import ResponseModel, UtcDateTime

# A source is a reference document, not a book: keep one request and one row reasonable.
MAX_SOURCE_CHARS = 1_000_000
MAX_EVIDENCE_LIMIT = 100


class SourceIn(BaseModel):
    """One reference source as a client or an import row sends it; `url` is its identity."""

    url: HttpUrlText
    title: str = Field(min_length=1, max_length=1000)
    publisher: str | None = Field(default=None, max_length=500)
    published_at: datetime | date | None = None
    text: str = Field(min_length=1, max_length=MAX_SOURCE_CHARS)
    external_id: str | None = Field(default=None, max_length=200)
    language: str | None = Field(default=None, max_length=20)

    @field_validator("title")
    @classmethod
    def not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be blank")
        return value

    @field_validator("text")
    @classmethod
    def text_has_words(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("text is empty")
        if "\x00" in text:
            raise ValueError("text contains a NUL character")
        return text


class SourceSummary(ResponseModel):
    id: int
    url: str
    title: str
    publisher: str | None
    published_at: UtcDateTime | None
    external_id: str | None
    language: str | None
    passage_count: int
    created_at: UtcDateTime
    updated_at: UtcDateTime


class PassageOut(ResponseModel):
    id: int
    position: int
    span: tuple[int, int]
    text: str


class SourceOut(SourceSummary):
    text: str
    passages: list[PassageOut]


class SourceWritten(SourceOut):
    created: bool = Field(description="False when a source with this url existed and was updated.")


class Relation(StrEnum):
    supports = "supports"
    refutes = "refutes"
    context = "context"
    irrelevant = "irrelevant"


class EvidenceLinkIn(BaseModel):
    relation: Relation


class Highlight(ResponseModel):
    """A passage word that matches the claim; offsets into the source text, like `span`."""

    text: str
    start: int
    end: int


class ValueAgreementOut(ResponseModel):
    """One number, date or list item of the claim and what the passage says of it."""

    claim: str = Field(description="The claim's value, normalised ('GBP 9.1 billion', '91%', '2023-03').")
    passage: str | None = Field(
        description="The passage's equal or differing value; null when it states none."
    )
    agreement: Agreement


class EvidenceAgreement(ResponseModel):
    numbers: list[ValueAgreementOut]
    dates: list[ValueAgreementOut]
    items: list[ValueAgreementOut]


class EvidenceOut(ResponseModel):
    source_id: int
    passage_id: int
    url: str
    title: str
    publisher: str | None
    published_at: UtcDateTime | None
    passage: str
    span: tuple[int, int]
    score: float = Field(ge=0, le=100)
    highlights: list[Highlight]
    matched_items: list[str]
    agreement: EvidenceAgreement = Field(
        description="For each number, date and list item of the claim: the same value in the passage, a "
        "different one, or none (absent). Equal to the claim's precision: '58,000' agrees with '58 114'."
    )
    hint: Hint = Field(
        description="conflicting: a number or date differs; consistent: something agrees and nothing "
        "differs; unclear: the passage states none of the claim's values. Blind to contradiction in words."
    )
    relation: Relation | None = None
    pinned: bool = False


class EvidenceStatus(ResponseModel):
    """How evidence is retrieved in this process, and how far passage embeddings have got."""

    retrieval: str = Field(description="'lexical' (full text) or 'semantic' (full text plus embeddings).")
    passages: int
    passages_embedded: int
    embeddings_pending: int


class EvidenceSearchIn(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)
    limit: int = Field(default=10, ge=1, le=MAX_EVIDENCE_LIMIT)

    @field_validator("text")
    @classmethod
    def text_has_words(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("text is empty")
        return text


class EvidenceLinkOut(ResponseModel):
    claim_id: int
    passage_id: int
    relation: Relation
    actor: str
    created_at: UtcDateTime
