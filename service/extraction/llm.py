"""The LLM extractor: claims from any OpenAI-compatible model, grounded in the article, never lost.

The rule-based extractor runs first: its sentences are the units we number, chunk and report on,
and its result is what we return, marked with the reason, whenever the model cannot be used.
Nothing the model says is stored unless it can be pinned to article text (see `align.py`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, get_args

from prometheus_client import Counter
from pydantic import BaseModel, ValidationError, field_validator
from rapidfuzz import fuzz

from service.extraction.align import align_item, align_quote
from service.extraction.llm_client import ChatClient, ChatCompletion, LLMError
from service.extraction.nlp import get_nlp
from service.extraction.pipeline import _QUANTITY_LABELS
from service.extraction.pipeline import extract as rules_extract
from service.extraction.quantities import find_quantities
from service.extraction.result import (
    ClaimKind,
    Entity,
    ExtractedClaim,
    Extraction,
    Quantity,
    SentenceReport,
)
from service.settings import Settings, get_settings

logger = logging.getLogger(__name__)

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
PROMPT_NAME = "extract_claims.v1"
NO_CLAIM_REASON = "LLM found no checkable claim"
# Claims from overlapping chunks whose texts are at least this similar (and that come from the
# same sentence) are one claim seen twice.
DUPLICATE_TEXT_SCORE = 92.0

LLM_EXTRACTIONS = Counter(
    "claimcheck_llm_extractions_total",
    "Articles sent to the LLM extractor, by outcome (llm, cached, or the fallback reason).",
    ["outcome"],
)

_REFUSAL = re.compile(r"^\W*(i'?m sorry|i am sorry|sorry|i can(?:'|no)t|i won'?t|i am unable|as an ai)", re.I)
_CODE_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$", re.I)
CLAIM_KINDS: tuple[str, ...] = get_args(ClaimKind)


class ExtractionCache(Protocol):
    """Where finished LLM extractions are kept, by `cache_key`."""

    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, value: dict[str, Any]) -> None: ...


class InMemoryExtractionCache:
    """A bounded, thread-safe, least-recently-used cache for one process (tests, the CLI)."""

    def __init__(self, max_entries: int = 1024) -> None:
        self._entries: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored extraction for `key`, or None."""
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: str, value: dict[str, Any]) -> None:
        """Store `value`, evicting the least recently used entry when full."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


# --- prompt -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prompt:
    """A versioned prompt file: `version` in front matter; `# system`, `# user`, `# json_instructions`."""

    version: str
    system: str
    user: str
    json_instructions: str

    def render(
        self, *, article: str, sentences: Sequence[tuple[int, str]], published_at: date | None
    ) -> list[dict[str, str]]:
        """Chat messages for one chunk; sentences are numbered from 1 as in the whole article."""
        numbered = "\n".join(f"[{number}] {' '.join(text.split())}" for number, text in sentences)
        published = f"The article was published on {published_at.isoformat()}.\n" if published_at else ""
        user = (
            self.user.replace("{{published_at_line}}", published)
            .replace("{{article}}", article)
            .replace("{{sentences}}", numbered)
        )
        return [{"role": "system", "content": self.system}, {"role": "user", "content": user}]


@lru_cache(maxsize=8)
def load_prompt(name: str = PROMPT_NAME) -> Prompt:
    """Read and split `prompts/<name>.md`."""
    raw = (PROMPTS_DIR / f"{name}.md").read_text(encoding="utf-8")
    match = re.match(r"---\s*\n(.*?)\n---\s*\n(.*)", raw, re.S)
    if match is None:
        raise ValueError(f"prompt {name} has no front matter")
    front, rest = match.groups()
    version_line = re.search(r"^version:\s*(\S+)\s*$", front, re.M)
    if version_line is None:
        raise ValueError(f"prompt {name} declares no version")
    sections = dict(
        (heading.strip(), body.strip("\n"))
        for heading, body in re.findall(r"^# (\w+)\s*\n(.*?)(?=^# \w+\s*$|\Z)", rest, re.S | re.M)
    )
    return Prompt(
        version=version_line.group(1),
        system=sections["system"],
        user=sections["user"],
        json_instructions=sections["json_instructions"],
    )


# --- the model's answer ---------------------------------------------------------------------------


class ModelClaim(BaseModel):
    """One claim as the model states it; nothing here is trusted until grounded."""

    quote: str
    text: str
    sentence: int | None = None
    kind: str = "other"
    items: list[str] = []
    score: float = 0.8

    @field_validator("kind", mode="before")
    @classmethod
    def _known_kind(cls, value: object) -> str:
        kind = str(value).strip().lower() if value is not None else "other"
        return kind if kind in CLAIM_KINDS else "other"

    @field_validator("score", mode="before")
    @classmethod
    def _unit_score(cls, value: object) -> float:
        try:
            score = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return 0.8
        return min(1.0, max(0.0, score))


class ModelSkip(BaseModel):
    """A sentence the model found nothing checkable in, and why."""

    sentence: int
    reason: str


class ModelAnswer(BaseModel):
    """The whole JSON object the prompt asks for."""

    claims: list[ModelClaim]
    skipped: list[ModelSkip] = []


# Strict structured-output schemas require every property listed and no extras.
ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["claims", "skipped"],
    "properties": {
        "claims": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["sentence", "quote", "text", "kind", "items", "score"],
                "properties": {
                    "sentence": {"type": "integer"},
                    "quote": {"type": "string"},
                    "text": {"type": "string"},
                    "kind": {"type": "string", "enum": list(CLAIM_KINDS)},
                    "items": {"type": "array", "items": {"type": "string"}},
                    "score": {"type": "number"},
                },
            },
        },
        "skipped": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["sentence", "reason"],
                "properties": {"sentence": {"type": "integer"}, "reason": {"type": "string"}},
            },
        },
    },
}


def parse_answer(completion: ChatCompletion) -> ModelAnswer:
    """The validated answer, or LLMError: refusal, truncated_json, invalid_json or schema_mismatch."""
    if completion.refusal:
        raise LLMError("refusal")
    content = _CODE_FENCE.sub("", completion.content.strip())
    try:
        parsed: Any = json.loads(content)
    except ValueError:
        # Small models like to say a sentence before the object; take the outermost braces.
        first, last = content.find("{"), content.rfind("}")
        try:
            parsed = json.loads(content[first : last + 1]) if 0 <= first < last else None
        except ValueError:
            parsed = None
        if parsed is None:
            if completion.finish_reason == "length":
                raise LLMError("truncated_json") from None
            if _REFUSAL.match(content):
                raise LLMError("refusal") from None
            raise LLMError("invalid_json") from None
    if isinstance(parsed, list):
        parsed = {"claims": parsed}
    try:
        return ModelAnswer.model_validate(parsed)
    except ValidationError:
        raise LLMError("schema_mismatch") from None


# --- chunking and grounding ------------------------------------------------------------------------


def chunk_sentences(count: int, size: int) -> list[range]:
    """Sentence index ranges of at most `size`, each overlapping the previous by about a fifth.

    >>> chunk_sentences(10, 4)
    [range(0, 4), range(3, 7), range(6, 10)]
    """
    size = max(1, size)
    if count <= size:
        return [range(count)]
    overlap = min(size - 1, max(1, size // 5))
    step = size - overlap
    chunks = []
    for start in range(0, count, step):
        chunks.append(range(start, min(count, start + size)))
        if start + size >= count:
            break
    return chunks


@dataclass
class _ChunkResult:
    sentences: range
    answer: ModelAnswer
    completion: ChatCompletion


def _sentence_at(sentences: Sequence[SentenceReport], offset: int) -> int:
    for report in sentences:
        if report.start <= offset < report.end:
            return report.index
    nearest = min(sentences, key=lambda report: min(abs(report.start - offset), abs(report.end - offset)))
    return nearest.index


def _ground(
    text: str, claim: ModelClaim, sentences: Sequence[SentenceReport], chunk: range
) -> tuple[int, int] | None:
    """Try the sentence the model named (with its neighbours), then the whole chunk."""
    windows: list[tuple[int, int]] = []
    position = claim.sentence - 1 if claim.sentence is not None else None
    if position is not None and position in chunk:
        first = sentences[max(chunk.start, position - 1)]
        last = sentences[min(chunk.stop - 1, position + 1)]
        windows.append((first.start, last.end))
    windows.append((sentences[chunk.start].start, sentences[chunk.stop - 1].end))
    for window in windows:
        span = align_quote(text, claim.quote, window=window)
        if span is not None:
            return span
    return None


def _is_duplicate(claim: ExtractedClaim, kept: Sequence[ExtractedClaim]) -> bool:
    for other in kept:
        if (claim.start, claim.end) == (other.start, other.end) and claim.text == other.text:
            return True
        if claim.sentence_index == other.sentence_index and (
            fuzz.ratio(claim.text.lower(), other.text.lower()) >= DUPLICATE_TEXT_SCORE
        ):
            return True
    return False


def _annotate(
    text: str,
    claims: Sequence[ExtractedClaim],
    sentences: Sequence[SentenceReport],
    published_at: date | None,
) -> None:
    """Fill each claim's entities and quantities the way the rules extractor does, from spaCy."""
    wanted = sorted({claim.sentence_index for claim in claims})
    if not wanted:
        return
    by_index = {report.index: report for report in sentences}
    docs = dict(
        zip(wanted, get_nlp().pipe(text[by_index[i].start : by_index[i].end] for i in wanted), strict=True)
    )
    for claim in claims:
        offset = by_index[claim.sentence_index].start
        doc = docs[claim.sentence_index]
        # A quote may run past its sentence; the part inside it is what this parse can describe.
        span = doc.char_span(
            max(0, claim.start - offset), min(len(doc.text), claim.end - offset), alignment_mode="expand"
        )
        if span is None:
            continue
        # The same selection as the rules extractor: numbers go to quantities, names to entities.
        claim.entities = [
            Entity(text=ent.text, label=ent.label_, start=offset + ent.start_char, end=offset + ent.end_char)
            for ent in span.ents
            if ent.label_ not in _QUANTITY_LABELS
            and claim.start <= offset + ent.start_char
            and offset + ent.end_char <= claim.end
        ]
        claim.quantities = [
            quantity
            for quantity in find_quantities(span, offset, published_at)
            if claim.start <= quantity.start and quantity.end <= claim.end
        ]


# --- the extractor -------------------------------------------------------------------------------


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


def extract_with_llm(
    text: str,
    *,
    published_at: date | None = None,
    settings: Settings | None = None,
    cache: ExtractionCache | None = None,
) -> Extraction:
    """Claims from the configured LLM, each grounded in `text`, with the same shape as the rules extractor.

    Never raises for LLM trouble: any failure returns the rules extractor's result with
    extractor="rules" and meta["fallback_reason"] set (e.g. "timeout", "circuit_open", "invalid_json",
    "refusal", "http_503").
    """
    settings = settings or get_settings()
    prompt = load_prompt()
    key = cache_key(text, published_at=published_at, prompt_version=prompt.version, model=settings.llm_model)
    if cache is not None and (stored := cache.get(key)) is not None:
        try:
            cached = extraction_from_dict(stored)
        except (KeyError, TypeError, ValueError):
            logger.warning("ignoring an unreadable LLM cache entry")
        else:
            cached.meta["cached"] = True
            LLM_EXTRACTIONS.labels(outcome="cached").inc()
            return cached

    rules = rules_extract(text, published_at=published_at)
    run = _LLMRun(text=text, published_at=published_at, settings=settings, prompt=prompt, rules=rules)
    extraction = run.execute()
    LLM_EXTRACTIONS.labels(outcome=str(extraction.meta.get("fallback_reason", "llm"))).inc()
    if cache is not None and extraction.extractor == "llm":
        cache.put(key, extraction_to_dict(extraction))
    return extraction


@dataclass
class _LLMRun:
    """One article through the model: chunk, ask, ground, merge; or fall back with a reason."""

    text: str
    published_at: date | None
    settings: Settings
    prompt: Prompt
    rules: Extraction
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    started: float = 0.0

    def meta(self, **extra: object) -> dict[str, object]:
        return {
            "prompt_version": self.prompt.version,
            "model": self.settings.llm_model,
            "usage": {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens},
            "latency_ms": round((time.perf_counter() - self.started) * 1000, 1),
            "calls": self.calls,
            **extra,
        }

    def fallback(self, reason: str, **extra: object) -> Extraction:
        logger.warning("LLM extraction fell back to rules: %s", reason)
        return Extraction(
            claims=self.rules.claims,
            sentences=self.rules.sentences,
            extractor="rules",
            meta={**self.rules.meta, **self.meta(fallback_reason=reason, **extra)},
        )

    def execute(self) -> Extraction:
        self.started = time.perf_counter()
        sentences = self.rules.sentences
        if not self.settings.llm_base_url:
            return self.fallback("not_configured")
        if not sentences:
            return self.fallback("no_sentences")
        with ChatClient(self.settings) as client:
            if client.circuit_open():
                return self.fallback("circuit_open")
            chunks = chunk_sentences(len(sentences), self.settings.llm_chunk_sentences)
            try:
                results = self._ask_all(client, chunks)
            except LLMError as failure:
                return self.fallback(failure.reason)
        return self._merge(results)

    def _ask_all(self, client: ChatClient, chunks: list[range]) -> list[_ChunkResult]:
        lock = threading.Lock()

        def ask(chunk: range) -> _ChunkResult:
            completion: ChatCompletion | None = None
            with lock:
                self.calls += 1
            try:
                completion = self._ask(client, chunk)
                return _ChunkResult(chunk, parse_answer(completion), completion)
            finally:
                if completion is not None:
                    with lock:
                        self.prompt_tokens += completion.prompt_tokens
                        self.completion_tokens += completion.completion_tokens

        if len(chunks) == 1:
            return [ask(chunks[0])]
        workers = min(len(chunks), max(1, self.settings.llm_concurrency))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="llm-chunk") as pool:
            futures = [pool.submit(ask, chunk) for chunk in chunks]
            try:
                return [future.result() for future in futures]
            except LLMError:
                for future in futures:
                    future.cancel()
                raise

    def _ask(self, client: ChatClient, chunk: range) -> ChatCompletion:
        sentences = self.rules.sentences
        article = self.text[sentences[chunk.start].start : sentences[chunk.stop - 1].end]
        messages = self.prompt.render(
            article=article,
            sentences=[(i + 1, sentences[i].text) for i in chunk],
            published_at=self.published_at,
        )
        return client.complete(
            messages, json_schema=ANSWER_SCHEMA, plain_json_note=self.prompt.json_instructions
        )

    def _merge(self, results: list[_ChunkResult]) -> Extraction:
        sentences = self.rules.sentences
        claims: list[ExtractedClaim] = []
        dropped_ungrounded = dropped_items = 0
        skip_reasons: dict[int, str] = {}
        for result in results:
            for skip in result.answer.skipped:
                if skip.sentence - 1 in result.sentences and skip.reason.strip():
                    skip_reasons.setdefault(sentences[skip.sentence - 1].index, skip.reason.strip())
            for model_claim in result.answer.claims:
                span = _ground(self.text, model_claim, sentences, result.sentences)
                if span is None or not model_claim.text.strip():
                    dropped_ungrounded += 1
                    continue
                quote = self.text[span[0] : span[1]]
                items = [
                    found for item in model_claim.items if (found := align_item(quote, item)) is not None
                ]
                dropped_items += len(model_claim.items) - len(items)
                claim = ExtractedClaim(
                    text=" ".join(model_claim.text.split()),
                    quote=quote,
                    start=span[0],
                    end=span[1],
                    checkworthy=model_claim.score >= 0.5,
                    score=round(model_claim.score, 3),
                    kind=model_claim.kind,  # type: ignore[arg-type]  # validated against ClaimKind
                    sentence_index=_sentence_at(sentences, span[0]),
                    items=list(dict.fromkeys(items)),
                )
                if not _is_duplicate(claim, claims):
                    claims.append(claim)
        claims.sort(key=lambda claim: (claim.start, claim.end))
        _annotate(self.text, claims, sentences, self.published_at)
        return Extraction(
            claims=claims,
            sentences=self._reports(claims, skip_reasons),
            extractor="llm",
            meta=self.meta(dropped_ungrounded=dropped_ungrounded, dropped_items=dropped_items),
        )

    def _reports(
        self, claims: Sequence[ExtractedClaim], skip_reasons: dict[int, str]
    ) -> list[SentenceReport]:
        counts: dict[int, list[float]] = {}
        for claim in claims:
            counts.setdefault(claim.sentence_index, []).append(claim.score)
        reports = []
        for sentence in self.rules.sentences:
            scores = counts.get(sentence.index)
            reports.append(
                SentenceReport(
                    index=sentence.index,
                    start=sentence.start,
                    end=sentence.end,
                    text=sentence.text,
                    label="claim" if scores else "not_checkworthy",
                    score=max(scores) if scores else 0.0,
                    reason="LLM extracted checkable claims"
                    if scores
                    else skip_reasons.get(sentence.index, NO_CLAIM_REASON),
                    claim_count=len(scores or []),
                )
            )
        return reports
