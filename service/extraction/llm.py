"""The LLM extractor: claims from any OpenAI-compatible model, grounded in the article, never lost.

The rule-based extractor runs first: its sentences are the units we number, chunk and report on,
and its result is what we return, marked with the reason, whenever the model cannot be used.
Nothing the model says is stored unless it can be pinned to article text (see `align.py`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import date

from prometheus_client import Counter

from service.extraction.align import align_item
from service.extraction.genre import Genre
from service.extraction.llm_answer import ANSWER_SCHEMA, ModelAnswer, parse_answer
from service.extraction.llm_cache import ExtractionCache, cache_key, extraction_from_dict, extraction_to_dict
from service.extraction.llm_client import ChatClient, ChatCompletion, LLMError
from service.extraction.llm_grounding import annotate, chunk_sentences, ground, is_duplicate, sentence_at
from service.extraction.llm_prompt import Prompt, load_prompt
from service.extraction.pipeline import extract as rules_extract
from service.extraction.result import ExtractedClaim, Extraction, SentenceReport
from service.settings import Settings

logger = logging.getLogger(__name__)
NO_CLAIM_REASON = "LLM found no checkable claim"

LLM_EXTRACTIONS = Counter(
    "claimcheck_llm_extractions_total",
    "Articles sent to the LLM extractor, by outcome (llm, cached, or the fallback reason).",
    ["outcome"],
)


@dataclass
class _ChunkResult:
    sentences: range
    answer: ModelAnswer
    completion: ChatCompletion


def extract_with_llm(
    text: str,
    *,
    settings: Settings,
    published_at: date | None = None,
    genre: Genre | str | None = None,
    title: str | None = None,
    cache: ExtractionCache | None = None,
) -> Extraction:
    """Claims from the configured LLM, each grounded in `text`, with the same shape as the rules extractor.

    Never raises for LLM trouble: any failure returns the rules extractor's result with
    extractor="rules" and meta["fallback_reason"] set (e.g. "timeout", "circuit_open", "invalid_json",
    "refusal", "http_503"). Every request, retry and chunk shares one budget of
    `llm_deadline_seconds` from this call on; past it the reason is "deadline".
    """
    deadline = time.monotonic() + settings.llm_deadline_seconds
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

    # The fallback and the sentence reports are the rules' own reading, genre and headline included.
    rules = rules_extract(text, published_at=published_at, genre=genre, title=title)
    run = _LLMRun(
        text=text, published_at=published_at, settings=settings, prompt=prompt, rules=rules, deadline=deadline
    )
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
    deadline: float  # time.monotonic() after which the rules' result is returned
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
        """Every chunk's answer, asked in parallel; LLMError("deadline") when the budget runs out first.

        The requests run in threads this call does not wait for past the deadline: a server that
        trickles bytes keeps an abandoned thread busy until its own timeout, never the article.
        """
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

        workers = min(len(chunks), max(1, self.settings.llm_concurrency))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="llm-chunk")
        futures: list[Future[_ChunkResult]] = [pool.submit(ask, chunk) for chunk in chunks]
        try:
            remaining = max(0.0, self.deadline - time.monotonic())
            done, not_done = wait(futures, timeout=remaining, return_when=FIRST_EXCEPTION)
            for future in done:
                if future.exception() is not None:
                    raise future.exception()  # type: ignore[misc]
            if not_done:
                raise LLMError("deadline")
            return [future.result() for future in futures]
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _ask(self, client: ChatClient, chunk: range) -> ChatCompletion:
        sentences = self.rules.sentences
        article = self.text[sentences[chunk.start].start : sentences[chunk.stop - 1].end]
        messages = self.prompt.render(
            article=article,
            sentences=[(i + 1, sentences[i].text) for i in chunk],
            published_at=self.published_at,
        )
        return client.complete(
            messages,
            json_schema=ANSWER_SCHEMA,
            plain_json_note=self.prompt.json_instructions,
            deadline=self.deadline,
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
                span = ground(self.text, model_claim, sentences, result.sentences)
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
                    sentence_index=sentence_at(sentences, span[0]),
                    items=list(dict.fromkeys(items)),
                )
                if not is_duplicate(claim, claims):
                    claims.append(claim)
        claims.sort(key=lambda claim: (claim.start, claim.end))
        annotate(self.text, claims, sentences, self.published_at)
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
