"""Where finished LLM extractions are kept, by a key over everything that changes the answer."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import date
from typing import Any, Protocol

from service.extraction.result import Entity, ExtractedClaim, Extraction, Quantity, SentenceReport
from service.lru import LruCache


class ExtractionCache(Protocol):
    """Where finished LLM extractions are kept, by `cache_key`."""

    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, value: dict[str, Any]) -> None: ...


class InMemoryExtractionCache(LruCache[str, dict[str, Any]]):
    """A bounded, thread-safe, least-recently-used cache for one process (tests, the CLI)."""

    def __init__(self, max_entries: int = 1024) -> None:
        super().__init__(max_entries)


def cache_key(text: str, *, published_at: date | None, prompt_version: str, model: str) -> str:
    """sha256 over everything that changes the answer: prompt version, model, text, publication date."""
    digest = hashlib.sha256()
    for part in (prompt_version, model, published_at.isoformat() if published_at else "", text):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def extraction_to_dict(extraction: Extraction) -> dict[str, Any]:
    """A JSON-ready form of an extraction (for the cache)."""
    return asdict(extraction)


def extraction_from_dict(value: dict[str, Any]) -> Extraction:
    """The inverse of `extraction_to_dict`."""
    claims = [
        ExtractedClaim(
            **{
                **claim,
                "entities": [Entity(**entity) for entity in claim.get("entities", [])],
                "quantities": [Quantity(**quantity) for quantity in claim.get("quantities", [])],
            }
        )
        for claim in value["claims"]
    ]
    sentences = [SentenceReport(**report) for report in value["sentences"]]
    return Extraction(
        claims=claims, sentences=sentences, extractor=value["extractor"], meta=dict(value["meta"])
    )
