"""What the LLM extractor asks the model for (the JSON schema) and how its answer is read and validated."""

from __future__ import annotations

import json
import re
from typing import Any, get_args

from pydantic import BaseModel, ValidationError, field_validator

from service.extraction.llm_client import ChatCompletion, LLMError
from service.extraction.result import ClaimKind

_REFUSAL = re.compile(r"^\W*(i'?m sorry|i am sorry|sorry|i can(?:'|no)t|i won'?t|i am unable|as an ai)", re.I)
_CODE_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$", re.I)
CLAIM_KINDS: tuple[str, ...] = get_args(ClaimKind)


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
